"""Webhooks: the endpoints an owner registered, and one delivery row per event and endpoint (an outbox)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models._types import SealedString, UTCDateTime, utcnow


class WebhookEndpoint(db.Model):
    """A URL of the shop's that wants to hear about some events; `secret` signs each delivery."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"), index=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(500))
    events: so.Mapped[str] = so.mapped_column(sa.String(400))   # space-separated event names
    secret: so.Mapped[str] = so.mapped_column(SealedString(300))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class WebhookDelivery(db.Model):
    """One event for one endpoint. Queued in the transaction that caused the event, so none is lost and none is
    sent for a change that was rolled back; delivered at least once (`event_id` lets the receiver deduplicate).

    queued -> sending -> delivered | failed (gave up); back to queued after a failed attempt or a crashed worker.
    """

    __table_args__ = (sa.Index("ix_webhook_delivery_state_next", "state", "next_attempt_at"),
                      sa.Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shop_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("shop.id"))
    endpoint_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: so.Mapped[str] = so.mapped_column(sa.String(36))
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    payload: so.Mapped[str] = so.mapped_column(sa.Text)
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, default=utcnow)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    response_status: so.Mapped[int | None] = so.mapped_column()
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    duration_ms: so.Mapped[int | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    delivered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class SlaNotice(db.Model):
    """An SLA event queued for a ticket's deadline: `sla.due_soon` or `sla.breached` go out once per deadline (a
    new customer message starts a new deadline, which may be announced again). The unique key holds that with
    several workers: the one whose insert fails queues nothing."""

    __table_args__ = (sa.UniqueConstraint("ticket_id", "kind", "due_at", name="uq_sla_notice_deadline"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ticket_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("ticket.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))    # due_soon | breached
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
