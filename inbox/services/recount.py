"""Every figure a shop keeps in shared tables, counted afresh from its rows: for loads that write tickets or
orders past the ORM (whose flush events keep them otherwise) with `shop`, and, in steps, for a shop counted with an
older version of the counting (Shop.counted_version: after an upgrade, whose migrations make the kept tables but
leave them empty, so no migration runs the services' code of a later day) with `step`.

A count in steps never holds up the shop's writes for longer than one step: each step is a short transaction that
forgets some of what an older counting kept, or counts the next tickets by id, then the next order numbers, and
moves the shop's cursor past them (count_progress). Between steps the flushes count the changes of what the
cursor has passed and leave the rest to the steps; a crash resumes at the cursor. The worker (`flask worker`, job
`recount`) and `flask norms rebuild` take the steps, and where no worker runs (OUTBOX_SENDER "inline": development
and small sites) a thread of the web process does, started by the first figure page that finds its shop behind
(`count_in_background`); until the last step the shop's pages say the figures are being recounted instead of
showing them.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from inbox.extensions import db
from inbox.models import Order, ProductWeek, ServiceCount, ServiceFine, Shop, Ticket, TicketDay, TicketMeasure
from inbox.models.shop import COUNTED_VERSION
from inbox.services import (count_progress, flush_locks, jobs, norm_weeks, outbox, product_weeks, service_counts,
                            ticket_days)

log = logging.getLogger(__name__)

KEPT_TABLES = "ticket_day, product_week, ticket_measure, service_count, service_fine"
# Tickets per step (their service measures are the work: about 0.2 ms each on an idle core, 0.6 ms on a busy
# machine), so a step holds the shop's writes a moment (bench/recount_steps.py); per step also ORDERS times as many
# order numbers, or FORGET times as many rows an older counting kept.
STEP, ORDERS, FORGET = 500, 4, 40


def hold(conn, shop_id: int) -> None:
    """The shop's calendar lock, exclusive, until the transaction ends: the flushes that write the shop's counted
    rows take it shared before any row (flush_locks), so they wait here before touching a kept row rather than lock
    one the count then needs while waiting on one it rewrote (a deadlock that fails one side), and they read how
    far a count in steps has come knowing no step moves it before they commit (on SQLite: the one writer)."""
    flush_locks.hold_shops(conn, [(shop_id, True)])


def shop(conn, shop_id: int, *, with_service_counts: bool = True) -> int:
    """The questions per day, the questions and orders per week and product, the service measures' counts, counted
    again in the caller's transaction; the phone's kept weeks forgotten (the next page view counts them). Returns
    the number of tickets counted. (For loads past the ORM, in a database nobody else writes to at that time;
    `with_service_counts=False`: the load counted those itself, service_counts.rebuild with the figures in hand.)"""
    hold(conn, shop_id)
    norm_weeks.forget_shop(shop_id, conn)
    product_weeks.rebuild(conn, shop_id)
    if with_service_counts:
        service_counts.rebuild(conn, shop_id)
    n = ticket_days.rebuild(conn, shop_id)
    conn.execute(sa.update(Shop).where(Shop.id == shop_id).values(counted_version=COUNTED_VERSION,
                                                                   recount_ticket=None, recount_order=None))
    return n


def analyze(conn) -> None:
    """Fresh statistics after counting afresh, on PostgreSQL: without them its planner reads a kept table's every
    row for a period's few ranges."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {KEPT_TABLES}")


# -- in steps -------------------------------------------------------------------------------------------------------

def again(conn, shop_id: int) -> None:
    """Have the shop counted again in steps (its pages wait for the figures meanwhile): `flask norms rebuild`."""
    conn.execute(sa.update(Shop).where(Shop.id == shop_id).values(counted_version=0, recount_ticket=None,
                                                                   recount_order=None))


def _set(conn, shop_id: int, **values) -> None:
    conn.execute(sa.update(Shop).where(Shop.id == shop_id).values(**values))


def _forget_some(conn, shop_id: int, rows: int) -> bool:
    """Forget up to `rows` of what the shop kept (an older counting's rows: millions for a big shop, so they go in
    steps too); False when nothing was left."""
    norm_weeks.forget_shop(shop_id, conn)
    for model in (ServiceFine, ServiceCount, TicketMeasure, ProductWeek, TicketDay):
        key = sa.tuple_(*sa.inspect(model).primary_key)
        some = sa.select(*sa.inspect(model).primary_key).where(model.shop_id == shop_id).limit(rows)
        if conn.execute(sa.delete(model).where(key.in_(some))).rowcount:
            return True
    return False


def _begin(conn, shop_id: int) -> None:
    """Put the cursor before the shop's first ticket, once nothing it kept is left."""
    tickets = conn.scalar(sa.select(sa.func.count()).select_from(Ticket).where(Ticket.shop_id == shop_id))
    lines = conn.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.shop_id == shop_id))
    _set(conn, shop_id, recount_ticket=0, recount_order=None, recount_done=0, recount_total=tickets + lines)


def step(conn, shop_id: int, size: int = STEP) -> count_progress.Progress:
    """One step of the shop's count, in the caller's transaction (commit it soon: the shop's writers wait for
    it). Returns how far the count has come."""
    hold(conn, shop_id)
    progress = count_progress.read(conn, shop_id)
    if progress.done:
        return progress
    if progress.ticket is None:
        if not _forget_some(conn, shop_id, FORGET * size):
            _begin(conn, shop_id)
    elif progress.ticket != count_progress.ALL_TICKETS:
        ids = conn.scalars(sa.select(Ticket.id).where(Ticket.shop_id == shop_id, Ticket.id > progress.ticket)
                           .order_by(Ticket.id).limit(size)).all()
        if ids:
            first, last = progress.ticket + 1, ids[-1]
            ticket_days.add(conn, shop_id, first, last)
            product_weeks.add_tickets(conn, shop_id, first, last)
            service_counts.add(conn, shop_id, first, last)
            _set(conn, shop_id, recount_ticket=last, recount_done=Shop.recount_done + len(ids))
        else:
            # Every ticket counted: from now on the flushes count every ticket, new ones too.
            _set(conn, shop_id, recount_ticket=count_progress.ALL_TICKETS)
    else:
        query = sa.select(Order.order_number).where(Order.shop_id == shop_id)
        if progress.order is not None:
            query = query.where(Order.order_number > progress.order)
        numbers = conn.scalars(query.group_by(Order.order_number).order_by(Order.order_number)
                               .limit(ORDERS * size)).all()
        if numbers:
            lines = product_weeks.add_orders(conn, shop_id, progress.order, numbers[-1])
            _set(conn, shop_id, recount_order=numbers[-1], recount_done=Shop.recount_done + lines)
        else:
            _set(conn, shop_id, counted_version=COUNTED_VERSION, recount_ticket=None, recount_order=None)
    return count_progress.read(conn, shop_id)


def behind() -> list[int]:
    """The shops counted with an older version of the counting (or being counted)."""
    return db.session.scalars(sa.select(Shop.id).where(Shop.counted_version != COUNTED_VERSION)
                              .order_by(Shop.id)).all()


def run(shop_id: int, stop: Callable[[], bool] = lambda: False, size: int = STEP) -> bool:
    """Count the shop in steps, one transaction each, until it is done (True) or `stop()`; then fresh statistics,
    after the last step's commit (the shop's writers need not wait for them)."""
    while not stop():
        progress = step(db.session.connection(), shop_id, size)
        db.session.commit()
        if progress.done:
            analyze(db.session.connection())
            db.session.commit()
            return True
    return False


# -- without a worker -----------------------------------------------------------------------------------------------

class _Background:
    """One daemon thread per web process counts the shops behind, as the worker's job would (its lock keeps a
    worker and the thread from counting at once); a process that ends mid-count leaves the cursor for the next."""

    def __init__(self):
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def start(self, context) -> None:
        with self._lock:
            if self._pid != os.getpid():   # a forked web worker: the parent's thread is not ours
                self._thread, self._pid = None, os.getpid()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, args=(context,), name="recount-inline", daemon=True)
                self._thread.start()

    @staticmethod
    def _run(context) -> None:
        try:
            with context:
                try:
                    jobs.recount_shops(lambda: False)
                finally:
                    db.session.remove()
        except Exception:  # noqa: BLE001 - the next page view (or a worker) starts again from the cursor
            log.exception("counting the kept figures in the background failed")

    def wait(self, timeout: float = 30) -> None:
        """Until the thread is done (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)


_background = _Background()


def count_in_background() -> None:
    """Where no worker runs (OUTBOX_SENDER "inline"), start this process's counting thread; tests opt in
    (RECOUNT_INLINE), as a thread would share their database."""
    app = current_app
    if outbox.sender(app) != "inline" or (app.testing and not app.config.get("RECOUNT_INLINE")):
        return
    _background.start(app.app_context())


def wait_background(timeout: float = 30) -> None:
    """For tests: let the background count finish."""
    _background.wait(timeout)
