from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what and when: sign-ins, account changes, ticket changes, replies, vacation mode."""

    __table_args__ = (
        sa.Index("ix_audit_shop_created", "shop_id", "created_at"),
        sa.Index("ix_audit_ticket", "ticket_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(40))  # e.g. "ticket.status", "user.login"
    ticket_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    subject_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    field: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    old: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    new: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    actor: so.Mapped["User | None"] = so.relationship(foreign_keys=[actor_id], lazy="joined")  # noqa: F821


class LoginAttempt(db.Model):
    """Failed sign-ins, kept in the database so every app process slows down the same guesser."""

    __table_args__ = (
        sa.Index("ix_login_attempt_email", "email", "created_at"),
        sa.Index("ix_login_attempt_ip", "ip", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    ip: so.Mapped[str] = so.mapped_column(sa.String(64))
    # A browser this account signed in on before (the known-device cookie): counted on its own (inbox/throttle.py).
    device: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
