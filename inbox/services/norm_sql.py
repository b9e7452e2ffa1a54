"""The SQL building blocks of the norms: when a question's clock started, which week a row falls in, and
how its first reaction turned out. Shared by the live queries (inbox.services.norms) and the kept weeks
(inbox.services.norm_weeks), so both count the same way.

Week bounds come from inbox.metrics as UTC instants, so the database buckets rows with plain
comparisons and groups them: the same SQL on SQLite and PostgreSQL, and a DST week is right without
any time-zone function in SQL.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from inbox.models import Order, Ticket
from inbox.models._types import UTCDateTime

# A forwarded question's clock runs from the forward, and it counts in the week it was forwarded.
CLOCK_START = sa.func.coalesce(Ticket.forwarded_at, Ticket.received_at, type_=UTCDateTime)

def in_period(shop_id: int, start: datetime, end: datetime):
    """Tickets whose clock started in [start, end): received then (and not forwarded after it), or
    received before and forwarded then. Two narrow index ranges, on received_at and on forwarded_at."""
    return sa.or_(
        sa.and_(Ticket.shop_id == shop_id, Ticket.received_at >= start, Ticket.received_at < end, CLOCK_START < end),
        sa.and_(Ticket.shop_id == shop_id, Ticket.forwarded_at >= start, Ticket.forwarded_at < end,
                Ticket.received_at < start))


def week_bucket(expr, weeks, lo: int = 0, hi: int | None = None):
    """SQL: the index of the week containing expr (weeks in order, gaps allowed), else -1.

    A balanced tree of CASEs: five comparisons per row for 26 weeks instead of thirteen on average."""
    hi = len(weeks) if hi is None else hi
    if hi - lo == 1:
        return sa.case((sa.and_(expr >= weeks[lo].start, expr < weeks[lo].end), lo), else_=-1)
    mid = (lo + hi) // 2
    return sa.case((expr >= weeks[mid].start, week_bucket(expr, weeks, mid, hi)),
                   else_=week_bucket(expr, weeks, lo, mid))


ON_TIME = sa.and_(Ticket.first_reply_at.is_not(None),
                  sa.or_(Ticket.first_reply_margin >= 0,
                         sa.and_(Ticket.first_reply_margin.is_(None), Ticket.first_reply_at <= Ticket.first_reply_due_at)))
LATE = sa.and_(Ticket.first_reply_at.is_not(None), sa.not_(ON_TIME))


# The partial indexes that a page of this week's misses walks, newest clock start first (models/reports.py): the
# first reactions that may be late (LATE decides; a NULL margin is an old row's) and the questions without one.
# Literal zero, not a bound parameter: SQLite uses a partial index only when the query repeats its WHERE terms.
MAYBE_LATE = (Ticket.first_reply_at.is_not(None),
              sa.or_(Ticket.first_reply_margin < sa.literal_column("0"), Ticket.first_reply_margin.is_(None)))
UNANSWERED = Ticket.first_reply_at.is_(None)


def missing_at(now: datetime):
    """No first reaction, and past its due time."""
    return sa.and_(Ticket.first_reply_at.is_(None), Ticket.first_reply_due_at < now)


def waiting_at(now: datetime):
    """No first reaction yet, but still within its 8 business hours: its outcome can change by time alone."""
    return sa.and_(Ticket.first_reply_at.is_(None), Ticket.first_reply_due_at >= now)


def ticket_product():
    """The ticket's product, else the product of its order."""
    from_order = (sa.select(sa.func.min(Order.product))
                  .where(Order.shop_id == Ticket.shop_id, Order.order_number == Ticket.order_number)
                  .correlate(Ticket).scalar_subquery())
    return sa.func.coalesce(Ticket.product, from_order)
