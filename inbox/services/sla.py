"""The reply clock of tickets: where the pure business-hours engine meets the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Shop, Ticket
from inbox.sla import BusinessCalendar, sla_state
from inbox.workflow import Status

# The norm (seed 001): a first reaction within 8 business hours.
SLA_HOURS = 8


def calendar_for(shop: Shop) -> BusinessCalendar:
    return BusinessCalendar.for_country(shop.country, tz=shop.timezone)


def due_after(shop: Shop, start: datetime) -> datetime:
    """The instant SLA_HOURS business hours after start, in UTC."""
    return calendar_for(shop).add_business_hours(start, SLA_HOURS).astimezone(timezone.utc)


def start_clock(ticket: Ticket, shop: Shop, at: datetime) -> None:
    """The customer is now waiting for us: a fresh reply clock of 8 business hours."""
    ticket.waiting_since = at
    ticket.due_at = due_after(shop, at)


def stop_clock_by_reply(ticket: Ticket, shop: Shop, reply, at: datetime) -> None:
    """A public reply answers the waiting customer: record on time or late, and by how much."""
    if ticket.due_at is None:
        return
    margin = calendar_for(shop).business_seconds_between(at, ticket.due_at)
    reply.sla_due_at = ticket.due_at
    reply.sla_margin = margin
    if ticket.first_reply_at is None:
        ticket.first_reply_at = at
        ticket.first_reply_due_at = ticket.due_at
        ticket.first_reply_margin = margin
    ticket.last_reply_margin = margin
    ticket.due_at = None
    ticket.waiting_since = None


def recompute_shop(shop: Shop) -> int:
    """Recompute the due times of the shop's open tickets (its country or the holiday data changed).

    :return: the number of tickets whose due time changed.
    """
    changed = 0
    rows = db.session.scalars(
        sa.select(Ticket).where(Ticket.shop_id == shop.id, Ticket.status != Status.SOLVED.value,
                                sa.or_(Ticket.due_at.is_not(None), Ticket.first_reply_at.is_(None)))
    )
    for ticket in rows:
        if ticket.waiting_since is not None:
            new_due = due_after(shop, ticket.waiting_since)
            if new_due != ticket.due_at:
                ticket.due_at = new_due
                changed += 1
        if ticket.first_reply_at is None:
            ticket.first_reply_due_at = due_after(shop, ticket.clock_start)
    return changed


@dataclass(frozen=True)
class Badge:
    """What an SLA badge shows: a state, business seconds (left, late, or the reply's margin), times."""

    state: str              # on_track, due_soon, overdue, answered_on_time, answered_late
    seconds: int
    due: datetime | None = None
    paused_until: datetime | None = None


def badge(ticket: Ticket, shop: Shop, now: datetime) -> Badge | None:
    """The badge for a ticket right now; None when nothing was ever asked of us."""
    if ticket.due_at is not None:
        state = sla_state(calendar_for(shop), ticket.due_at, now)
        return Badge(state.state, state.remaining_seconds, ticket.due_at, state.paused_until)
    if ticket.last_reply_margin is not None:
        late = ticket.last_reply_margin < 0
        return Badge("answered_late" if late else "answered_on_time", ticket.last_reply_margin)
    return None
