from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import UTCDateTime, utcnow


class OutboundEmail(db.Model):
    """The outbox: one row per reply (or system mail) to deliver. A row is delivered at most once.

    `idempotency_key` is unique, so a double-clicked send or a re-submitted form cannot queue a second row;
    workers claim a row by moving it from "queued" to "sending" in one UPDATE, so two workers never both send it.
    """

    __table_args__ = (sa.Index("ix_outbound_state_next", "state", "next_attempt_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    ticket_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    message_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"), unique=True)
    idempotency_key: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    to_addr: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # queued -> sending -> sent | failed (permanent) ; "queued" again after a temporary failure.
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, default=utcnow)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    claimed_by: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    email_message_id: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # What the outbox adds when it builds the mail, so that no private link is ever stored in full
    # (services/customer_links.py): None: a link to the question's page when the mail goes to the ticket's
    # customer; "links": fresh links to the questions of the address in to_addr.
    footer: so.Mapped[str | None] = so.mapped_column(sa.String(16))

    def __repr__(self) -> str:
        return f"<OutboundEmail {self.id} {self.state} to {self.to_addr}>"
