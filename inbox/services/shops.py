"""Shops as a whole: removing one with everything in it (used by the demo reset)."""
from __future__ import annotations

import sqlalchemy as sa

from inbox.extensions import db


def delete_shop(shop_id: int) -> None:
    """Delete a shop and every row that belongs to it, children before parents.

    Tables are found through the metadata, so a new table with a shop_id, ticket_id or user_id column
    is covered without touching this function.
    """
    metadata = db.metadata
    ticket, user, shop = metadata.tables["ticket"], metadata.tables["user"], metadata.tables["shop"]
    tickets = sa.select(ticket.c.id).where(ticket.c.shop_id == shop_id).scalar_subquery()
    users = sa.select(user.c.id).where(user.c.shop_id == shop_id).scalar_subquery()
    for table in reversed(metadata.sorted_tables):
        if table.name == "shop":
            continue
        if "shop_id" in table.c:
            db.session.execute(sa.delete(table).where(table.c.shop_id == shop_id))
        elif "ticket_id" in table.c:
            db.session.execute(sa.delete(table).where(table.c.ticket_id.in_(tickets)))
        elif "user_id" in table.c:
            db.session.execute(sa.delete(table).where(table.c.user_id.in_(users)))
    db.session.execute(sa.delete(shop).where(shop.c.id == shop_id))
