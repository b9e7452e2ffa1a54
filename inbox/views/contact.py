"""The public contact page of a shop (the web-form channel): no sign-in, CSRF-protected, rate-limited."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from inbox import clock, i18n, storable, throttle
from inbox.extensions import db
from inbox.i18n import _, lazy_gettext as _l
from inbox.ids import read_ids
from inbox.models import ContactSubmission, Shop, Ticket
from inbox.services import help as help_service, promise, team, team_photos, tickets
from inbox.views.help import counts
from inbox.views.vacation import contact_details
from inbox.workflow import Channel

bp = Blueprint("contact", __name__, url_prefix="/contact")

WINDOW = timedelta(minutes=10)
MAX_PER_WINDOW = 5  # per address: a real customer sends one or two


class ContactForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    order_number = StringField(_l("Order number (if you have one)"), validators=[Optional(), Length(max=64)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Your question"), validators=[DataRequired(), Length(max=20000)])
    website = StringField(validators=[Optional(), Length(max=0)])  # a honeypot that people never see


def _shop_or_404(shop_id: int) -> Shop:
    shop = db.session.get(Shop, shop_id)
    if shop is None:
        abort(404)
    return shop


def _too_many(ip: str) -> bool:
    since = clock.now() - WINDOW
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ContactSubmission)
                              .where(ContactSubmission.ip == ip, ContactSubmission.created_at >= since))
    return count >= MAX_PER_WINDOW


def _duplicate(shop: Shop, form: ContactForm) -> Ticket | None:
    """The same message sent twice in a row (a double click, a reload) makes one question."""
    return db.session.scalar(sa.select(Ticket).where(
        Ticket.shop_id == shop.id, Ticket.channel == Channel.WEBFORM.value,
        # Compared as it was stored: a NUL byte in the subject would fail the query itself on PostgreSQL.
        Ticket.customer_email == storable.text(form.email.data.strip().lower(), 254, multiline=False),
        Ticket.subject == storable.text(form.subject.data.strip(), 300, multiline=False),
        Ticket.received_at >= clock.now() - WINDOW).order_by(Ticket.id.desc()).limit(1))


def _form_page(shop: Shop, form: ContactForm, status: int = 200):
    now = clock.now()
    suggested, shown = _suggestions_for_what_was_typed(shop, form)
    return render_template("contact/form.html", shop=shop, form=form, contact=contact_details(shop, now),
                           care=promise.contact_promise(shop, now), suggested=suggested, shown_ids=shown,
                           typed=bool(suggested or (form.subject.data or "").strip()
                                      or (form.body.data or "").strip())), status


def _suggestions_for_what_was_typed(shop: Shop, form: ContactForm) -> tuple[list, list[str]]:
    """A form shown again (a field to correct) offers the articles that match what was typed, as typing did;
    the ones it had not offered yet are counted as shown and remembered in the form."""
    shown = [str(i) for i in read_ids(request.form.getlist("shown"), 50)]
    if request.method != "POST":
        return [], shown
    entries = help_service.suggest(help_service.index_for(shop.id), form.subject.data or "", form.body.data or "")
    new = [str(e.id) for e in entries if str(e.id) not in shown]
    if new and counts():
        help_service.count(shop, new, "shown")
        db.session.commit()
    return entries, shown + new


@bp.route("/<int:shop_id>", methods=["GET", "POST"])
def form(shop_id: int):
    """The shop's public contact form: a message becomes a ticket; rate-limited per address."""
    if not throttle.public_request_allowed("contact"):
        abort(429)
    shop = _shop_or_404(shop_id)
    form = ContactForm()
    if form.validate_on_submit():
        ip = request.remote_addr or "?"
        if _too_many(ip):
            form.form_errors.append(_("You sent several messages in a short time. Please try again in a few minutes."))
            return _form_page(shop, form, 429)
        db.session.add(ContactSubmission(shop_id=shop.id, ip=ip))
        ticket = _duplicate(shop, form)
        if ticket is None:
            ticket = tickets.create_ticket(
                shop, subject=form.subject.data, body=form.body.data, customer_name=form.name.data,
                customer_email=form.email.data, channel=Channel.WEBFORM.value, order_number=form.order_number.data,
                language=i18n.language() or None)
            team.auto_acknowledge(ticket, shop)
            # The articles suggested while typing did not answer it: counted against their deflection rate.
            help_service.count(shop, read_ids(request.form.getlist("shown"), 50), "sent")
        db.session.commit()
        # The thank-you page shows this question's own promise (its reply clock), not a fresh one.
        session["contact_ticket"] = ticket.id
        return redirect(url_for("contact.thanks", shop_id=shop.id), 303)
    return _form_page(shop, form, 422 if form.errors else 200)


@bp.get("/<int:shop_id>/thanks")
def thanks(shop_id: int):
    """After sending the contact form: the moment the customer will have an answer, and other contact details."""
    shop = _shop_or_404(shop_id)
    ticket = db.session.get(Ticket, session.get("contact_ticket") or 0)
    promised = promise.for_ticket(ticket, shop) if ticket is not None and ticket.shop_id == shop.id else None
    return render_template("contact/thanks.html", shop=shop, contact=contact_details(shop),
                           promise=promised or promise.answer_by(shop))


@bp.get("/<int:shop_id>/team/<key>.jpg")
def team_photo(shop_id: int, key: str):
    """A colleague's photo on the team block: only while they are active and chose to be shown (else 404).
    Re-encoded on upload (no metadata); a new photo gets a new key, so a browser may keep this one."""
    if not throttle.public_request_allowed("contact-photo", 4):   # a page shows a few at once
        abort(429)
    data = team_photos.public_photo(shop_id, key)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # An hour: someone who stops showing their face is gone from browsers soon; the key never serves another.
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
