"""The inbox and the ticket page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from inbox import clock
from inbox.access import require, shop_ticket_or_404, shop_user_or_404, shop_users
from inbox.extensions import db
from inbox.forms import INVALID_DATETIME, LocalDateTimeField, choices
from inbox.htmx import is_htmx, render_page_or_fragment
from inbox.models import Ticket
from inbox.services import sla as sla_service, tickets as ticket_service
from inbox.workflow import Channel, Status

bp = Blueprint("tickets", __name__, url_prefix="/tickets")


def root():
    return redirect(url_for("tickets.index"))


CHANNEL_LABELS = {
    Channel.EMAIL.value: _l("E-mail"),
    Channel.WEBFORM.value: _l("Web form"),
    Channel.PHONE.value: _l("Phone"),
    Channel.MARKETPLACE.value: _l("Forwarded by the marketplace"),
}
STATUS_LABELS = {
    Status.OPEN.value: _l("Open"),
    Status.PENDING.value: _l("Pending"),
    Status.SOLVED.value: _l("Solved"),
}


@bp.app_context_processor
def ticket_helpers():
    def sla_badge(ticket: Ticket, now=None):
        return sla_service.badge(ticket, current_user.shop, now or clock.now())
    return {"CHANNEL_LABELS": CHANNEL_LABELS, "STATUS_LABELS": STATUS_LABELS, "sla_badge": sla_badge}


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
        ("", _l("Detect")), ("nl", "Nederlands"), ("en", "English"), ("de", "Deutsch"), ("fr", "Français")]))
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=300)],
                       description=_l("Separate with commas"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # Optional() ends the field's own chain on an empty value, so the required-when rule lives here.
        forwarded = self.forwarded_at
        if self.channel.data == Channel.MARKETPLACE.value and forwarded.data is None and not forwarded.errors:
            forwarded.errors = [*forwarded.errors, _l("When was it forwarded? The 8 business hours count from then.")]
            return False
        return ok

    def validate_forwarded_at(self, field):
        if field.data and self.received_at.data and field.data < self.received_at.data:
            raise ValidationError(_l("It cannot be forwarded before it was received."))
        if field.data and field.data > clock.now():
            raise ValidationError(_l("This time lies in the future."))

    def validate_received_at(self, field):
        if field.data and field.data > clock.now():
            raise ValidationError(_l("This time lies in the future."))


@bp.get("")
@login_required
def index():
    """The inbox: questions waiting for us, the most urgent first."""
    query = (sa.select(Ticket)
             .where(Ticket.shop_id == current_user.shop_id, Ticket.status == Status.OPEN.value)
             .order_by(Ticket.due_at.is_(None), Ticket.due_at, Ticket.id)
             .limit(50))
    rows = list(db.session.scalars(query))
    return render_page_or_fragment("tickets/index.html", "tickets/_list.html", tickets=rows, now=clock.now())


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
    """One question: its thread, the reply box and the side panel."""
    ticket = shop_ticket_or_404(ticket_id)
    return render_template("tickets/show.html", ticket=ticket, now=clock.now(), users=shop_users())


def _back_to(ticket: Ticket, fragment: str, **ctx):
    if is_htmx():
        return render_template(fragment, ticket=ticket, now=clock.now(), users=shop_users(), **ctx)
    return redirect(url_for("tickets.show", ticket_id=ticket.id), 303)


@bp.post("/<int:ticket_id>/status")
@require("answer")
def status(ticket_id: int):
    ticket = shop_ticket_or_404(ticket_id)
    try:
        ticket_service.change_status(ticket, current_user.shop, request.form.get("status", ""), by=current_user)
    except ticket_service.TicketError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("tickets.show", ticket_id=ticket_id), 303)
    db.session.commit()
    return _back_to(ticket, "tickets/_status.html")


@bp.post("/<int:ticket_id>/assign")
@require("answer")
def assign(ticket_id: int):
    """Take a ticket, or (managers and owners) give it to a colleague."""
    ticket = shop_ticket_or_404(ticket_id)
    raw = request.form.get("assignee_id", "")
    if raw == "me":
        assignee = current_user
    elif raw == "":
        assignee = None
    else:
        if not current_user.may("manage_tickets"):
            abort(403)
        if not raw.isdigit():
            abort(404)
        assignee = shop_user_or_404(int(raw))
    try:
        ticket_service.assign(ticket, current_user.shop, assignee, by=current_user)
    except ticket_service.TicketError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("tickets.show", ticket_id=ticket_id), 303)
    db.session.commit()
    return _back_to(ticket, "tickets/_assignee.html")

