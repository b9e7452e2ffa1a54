"""The customer's side of a question: its private page (the thread without notes, the status, the promise and a
reply box), a fresh link by e-mail address, and the staff's button that stops every link to a ticket.

Public pages: CSRF-protected, rate-limited per address and per link, and they never say whether an e-mail
address or a ticket exists (an unknown, expired or revoked link answers the same 404)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, MultipleFileField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from inbox import clock, throttle
from inbox.access import require, shop_row_or_404, shop_ticket_or_404
from inbox.extensions import db
from inbox.forms import choices
from inbox.i18n import _, lazy_gettext as _l, ngettext
from inbox.models import Rating, Shop
from inbox.services import customer_links, customer_portal, satisfaction, uploads
from inbox.upload_limits import takes_files

bp = Blueprint("customer", __name__)

WINDOW = timedelta(minutes=10)
PAGE_VIEWS = 120          # per address and window: a person reads, a script hammers
MISSES = 20               # wrong links per address and window before we stop looking them up
REPLIES = (10, timedelta(hours=1))        # per link
LINK_REQUESTS = (5, WINDOW)               # per address (IP)
LINK_MAILS = (3, timedelta(hours=1))      # per e-mail address: a stranger cannot flood someone's mailbox


class CustomerReplyForm(FlaskForm):
    # Empty is fine when files come with it: a photo of the damage may say it all.
    body = TextAreaField(_l("Your reply"), validators=[Length(max=20000)])
    files = MultipleFileField(_l("Attach files (optional)"))


SCORE_LABELS = satisfaction.SCORE_NAMES


class RatingForm(FlaskForm):
    score = RadioField(_l("How did we do?"), choices=choices(SCORE_LABELS.items()),
                       validators=[DataRequired(message=_l("Choose good, okay or bad."))])
    comment = TextAreaField(_l("Anything you would like to tell us? (optional)"),
                            validators=[Optional(), Length(max=2000)])


class LinkRequestForm(FlaskForm):
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    website = StringField(validators=[Optional(), Length(max=0)])  # a honeypot that people never see


def _ip() -> str:
    return request.remote_addr or "?"


def _private(page: str, status: int = 200):
    """A question's page is nobody else's: no caches, no search engines. Commits the rate counting."""
    db.session.commit()
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _open(token: str):
    """The link's ticket and shop, or the same 404 (or 429 for a flood) whatever is wrong with it."""
    if not throttle.allow_recorded("q-view", _ip(), PAGE_VIEWS, WINDOW):
        db.session.commit()
        abort(429)
    found = customer_links.find(token)
    if found is None:
        allowed = throttle.allow_recorded("q-miss", _ip(), MISSES, WINDOW)
        db.session.commit()
        abort(404 if allowed else 429)
    _link, ticket = found
    return found[0], ticket, db.session.get(Shop, ticket.shop_id)


def _rating_form(view) -> RatingForm | None:
    """The rating form, pre-filled with the customer's rating; None while there is nothing to rate yet."""
    if view.rating is None and view.status != "solved":
        return None
    data = {"score": view.rating.score, "comment": view.rating.comment} if view.rating else {}
    return RatingForm(formdata=None, data=data)


def _page(key, ticket, shop, form, status=200):
    view = customer_portal.question_view(ticket, shop)
    rating_form = _rating_form(view)
    response = render_template("customer/question.html", key=key, ticket=ticket, shop=shop, view=view,
                               form=form, rating_form=rating_form, limits=uploads.limits_for(shop),
                               can_rate=satisfaction.can_change(view.rating, clock.now()),
                               SCORE_NAMES=SCORE_LABELS)
    return _private(response, status)


@bp.get("/q/<key>")
def question(key: str):
    """The customer's page of one question: the conversation, its status and when they will have an answer."""
    _link, ticket, shop = _open(key)
    return _page(key, ticket, shop, CustomerReplyForm())


@bp.post("/q/<key>")
@takes_files
def reply(key: str):
    """The customer adds to their question: a customer message, as if they had mailed again, with their files
    checked as the staff's are (the shop's limits, programs refused). A refused file sends nothing and keeps the
    typed text."""
    link, ticket, shop = _open(key)
    form = CustomerReplyForm()
    if not form.validate_on_submit():
        return _page(key, ticket, shop, form, 422)
    taken, problems = customer_portal.check_files(shop, uploads.read_files(request.files.getlist(form.files.name)))
    if problems:
        form.files.errors = [*problems, _("Nothing was sent yet: choose the files again, then send.")]
        return _page(key, ticket, shop, form, 422)
    if not (form.body.data or "").strip() and not taken:
        form.body.errors = [_("Write a message or attach a file.")]
        return _page(key, ticket, shop, form, 422)
    if not throttle.allow_recorded("q-reply", str(link.id), *REPLIES):
        form.form_errors.append(_("You sent several messages in a short time. Please try again later."))
        return _page(key, ticket, shop, form, 429)
    customer_portal.add_reply(ticket, shop, form.body.data, taken)
    db.session.commit()
    flash(_("Thank you, your message has been added to your question."), "success")
    return redirect(url_for("customer.question", key=key) + "#thread-end", 303)


@bp.get("/q/<key>/rate/<score>")
def rate_confirm(key: str, score: str):
    """The "How did we do?" links of a mail land here with the answer chosen; only the form's POST saves it.

    Mail scanners and link prefetchers open every link in a mail: a GET that saved the rating would let them
    rate on the customer's behalf (and the first of three links wins)."""
    _link, ticket, shop = _open(key)
    view = customer_portal.question_view(ticket, shop)
    data = {"score": score if score in SCORE_LABELS else None, "comment": view.rating.comment if view.rating else None}
    rating_form = RatingForm(formdata=None, data=data)
    response = render_template("customer/rate.html", key=key, ticket=ticket, shop=shop, view=view,
                               rating_form=rating_form, can_rate=satisfaction.can_change(view.rating, clock.now()),
                               SCORE_NAMES=SCORE_LABELS)
    return _private(response)


@bp.post("/q/<key>/rate")
def rate(key: str):
    """Save the customer's rating of their solved question (changeable for 7 days)."""
    link, ticket, shop = _open(key)
    view = customer_portal.question_view(ticket, shop)
    rating_form = RatingForm()
    status = 422
    if rating_form.validate_on_submit():
        if not throttle.allow_recorded("q-rate", str(link.id), *REPLIES):
            rating_form.form_errors.append(_("You sent several messages in a short time. Please try again later."))
            status = 429
        else:
            try:
                satisfaction.rate(ticket, shop, rating_form.score.data, rating_form.comment.data)
            except satisfaction.RatingError as e:
                rating_form.form_errors.append(str(e))
            else:
                db.session.commit()
                flash(_("Thank you for telling us how we did."), "success")
                return redirect(url_for("customer.question", key=key) + "#rating", 303)
    response = render_template("customer/rate.html", key=key, ticket=ticket, shop=shop, view=view,
                               rating_form=rating_form, can_rate=satisfaction.can_change(view.rating, clock.now()),
                               SCORE_NAMES=SCORE_LABELS)
    return _private(response, status)


@bp.post("/ratings/<int:rating_id>/followed-up")
@require("see_reports")
def followed_up(rating_id: int):
    """A manager followed up a bad rating: it leaves the performance page's to-do list."""
    rating = shop_row_or_404(Rating, rating_id)
    satisfaction.mark_followed_up(rating, by=current_user)
    db.session.commit()
    flash(_("Marked as followed up."), "success")
    return redirect(url_for("reports.index") + "#satisfaction", 303)


@bp.route("/contact/<int:shop_id>/link", methods=["GET", "POST"])
def ask_link(shop_id: int):
    """A customer asks for fresh links to their questions by e-mail address; the answer never tells if we know it."""
    shop = db.session.get(Shop, shop_id) or abort(404)
    form = LinkRequestForm()
    if form.validate_on_submit():
        if not throttle.allow_recorded("link-ip", _ip(), *LINK_REQUESTS):
            form.form_errors.append(_("You asked several times in a short time. Please try again in a few minutes."))
            return _private(render_template("customer/ask_link.html", shop=shop, form=form), 429)
        email = form.email.data.strip().lower()
        if throttle.allow_recorded("link-mail", customer_links.token_hash(email), *LINK_MAILS):
            customer_links.request_fresh_links(shop, email)
        db.session.commit()
        return _private(render_template("customer/ask_link.html", shop=shop, form=None, sent_to=email))
    status = 422 if form.errors else 200
    return _private(render_template("customer/ask_link.html", shop=shop, form=form), status)


@bp.post("/tickets/<int:ticket_id>/customer-links/revoke")
@require("answer")
def revoke_links(ticket_id: int):
    """Staff stop every private link to this question (a forwarded mail); the customer can ask for a fresh one."""
    ticket = shop_ticket_or_404(ticket_id)
    count = customer_links.revoke(ticket, by=current_user)
    db.session.commit()
    flash(ngettext("%(num)s link to this question stopped working.", "%(num)s links to this question stopped working.",
                   count), "success")
    return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)
