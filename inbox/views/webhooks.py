"""Webhooks for the owner: register endpoints and the events they want, read each one's delivery log, send a
delivery again. The queue is delivered by `flask --app inbox worker` (or `webhooks send`)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, URLField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from inbox.access import require, shop_row_or_404
from inbox.extensions import db
from inbox.forms import choices
from inbox.i18n import _, lazy_gettext as _l
from inbox.models import WebhookDelivery, WebhookEndpoint
from inbox.services import webhooks
from inbox.services.ticket_list import DUE_SOON_HOURS

bp = Blueprint("webhooks", __name__, url_prefix="/settings/webhooks")

EVENT_LABELS = {
    "ticket.created": _l("A question came in"),
    "message.created": _l("A message was added (customer, reply or note)"),
    "ticket.status_changed": _l("A question's status changed"),
    "ticket.assigned": _l("A question was assigned"),
    "sla.due_soon": _l("A question is due within %(hours)s business hours", hours=DUE_SOON_HOURS),
    "sla.breached": _l("A question passed its deadline without a reply"),
    "norm.weekly_warning": _l("10 or more late first reactions this week (once a week)"),
}
STATE_LABELS = {"queued": _l("Waiting"), "sending": _l("Sending"), "delivered": _l("Delivered"),
                "failed": _l("Gave up")}


class EndpointForm(FlaskForm):
    url = URLField(_l("URL"), validators=[DataRequired(), Length(max=500)],
                   description=_l("A public https:// address of yours that takes a JSON POST."))
    events = SelectMultipleField(_l("Events"), choices=choices(EVENT_LABELS.items()),
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                 validators=[DataRequired(_l("Pick at least one event."))])

    def validate_url(self, field):
        try:
            webhooks.check_url(field.data.strip())
        except webhooks.UnsafeUrl as e:
            raise ValidationError(webhooks.REASONS[e.reason]) from None


@bp.route("", methods=["GET", "POST"])
@require("manage_shop")
def index():
    """The shop's endpoints and a form for a new one; its signing secret is shown once."""
    form, secret = EndpointForm(), None
    if form.validate_on_submit():
        secret = webhooks.add_endpoint(current_user.shop_id, form.url.data, form.events.data, by=current_user).secret
        db.session.commit()
        form = EndpointForm(formdata=None)
    endpoints = webhooks.shop_endpoints(current_user.shop_id)
    return render_template("webhooks/index.html", form=form, secret=secret, endpoints=endpoints,
                           labels=EVENT_LABELS), 422 if form.errors else 200


@bp.get("/<int:endpoint_id>")
@require("manage_shop")
def deliveries(endpoint_id: int):
    """The endpoint's latest 50 deliveries: event, state, the receiver's answer, how long it took."""
    endpoint = shop_row_or_404(WebhookEndpoint, endpoint_id)
    rows = webhooks.latest_deliveries(endpoint)
    return render_template("webhooks/deliveries.html", endpoint=endpoint, rows=rows, states=STATE_LABELS)


@bp.post("/<int:endpoint_id>/delete")
@require("manage_shop")
def delete(endpoint_id: int):
    """Remove an endpoint and its delivery log; nothing more is sent to it."""
    endpoint = shop_row_or_404(WebhookEndpoint, endpoint_id)
    webhooks.remove_endpoint(endpoint, by=current_user)
    db.session.commit()
    flash(_("Webhook removed: nothing more is sent to it."), "success")
    return redirect(url_for("webhooks.index"), 303)


@bp.post("/deliveries/<int:delivery_id>/resend")
@require("manage_shop")
def resend(delivery_id: int):
    """Send a delivery again (the same event id, so a receiver that has it can tell)."""
    row = shop_row_or_404(WebhookDelivery, delivery_id)
    if row.state != "sending":
        webhooks.send_again(row)
        db.session.commit()
    flash(_("Queued to be sent again."), "success")
    return redirect(url_for("webhooks.deliveries", endpoint_id=row.endpoint_id), 303)
