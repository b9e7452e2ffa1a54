"""The reply composer on the ticket page: send once, drafts as you type, live nudges, templates in place."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from inbox import nudges, placeholders
from inbox.access import require, shop_row_or_404, shop_ticket_or_404
from inbox.extensions import db
from inbox.htmx import hx_redirect, is_htmx
from inbox.i18n import _
from inbox.ids import read_id, read_ids
from inbox.models import ReplyTemplate, Ticket
from inbox.services import (composer as composer_service, help as help_service, public_url, reply_templates,
                            tickets as ticket_service, uploads)
from inbox.services.composer_view import Composer, build_composer, nudge_panel
from inbox.upload_limits import takes_files
from inbox.workflow import MessageKind, Status

bp = Blueprint("composer", __name__, url_prefix="/tickets")


def _form_kind() -> str:
    return MessageKind.NOTE.value if request.form.get("kind") == MessageKind.NOTE.value else MessageKind.REPLY.value


def _seen_id() -> int | None:
    raw = request.form.get("seen_message_id", "")
    return read_id(raw)


def _composer_response(ticket: Ticket, composer: Composer, status: int, message: str):
    """The composer again with what went wrong: the fragment for htmx; without htmx the text is kept as a draft
    and the browser goes back to the ticket page, which restores it."""
    if is_htmx():
        html = render_template("tickets/_reply_form.html", ticket=ticket, composer=composer)
        # htmx swaps 2xx and 422 only (base.html); a conflict is something to show, not a failure.
        return make_response(html, 200 if status == 409 else status)
    composer_service.save_draft(ticket, current_user, composer.body, composer.kind)
    db.session.commit()
    flash(message, "error" if status == 422 else "warning")
    return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)


# --------------------------------------------------------------------------- sending

@bp.post("/<int:ticket_id>/reply")
@takes_files
@require("answer")
def reply(ticket_id: int):
    """Send a reply (or save an internal note) and set the status in the same step; exactly once per form token.

    :raise 404: for a ticket of another shop.
    """
    ticket = shop_ticket_or_404(ticket_id)
    body, kind = request.form.get("body", ""), _form_kind()
    status = request.form.get("status") or Status.PENDING.value
    # A form without a token (an old page, a script) still sends; only the re-submit protection is lost.
    token = composer_service.valid_token(request.form.get("token")) or composer_service.new_token()
    seen = _seen_id()
    # Files sent with the form (a browser without JavaScript); with it, they already wait on the draft.
    files = uploads.read_files(request.files.getlist("files"))
    try:
        result = composer_service.send(ticket, current_user.shop, current_user, body=body, kind=kind,
                                       status=status, token=token, seen_message_id=seen, files=files)
    except ticket_service.TicketError as e:
        db.session.rollback()
        if isinstance(e, composer_service.TokenReused):
            token = composer_service.new_token()
        elif files:
            # Nothing was sent; the files that passed wait on the draft, so only the refused ones need picking again.
            composer_service.attach(ticket, current_user, current_user.shop, files)
            db.session.commit()
        composer = build_composer(ticket, current_user, body=body, kind=kind, token=token, seen_message_id=seen,
                                  chosen_status=status, error=str(e))
        return _composer_response(ticket, composer, 422, str(e))
    if result.newer:
        db.session.rollback()
        if files:
            composer_service.attach(ticket, current_user, current_user.shop, files)
            db.session.commit()
        # The agent has now seen these; sending again (the confirm button) goes through unless more arrive.
        composer = build_composer(ticket, current_user, body=body, kind=kind, token=token,
                                  seen_message_id=max(m.id for m in result.newer), newer=result.newer,
                                  chosen_status=status)
        return _composer_response(ticket, composer, 409,
                                  _("Not sent: something new arrived on this question. Read it, then send again."))
    db.session.commit()
    if result.duplicate:
        flash(_("This message was already sent; it was not sent twice."), "info")
    elif kind == MessageKind.NOTE.value:
        flash(_("Note saved."), "success")
    elif result.outbound is None:
        flash(_("Reply saved, but not e-mailed: this question has no e-mail address."), "warning")
    else:
        flash(_("Reply sent."), "success")
    # No #message anchor: on the same page a changed hash only scrolls, and the thread must reload.
    return hx_redirect(url_for("tickets.show", ticket_id=ticket.id))


# --------------------------------------------------------------------------- drafts and nudges

@bp.post("/<int:ticket_id>/draft")
@require("answer")
def draft(ticket_id: int):
    """Save what is being typed (debounced by htmx); answers with the draft status and, out of band, the nudges."""
    ticket = shop_ticket_or_404(ticket_id)
    body, kind = request.form.get("body", ""), _form_kind()
    token = composer_service.valid_token(request.form.get("token"))
    if token and composer_service.token_used(token):
        # A save that was still on its way when the form was sent: the text went out, no draft to keep.
        saved = None
    else:
        saved = composer_service.save_draft(ticket, current_user, body, kind)
        db.session.commit()
    return render_template("composer/_draft_saved.html", ticket=ticket, draft=saved,
                           panel=nudge_panel(ticket, current_user, body, kind))


@bp.post("/<int:ticket_id>/nudges")
@require("answer")
def review(ticket_id: int):
    """The checks for the text in the composer, grouped Fast / Expert / Personal."""
    ticket = shop_ticket_or_404(ticket_id)
    panel = nudge_panel(ticket, current_user, request.form.get("body", ""), _form_kind())
    return render_template("composer/_nudges.html", ticket=ticket, panel=panel)


# --------------------------------------------------------------------------- templates and snippets in place

def _template_or_404(template_id: int) -> ReplyTemplate:
    """One of the shop's templates that the composer offers (not archived)."""
    template = shop_row_or_404(ReplyTemplate, template_id)
    if template.archived:
        abort(404)
    return template


@bp.get("/<int:ticket_id>/templates")
@require("answer")
def template_list(ticket_id: int):
    """The templates besides the suggested ones, for the composer's list when it is opened."""
    ticket = shop_ticket_or_404(ticket_id)
    others = reply_templates.suggest(ticket, current_user.shop)[1]
    return render_template("composer/_template_list.html", ticket=ticket, templates=others)


@bp.get("/<int:ticket_id>/templates/<int:template_id>")
@require("answer")
def pick_template(ticket_id: int, template_id: int):
    """A template's preview for this ticket, with its solutions to tick and the files it attaches."""
    ticket = shop_ticket_or_404(ticket_id)
    template = _template_or_404(template_id)
    preview = reply_templates.render(template, ticket, current_user, current_user.shop,
                                     option_ids=[o.id for o in template.options])
    return render_template("composer/_template_pick.html", ticket=ticket, template=template, preview=preview,
                           files=reply_templates.files(template))


def _insert(ticket: Ticket, text: str, *, files_added: bool = False):
    """Put text into the composer: it replaces an empty box, else goes below what is there. Saves the draft.
    `files_added`: a template's standard attachments went onto the draft, so its file list is sent along."""
    current = request.form.get("body", "")
    body = f"{current.rstrip()}\n\n{text}" if current.strip() else text
    kind = _form_kind()
    saved = composer_service.save_draft(ticket, current_user, body, kind)
    db.session.commit()
    return render_template("composer/_inserted.html", ticket=ticket, body=body, draft=saved,
                           panel=nudge_panel(ticket, current_user, body, kind), files_added=files_added)


@bp.post("/<int:ticket_id>/templates/<int:template_id>/insert")
@require("answer")
def insert_template(ticket_id: int, template_id: int):
    """Fill the template's placeholders from the ticket and the user; the ticked solutions become a numbered list,
    and the template's standard attachments go onto the draft."""
    ticket = shop_ticket_or_404(ticket_id)
    template = _template_or_404(template_id)
    option_ids = [str(i) for i in read_ids(request.form.getlist("option"), 100)]
    text = reply_templates.render(template, ticket, current_user, current_user.shop, option_ids=option_ids)
    added = uploads.template_to_draft(template, ticket, current_user)   # its standard attachments, once
    return _insert(ticket, text, files_added=added > 0)


@bp.post("/<int:ticket_id>/first-reaction")
@require("answer")
def first_reaction(ticket_id: int):
    """A short first reaction in the customer's language and tone: buys time honestly when the deadline is near."""
    ticket = shop_ticket_or_404(ticket_id)
    tone = nudges.detect_tone(composer_service.latest_question(ticket))
    snippet = composer_service.first_reaction_text(ticket.language, tone.formal)
    text = placeholders.fill(snippet, reply_templates.values_for(ticket, current_user, current_user.shop),
                             missing=reply_templates.missing_markers())
    return _insert(ticket, text)


def _customer_language(ticket: Ticket) -> str:
    return ticket.language if ticket.language in help_service.LANGUAGES else "en"


@bp.get("/<int:ticket_id>/articles")
@require("answer")
def article_list(ticket_id: int):
    """Help articles to link in the reply: those that match the question first, or what the agent searches for."""
    ticket = shop_ticket_or_404(ticket_id)
    articles = help_service.for_reply(help_service.index_for(ticket.shop_id), ticket,
                                      composer_service.latest_question(ticket), request.args.get("q", "")[:200])
    return render_template("composer/_article_list.html", ticket=ticket, articles=articles,
                           lang=_customer_language(ticket))


@bp.post("/<int:ticket_id>/articles/<int:article_id>/insert")
@require("answer")
def insert_article(ticket_id: int, article_id: int):
    """A link to a published help article, titled in the customer's language, goes into the reply."""
    ticket = shop_ticket_or_404(ticket_id)
    article = help_service.published(ticket.shop_id, article_id)
    if article is None:
        abort(404, description=f"Article {article_id} doesn't exist.")
    lang = _customer_language(ticket)
    title = help_service.title(article, lang)
    url = public_url.base_for(ticket.shop_id) + url_for("help.article", shop_id=ticket.shop_id, article_id=article.id,
                                     slug=help_service.slug(title), lang=lang)
    return _insert(ticket, f"{title}: {url}")
