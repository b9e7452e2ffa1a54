"""The locks a flush takes before the kept figures' listeners read what it changes, so that they count from the
rows as the database holds them when the flush writes, not as this session loaded them.

On PostgreSQL (READ COMMITTED) two requests may change one ticket at once. The second's UPDATE waits for the
first to commit, but what the second loaded, and anything it read before its UPDATE, is the state before the
first: taking that off would count the first's change twice (`product_week`, `ticket_day`). So the first
`before_flush` listener of every flush locks the tickets and order lines the flush updates or deletes
(`SELECT … FOR UPDATE`, tickets then order lines, each in id order, one lock step for all listeners, so two
flushes touching the same rows never wait on each other crosswise) and keeps their stored values for the
listeners (`stored`). The statements after it see what the transaction it waited for committed.

A question's product may come from its order's lines, and a new question and a new order line share no row:
`order_numbers` takes a transaction-scoped advisory lock per (shop, order number), sorted, for the listeners
that count products (`product_weeks`), after the row locks.

A shop's zone or country decides every local day and business minute kept: the flush that changes them
recounts the shop (`rebuild`), and must not miss, nor be followed by, a count in the old calendar. So before
any row lock a flush takes a transaction-scoped advisory lock per shop it writes counted rows of (tickets, their
messages, order lines, calls) or whose own row it writes: shared, or exclusive when it moves the shop's
calendar. The listeners read the calendar from the database after it (never from a Shop the session loaded).

A shop may be counted in steps (services/recount.step, which holds the same lock exclusive for a moment): the
flush reads how far the count has come (`progress`) under that lock, so no step runs between that reading and
the flush's commit. A flush that moves a shop's calendar while it is being counted starts its count over.

SQLite lets one writer in at a time: SQLAlchemy leaves FOR UPDATE out there, and there are no advisory locks. A
flush there first writes the shops' rows (unchanged), which makes it the writer before it reads anything, so a
step cannot commit between its reading and its writing either.
Locks taken by several flushes of one transaction in opposite orders can still deadlock; PostgreSQL then fails
one transaction whole (nothing half counted).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from inbox.extensions import db
from inbox.models import Call, Message, Order, Shop, Ticket
from inbox.services import count_progress, locks
from inbox.services.flush_history import changed, values

TICKET_COLUMNS = ("shop_id", "received_at", "forwarded_at", "assignee_id", "first_reply_at", "first_reply_margin",
                  "first_reply_due_at", "order_number")
_CALENDAR = ("timezone", "country")   # what every kept day, week and business minute is counted in
_KEY = "inbox_flush_locks"
_CHUNK = 500   # ids per IN (): well under SQLite's bound-parameter limit


@dataclass
class Stored:
    """The flush's updated and deleted rows as the database holds them under the lock (rows that no longer
    exist are missing)."""

    tickets: dict[int, dict] = field(default_factory=dict)             # id -> TICKET_COLUMNS -> value
    orders: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (shop, order number)
    shops: dict[int, count_progress.Progress] = field(default_factory=dict)   # read under the shop's lock


def _changing(session, model) -> list[int]:
    deleted = session.deleted   # a set built anew on every read: read once, not per row
    return sorted(obj.id for obj in (*session.dirty, *deleted)
                  if isinstance(obj, model) and so.attributes.instance_state(obj).has_identity
                  and (obj in deleted or session.is_modified(obj)))


def _shops(session) -> list[tuple[int, bool]]:
    """(shop, whether this flush moves its calendar) for each shop whose counted rows or calendar it changes."""
    moved = {obj.id for obj in session.dirty if isinstance(obj, Shop) and changed(obj, _CALENDAR)}
    writes = {shop_id for obj in (*session.new, *session.dirty, *session.deleted)
              if isinstance(obj, (Ticket, Message, Order, Call)) for shop_id in values(obj, "shop_id") if shop_id}
    # The shop's own row and its calls' kept weeks (norm_week) are rows a step of a count writes too (its cursor;
    # forgetting the weeks): a transaction that wrote them first and a question next waited crosswise with it.
    writes |= {obj.id for obj in session.dirty if isinstance(obj, Shop) and session.is_modified(obj)}
    return sorted((shop_id, shop_id in moved) for shop_id in moved | writes)


def _lock(session) -> Stored:
    with session.no_autoflush:
        shops = _shops(session)
        tickets, orders = _changing(session, Ticket), _changing(session, Order)
    stored = Stored()
    if not shops and not tickets and not orders:
        return stored
    conn = session.connection()
    # First, before any row: a calendar change waits for the shop's writers and they for it (in shop order).
    hold_shops(conn, shops)
    if shops:
        ids = [s for s, _ in shops]
        for row in conn.execute(sa.select(Shop.id, *count_progress.COLUMNS).where(Shop.id.in_(ids))):
            stored.shops[row[0]] = count_progress.of(row[1:])
        restart = [s for s, moved in shops if moved and not stored.shops.get(s, count_progress.DONE).done]
        if restart:
            # Every counted day and minute moves: the steps count the shop again from the start, in the new zone
            # (the listeners leave its rows to them instead of counting it afresh in this request).
            conn.execute(sa.update(Shop).where(Shop.id.in_(restart)).values(recount_ticket=None, recount_order=None))
            stored.shops.update({s: count_progress.Progress(False) for s in restart})
    for i in range(0, len(tickets), _CHUNK):
        for tid, *row in conn.execute(sa.select(Ticket.id, *(getattr(Ticket, c) for c in TICKET_COLUMNS))
                                      .where(Ticket.id.in_(tickets[i:i + _CHUNK])).order_by(Ticket.id)
                                      .with_for_update()):
            stored.tickets[tid] = dict(zip(TICKET_COLUMNS, row))
    for i in range(0, len(orders), _CHUNK):
        for oid, shop_id, number in conn.execute(
                sa.select(Order.id, Order.shop_id, Order.order_number).where(Order.id.in_(orders[i:i + _CHUNK]))
                .order_by(Order.id).with_for_update()):
            stored.orders[oid] = (shop_id, number)
    return stored


def stored(session) -> Stored:
    """This flush's locked rows as stored (locked now if the listener has not yet)."""
    if _KEY not in session.info:
        session.info[_KEY] = _lock(session)
    return session.info[_KEY]


def hold_shops(conn, shops: list[tuple[int, bool]]) -> None:
    """Each shop's lock until the transaction ends: exclusive where its flag says so (a flush that moves the shop's
    calendar, a step of a count in steps), else shared; in the order given (sorted by shop). On SQLite, which has no
    advisory locks, write the shops' rows (unchanged) instead: the transaction is then the one writer before it
    reads anything."""
    if not shops:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT count(CASE WHEN exclusive THEN pg_advisory_xact_lock(:name, shop) "
                             "ELSE pg_advisory_xact_lock_shared(:name, shop) END) FROM unnest(CAST(:shops AS "
                             "integer[]), CAST(:exclusive AS boolean[])) AS s(shop, exclusive)"),
                     {"name": locks.lock_key("shop calendar"), "shops": [s for s, _ in shops],
                      "exclusive": [e for _, e in shops]})
    else:
        conn.execute(sa.text("UPDATE shop SET counted_version = counted_version WHERE id IN :ids")
                     .bindparams(sa.bindparam("ids", expanding=True)), {"ids": [s for s, _ in shops]})


def progress(session, shop_id: int) -> count_progress.Progress:
    """How far the shop is counted, for this flush's listeners (read under the shop's lock)."""
    shops = stored(session).shops
    if shop_id not in shops:
        shops[shop_id] = count_progress.read(session.connection(), shop_id)
    return shops[shop_id]


def order_number_key(shop_id: int, number: str) -> int:
    """A stable 64-bit advisory-lock key for a shop's order number (a collision only makes two numbers wait on
    each other). The one-key form: apart from `locks.singleton`'s two-key locks."""
    return (shop_id << 32) | zlib.crc32(number.encode())


def writing_orders(conn, shop_id: int, numbers) -> None:
    """Before reading which of these order numbers' lines a shop has, to add those it has not: hold what the flush
    adding them will hold, in its order (the shop's lock shared, then the numbers'), so that a second import of
    the same lines reads after the first's commit and skips them instead of failing on the unique key (on SQLite,
    this transaction is the one writer from here on)."""
    hold_shops(conn, [(shop_id, False)])
    order_numbers(conn, [(shop_id, number) for number in numbers])


def order_numbers(conn, numbers) -> None:
    """Hold a lock on each (shop, order number) until the transaction ends (PostgreSQL; sorted, one statement)."""
    keys = sorted({order_number_key(shop_id, number) for shop_id, number in numbers
                   if shop_id is not None and number is not None})
    if keys and conn.dialect.name == "postgresql":
        # unnest yields the array in order, so the locks are taken in key order.
        conn.execute(sa.text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                     {"keys": keys})


def _before_flush(session, _context, _instances) -> None:
    session.info[_KEY] = _lock(session)


def _after_flush(session, _context) -> None:
    session.info.pop(_KEY, None)


def init_app(_app) -> None:
    """The first of the flush listeners (once per process: one db.session)."""
    if not sa.event.contains(db.session, "before_flush", _before_flush):
        sa.event.listen(db.session, "before_flush", _before_flush)
        sa.event.listen(db.session, "after_flush_postexec", _after_flush)
