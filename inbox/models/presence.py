from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class Presence(db.Model):
    """Who has a ticket open, and who is typing on it: one heartbeat row per (ticket, user).

    Kept in the database, not in process memory, so colleagues served by different app processes see each other.
    """

    __table_args__ = (
        sa.UniqueConstraint("ticket_id", "user_id", name="uq_presence_ticket_user"),
        sa.Index("ix_presence_ticket_seen", "ticket_id", "seen_at"),
        sa.Index("ix_presence_shop_seen", "shop_id", "seen_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    typing_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped["User"] = so.relationship(lazy="joined")  # noqa: F821

    def __repr__(self) -> str:
        return f"<Presence user {self.user_id} on ticket {self.ticket_id}>"
