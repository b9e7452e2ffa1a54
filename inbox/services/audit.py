"""The audit trail: one row per thing a person (or the system) did."""
from __future__ import annotations

from flask import has_request_context, request

from inbox.extensions import db
from inbox.models import AuditEvent


def _short(value) -> str | None:
    return None if value is None else str(value)[:300]


def record(shop_id: int, action: str, *, actor=None, ticket=None, subject_user=None,
           field: str | None = None, old=None, new=None) -> AuditEvent:
    """Add an audit event to the session (the caller commits with the change it describes)."""
    event = AuditEvent(
        shop_id=shop_id, action=action,
        actor_id=getattr(actor, "id", None),
        ticket_id=getattr(ticket, "id", None),
        subject_user_id=getattr(subject_user, "id", None),
        field=field, old=_short(old), new=_short(new),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
