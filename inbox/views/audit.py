"""The audit log: who did what and when, for the owner. Filter by person and action; newest first, paged."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, request
from flask_login import current_user

from inbox.access import require, shop_users
from inbox.audit_texts import ACTION_LABELS, details
from inbox.extensions import db
from inbox.htmx import render_page_or_fragment
from inbox.i18n import lazy_gettext as _l
from inbox.models import AuditEvent, Ticket, User

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50

# Groups of actions the owner filters on; the stored action names stay as they are.
ACTION_GROUPS = {
    "signin": (_l("Sign-ins"), ("user.login", "user.logout")),
    "account": (_l("Account changes"), ("user.invite", "user.invite_revoke", "user.join", "user.role", "user.deactivate",
                                         "user.reactivate", "user.password", "user.password_reset", "user.password_set",
                                         "user.update", "user.away")),
    "assign": (_l("Assignment"), ("ticket.assign",)),
    "vacation": (_l("Vacation mode"), ("shop.closed", "shop.reopened", "shop.auto_ack", "ticket.auto_ack")),
    "status": (_l("Status changes"), ("ticket.status",)),
    "reply": (_l("Replies and notes"), ("ticket.reply", "ticket.note")),
    "create": (_l("New questions"), ("ticket.create",)),
    "shop": (_l("Shop settings"), ("shop.update",)),
}

@bp.get("")
@require("manage_team")
def index():
    """The shop's audit log: who changed what and when, filtered by person and kind of action."""
    query = sa.select(AuditEvent).where(AuditEvent.shop_id == current_user.shop_id)
    person = request.args.get("person", "")
    if person == "system":
        query = query.where(AuditEvent.actor_id.is_(None))
    elif person.isdecimal():
        query = query.where(AuditEvent.actor_id == int(person))
    group = request.args.get("action", "")
    if group in ACTION_GROUPS:
        query = query.where(AuditEvent.action.in_(ACTION_GROUPS[group][1]))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    # One row more than a page tells whether there is a next page without counting the whole log.
    rows = list(db.session.scalars(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    ticket_ids = {r.ticket_id for r in rows if r.ticket_id}
    subjects = dict(db.session.execute(sa.select(Ticket.id, Ticket.subject).where(
        Ticket.shop_id == current_user.shop_id, Ticket.id.in_(ticket_ids))).all()) if ticket_ids else {}
    user_ids = {r.subject_user_id for r in rows if r.subject_user_id}
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(
        User.shop_id == current_user.shop_id, User.id.in_(user_ids))).all()) if user_ids else {}
    args = {k: v for k, v in (("person", person), ("action", group)) if v}
    return render_page_or_fragment(
        "audit/index.html", "audit/_log.html", events=rows, page_number=page, has_next=has_next, args=args,
        people=shop_users(active_only=False), person=person, group=group, groups=ACTION_GROUPS,
        labels=ACTION_LABELS, describe=details, subjects=subjects, names=names)
