"""Every figure a shop keeps in shared tables, counted afresh from its rows: for loads that write tickets or
orders past the ORM (whose flush events keep them otherwise), a migration's backfill and `flask norms rebuild`."""
from __future__ import annotations

from inbox.services import norm_weeks, product_weeks, service_counts, ticket_days


def shop(conn, shop_id: int) -> int:
    """The questions per day, the questions and orders per week and product, the service measures' counts, counted
    again; the phone's kept weeks forgotten (the next page view counts them). Returns the number of tickets counted."""
    norm_weeks.forget_shop(shop_id, conn)
    product_weeks.rebuild(conn, shop_id)
    service_counts.rebuild(conn, shop_id)
    return ticket_days.rebuild(conn, shop_id)
