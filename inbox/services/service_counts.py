"""The service measures (first response, resolution, time between responses, first contact, waiting time) of any
range of days, per assignee and per channel, from counts kept exact in the same transaction as each change: a
period costs a handful of queries over a few dozen blocks of days, whatever the shop's history holds.

Each ticket's figures (inbox.metrics.ticket_figures, in whole business minutes) are kept in `ticket_measure`,
and what they add up to in `service_count` (sums, and coarse ranges of values) and `service_fine` (values) under
every block of days (inbox.histograms) that holds the local day its clock started, once for its assignee and once
for its channel. Any flush that changes a ticket's public thread, status, solved time, assignee, channel or clock
start recomputes those tickets' figures from the database (one query for the tickets, one for their threads), and
writes the difference with what their `ticket_measure` rows said as `n = n + delta` upserts; a change of the
shop's zone or country moves every business minute, so the shop is counted afresh (`rebuild`, also for loads
past the ORM and `flask norms rebuild`). `recount` and `kept` are for the property test.

An open question's wait runs on: it is kept as a key (its wait is the business minute of now minus the key), in
64-minute bins of keys, which turn into intervals of waits at reading.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from inbox import histograms, metrics
from inbox.extensions import db
from inbox.histograms import Interval
from inbox.models import Message, ServiceCount, ServiceFine, Shop, Ticket, TicketMeasure
from inbox.services import flush_locks, fresh_rows, sla
from inbox.services.norm_sql import CLOCK_START
from inbox.sla import BusinessCalendar
from inbox.workflow import MessageKind

SUMS, FIRST, RESOLUTION, WAIT, RUNNING = range(5)
RUN_BIN = 64        # minutes of running-wait keys per coarse bin
_PUBLIC = (MessageKind.CUSTOMER.value, MessageKind.REPLY.value)
_TICKET_FIELDS = ("shop_id", "assignee_id", "assignee", "channel", "received_at", "forwarded_at", "status",
                  "solved_at")
_MESSAGE_FIELDS = ("kind", "created_at", "ticket_id", "ticket")
_CALENDAR_FIELDS = ("timezone", "country")
_PENDING = "inbox_service_counts_before"
_CHUNK = 900        # ids per IN list: under SQLite's bound-parameter limit


class Measure(NamedTuple):
    """One ticket's row of ticket_measure."""

    ticket_id: int
    shop_id: int
    day: int            # the date's ordinal
    assignee_id: int    # 0: nobody
    channel: str
    first_response: int | None
    resolution: int | None
    gap_sum: int
    gap_count: int
    wait: int
    wait_key: int | None
    solved: bool
    first_contact: bool


_COLUMNS = Measure._fields


def measure_of(fact: metrics.TicketFacts, shop_id: int, cal: BusinessCalendar) -> Measure:
    f = metrics.ticket_figures(fact, cal)
    return Measure(fact.ticket_id, shop_id, fact.clock_start.astimezone(cal.tz).date().toordinal(),
                   fact.assignee_id or 0, fact.channel, f.first_response, f.resolution, f.gap_sum, f.gap_count,
                   f.wait, f.wait_key, f.solved, f.first_contact)


def members(m: Measure) -> tuple[str, str]:
    """Where a ticket counts: under its assignee and under its channel."""
    return f"a{m.assignee_id}", f"c{m.channel}"


def _values(m: Measure) -> list[tuple[int, int]]:
    values = []
    if m.first_response is not None:
        values.append((FIRST, m.first_response))
    if m.resolution is not None:
        values.append((RESOLUTION, m.resolution))
    values.append((WAIT, m.wait) if m.wait_key is None else (RUNNING, m.wait_key))
    return values


def _coarse(kind: int, value: int) -> int:
    return value // RUN_BIN if kind == RUNNING else histograms.bucket(value)


def contribution(m: Measure) -> tuple[Counter, Counter]:
    """What one ticket adds to (member, block, kind, value) in service_count and in service_fine."""
    coarse: Counter = Counter()
    fine: Counter = Counter()
    _add(coarse, fine, m, histograms.blocks_of(m.day))
    return coarse, fine


def _add(coarse: dict, fine: dict, m: Measure, blocks: Iterable[int]) -> None:
    sums = (1, int(m.solved), int(m.first_contact), m.gap_sum, m.gap_count)
    values = _values(m)
    for block in blocks:
        for member in members(m):
            for i, s in enumerate(sums):
                if s:
                    coarse[member, block, SUMS, i] += s
            for kind, v in values:
                coarse[member, block, kind, _coarse(kind, v)] += 1
                fine[member, block, kind, v] += 1


# -- the tickets' figures from the database ---------------------------------------------------------------------------

# The statements a flush runs, built once: building them anew (SQLAlchemy's coercions and cache keys) cost more
# CPU than running them, on every flush that touches a ticket.
_IDS = sa.bindparam("ids", expanding=True)
_SHOP_CALENDAR = sa.select(Shop.country, Shop.timezone).where(Shop.id == sa.bindparam("shop_id"))
_FACTS = sa.select(Ticket.id, Ticket.shop_id, Ticket.assignee_id, Ticket.channel, CLOCK_START, Ticket.status,
                   Ticket.solved_at).where(Ticket.id.in_(_IDS))
_THREADS = (sa.select(Message.ticket_id, Message.kind, Message.created_at)
            .where(Message.ticket_id.in_(_IDS), Message.kind.in_(_PUBLIC))
            .order_by(Message.ticket_id, Message.created_at, Message.id))
_STORED = sa.select(*(getattr(TicketMeasure, c) for c in _COLUMNS)).where(TicketMeasure.ticket_id.in_(_IDS))
_FORGET = sa.delete(TicketMeasure).where(TicketMeasure.ticket_id.in_(_IDS))


def _calendar(conn, shop_id: int, cache: dict) -> BusinessCalendar | None:
    if shop_id not in cache:
        row = conn.execute(_SHOP_CALENDAR, {"shop_id": shop_id}).first()
        cache[shop_id] = sla.calendar_for(Shop(country=row[0], timezone=row[1])) if row else None
    return cache[shop_id]


def measures(conn, ids: Iterable[int], calendars: dict | None = None) -> list[Measure]:
    """The figures of these tickets as the database holds them now (those that exist)."""
    calendars = {} if calendars is None else calendars
    ids = sorted(set(ids))
    result = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        facts: dict[int, tuple[int, metrics.TicketFacts]] = {}
        for tid, shop_id, *rest in conn.execute(_FACTS, {"ids": chunk}):
            facts[tid] = (shop_id, metrics.TicketFacts(tid, *rest, thread=[]))
        if not facts:
            continue
        for tid, kind, at in conn.execute(_THREADS, {"ids": list(facts)}):
            facts[tid][1].thread.append((kind, at))
        for shop_id, fact in facts.values():
            cal = _calendar(conn, shop_id, calendars)
            if cal is None or fact.clock_start is None:
                continue
            # A forwarded question's first customer message predates the clock: the wait starts at the forward.
            if fact.thread and fact.thread[0][0] == "customer":
                fact.thread[0] = ("customer", fact.clock_start)
            result.append(measure_of(fact, shop_id, cal))
    return result


def _stored(conn, ids: Iterable[int]) -> dict[int, Measure]:
    ids = sorted(set(ids))
    found = {}
    for i in range(0, len(ids), _CHUNK):
        for row in conn.execute(_STORED, {"ids": ids[i:i + _CHUNK]}):
            m = Measure(*row)
            found[m.ticket_id] = m._replace(day=m.day.toordinal(), solved=bool(m.solved),
                                            first_contact=bool(m.first_contact))
    return found


def row_of(m: Measure) -> tuple:
    """A ticket_measure row's values, in _COLUMNS' order (a plain tuple: namedtuple's _replace cost a rebuild of a
    million tickets seconds)."""
    return (m.ticket_id, m.shop_id, date.fromordinal(m.day), *m[3:])


# -- keeping it -----------------------------------------------------------------------------------------------------

def _changed(obj, names) -> bool:
    return any(so.attributes.get_history(obj, n).has_changes() for n in names)


def _old_ticket_id(message):
    history = so.attributes.get_history(message, "ticket_id")
    return history.deleted[0] if history.deleted else message.ticket_id


def _before_flush(session, _context, _instances) -> None:
    """Read what the flush's deleted tickets count for, before the database's cascade takes their rows."""
    deleted = [obj.id for obj in session.deleted
               if isinstance(obj, Ticket) and so.attributes.instance_state(obj).has_identity]
    session.info[_PENDING] = _stored(session.connection(), deleted) if deleted else {}


def _touched(session) -> tuple[set[int], set[int]]:
    """The tickets whose figures this flush may change, and the shops whose calendar it moves."""
    tickets, shops = set(), set()
    for obj in session.new:
        if isinstance(obj, Ticket):
            tickets.add(obj.id)
        elif isinstance(obj, Message) and obj.kind in _PUBLIC:
            tickets.add(obj.ticket_id)
    for obj in session.deleted:
        if isinstance(obj, Ticket):
            tickets.add(obj.id)
        elif isinstance(obj, Message):
            tickets.add(_old_ticket_id(obj))
    for obj in session.dirty:
        if isinstance(obj, Ticket) and _changed(obj, _TICKET_FIELDS):
            tickets.add(obj.id)
        elif isinstance(obj, Message) and _changed(obj, _MESSAGE_FIELDS):
            tickets.update((obj.ticket_id, _old_ticket_id(obj)))
        elif isinstance(obj, Shop) and _changed(obj, _CALENDAR_FIELDS):
            shops.add(obj.id)
    tickets.discard(None)
    return tickets, shops


def _after_flush(session, _context) -> None:
    """Recompute the touched tickets' figures and write the difference with what they counted for before."""
    old = session.info.pop(_PENDING, {})
    with session.no_autoflush:
        tickets, shops = _touched(session)
    if tickets or shops:
        conn = session.connection()
        update(conn, tickets, old, skip_shops=shops,
               counted=lambda m: flush_locks.progress(session, m.shop_id).counts_ticket(m.ticket_id))
        for shop_id in sorted(shops):
            # Every business minute moves with the calendar: count the shop afresh (an owner changing the zone),
            # unless it is being counted in steps, which start over (flush_locks).
            if flush_locks.progress(session, shop_id).done:
                rebuild(conn, shop_id)


def update(conn, ids: set[int], old: dict[int, Measure] | None = None, skip_shops: set[int] = frozenset(),
           counted=None) -> None:
    """Bring these tickets' figures and counts up to date with the database (`old`: rows already read; `counted`:
    whether a ticket's figures are kept yet, while its shop is counted in steps: a ticket not yet counted has no
    row to take off, and gets its figures from the step that reaches it)."""
    old = {**_stored(conn, ids - set(old or ())), **(old or {})}
    new = {m.ticket_id: m for m in measures(conn, ids) if counted is None or counted(m)}
    coarse: Counter = Counter()
    fine: Counter = Counter()
    changed = [tid for tid in ids if old.get(tid) != new.get(tid)]
    for tid in changed:
        for m, sign in ((old.get(tid), -1), (new.get(tid), 1)):
            if m is not None and m.shop_id not in skip_shops:
                c, f = contribution(m)
                for key, n in c.items():
                    coarse[(m.shop_id, *key)] += sign * n
                for key, n in f.items():
                    fine[(m.shop_id, *key)] += sign * n
    if not changed:
        return
    for i in range(0, len(changed), _CHUNK):
        conn.execute(_FORGET, {"ids": changed[i:i + _CHUNK]})
    rows = [dict(zip(_COLUMNS, row_of(new[tid]))) for tid in changed if tid in new]
    if rows:
        conn.execute(sa.insert(TicketMeasure), rows)
    _write(conn, {k: n for k, n in coarse.items() if n}, {k: n for k, n in fine.items() if n})


_KEYS = {ServiceCount: ("shop_id", "block", "member", "kind", "value"),
         ServiceFine: ("shop_id", "kind", "block", "value", "member")}


def _rows(model, counts: dict, shop_id: int | None = None) -> list[tuple]:
    """(shop, member, block, kind, value) -> n (without the shop when it is given) as tuples in the order of the
    table's key (then n), sorted: two transactions counting into the same rows lock them in the same order (no
    deadlock on PostgreSQL), and a rebuild appends to the key's index."""
    if shop_id is not None:   # (one pass: a shop's tens of millions of keys are not copied twice)
        if model is ServiceCount:
            rows = [(shop_id, b, m, k, v, n) for (m, b, k, v), n in counts.items() if n]
        else:
            rows = [(shop_id, k, b, v, m, n) for (m, b, k, v), n in counts.items() if n]
    elif model is ServiceCount:
        rows = [(s, b, m, k, v, n) for (s, m, b, k, v), n in counts.items() if n]
    else:
        rows = [(s, k, b, v, m, n) for (s, m, b, k, v), n in counts.items() if n]
    rows.sort()
    return rows


@lru_cache(maxsize=None)
def _add_to(dialect: str, model):
    """The upsert that adds a delta to a count (built once per dialect and table)."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(model)
    return insert.on_conflict_do_update(index_elements=list(_KEYS[model]), set_={"n": model.n + insert.excluded.n})


def _write(conn, coarse: dict, fine: dict) -> None:
    """Add the deltas to the counts."""
    for model, deltas in ((ServiceCount, coarse), (ServiceFine, fine)):
        if deltas:
            names = (*_KEYS[model], "n")
            conn.execute(_add_to(conn.dialect.name, model), [dict(zip(names, row)) for row in _rows(model, deltas)])


def _totals(measures_: Iterable[Measure]) -> tuple[dict, dict, int]:
    """Every ticket's contribution added up: per day first, then each level from the one below (a block is four
    of the level below), so a million tickets cost a pass each, not one per level."""
    coarse: dict = defaultdict(int)
    fine: dict = defaultdict(int)
    n = 0
    for m in measures_:
        n += 1
        _add(coarse, fine, m, (histograms.block_id(0, m.day),))
    for counts in (coarse, fine):
        below = list(counts.items())
        for level in range(1, len(histograms.SPANS)):
            ratio = histograms.SPANS[level] // histograms.SPANS[level - 1]
            up: dict = defaultdict(int)
            for (member, block, kind, value), count in below:
                up[member, histograms.block_id(level, (block & histograms.INDEX_MASK) // ratio), kind, value] += count
            counts.update(up)
            below = list(up.items())
    return coarse, fine, n


def _shop_measures(conn, shop_id: int) -> Iterable[Measure]:
    ids = conn.scalars(sa.select(Ticket.id).where(Ticket.shop_id == shop_id).order_by(Ticket.id)).all()
    calendars: dict = {}
    for i in range(0, len(ids), 20 * _CHUNK):
        yield from measures(conn, ids[i:i + 20 * _CHUNK], calendars)


def rebuild(conn, shop_id: int, found: Iterable[Measure] | None = None) -> int:
    """Count the shop's tickets from scratch (their threads read in batches; `found`: the shop's every figure,
    when the caller has them: a bulk load computes them from the rows it wrote); returns the number counted.

    For a change of the shop's calendar, loads that write tickets past the ORM, a migration's backfill, and
    `flask norms rebuild`. Each ticket's figures are computed here (business minutes: Python). What they add up to
    is summed on SQLite by the database from the ticket_measure rows (`_sum_up`: its sorts in C instead of
    millions of dict updates and tuples here); on PostgreSQL in Python (`_totals`) and written by COPY
    (`sum_figures`): there the server's grouping cost more (a bulk load of 100,000 tickets and 200 other shops:
    32 s of the server's CPU instead of 13, and over 5 minutes for one shop of 1,000,000). Both are the sums
    `recount` makes, which the property tests compare with."""
    for model in (ServiceCount, ServiceFine, TicketMeasure):
        conn.execute(sa.delete(model).where(model.shop_id == shop_id))
    found = _shop_measures(conn, shop_id) if found is None else found
    if conn.dialect.name == "postgresql":
        found = list(found)
        fresh_rows.insert(conn, TicketMeasure.__tablename__, _COLUMNS, (row_of(m) for m in found))
        return sum_figures(conn, shop_id, found)
    n = 0
    for chunk in _chunked(found, 20 * _CHUNK):
        n += len(chunk)
        fresh_rows.insert(conn, TicketMeasure.__tablename__, _COLUMNS, (row_of(m) for m in chunk))
    if n:
        _sum_up(conn, shop_id)
    return n


def _chunked(items: Iterable, size: int) -> Iterable[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def sum_figures(conn, shop_id: int, found: Iterable[Measure]) -> int:
    """The shop's service_count and service_fine rows afresh from these figures (every ticket's of the shop), added
    up in Python and written by the driver's fastest path, leaving its ticket_measure rows to the caller (a bulk
    load on PostgreSQL sums each shop on a connection of its own while the load's connection writes the rows).
    Returns the number of tickets summed."""
    for model in (ServiceCount, ServiceFine):
        conn.execute(sa.delete(model).where(model.shop_id == shop_id))
    coarse, fine, n = _totals(found)
    for model, counts in ((ServiceCount, coarse), (ServiceFine, fine)):
        fresh_rows.insert(conn, model.__tablename__, (*_KEYS[model], "n"), _rows(model, counts, shop_id))
    return n


def _sum_up(conn, shop_id: int) -> None:
    """service_fine and service_count of the shop from its ticket_measure rows, in SQLite's SQL: the day blocks
    first (what _add adds under each day's block, for the ticket's two members), then each level of blocks from the
    one below (as _totals), then the coarse ranges of the values from the fine counts (their ranges,
    histograms.bucket, in a scratch table). Each statement groups in the order of the table's key, so its rows
    append to the index."""
    day = "CAST(julianday(day) - 1721424.5 AS INTEGER)"   # the date's ordinal (date.toordinal: 0001-01-01 is 1)
    ids = {"shop": shop_id}
    members = ("'a' || assignee_id", "'c' || channel")
    flag = "CASE WHEN {0} THEN 1 ELSE 0 END"
    values = [(FIRST, "first_response", "first_response IS NOT NULL"),
              (RESOLUTION, "resolution", "resolution IS NOT NULL"),
              (WAIT, "wait", "wait_key IS NULL"), (RUNNING, "wait_key", "wait_key IS NOT NULL")]
    # bandit B608: the parts are the module's own column names and numbers; the shop is a bound parameter.
    parts = [f"SELECT {kind} AS kind, {day} AS block, {column} AS value, {member} AS member "  # nosec B608
             f"FROM ticket_measure WHERE shop_id = :shop AND {where}"
             for kind, column, where in values for member in members]
    conn.execute(sa.text("INSERT INTO service_fine (shop_id, kind, block, value, member, n) "  # nosec B608
                         f"SELECT :shop, kind, block, value, member, count(*) FROM ({' UNION ALL '.join(parts)}) v "
                         "GROUP BY kind, block, value, member ORDER BY kind, block, value, member"), ids)
    sums = ["1", flag.format("solved"), flag.format("first_contact"), "gap_sum", "gap_count"]
    parts = [f"SELECT {day} AS block, {member} AS member, {i} AS value, {s} AS x "  # nosec B608
             f"FROM ticket_measure WHERE shop_id = :shop" for member in members for i, s in enumerate(sums)]
    conn.execute(sa.text("INSERT INTO service_count (shop_id, block, member, kind, value, n) "  # nosec B608
                         f"SELECT :shop, block, member, {SUMS}, value, sum(x) FROM ({' UNION ALL '.join(parts)}) v "
                         "GROUP BY block, member, value HAVING sum(x) != 0 ORDER BY block, member, value"), ids)
    for level in range(1, len(histograms.SPANS)):
        ratio = histograms.SPANS[level] // histograms.SPANS[level - 1]
        below = {"shop": shop_id, "low": histograms.block_id(level - 1, 0), "high": histograms.block_id(level, 0),
                 "base": histograms.block_id(level, 0), "ratio": ratio}
        up = "(:base + (block - :low) / :ratio)"
        conn.execute(sa.text("INSERT INTO service_fine (shop_id, kind, block, value, member, n) "  # nosec B608
                             f"SELECT :shop, kind, {up} AS up, value, member, sum(n) FROM service_fine "
                             "WHERE shop_id = :shop AND block >= :low AND block < :high "
                             "GROUP BY kind, up, value, member ORDER BY kind, up, value, member"), below)
        conn.execute(sa.text("INSERT INTO service_count (shop_id, block, member, kind, value, n) "  # nosec B608
                             f"SELECT :shop, {up} AS up, member, kind, value, sum(n) FROM service_count "
                             f"WHERE shop_id = :shop AND kind = {SUMS} AND block >= :low AND block < :high "
                             "GROUP BY up, member, kind, value ORDER BY up, member, kind, value"), below)
    # The coarse ranges of the values (every value counts at the day level too).
    conn.exec_driver_sql("DROP TABLE IF EXISTS service_range")
    conn.exec_driver_sql("CREATE TEMPORARY TABLE service_range (kind SMALLINT NOT NULL, value INTEGER NOT NULL, "
                         "coarse INTEGER NOT NULL, PRIMARY KEY (kind, value))")
    found = conn.execute(sa.text("SELECT DISTINCT kind, value FROM service_fine "
                                 "WHERE shop_id = :shop AND block < :high"),
                         {"shop": shop_id, "high": histograms.block_id(1, 0)}).all()
    conn.execute(sa.text("INSERT INTO service_range (kind, value, coarse) VALUES (:kind, :value, :coarse)"),
                 [{"kind": kind, "value": value, "coarse": _coarse(kind, value)} for kind, value in found])
    conn.execute(sa.text("INSERT INTO service_count (shop_id, block, member, kind, value, n) "
                         "SELECT :shop, f.block, f.member, f.kind, r.coarse, sum(f.n) FROM service_fine f "
                         "JOIN service_range r ON r.kind = f.kind AND r.value = f.value WHERE f.shop_id = :shop "
                         "GROUP BY f.block, f.member, f.kind, r.coarse ORDER BY f.block, f.member, f.kind, r.coarse"),
                 ids)
    conn.exec_driver_sql("DROP TABLE service_range")


def add(conn, shop_id: int, first: int, last: int) -> None:
    """Add the figures of the shop's tickets with an id from `first` to `last` (a step of the count in steps)."""
    ids = conn.scalars(sa.select(Ticket.id).where(Ticket.shop_id == shop_id, Ticket.id.between(first, last))).all()
    found = measures(conn, ids)
    fresh_rows.insert(conn, TicketMeasure.__tablename__, _COLUMNS, (row_of(m) for m in found))
    coarse, fine, _n = _totals(found)
    _write(conn, {(shop_id, *k): n for k, n in coarse.items() if n}, {(shop_id, *k): n for k, n in fine.items() if n})


def recount(conn, shop_id: int) -> tuple[dict, dict, dict]:
    """The shop's figures and counts as they should be, from scratch, without writing (for checks and tests)."""
    found = list(_shop_measures(conn, shop_id))
    coarse, fine, _n = _totals(found)
    return ({m.ticket_id: m for m in found}, {k: v for k, v in coarse.items() if v},
            {k: v for k, v in fine.items() if v})


def kept(conn, shop_id: int) -> tuple[dict, dict, dict]:
    """The shop's figures and counts as kept (rows counted down to nothing left out)."""
    ids = conn.scalars(sa.select(TicketMeasure.ticket_id).where(TicketMeasure.shop_id == shop_id)).all()
    coarse = {(member, block, kind, value): n for member, block, kind, value, n in conn.execute(
        sa.select(ServiceCount.member, ServiceCount.block, ServiceCount.kind, ServiceCount.value, ServiceCount.n)
        .where(ServiceCount.shop_id == shop_id)) if n}
    fine = {(member, block, kind, value): n for member, block, kind, value, n in conn.execute(
        sa.select(ServiceFine.member, ServiceFine.block, ServiceFine.kind, ServiceFine.value, ServiceFine.n)
        .where(ServiceFine.shop_id == shop_id)) if n}
    return _stored(conn, ids), coarse, fine


def init_app(_app) -> None:
    """Counted around each flush of the app's sessions (once per process: one db.session)."""
    if not sa.event.contains(db.session, "before_flush", _before_flush):
        sa.event.listen(db.session, "before_flush", _before_flush)
        sa.event.listen(db.session, "after_flush", _after_flush)


# -- reading it -----------------------------------------------------------------------------------------------------

EVERYONE = ("everyone", None)


@lru_cache(maxsize=4096)
def _groups(member: str) -> tuple:
    """The rows a member's counts add to: everyone's and the agent's, or the channel's."""
    if member.startswith("a"):
        who = int(member[1:])
        return EVERYONE, ("agent", who or None)
    return (("channel", member[1:]),)


_MEASURES = (("first_response", (FIRST,)), ("resolution", (RESOLUTION,)), ("waiting", (WAIT, RUNNING)))


def read(shop: Shop, first: date, last: date, now: datetime, assignee_id: int | None = None) -> dict:
    """The service measures of the tickets whose clock started on the local days first..last: {("everyone", None),
    ("agent", id or None), ("channel", name): ServiceMeasures}; with assignee_id, only that agent's tickets (under
    "everyone" and the agent). Two queries: the coarse counts, then the fine counts of the ranges that may hold a
    wanted rank."""
    blocks = histograms.cover(first.toordinal(), last.toordinal())
    now_minute = sla.calendar_for(shop).business_minute(now)
    own = f"a{assignee_id or 0}" if assignee_id is not None else None
    _short_statements()
    groups = _coarse_counts(shop, blocks, own)
    wanted = []   # per group and measure: the candidates of the two ranks of both percentiles
    for key, group in groups.items():
        for name, kinds in _MEASURES:
            spans = _intervals(group, kinds, now_minute)
            n = sum(i.count for i in spans)
            for p in (.5, .9) if n else ():
                lo, hi, k = histograms.ranks(n, p)
                picks = [(rank, *histograms.candidates(spans, rank)) for rank in (lo, hi)]
                wanted.append((key, f"{name}_{'median' if p == .5 else 'p90'}", lo, hi, k, picks))
    needed: dict = defaultdict(set)   # tag -> the groups that need its fine counts
    for key, _name, _lo, _hi, _k, picks in wanted:
        for _rank, _below, found in picks:
            for tag in found:
                needed[tag].add(key)
    fine = _fine_counts(shop, blocks, own, needed, now_minute)
    result = {}
    for key, group in groups.items():
        sums = group[SUMS]
        m = metrics.ServiceMeasures(tickets=sums[0], solved=sums[1], first_contact_solved=sums[2])
        m.between_responses_avg = sums[3] / sums[4] if sums[4] else None
        m.first_contact_share = m.first_contact_solved / m.solved if m.solved else None
        result[key] = m
    for key, name, lo, hi, k, picks in wanted:
        values = []
        for rank, below, found in picks:
            counts: Counter = Counter()
            for tag in found:
                counts.update(fine[tag].get(key, {}))
            values.append(histograms.pick(below, rank, counts.items()))
        setattr(result[key], name, histograms.interpolate(*values, lo, hi, k))
    return {key: m for key, m in result.items() if m.tickets or key == EVERYONE}


def _short_statements() -> None:
    """On PostgreSQL, for the rest of the transaction (a page's last queries; no RESET, which would cost another round
    trip): no JIT compilation and no parallel workers for the two statements that follow. Each reads a few
    milliseconds of index ranges, but its planner's costs grow with the kept tables: at 1,000,000 questions a year's
    coarse and fine counts are estimated at 70,000 and 58,000, near `jit_above_cost` (100,000 by default), and
    compiling them takes 15 and 100 ms (bench/page_statements.py --setting jit_above_cost=50000). Parallel workers,
    which the planner picks for the sum of the fine counts' parts, take longer to start than the statement needs."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT set_config('jit', 'off', true), "
                                   "set_config('max_parallel_workers_per_gather', '0', true)"))


def _coarse_counts(shop: Shop, blocks: list[int], own: str | None) -> dict:
    """group -> kind -> coarse value -> n over the blocks."""
    query = (sa.select(ServiceCount.member, ServiceCount.kind, ServiceCount.value, sa.func.sum(ServiceCount.n))
             .where(ServiceCount.shop_id == shop.id, ServiceCount.block.in_(blocks))
             .group_by(ServiceCount.member, ServiceCount.kind, ServiceCount.value))
    if own:
        query = query.where(ServiceCount.member == own)
    groups: dict = defaultdict(lambda: defaultdict(Counter))
    groups[EVERYONE]   # always shown, even empty
    for member, kind, value, n in db.session.execute(query):
        if n:
            for g in _groups(member):
                groups[g][kind][value] += int(n)
    return groups


def _intervals(group: dict, kinds, now_minute: int) -> list[Interval]:
    """A group's coarse counts of a measure as intervals of values (a running wait's bin of keys becomes the
    interval of the waits those keys have now)."""
    found = []
    for kind in kinds:
        for value, n in group[kind].items():
            if kind == RUNNING:
                found.append(Interval(now_minute - (value + 1) * RUN_BIN + 1, now_minute - value * RUN_BIN, n,
                                      (kind, value)))
            else:
                found.append(Interval(*histograms.bucket_bounds(value), n, (kind, value)))
    return found


def _fine_counts(shop: Shop, blocks: list[int], own: str | None, needed: dict, now_minute: int) -> dict:
    """tag -> group -> value -> n: the fine counts of the wanted coarse ranges (a running wait's as waits now) for
    the groups that need them, in one statement whose every part reads a few index ranges (one block and one range
    of values each)."""
    tags = sorted(needed)
    fine: dict = defaultdict(lambda: defaultdict(Counter))
    if not tags:
        return fine
    # The statement's text is written here rather than built by SQLAlchemy's expression language, which spent
    # ~1 ms of CPU per part (a year's period has dozens): the same SQL, every value a bound parameter.
    params: dict = {"shop": shop.id, **{f"b{j}": block for j, block in enumerate(blocks)}}
    in_blocks = ", ".join(f":b{j}" for j in range(len(blocks)))
    parts = []
    for i, (kind, value) in enumerate(tags):
        low, high = ((value * RUN_BIN, (value + 1) * RUN_BIN - 1) if kind == RUNNING
                     else histograms.bucket_bounds(value))
        params.update({f"k{i}": kind, f"lo{i}": low, f"hi{i}": high})
        # bandit B608: the part holds only numbers generated here and parameter names; every value is bound.
        parts.append(f"SELECT {i} AS tag, member, value, sum(n) AS n FROM service_fine "  # nosec B608
                     f"WHERE shop_id = :shop AND kind = :k{i} AND block IN ({in_blocks}) "
                     f"AND value BETWEEN :lo{i} AND :hi{i} AND {_members_of(needed[kind, value], own, i, params)} "
                     f"GROUP BY member, value")
    # bandit B608: the text holds only numbers generated here and parameter names; every value is bound.
    query = sa.text(" UNION ALL ".join(parts))  # nosec B608
    for i, member, value, n in db.session.execute(query, params):
        kind = tags[i][0]
        for g in _groups(member):
            fine[tags[i]][g][now_minute - value if kind == RUNNING else value] += int(n)
    return fine


def _members_of(groups: set, own: str | None, i: int, params: dict) -> str:
    """The condition on service_fine.member for these groups (part i's; values into params): everyone's is every
    agent's (or one's own)."""
    if own:
        params[f"own{i}"] = own
        return f"member = :own{i}"
    named = sorted(f"a{who or 0}" if kind == "agent" else f"c{who}" for kind, who in groups if kind != "everyone")
    params.update({f"m{i}_{j}": member for j, member in enumerate(named)})
    listed = f"member IN ({', '.join(f':m{i}_{j}' for j in range(len(named)))})" if named else ""
    if EVERYONE in groups:
        return f"(member LIKE 'a%' OR {listed})" if listed else "member LIKE 'a%'"
    return listed


def read_exact(shop: Shop, first: date, last: date, now: datetime, assignee_id: int | None = None) -> dict:
    """What read() answers, from the period's tickets themselves (their figures computed afresh, summed by
    inbox.metrics): slower, for when the kept counts of the period do not add up (read raised ValueError)."""
    tz = shop.tz
    # A day either side in UTC: the local days are picked out below, by the measure's own day.
    since = datetime.combine(first - timedelta(days=1), time(), tz)
    query = sa.select(Ticket.id).where(Ticket.shop_id == shop.id, CLOCK_START >= since)
    if last < date.max - timedelta(days=2):
        query = query.where(CLOCK_START < datetime.combine(last + timedelta(days=2), time(), tz))
    conn = db.session.connection()
    cal = sla.calendar_for(shop)
    groups: dict = defaultdict(list)
    groups[EVERYONE] = []
    for m in measures(conn, conn.scalars(query).all()):
        if not first.toordinal() <= m.day <= last.toordinal():
            continue
        if assignee_id is not None and m.assignee_id != (assignee_id or 0):
            continue
        figures = metrics.with_running_wait(metrics.TicketFigures(
            first_response=m.first_response, resolution=m.resolution, gap_sum=m.gap_sum, gap_count=m.gap_count,
            wait=m.wait, solved=m.solved, first_contact=m.first_contact, wait_key=m.wait_key), cal, now)
        keys = [EVERYONE, ("agent", m.assignee_id or None)]
        if assignee_id is None:
            keys.append(("channel", m.channel))
        for key in keys:
            groups[key].append(figures)
    return {key: metrics.summarise(figures) for key, figures in groups.items()}
