"""Collision detection: who else has this ticket open, and who is typing a reply on it.

Each open ticket page sends a heartbeat every few seconds (and one as soon as the agent types). Rows live in the
database, so agents served by different app processes see each other.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from inbox.extensions import db, statement
from inbox.models import Presence, Ticket, User

# A page polls every 4 s: missing two beats in a row means the agent has gone.
VIEWING_WINDOW = timedelta(seconds=12)
# The composer sends a beat on input at most every 2 s; typing stops counting soon after the last keystroke.
TYPING_WINDOW = timedelta(seconds=6)
STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Colleague:
    user: User
    typing: bool


def heartbeat(ticket: Ticket, user: User, now: datetime, *, typing: bool = False) -> None:
    """Record that `user` has the ticket open at `now` (and is typing, if so); one upsert."""
    values = {"shop_id": ticket.shop_id, "ticket_id": ticket.id, "user_id": user.id, "seen_at": now}
    update = {"seen_at": now}
    if typing:
        values["typing_at"] = update["typing_at"] = now
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(Presence)
    db.session.execute(insert.values(**values).on_conflict_do_update(
        index_elements=["ticket_id", "user_id"], set_=update))
    # bandit B311: when to clean up, not a secret.
    if random.random() < 0.02:  # housekeeping now and then, not on every beat  # nosec B311
        db.session.execute(sa.delete(Presence).where(Presence.shop_id == ticket.shop_id,
                                                     Presence.seen_at < now - STALE_AFTER))


def leave(ticket: Ticket, user: User) -> None:
    """The agent closed the page: stop showing them at once rather than after the window."""
    db.session.execute(sa.delete(Presence).where(Presence.ticket_id == ticket.id, Presence.user_id == user.id))


@statement
def _others_on():
    return sa.select(Presence).where(Presence.ticket_id == sa.bindparam("ticket_id"),
                                     Presence.shop_id == sa.bindparam("shop_id"),
                                     Presence.user_id != sa.bindparam("user_id"), Presence.seen_at >= sa.bindparam("since"))


def others_on(ticket: Ticket, user: User, now: datetime) -> list[Colleague]:
    """Colleagues (not `user`) with the ticket open right now, typists first."""
    rows = db.session.scalars(_others_on(), {"ticket_id": ticket.id, "shop_id": ticket.shop_id, "user_id": user.id,
                                             "since": now - VIEWING_WINDOW})
    found = [Colleague(p.user, p.typing_at is not None and p.typing_at >= now - TYPING_WINDOW) for p in rows]
    return sorted(found, key=lambda c: (not c.typing, c.user.display_name))


def viewers_of(shop_id: int, ticket_ids: list[int], user: User, now: datetime) -> dict[int, list[Colleague]]:
    """For the inbox rows: who (other than `user`) has each of these tickets open; one query for all."""
    if not ticket_ids:
        return {}
    found: dict[int, list[Colleague]] = {}
    rows = db.session.scalars(
        sa.select(Presence).where(Presence.shop_id == shop_id, Presence.ticket_id.in_(ticket_ids),
                                  Presence.user_id != user.id, Presence.seen_at >= now - VIEWING_WINDOW))
    for p in rows:
        typing = p.typing_at is not None and p.typing_at >= now - TYPING_WINDOW
        found.setdefault(p.ticket_id, []).append(Colleague(p.user, typing))
    return found
