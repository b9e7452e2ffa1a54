"""A shop's questions per local day and assignee (`ticket_day`), kept exact in the same transaction as each
ticket change, so the planner and the performance page's weeks cost what they show, not the shop's history.

Every ticket contributes a fixed vector to one or two rows: `received` on the local day it arrived, and
`questions`, `on_time`, `late`, `unanswered` on the local day its clock started (the forward, else the receipt:
norm_sql.CLOCK_START, by which the performance page's weeks group). A flush
subtracts what its tickets contributed before (`before_flush`, from their rows as locked by `flush_locks`: not
what this session loaded, which a concurrent change may have made stale) and adds what they contribute after
(`after_flush`, read back once relationship changes have filled assignee_id), as `n = n + delta` upserts: two
transactions counting into the same row wait on its row lock instead of overwriting each other.
`rebuild` counts a shop from scratch with the same `contribution` (loads that bypass the ORM, like the demo's bulk
generator, call it), `add` a range of its tickets (the count in steps after an upgrade, services/recount.step,
while the flushes count only the tickets it has passed: count_progress); the property test compares them.

What time alone changes (a question still within its 8 business hours becomes "missing" when its due time
passes) is not kept: `unanswered` counts the questions without a first reaction that have a due time, and a
reader takes off the few still before their due time (`waiting`), read live through a partial index.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from inbox import clock, metrics
from inbox.extensions import db, statement
from inbox.models import Shop, Ticket, TicketDay
from inbox.models._types import UTCDateTime
from inbox.services import flush_locks, fresh_rows
from inbox.services.norm_sql import CLOCK_START, waiting_at, week_bucket

COLUMNS = ("received", "questions", "on_time", "late", "unanswered")
_FIELDS = ("shop_id", "received_at", "forwarded_at", "assignee_id", "first_reply_at", "first_reply_margin",
           "first_reply_due_at")
_PENDING = "inbox_ticket_days_before"
_CHUNK = 500   # ids per IN (): well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class Facts:
    """What a ticket's counts depend on."""

    shop_id: int | None
    received_at: datetime | None
    forwarded_at: datetime | None
    assignee_id: int | None
    first_reply_at: datetime | None
    first_reply_margin: int | None
    first_reply_due_at: datetime | None


def on_time(f: Facts) -> bool:
    """norm_sql.ON_TIME for one ticket."""
    if f.first_reply_at is None:
        return False
    if f.first_reply_margin is not None:
        return f.first_reply_margin >= 0
    return f.first_reply_due_at is not None and f.first_reply_at <= f.first_reply_due_at


def contribution(f: Facts, tz) -> dict[tuple[date, int], tuple[int, ...]]:
    """(local day, assignee or 0) -> the ticket's share of each of COLUMNS."""
    if f.shop_id is None or f.received_at is None:
        return {}
    received, forwarded = clock.as_utc(f.received_at), clock.as_utc(f.forwarded_at) if f.forwarded_at else None
    who = f.assignee_id or 0
    answered = f.first_reply_at is not None
    good = on_time(f)
    counts = (1, int(good), int(answered and not good), int(not answered and f.first_reply_due_at is not None))
    arrived = (received.astimezone(tz).date(), who)
    started = ((forwarded or received).astimezone(tz).date(), who)
    if arrived == started:
        return {arrived: (1, *counts)}
    return {arrived: (1, 0, 0, 0, 0), started: (0, *counts)}


# -- keeping it ---------------------------------------------------------------------------------------------

def _stored(row: dict | None) -> Facts | None:
    return None if row is None else Facts(*(row[n] for n in _FIELDS))


def _add(deltas: dict, shop_tz: dict, session, facts: Facts, sign: int) -> None:
    if facts.shop_id is None:
        return
    tz = shop_tz.get(facts.shop_id)
    if tz is None:
        # From the database, under the flush's shop lock (flush_locks): the session's Shop may hold an old zone.
        name = session.connection().scalar(_SHOP_ZONE, {"shop_id": facts.shop_id})
        if name is None:
            return
        tz = shop_tz[facts.shop_id] = ZoneInfo(name)
    for key, values in contribution(facts, tz).items():
        row = deltas[(facts.shop_id, *key)]
        for i, v in enumerate(values):
            row[i] += sign * v


# The statements a flush runs, built once: building them anew cost more CPU than running them (service_counts).
_FACTS = sa.select(Ticket.id, *(getattr(Ticket, f) for f in _FIELDS)).where(
    Ticket.id.in_(sa.bindparam("ids", expanding=True)))
_SHOP_ZONE = sa.select(Shop.timezone).where(Shop.id == sa.bindparam("shop_id"))


def _before_flush(session, _context, _instances) -> None:
    """Take off what the flush's changed and deleted tickets counted for so far: as the database holds them
    under the flush's lock (flush_locks), not as this session loaded them (another transaction may have changed
    them since)."""
    deltas: dict = defaultdict(lambda: [0] * len(COLUMNS))
    shop_tz: dict = {}
    retimed = set()
    touched = set()
    dirty = session.dirty
    with session.no_autoflush:
        for obj in (*session.deleted, *dirty):
            if isinstance(obj, Ticket) and so.attributes.instance_state(obj).has_identity:
                if obj in dirty and not any(so.attributes.get_history(obj, n).has_changes()
                                            for n in (*_FIELDS, "assignee")):
                    continue
                touched.add(obj.id)
            elif isinstance(obj, Shop) and obj in dirty and so.attributes.get_history(obj, "timezone").has_changes():
                retimed.add(obj.id)
        if touched:
            stored = flush_locks.stored(session).tickets
            for tid in sorted(touched):
                facts = _stored(stored.get(tid))
                if facts is not None and flush_locks.progress(session, facts.shop_id).counts_ticket(tid):
                    _add(deltas, shop_tz, session, facts, -1)
    session.info[_PENDING] = (deltas, shop_tz, retimed, touched)


def _after_flush(session, _context) -> None:
    """Add what the flush's new and changed tickets count for now, as the database holds them after the flush
    (the columns it did not write may hold another transaction's change), then write the differences."""
    deltas, shop_tz, retimed, touched = session.info.pop(
        _PENDING, (defaultdict(lambda: [0] * len(COLUMNS)), {}, set(), set()))
    touched = touched | {obj.id for obj in session.new if isinstance(obj, Ticket)}
    conn = session.connection()
    with session.no_autoflush:
        ids = sorted(touched)
        for i in range(0, len(ids), _CHUNK):
            for tid, *row in conn.execute(_FACTS, {"ids": ids[i:i + _CHUNK]}):
                facts = Facts(*row)
                if facts.shop_id is not None and flush_locks.progress(session, facts.shop_id).counts_ticket(tid):
                    _add(deltas, shop_tz, session, facts, 1)
    _write(conn, {k: v for k, v in deltas.items() if any(v) and k[0] not in retimed})
    for shop_id in sorted(retimed):
        # Every local day moves with the zone: count the shop afresh (rare: an owner changing the time zone), unless
        # it is being counted in steps, which start over (flush_locks).
        if flush_locks.progress(session, shop_id).done:
            rebuild(conn, shop_id)


@lru_cache(maxsize=None)
def _add_to(dialect: str):
    """The upsert that adds deltas to a day's counts (built once per dialect)."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(TicketDay)
    return insert.on_conflict_do_update(
        index_elements=["shop_id", "day", "assignee_id"],
        set_={c: getattr(TicketDay, c) + getattr(insert.excluded, c) for c in COLUMNS})


def _write(conn, deltas: dict) -> None:
    if not deltas:
        return
    # Sorted: two transactions touching the same rows lock them in the same order (no deadlock on PostgreSQL).
    conn.execute(_add_to(conn.dialect.name),
                 [dict(shop_id=shop_id, day=day, assignee_id=who, **dict(zip(COLUMNS, values)))
                  for (shop_id, day, who), values in sorted(deltas.items())])


def _count(conn, shop_id: int, tz, *where) -> tuple[dict, int]:
    """The rows of the shop's tickets (those matching `where`) and their number. Streamed in batches (a
    server-side cursor on PostgreSQL): memory stays flat for a million tickets."""
    totals: dict = defaultdict(lambda: [0] * len(COLUMNS))
    n = 0
    rows = conn.execute(sa.select(*(getattr(Ticket, f) for f in _FIELDS)).where(Ticket.shop_id == shop_id, *where)
                        .execution_options(yield_per=5000))
    for row in rows:
        n += 1
        for (day, who), values in contribution(Facts(*row), tz).items():
            total = totals[(shop_id, day, who)]
            for i, v in enumerate(values):
                total[i] += v
    return totals, n


def rebuild(conn, shop_id: int) -> int:
    """Count the shop's days from scratch (one pass over its tickets); returns the number of tickets counted.

    For loads that write tickets past the ORM and a change of the shop's zone."""
    shop_tz = conn.scalar(_SHOP_ZONE, {"shop_id": shop_id})
    conn.execute(sa.delete(TicketDay).where(TicketDay.shop_id == shop_id))
    if shop_tz is None:
        return 0
    totals, n = _count(conn, shop_id, ZoneInfo(shop_tz))
    fresh_rows.insert(conn, TicketDay.__tablename__, ("shop_id", "day", "assignee_id", *COLUMNS),
                      (key + tuple(values) for key, values in totals.items()))
    return n


def add(conn, shop_id: int, first: int, last: int) -> None:
    """Add the shop's tickets with an id from `first` to `last` to its rows (a step of the count in steps)."""
    tz = ZoneInfo(conn.scalar(_SHOP_ZONE, {"shop_id": shop_id}))
    totals, _n = _count(conn, shop_id, tz, Ticket.id.between(first, last))
    _write(conn, {k: v for k, v in totals.items() if any(v)})


def recount(conn, shop_id: int) -> dict[tuple[date, int], tuple[int, ...]]:
    """The shop's rows as they should be, counted from scratch without writing (for checks and tests)."""
    tz = Shop(timezone=conn.scalar(sa.select(Shop.timezone).where(Shop.id == shop_id))).tz
    totals: dict = defaultdict(lambda: [0] * len(COLUMNS))
    for row in conn.execute(sa.select(*(getattr(Ticket, f) for f in _FIELDS)).where(Ticket.shop_id == shop_id)):
        for key, values in contribution(Facts(*row), tz).items():
            for i, v in enumerate(values):
                totals[key][i] += v
    return {k: tuple(v) for k, v in totals.items() if any(v)}


def kept(conn, shop_id: int) -> dict[tuple[date, int], tuple[int, ...]]:
    """The shop's rows as kept (rows counted down to nothing left out)."""
    rows = conn.execute(sa.select(TicketDay.day, TicketDay.assignee_id, *(getattr(TicketDay, c) for c in COLUMNS))
                        .where(TicketDay.shop_id == shop_id))
    return {(day, who): tuple(values) for day, who, *values in rows if any(values)}


def init_app(_app) -> None:
    """Counted around each flush of the app's sessions (once per process: one db.session)."""
    if not sa.event.contains(db.session, "before_flush", _before_flush):
        sa.event.listen(db.session, "before_flush", _before_flush)
        sa.event.listen(db.session, "after_flush", _after_flush)


# -- reading it ---------------------------------------------------------------------------------------------

def weekly_arrivals(shop: Shop, since: date) -> Counter:
    """Questions that arrived per week (keyed by the local Monday) from `since` on: planning.weekly_counts of
    their arrival dates, from the kept days."""
    counts: Counter = Counter()
    for day, n in db.session.execute(
            sa.select(TicketDay.day, sa.func.sum(TicketDay.received))
            .where(TicketDay.shop_id == shop.id, TicketDay.day >= since).group_by(TicketDay.day)):
        if n:
            counts[day - timedelta(days=day.weekday())] += int(n)
    return counts


def weekly_response(shop: Shop, weeks: list[metrics.Week], now: datetime,
                    assignee_id: int | None = None) -> list[metrics.WeekScore]:
    """Per ISO week: questions on time, late, missing and still waiting (the assignee's only, if given)."""
    tz = shop.tz
    first, last = weeks[0].monday(tz), weeks[-1].monday(tz) + timedelta(days=6)
    query = (sa.select(TicketDay.day, sa.func.sum(TicketDay.questions), sa.func.sum(TicketDay.on_time),
                       sa.func.sum(TicketDay.late), sa.func.sum(TicketDay.unanswered))
             .where(TicketDay.shop_id == shop.id, TicketDay.day >= first, TicketDay.day <= last)
             .group_by(TicketDay.day))
    if assignee_id is not None:
        query = query.where(TicketDay.assignee_id == assignee_id)
    index = {w.monday(tz): i for i, w in enumerate(weeks)}
    sums = [[0, 0, 0, 0] for _ in weeks]
    for day, *values in db.session.execute(query):
        i = index.get(day - timedelta(days=day.weekday()))
        if i is not None:
            for k, v in enumerate(values):
                sums[i][k] += int(v or 0)
    for i in _waiting(shop, weeks, now, assignee_id):
        sums[i][3] -= 1
    return [metrics.WeekScore(week, on_time=good, late=late, missing=unanswered,
                              waiting=total - good - late - unanswered)
            for week, (total, good, late, unanswered) in zip(weeks, sums)]


class _Span(NamedTuple):
    """A week's bounds as bound parameters (norm_sql.week_bucket reads .start and .end)."""

    start: sa.BindParameter
    end: sa.BindParameter


@statement
def _waiting_query(weeks: int, own: bool):
    # Built once per shape (the week tree is a few hundred SQLAlchemy nodes: building it cost more than the query).
    bounds = [_Span(sa.bindparam(f"start{i}", type_=UTCDateTime), sa.bindparam(f"end{i}", type_=UTCDateTime))
              for i in range(weeks)]
    week = week_bucket(CLOCK_START, bounds).label("week")
    query = (sa.select(week, sa.func.count())
             .where(Ticket.shop_id == sa.bindparam("shop_id"), waiting_at(sa.bindparam("now", type_=UTCDateTime)))
             .group_by(week))
    return query.where(Ticket.assignee_id == sa.bindparam("assignee_id")) if own else query


def _waiting(shop: Shop, weeks: list[metrics.Week], now: datetime, assignee_id: int | None) -> list[int]:
    """The week index of each question in these weeks still within its 8 business hours, counted per week in SQL
    off the partial index ix_ticket_unanswered_due (only questions without a first reaction, by due time,
    carrying when each clock started): only those not due yet are read, never the ones past due. (The week is
    worked out in the SELECT, not asked for in the WHERE, so the planner takes the due-time index.)"""
    values = {"shop_id": shop.id, "now": now, "assignee_id": assignee_id,
              **{f"start{i}": w.start for i, w in enumerate(weeks)}, **{f"end{i}": w.end for i, w in enumerate(weeks)}}
    return [i for i, n in db.session.execute(_waiting_query(len(weeks), assignee_id is not None), values) if i >= 0
            for _ in range(n)]
