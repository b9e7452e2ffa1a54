"""The reply composer: replies and internal notes on a ticket."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inbox.access import require, shop_ticket_or_404
from inbox.extensions import db
from inbox.htmx import hx_redirect
from inbox.services import tickets as ticket_service
from inbox.workflow import Status

bp = Blueprint("composer", __name__, url_prefix="/tickets")


@bp.post("/<int:ticket_id>/reply")
@require("answer")
def reply(ticket_id: int):
    """Send a reply (or save an internal note) and set the status in the same step."""
    ticket = shop_ticket_or_404(ticket_id)
    body = request.form.get("body", "")
    kind = request.form.get("kind", "reply")
    try:
        if kind == "note":
            ticket_service.add_note(ticket, current_user.shop, body, by=current_user)
        else:
            ticket_service.reply(ticket, current_user.shop, body, by=current_user,
                                 status=request.form.get("status") or Status.PENDING.value)
    except ticket_service.TicketError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("tickets.show", ticket_id=ticket_id), 303)
    db.session.commit()
    flash(_("Note saved.") if kind == "note" else _("Reply sent."), "success")
    return hx_redirect(url_for("tickets.show", ticket_id=ticket.id))
