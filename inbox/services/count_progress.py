"""How far a shop's kept figures are counted: all of them (its `counted_version` is the current one), or, while
the count in steps runs (services/recount.step), the tickets up to one id and then the order numbers up to one.

A flush that writes a shop's tickets or orders reads this once, under the shop's lock (flush_locks), and counts
only what is behind the cursor: the figures are sums over tickets and order numbers, so what a flush adds for
those and what the steps add for the rest make the whole, whichever comes first. New tickets get ids past the
cursor, so a step counts them; a new order number before the cursor is counted by its flush, one after it by a
step. Order numbers are compared by the database (its collation), in the steps and in the flushes alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from inbox.models import Shop
from inbox.models.shop import COUNTED_VERSION

ALL_TICKETS = 2 ** 63 - 1   # the ticket cursor once every ticket is counted (then the order numbers follow)


@dataclass(frozen=True)
class Progress:
    done: bool
    ticket: int | None = None    # tickets with an id up to this one are counted; None: none
    order: str | None = None     # order numbers up to this one are counted; None: none
    counted: int = 0             # tickets and order numbers counted so far, of
    total: int = 0               # those the shop had when the count started

    def counts_ticket(self, ticket_id: int) -> bool:
        return self.done or (self.ticket is not None and ticket_id <= self.ticket)

    @property
    def percent(self) -> int:
        """Shown while counting: never 100 before it is done (what arrived since the start counts too)."""
        if self.done:
            return 100
        return min(99, self.counted * 100 // self.total) if self.total else 0


DONE = Progress(done=True)


def of(row) -> Progress:
    """From (counted_version, recount_ticket, recount_order, recount_done, recount_total)."""
    version, ticket, order, counted, total = row
    if version == COUNTED_VERSION:
        return DONE
    return Progress(False, ticket, order, counted or 0, total or 0)


COLUMNS = (Shop.counted_version, Shop.recount_ticket, Shop.recount_order, Shop.recount_done, Shop.recount_total)


def read(conn, shop_id: int) -> Progress:
    row = conn.execute(sa.select(*COLUMNS).where(Shop.id == shop_id)).first()
    return DONE if row is None else of(row)


def of_shop(shop: Shop) -> Progress:
    """As the session loaded the shop (for a page: whether to show its figures)."""
    return of((shop.counted_version, shop.recount_ticket, shop.recount_order, shop.recount_done,
               shop.recount_total))
