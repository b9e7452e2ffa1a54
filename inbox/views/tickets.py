"""The inbox and the ticket page."""
from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from inbox import clock, search
from inbox.access import require, shop_ticket_and_draft_or_404, shop_ticket_or_404, shop_user_or_404, shop_users
from inbox.extensions import db
from inbox.forms import INVALID_DATETIME, LocalDateTimeField, choices
from inbox.htmx import is_htmx, render_page_or_fragment
from inbox.i18n import _, lazy_gettext as _l, ngettext
from inbox.ids import read_id, read_ids
from inbox.labels import CHANNEL_LABELS, LANGUAGES, STATUS_LABELS, language_choices
from inbox.models import Ticket
from inbox.services import presence, sla as sla_service, thread, ticket_list, tickets as ticket_service
from inbox.services.composer_view import build_composer
from inbox.views.ticket_rows import RowRenderer
from inbox.workflow import Channel, MessageKind, Status

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


def root():
    """The site's root: the inbox."""
    return redirect(url_for("tickets.index"))


def status_badge(status: str) -> Markup:
    # A function, not a macro: a {% from %} import costs each including template a scan of all the globals.
    # bandit B704: both values escaped.
    return Markup('<span class="status status-{}">{}</span>'.format(escape(status), escape(STATUS_LABELS[status])))  # nosec B704


def sla_badge_for(ticket: Ticket, now=None):
    """The badge from the ticket row alone: the shop is loaded once per request, its calendar is cached."""
    return sla_service.badge(ticket, current_user.shop, now or clock.now())


class NewTicketForm(FlaskForm):
    channel = SelectField(_l("Came in by"), choices=choices([
        (Channel.PHONE.value, _l("Phone")),
        (Channel.MARKETPLACE.value, _l("Forwarded by the marketplace's customer service")),
        (Channel.EMAIL.value, _l("E-mail")),
        (Channel.WEBFORM.value, _l("Web form")),
    ]))
    customer_name = StringField(_l("Customer name"), validators=[DataRequired(), Length(max=200)])
    customer_email = EmailField(_l("Customer e-mail"), validators=[Optional(), Email(), Length(max=254)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("The question"), validators=[DataRequired(), Length(max=50000)])
    received_at = LocalDateTimeField(_l("Received at"), validators=[Optional()])
    forwarded_at = LocalDateTimeField(_l("Forwarded at"), validators=[Optional()])
    order_number = StringField(_l("Order number"), validators=[Optional(), Length(max=64)])
    product = StringField(_l("Product"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language"), choices=choices([
        ("", _l("Detect")), *language_choices()]))
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=300)],
                       description=_l("Separate with commas"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # The rules for when it came in are shared with the API (tickets.time_problems). Optional() ends a field's
        # own chain on an empty value, so they run here; a value that could not be read keeps that message.
        problems = ticket_service.time_problems(self.channel.data, self.received_at.data, self.forwarded_at.data,
                                                clock.now())
        for name, message in problems.items():
            field = getattr(self, name)
            if not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        return ok


def _list_context(state: ticket_list.ListState, users) -> dict:
    shop, now = current_user.shop, clock.now()
    moment = ticket_list.Moment.of(shop, now)
    page = ticket_list.page_of(state, shop, current_user, moment)
    if state.before and len(page.tickets) < ticket_list.PAGE_SIZE:
        # Nothing more above the cursor: the top of the list, shown as page 1 (a search's page numbers count the
        # pages it looked through, some of which held nothing, so the label alone would offer an empty page).
        state = dataclasses.replace(state, page=1, before=None, after=None)
        page = ticket_list.page_of(state, shop, current_user, moment)
    rows = page.tickets
    offset = (state.page - 1) * ticket_list.PAGE_SIZE
    row_html = RowRenderer(
        row_args=state.args(page=1), terms=search.terms(state.q), now=now,
        key_of=ticket_list.keys_of(state),
        channel_labels=CHANNEL_LABELS, status_labels=STATUS_LABELS,
        viewers=presence.viewers_of(shop.id, [t.id for t in rows], current_user, now),
        # Each badge from its ticket row and the shop's cached calendar, no queries.
        badges={t.id: sla_service.badge(t, shop, now) for t in rows})
    return dict(
        state=state, tickets=rows, rows=[row_html(t, offset + i) for i, t in enumerate(rows)], has_next=page.has_next,
        # A search that looked only at the newest questions says so, and goes on below the oldest it looked at.
        searched_since=page.searched_since,
        older_url=url_for("tickets.index", **state.args(page=state.page + 1, after=str(page.older_from), before=None))
        if page.older_from else None,
        users=users, now=now, counts=ticket_list.view_counts(shop, current_user, moment), views=ticket_list.VIEWS,
        offset=offset, tags=ticket_list.recent_tags(shop.id), channels=CHANNEL_LABELS, languages=LANGUAGES,
        # The live poll (views/live.py) counts what arrived after this: the cursor travels with the page.
        cursor=ticket_list.newest_id(), live_poll=current_app.config["LIVE_POLL_SECONDS"],
        cursor_of=ticket_list.cursor_of,  # the pager's links start the next page after a ticket (keyset)
    )


@bp.get("")
@login_required
def index():
    """The inbox: a view (Needs reply by default, the most urgent first), filters, search, pages of 50."""
    users = shop_users(active_only=False)
    state = ticket_list.parse_state(request.args, users, current_user.shop.tz)
    resp = render_page_or_fragment("tickets/index.html", "tickets/_list.html", oob=is_htmx(),
                                   **_list_context(state, users))
    if is_htmx():
        # The canonical URL of what is shown (no empty parameters), so links can be shared and Back works.
        resp.headers["HX-Push-Url"] = url_for("tickets.index", **state.args())
    return resp


@bp.post("/bulk")
@require("answer")
def bulk():
    """Apply one change to the selected tickets: assign, add a tag, or set a status."""
    back = request.form.get("next") or url_for("tickets.index")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("tickets.index")
    ids = read_ids(request.form.getlist("ids"), ticket_list.PAGE_SIZE * 2)
    action = request.form.get("action", "")
    action, _sep, value = action.partition(":")  # "assign", "tag" or "status:solved"
    if action == "assign":
        value = (request.form.get("value") or "").strip()
    elif action == "tag":
        value = (request.form.get("tag_value") or "").strip()
    chosen = ticket_list.tickets_by_ids(current_user.shop_id, ids, with_tags=action == "tag")
    if not chosen:
        flash(_("Select one or more questions first."), "warning")
        return redirect(back, 303)
    if action == "assign":
        value = _chosen_assignee(value)
    try:
        outcome = ticket_service.apply_bulk(chosen, current_user.shop, action, value, by=current_user)
    except ticket_service.TicketError as e:
        db.session.rollback()
        flash(str(e), "warning")
        return redirect(back, 303)
    db.session.commit()
    flash(ngettext("%(num)s question updated.", "%(num)s questions updated.", outcome.done), "success")
    if outcome.refused:
        flash(ngettext("%(num)s question could not be changed to that status.",
                       "%(num)s questions could not be changed to that status.", outcome.refused), "warning")
    return redirect(back, 303)


def _chosen_assignee(value: str):
    """An assign form's choice: "me", nobody ("" or "none"), or (for those who may hand out work) a colleague of
    the shop."""
    if value == "me":
        return current_user
    if value in ("", "none"):
        return None
    if not current_user.may("manage_tickets"):
        abort(403)
    user_id = read_id(value)
    if user_id is None:
        abort(404)
    return shop_user_or_404(user_id)


@bp.route("/new", methods=["GET", "POST"])
@require("answer")
def new():
    """Log a question that came in by phone or was forwarded by the marketplace's customer service."""
    form = NewTicketForm()
    if form.validate_on_submit():
        shop = current_user.shop
        ticket = ticket_service.create_ticket(
            shop, subject=form.subject.data, body=form.body.data, customer_name=form.customer_name.data,
            customer_email=form.customer_email.data, channel=form.channel.data,
            received_at=form.received_at.data or clock.now(),
            forwarded_at=form.forwarded_at.data if form.channel.data == Channel.MARKETPLACE.value else None,
            language=form.language.data or None, order_number=form.order_number.data,
            product=form.product.data, tags=(form.tags.data or "").split(","), by=current_user,
        )
        db.session.commit()
        flash(_("Question #%(id)s logged.", id=ticket.id), "success")
        return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)
    for field in (form.received_at, form.forwarded_at):
        if field.errors and field.raw_data and any(field.raw_data) and field.data is None:
            field.errors[:] = [INVALID_DATETIME]
    status = 422 if form.errors else 200
    return render_template("tickets/new.html", form=form), status


@bp.get("/<int:ticket_id>")
@login_required
def show(ticket_id: int):
    """One question: its thread, the reply box, the side panel, and prev/next within the list it came from."""
    # The shop's users first: the ticket's assignee and the thread's authors are then found without a join or query.
    users = shop_users(active_only=False)
    ticket, draft = shop_ticket_and_draft_or_404(ticket_id)
    state = ticket_list.parse_state(request.args, users, current_user.shop.tz)
    raw_pos = request.args.get("pos", "")
    pos = int(raw_pos) if raw_pos.isdecimal() and len(raw_pos) <= 9 else None   # a place in a list, not any number
    shop, now = current_user.shop, clock.now()
    around = ticket_list.neighbours(state, shop, current_user, now, ticket, pos, request.args.get("key"))

    def at(place, position):
        return place and url_for("tickets.show", ticket_id=place[0], pos=position, key=place[1], **state.args(page=1))

    # The list's page that holds the ticket, by the cursor it starts after (none: the list's start is within a
    # page of it), so going back to a deep page costs what the first does.
    page = pos // ticket_list.PAGE_SIZE + 1 if pos and around.page_after else 1
    messages = thread.messages_with_mail(ticket)
    last_message_id = max((m.id for m in messages), default=0)
    return render_template(
        "tickets/show.html", ticket=ticket, now=now, users=[u for u in users if u.active], state=state,
        views_label=ticket_list.VIEWS[state.view],
        prev_url=at(around.prev, max(0, (pos or 0) - 1)), next_url=at(around.next, (pos or 0) + 1),
        list_url=url_for("tickets.index", **state.args(page=page, after=around.page_after if page > 1 else None,
                                                       before=None)),
        earlier=ticket_list.earlier_tickets(ticket),
        referred_by=ticket_service.referred_by(ticket),
        # Nobody yet: the page's first heartbeat (on load) records this visit and answers who else is here, so
        # asking here as well would do that work twice per view.
        colleagues=[],
        last_message_id=last_message_id, panel_state=ticket_service.panel_state(ticket),
        reply_history=[m for m in messages if m.kind == MessageKind.REPLY.value and m.sla_margin is not None],
        composer=build_composer(ticket, current_user, draft=draft, seen_message_id=last_message_id)
        if current_user.may("answer") else None,
    )


def _back_to(ticket: Ticket, fragment: str, **ctx):
    """The changed panel for htmx (plus the SLA badge, which a status change moves), else back to the page."""
    if is_htmx():
        now = clock.now()
        html = render_template(fragment, ticket=ticket, now=now, users=shop_users(), **ctx)
        badge = render_template("tickets/_sla.html", ticket=ticket, badge=sla_badge_for(ticket, now), oob=True)
        # The page now shows this state: its heartbeat need not bring the panels again.
        state = render_template("tickets/_panel_state.html", ticket=ticket, oob=True,
                                panel_state=ticket_service.panel_state(ticket))
        return html + badge + state
    return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)


def _refused(ticket: Ticket, fragment: str, error: str):
    """A change the rules refused: for htmx the panel again, as it now is, with the reason (422, which htmx swaps
    in place); a plain form post goes back to the page with the reason on top."""
    db.session.rollback()
    if is_htmx():
        return render_template(fragment, ticket=ticket, users=shop_users(), error=error), 422
    flash(error, "error")
    return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)


def _change(ticket: Ticket, fragment: str, change):
    """Make a change the workflow may refuse: refused, the panel with the reason (`_refused`); made, the changed
    panel is answered (`_back_to`)."""
    try:
        change()
    except ticket_service.TicketError as e:
        return _refused(ticket, fragment, str(e))
    db.session.commit()
    return _back_to(ticket, fragment)


@bp.post("/<int:ticket_id>/status")
@require("answer")
def status(ticket_id: int):
    """Change a ticket's status (open, pending, solved) where the workflow allows it."""
    ticket = shop_ticket_or_404(ticket_id)
    return _change(ticket, "tickets/_status.html", lambda: ticket_service.change_status(
        ticket, current_user.shop, request.form.get("status", ""), by=current_user))


@bp.post("/<int:ticket_id>/assign")
@require("answer")
def assign(ticket_id: int):
    """Take a ticket, or (managers and owners) give it to a colleague."""
    ticket = shop_ticket_or_404(ticket_id)
    assignee = _chosen_assignee(request.form.get("assignee_id", ""))
    return _change(ticket, "tickets/_assignee.html",
                   lambda: ticket_service.assign(ticket, current_user.shop, assignee, by=current_user))


@bp.post("/<int:ticket_id>/tags")
@require("answer")
def tags(ticket_id: int):
    """Replace the ticket's tags with the comma-separated list typed."""
    ticket = shop_ticket_or_404(ticket_id)
    raw = request.form.get("tags", "")
    if len(raw) > 300:
        return render_template("tickets/_tags.html", ticket=ticket, error=_("Too many tags."), raw=raw), 422
    ticket_service.set_tags(ticket, raw.split(","), by=current_user)
    db.session.commit()
    if is_htmx():
        return render_template("tickets/_tags.html", ticket=ticket)
    return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)
