"""A shop's questions and order lines per local week and product (`product_week`), kept exact in the same
transaction as each change to a ticket or an order, so the performance page's question volume and its products
cost what they show, not the shop's history.

A ticket counts one question for (the local week its clock started, its product, its category); its product is
its own, else the smallest of its order's lines (norm_sql.ticket_product), and without one it counts nowhere here.
An order number counts, in each local week it has lines, one order line per line under the line's product
(category "") and one order under the smallest product of that week's lines, so that a week's orders are the sum
over its products.

Unlike a ticket's daily counts (`ticket_days`), a ticket's product can change without the ticket changing: an
order line of its order number added, edited or deleted. So a flush counts what it touches from the database
twice, as stored before it (`before_flush`, under the flush's locks: its tickets' and order lines' rows, and an
advisory lock per order number, `flush_locks`, so that a concurrent change is counted once, and a question and
an order line of the same number arriving at once are counted one after the other) and after it
(`after_flush`), and writes the difference as `n = n + delta` upserts. What it touches: its changed tickets, the order numbers of its changed order lines (old
and new), and the tickets on those order numbers without a product of their own. A new time zone recounts the
shop. `rebuild` counts a shop from scratch with the same `_count` (`flask norms rebuild`, the migration's
backfill, loads past the ORM); the property test in tests/app/test_ticket_days.py compares the two.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from inbox import clock, metrics
from inbox.extensions import db
from inbox.models import Order, ProductWeek, Shop, Ticket
from inbox.services import flush_locks, fresh_rows
from inbox.services.flush_history import changed, values
from inbox.services.norm_sql import CLOCK_START, ticket_product

COLUMNS = ("questions", "order_lines", "orders")
_TICKET_FIELDS = ("shop_id", "received_at", "forwarded_at", "product", "order_number", "category")
_ORDER_FIELDS = ("shop_id", "order_number", "ordered_at", "product")
_PENDING = "inbox_product_weeks_before"
_CHUNK = 500   # ids or order numbers per IN (): well under SQLite's bound-parameter limit


def _monday(at, tz) -> date:
    local = clock.as_utc(at).astimezone(tz).date()
    return local - timedelta(days=local.weekday())


class _Zones(dict):
    """Shop id -> its zone, read once per count."""

    def __init__(self, conn):
        super().__init__()
        self.conn = conn

    def __missing__(self, shop_id: int):
        name = self.conn.scalar(_SHOP_ZONE, {"shop_id": shop_id})
        self[shop_id] = zone = ZoneInfo(name) if name else None
        return zone


def _chunks(values) -> list[list]:
    values = sorted(values)
    return [values[i:i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _count(conn, tickets, orders, zones: _Zones) -> dict[tuple, list[int]]:
    """(shop, local Monday, product, category) -> [questions, order lines, orders] of the rows the two queries
    yield: tickets as (shop, clock start, product, category), an order number's lines as (shop, number, ordered
    at, product), sorted by shop and number."""
    totals: dict = defaultdict(lambda: [0, 0, 0])
    for shop_id, started, product, category in tickets:
        tz = zones[shop_id]
        if product and tz is not None:
            totals[(shop_id, _monday(started, tz), product, category or "")][0] += 1
    number, weeks = None, {}
    for shop_id, order_number, ordered_at, product in (*orders, (None, None, None, None)):
        if (shop_id, order_number) != number:
            for (shop, monday), smallest in weeks.items():
                totals[(shop, monday, smallest, "")][2] += 1
            number, weeks = (shop_id, order_number), {}
        tz = zones[shop_id] if shop_id is not None else None
        if tz is None:
            continue
        key = (shop_id, _monday(ordered_at, tz))
        totals[(*key, product, "")][1] += 1
        weeks[key] = min(weeks.get(key, product), product)
    return totals


_TICKET_COLUMNS = (Ticket.shop_id, CLOCK_START, ticket_product(), Ticket.category)
_ORDER_COLUMNS = (Order.shop_id, Order.order_number, Order.ordered_at, Order.product)

# The statements a flush runs, built once: building them anew cost more CPU than running them (service_counts).
_IDS = sa.bindparam("ids", expanding=True)
_SHOP = sa.bindparam("shop_id")
_SHOP_ZONE = sa.select(Shop.timezone).where(Shop.id == _SHOP)
_TICKETS = sa.select(Ticket.id, *_TICKET_COLUMNS).where(Ticket.id.in_(_IDS))
_UNSOLD_TICKETS = sa.select(Ticket.id, *_TICKET_COLUMNS).where(   # an order number's tickets without a product
    Ticket.shop_id == _SHOP, Ticket.order_number.in_(_IDS), Ticket.product.is_(None))
_ORDER_LINES = sa.select(*_ORDER_COLUMNS).where(Order.shop_id == _SHOP, Order.order_number.in_(_IDS))
_ORDER_LINES_UP_TO = _ORDER_LINES.where(Order.order_number <= sa.bindparam("up_to"))


def _touched(conn, ids: set[int], numbers: set[tuple[int, str]], zones: _Zones, progress) -> dict[tuple, list[int]]:
    """What these tickets, these order numbers and their tickets without a product of their own count for now:
    those a shop's count has passed (`progress(shop)`: all, unless it is being counted in steps)."""
    by_shop: dict[int, set[str]] = defaultdict(set)
    for shop_id, number in numbers:
        by_shop[shop_id].add(number)
    seen: set[int] = set()
    tickets, orders = [], []
    for chunk in _chunks(ids):
        for tid, *row in conn.execute(_TICKETS, {"ids": chunk}):
            seen.add(tid)
            if progress(row[0]).counts_ticket(tid):
                tickets.append(row)
    for shop_id, found in sorted(by_shop.items()):
        for chunk in _chunks(found):
            for tid, *row in conn.execute(_UNSOLD_TICKETS, {"shop_id": shop_id, "ids": chunk}):
                if tid not in seen:
                    seen.add(tid)
                    if progress(shop_id).counts_ticket(tid):
                        tickets.append(row)
            counted = progress(shop_id)
            if counted.done:
                orders += conn.execute(_ORDER_LINES, {"shop_id": shop_id, "ids": chunk}).all()
            elif counted.order is not None:   # those a count in steps has passed (in the database's order)
                orders += conn.execute(_ORDER_LINES_UP_TO, {"shop_id": shop_id, "ids": chunk,
                                                            "up_to": counted.order}).all()
    orders.sort(key=lambda row: (row[0], row[1]))
    return _count(conn, tickets, orders, zones)


@dataclass
class _Pending:
    ids: set[int] = field(default_factory=set)
    numbers: set[tuple[int, str]] = field(default_factory=set)
    retimed: set[int] = field(default_factory=set)
    before: dict = field(default_factory=dict)


def _numbers(obj) -> set[tuple[int, str]]:
    """The (shop, order number) the object has and, for a change, had in this session."""
    return {(shop_id, number) for shop_id in values(obj, "shop_id") for number in values(obj, "order_number")
            if shop_id and number is not None}


def _before_flush(session, _context, _instances) -> None:
    """Note what the flush touches, lock its order numbers and count it as the database holds it now."""
    pending = _Pending()
    numbers: set[tuple[int, str]] = set()   # also the new tickets': an order line may come with them
    orders: set[int] = set()
    new, dirty = session.new, session.dirty   # each read of these builds a new set: once, not per object
    with session.no_autoflush:
        for obj in (*new, *session.deleted, *dirty):
            if isinstance(obj, Ticket):
                if obj in new:
                    numbers |= _numbers(obj)
                elif obj not in dirty or changed(obj, _TICKET_FIELDS):
                    pending.ids.add(obj.id)
                    numbers |= _numbers(obj)
            elif isinstance(obj, Order) and (obj not in dirty or changed(obj, _ORDER_FIELDS)):
                pending.numbers |= _numbers(obj)
                if obj not in new:
                    orders.add(obj.id)
            elif isinstance(obj, Shop) and obj in dirty and changed(obj, ("timezone",)):
                pending.retimed.add(obj.id)
        if not (pending.ids or pending.numbers or numbers):
            session.info[_PENDING] = pending
            return
        # The rows as stored under the flush's row locks: another transaction may have moved a ticket or an order
        # line to another order number since this session loaded it.
        stored = flush_locks.stored(session)
        pending.numbers.update(number for oid, number in stored.orders.items() if oid in orders)
        numbers.update((row["shop_id"], row["order_number"]) for tid, row in stored.tickets.items()
                       if tid in pending.ids)
        conn = session.connection()
        flush_locks.order_numbers(conn, pending.numbers | numbers)
        if pending.ids or pending.numbers:
            pending.before = _touched(conn, pending.ids, pending.numbers, _Zones(conn),
                                      lambda shop_id: flush_locks.progress(session, shop_id))
    session.info[_PENDING] = pending


def _after_flush(session, _context) -> None:
    """Count the same again, with the flush's new tickets, and write the differences."""
    pending = session.info.pop(_PENDING, None) or _Pending()
    pending.ids.update(obj.id for obj in session.new if isinstance(obj, Ticket))
    conn = session.connection()
    if pending.ids or pending.numbers:
        # The zones as they were counted before: a shop whose zone moved is counted afresh below anyway.
        deltas = _touched(conn, pending.ids, pending.numbers, _Zones(conn),
                          lambda shop_id: flush_locks.progress(session, shop_id))
        for key, values in pending.before.items():
            row = deltas[key]
            for i, v in enumerate(values):
                row[i] -= v
        _write(conn, {k: v for k, v in deltas.items() if any(v) and k[0] not in pending.retimed})
    for shop_id in sorted(pending.retimed):
        if flush_locks.progress(session, shop_id).done:   # else its count in steps starts over (flush_locks)
            rebuild(conn, shop_id)


@lru_cache(maxsize=None)
def _add_to(dialect: str):
    """The upsert that adds deltas to a week's counts (built once per dialect)."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(ProductWeek)
    return insert.on_conflict_do_update(
        index_elements=["shop_id", "week", "product", "category"],
        set_={c: getattr(ProductWeek, c) + getattr(insert.excluded, c) for c in COLUMNS})


def _write(conn, deltas: dict) -> None:
    if not deltas:
        return
    # Sorted: two transactions touching the same rows lock them in the same order (no deadlock on PostgreSQL).
    conn.execute(_add_to(conn.dialect.name),
                 [dict(shop_id=shop_id, week=week, product=product, category=category, **dict(zip(COLUMNS, values)))
                  for (shop_id, week, product, category), values in sorted(deltas.items())])


def _count_shop(conn, shop_id: int) -> dict[tuple, list[int]]:
    """The shop's rows counted from scratch: every ticket and every order line, streamed (a server-side cursor
    on PostgreSQL), so memory stays flat for a million tickets."""
    tickets = conn.execute(sa.select(*_TICKET_COLUMNS).where(Ticket.shop_id == shop_id)
                           .execution_options(yield_per=5000))
    orders = conn.execute(sa.select(*_ORDER_COLUMNS).where(Order.shop_id == shop_id)
                          .order_by(Order.order_number).execution_options(yield_per=5000))
    return _count(conn, tickets, orders, _Zones(conn))


def rebuild(conn, shop_id: int) -> None:
    """Count the shop's weeks from scratch: for loads that write past the ORM, the migration's backfill and
    `flask norms rebuild`."""
    conn.execute(sa.delete(ProductWeek).where(ProductWeek.shop_id == shop_id))
    fresh_rows.insert(conn, ProductWeek.__tablename__, ("shop_id", "week", "product", "category", *COLUMNS),
                      (key + tuple(values) for key, values in _count_shop(conn, shop_id).items() if any(values)))


def add_tickets(conn, shop_id: int, first: int, last: int) -> None:
    """Add the questions of the shop's tickets with an id from `first` to `last` (a step of the count in steps)."""
    tickets = conn.execute(sa.select(*_TICKET_COLUMNS).where(Ticket.shop_id == shop_id,
                                                             Ticket.id.between(first, last)))
    _write(conn, {k: v for k, v in _count(conn, tickets, [], _Zones(conn)).items() if any(v)})


def add_orders(conn, shop_id: int, after: str | None, last: str) -> int:
    """Add the order lines and orders of the shop's order numbers after `after` (None: from the first) up to
    `last`, in the database's order (a step of the count in steps); returns the number of lines."""
    query = sa.select(*_ORDER_COLUMNS).where(Order.shop_id == shop_id, Order.order_number <= last)
    if after is not None:
        query = query.where(Order.order_number > after)
    orders = conn.execute(query.order_by(Order.order_number)).all()
    _write(conn, {k: v for k, v in _count(conn, [], orders, _Zones(conn)).items() if any(v)})
    return len(orders)


def recount(conn, shop_id: int) -> dict[tuple, tuple[int, ...]]:
    """The shop's rows as they should be, counted without writing (for checks and tests)."""
    return {k[1:]: tuple(v) for k, v in _count_shop(conn, shop_id).items() if any(v)}


def kept(conn, shop_id: int) -> dict[tuple, tuple[int, ...]]:
    """The shop's rows as kept (rows counted down to nothing left out)."""
    rows = conn.execute(sa.select(ProductWeek.week, ProductWeek.product, ProductWeek.category,
                                  *(getattr(ProductWeek, c) for c in COLUMNS)).where(ProductWeek.shop_id == shop_id))
    return {(week, product, category): tuple(values) for week, product, category, *values in rows if any(values)}


def init_app(_app) -> None:
    """Counted around each flush of the app's sessions (once per process: one db.session)."""
    if not sa.event.contains(db.session, "before_flush", _before_flush):
        sa.event.listen(db.session, "before_flush", _before_flush)
        sa.event.listen(db.session, "after_flush", _after_flush)


# -- reading it ---------------------------------------------------------------------------------------------

def _in(shop: Shop, weeks: list[metrics.Week]):
    return (ProductWeek.shop_id == shop.id, ProductWeek.week >= weeks[0].monday(shop.tz),
            ProductWeek.week <= weeks[-1].monday(shop.tz))


def weekly_orders(shop: Shop, weeks: list[metrics.Week]) -> list[int]:
    """Each of these consecutive weeks' orders (distinct order numbers)."""
    index = {w.monday(shop.tz): i for i, w in enumerate(weeks)}
    result = [0] * len(weeks)
    for week, n in db.session.execute(sa.select(ProductWeek.week, sa.func.sum(ProductWeek.orders))
                                      .where(*_in(shop, weeks), ProductWeek.category == "")
                                      .group_by(ProductWeek.week)):
        if week in index:
            result[index[week]] = int(n or 0)
    return result


def totals(shop: Shop, weeks: list[metrics.Week]) -> dict[tuple[str, str], tuple[int, int]]:
    """(product, category) -> (questions, order lines) over these consecutive weeks; order lines under category ""."""
    return {(product, category): (int(q or 0), int(lines or 0)) for product, category, q, lines in db.session.execute(
        sa.select(ProductWeek.product, ProductWeek.category, sa.func.sum(ProductWeek.questions),
                  sa.func.sum(ProductWeek.order_lines))
        .where(*_in(shop, weeks)).group_by(ProductWeek.product, ProductWeek.category)) if q or lines}
