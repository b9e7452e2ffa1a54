"""The reply clock's webhook events, queued by the worker's `sla` job: `sla.due_soon` when a waiting question has
DUE_SOON_HOURS business hours or less left, `sla.breached` when its deadline has passed; each once per deadline.

"Due soon" is the same 2 business hours as the "Due soon" list and the amber badge (services/ticket_list.py,
sla.sla_state), so a shop's chat alert fires exactly when the question turns amber on the page: with a first
reaction due within 8 business hours, 2 hours is a quarter of the time, enough for whoever is alerted to still
answer in time, while 1 hour would leave too little on a busy day. Business hours come from the pure calendar
(`sla.BusinessCalendar`: the shop's zone, its public holidays, NL shops also the Belgian ones), so on Friday at
16:00 a question due on Monday at 10:00 is due soon, and over a holiday weekend nothing fires. A temporary closure
does not pause the clock (seed 001: a closed shop still answers mail within 8 business hours), so it does not
delay these events either.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from inbox.extensions import db
from inbox.models import Shop, SlaNotice, Ticket, WebhookEndpoint
from inbox.services import sla, webhooks
from inbox.services.ticket_list import DUE_SOON_HOURS
from inbox.sla import sla_state
from inbox.workflow import Status

EVENTS = {"due_soon": "sla.due_soon", "breached": "sla.breached"}
# A deadline that passed longer ago than this is not announced any more: a worker that was down for a night
# catches up, but subscribing to the event does not replay months of old misses.
BREACH_LOOKBACK = timedelta(days=1)
BATCH = 500   # tickets per shop and round; the rest follow a minute later


def shops_listening() -> list[Shop]:
    """Shops with an active endpoint that wants an SLA event (most shops have none: one small query)."""
    wants = sa.or_(*(WebhookEndpoint.events.contains(event, autoescape=True) for event in EVENTS.values()))
    return list(db.session.scalars(sa.select(Shop).where(Shop.id.in_(
        sa.select(WebhookEndpoint.shop_id).where(WebhookEndpoint.active.is_(True), wants))).order_by(Shop.id)))


def run(now: datetime) -> int:
    """Queue the due-soon and breach events of every listening shop; answers how many deadlines were announced."""
    return sum(shop_events(shop, now) for shop in shops_listening())


def due_tickets(shop: Shop, now: datetime) -> list[tuple[Ticket, str]]:
    """The shop's open tickets whose deadline is due soon or passed and not yet announced, with the kind: the
    tickets the "Due soon" and "Overdue" lists show (services/ticket_list.py), minus those announced."""
    soon_until = sla.calendar_for(shop).add_business_hours(now, DUE_SOON_HOURS).astimezone(timezone.utc)
    kind = sa.case((Ticket.due_at < now, "breached"), else_="due_soon")
    announced = sa.exists().where(SlaNotice.ticket_id == Ticket.id, SlaNotice.due_at == Ticket.due_at,
                                  SlaNotice.kind == kind)
    rows = db.session.execute(
        sa.select(Ticket, kind).where(Ticket.shop_id == shop.id, Ticket.status == Status.OPEN.value,
                                      Ticket.due_at.is_not(None), Ticket.due_at >= now - BREACH_LOOKBACK,
                                      Ticket.due_at <= soon_until, ~announced)
        .order_by(Ticket.due_at, Ticket.id).limit(BATCH))
    return [(ticket, k) for ticket, k in rows]


def payload(ticket: Ticket, shop: Shop, now: datetime) -> dict:
    state = sla_state(sla.calendar_for(shop), ticket.due_at, now, due_soon_seconds=DUE_SOON_HOURS * 3600)
    return {**webhooks.ticket_data(ticket),
            "sla": {"state": state.state, "due_at": ticket.due_at.astimezone(timezone.utc).isoformat(),
                    "remaining_business_seconds": state.remaining_seconds,
                    "due_soon_business_hours": DUE_SOON_HOURS}}


def shop_events(shop: Shop, now: datetime) -> int:
    """Announce each due-soon or passed deadline of the shop once: the notice row and the deliveries commit
    together, and a second worker's insert of the same notice fails and queues nothing."""
    announced = 0
    for ticket, kind in due_tickets(shop, now):
        try:
            with db.session.begin_nested():
                db.session.add(SlaNotice(ticket_id=ticket.id, kind=kind, due_at=ticket.due_at, created_at=now))
                webhooks.emit(shop.id, EVENTS[kind], lambda: payload(ticket, shop, now))
        except IntegrityError:
            continue   # another worker announced it a moment ago
        announced += 1
    db.session.commit()
    return announced
