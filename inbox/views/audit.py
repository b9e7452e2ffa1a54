"""The audit log: who did what and when, for the owner. Filter by person and action; newest first, paged by
keyset (services/keyset.py: a page deep in a long log reads its rows off the (shop, time) index like the first)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, request
from flask_login import current_user

from inbox.access import require, shop_users
from inbox.audit_texts import ACTION_LABELS, details
from inbox.extensions import db
from inbox.htmx import render_page_or_fragment
from inbox.i18n import lazy_gettext as _l
from inbox.ids import read_id
from inbox.models import AuditEvent, Ticket, User
from inbox.services import keyset

bp = Blueprint("audit", __name__, url_prefix="/audit")

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
    where = []
    person = request.args.get("person", "")
    if person == "system":
        where.append(AuditEvent.actor_id.is_(None))
    elif (actor_id := read_id(person)) is not None:
        where.append(AuditEvent.actor_id == actor_id)
    group = request.args.get("action", "")
    if group in ACTION_GROUPS:
        where.append(AuditEvent.action.in_(ACTION_GROUPS[group][1]))
    log = keyset.newest_first(AuditEvent, AuditEvent.created_at, current_user.shop_id, where=tuple(where),
                              **keyset.link_args(request.args))
    rows = log.rows
    ticket_ids = {r.ticket_id for r in rows if r.ticket_id}
    subjects = dict(db.session.execute(sa.select(Ticket.id, Ticket.subject).where(
        Ticket.shop_id == current_user.shop_id, Ticket.id.in_(ticket_ids))).all()) if ticket_ids else {}
    user_ids = {r.subject_user_id for r in rows if r.subject_user_id}
    names = dict(db.session.execute(sa.select(User.id, User.display_name).where(
        User.shop_id == current_user.shop_id, User.id.in_(user_ids))).all()) if user_ids else {}
    args = {k: v for k, v in (("person", person), ("action", group)) if v}
    return render_page_or_fragment(
        "audit/index.html", "audit/_log.html", log=log, args=args,
        people=shop_users(active_only=False), person=person, group=group, groups=ACTION_GROUPS,
        labels=ACTION_LABELS, describe=details, subjects=subjects, names=names)
