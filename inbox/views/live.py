"""The live parts of the inbox and the ticket page: presence, what changed while composing, fresh SLA badges.

Polled by open pages (htmx), so they stay small and read only what they answer; none keeps state per process.
"""
from __future__ import annotations

from flask import Blueprint, make_response, render_template, request, url_for
from flask_login import current_user, login_required

from inbox import clock
from inbox.access import shop_ticket_or_404, shop_users
from inbox.extensions import db
from inbox.ids import read_id, read_ids
from inbox.services import presence, sla as sla_service, ticket_list, tickets as ticket_service

bp = Blueprint("live", __name__, url_prefix="/tickets")


@bp.get("/live")
@login_required
def inbox():
    """The open inbox's poll: how many questions of its list arrived after its cursor, and every view's count."""
    raw = request.args.get("after", "")
    after = read_id(raw) or 0
    state = ticket_list.parse_state(request.args, shop_users(active_only=False), current_user.shop.tz)
    shop = current_user.shop
    moment = ticket_list.Moment.of(shop, clock.now())
    resp = make_response(render_template(
        "tickets/_new_questions.html", state=state, views=ticket_list.VIEWS,
        new=ticket_list.count_new(state, shop, current_user, moment, after),
        counts=ticket_list.view_counts(shop, current_user, moment),
        show_url=url_for("tickets.index", **state.args(page=1))))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _seen_id() -> int | None:
    raw = request.values.get("seen", "")
    return read_id(raw)


@bp.post("/<int:ticket_id>/presence")
@login_required
def presence_beat(ticket_id: int):
    """Heartbeat of an open ticket page (every few seconds, and on typing); answers who else is here.

    With `seen` (the last message id the page showed) the answer also carries, out of band, the warning about
    messages that arrived since; with `panel` (panel_state when the side panel was drawn) the side panel, when
    it no longer shows the ticket as it is.
    """
    ticket = shop_ticket_or_404(ticket_id)
    now = clock.now()
    if request.form.get("leave"):
        presence.leave(ticket, current_user)
        db.session.commit()
        return "", 204
    presence.heartbeat(ticket, current_user, now, typing=request.form.get("typing") == "1")
    db.session.commit()
    state = ticket_service.panel_state(ticket)
    html = render_template("tickets/_presence.html", ticket=ticket,
                           colleagues=presence.others_on(ticket, current_user, now))
    html += render_template("tickets/_panel_state.html", ticket=ticket, panel_state=state)
    seen = _seen_id()
    if seen is not None:
        html += render_template("tickets/_changes.html", ticket=ticket, oob=True,
                                changes=ticket_service.changes_since(ticket, seen, current_user))
    shown = request.form.get("panel")
    if shown is not None and shown != state:
        # Someone else moved the ticket (a reply, the customer, an assignment): the side panel follows.
        html += render_side_panel(ticket, now)
    return html


def render_side_panel(ticket, now) -> str:
    """Status, assignee, the reply-due panel and the composer's own badge, out of band."""
    badge = sla_service.badge(ticket, current_user.shop, now)
    return (render_template("tickets/_status.html", ticket=ticket, oob=True)
            + render_template("tickets/_sla.html", ticket=ticket, badge=badge, oob=True,
                              sla_id=f"ticket-{ticket.id}-composer-sla")
            + render_template("tickets/_assignee.html", ticket=ticket, oob=True, users=shop_users())
            + render_template("tickets/_due.html", ticket=ticket, oob=True, now=now,
                              reply_history=ticket_service.reply_history(ticket)))


@bp.get("/<int:ticket_id>/changes")
@login_required
def changes(ticket_id: int):
    """What arrived since the page was loaded (`seen` = the last message id it showed): for the composer."""
    ticket = shop_ticket_or_404(ticket_id)
    seen = _seen_id()
    found = ticket_service.changes_since(ticket, seen, current_user) if seen is not None else []
    return render_template("tickets/_changes.html", ticket=ticket, changes=found)


@bp.get("/badges")
@login_required
def badges():
    """Fresh SLA badges for the tickets on screen, in one request, as out-of-band swaps."""
    ids = read_ids(request.args.get("ids", "").split(","), 200)
    now = clock.now()
    rows = ticket_list.tickets_by_ids(current_user.shop_id, ids)
    html = "".join(render_template("tickets/_sla.html", ticket=t, badge=sla_service.badge(t, current_user.shop, now), oob=True) for t in rows)
    resp = make_response(html)
    resp.headers["Cache-Control"] = "no-store"
    return resp
