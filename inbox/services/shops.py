"""Shops as a whole: their details, and removing one with everything in it (used by the demo reset)."""
from __future__ import annotations

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Shop, User
from inbox.services import audit, norm_weeks, sla

DETAILS = ("name", "country", "timezone", "contact_email", "phone", "rating_mode", "attachment_file_mb",
           "attachment_message_mb")
FLAGS = ("ack_all",)   # on/off choices saved with the details
# Details that are never empty: a value left out keeps the current one.
REQUIRED = {"attachment_file_mb", "attachment_message_mb"}


def update_details(shop: Shop, values: dict, *, by: User) -> int | None:
    """Change the shop's details (DETAILS; empty values become None) and choices (FLAGS), each change noted in the audit log. A new
    country or zone moves the business calendar: the open questions' due times are recomputed and their number
    answered (None when the calendar stayed). The caller commits."""
    calendar = (shop.country, shop.timezone)
    for field in DETAILS:
        new = values.get(field) or None
        if new is None and field in REQUIRED:
            continue
        if getattr(shop, field) != new:
            audit.record(shop.id, "shop.update", actor=by, field=field, old=getattr(shop, field), new=new)
            setattr(shop, field, new)
    for field in FLAGS:
        if field in values and bool(values[field]) != getattr(shop, field):
            audit.record(shop.id, "shop.update", actor=by, field=field, old="on" if getattr(shop, field) else "off",
                         new="on" if values[field] else "off")
            setattr(shop, field, bool(values[field]))
    if shop.timezone != calendar[1]:
        # The kept weeks start at the old zone's midnights: a change of zone and back would find them again,
        # missing whatever changed meanwhile (that bumped the new zone's weeks).
        norm_weeks.forget_shop(shop.id)
    return sla.recompute_shop(shop) if (shop.country, shop.timezone) != calendar else None


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
