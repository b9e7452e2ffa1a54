"""Every figure a shop keeps in shared tables, counted afresh from its rows: for loads that write tickets or
orders past the ORM (whose flush events keep them otherwise), `flask norms rebuild`, and a shop counted with an
older version of the counting (Shop.counted_version: after an upgrade, whose migrations make the kept tables but
leave them empty, so no migration runs the services' code of a later day)."""
from __future__ import annotations

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Shop
from inbox.models.shop import COUNTED_VERSION
from inbox.services import locks, norm_weeks, product_weeks, service_counts, ticket_days

KEPT_TABLES = "ticket_day, product_week, ticket_measure, service_count, service_fine"


def hold(conn, shop_id: int) -> None:
    """On PostgreSQL, the shop's calendar lock, exclusive, until the transaction ends: the flushes that write the
    shop's counted rows take it shared before any row (flush_locks), so they wait here before touching a kept row
    rather than lock one the count then needs while waiting on one it rewrote (a deadlock that fails one side)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:name, :shop)"),
                     {"name": locks.lock_key("shop calendar"), "shop": shop_id})


def shop(conn, shop_id: int) -> int:
    """The questions per day, the questions and orders per week and product, the service measures' counts, counted
    again; the phone's kept weeks forgotten (the next page view counts them). Returns the number of tickets counted."""
    hold(conn, shop_id)
    norm_weeks.forget_shop(shop_id, conn)
    product_weeks.rebuild(conn, shop_id)
    service_counts.rebuild(conn, shop_id)
    n = ticket_days.rebuild(conn, shop_id)
    conn.execute(sa.update(Shop).where(Shop.id == shop_id).values(counted_version=COUNTED_VERSION))
    return n


def analyze(conn) -> None:
    """Fresh statistics after counting afresh, on PostgreSQL: without them its planner reads a kept table's every
    row for a period's few ranges."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {KEPT_TABLES}")


def up_to_date(shop_: Shop) -> None:
    """Before the kept figures of the shop are read: count them afresh, once, when they were counted with an older
    version of the counting (or never: an upgraded database). Commits.

    The claim is an UPDATE of the shop's row, so two requests do not both count: on PostgreSQL the second waits for
    the first's commit and then finds nothing to claim; on SQLite writes take turns anyway. A big shop's first page
    after an upgrade waits for the count (seconds); `flask norms rebuild` does it ahead of the first page."""
    if shop_.counted_version == COUNTED_VERSION:
        return
    conn = db.session.connection()
    hold(conn, shop_.id)   # before the claim: a writer holding it shared may yet update the shop's row
    claimed = conn.execute(sa.update(Shop).where(Shop.id == shop_.id, Shop.counted_version != COUNTED_VERSION)
                           .values(counted_version=COUNTED_VERSION)).rowcount
    if claimed:
        shop(conn, shop_.id)
        analyze(conn)
    db.session.commit()
