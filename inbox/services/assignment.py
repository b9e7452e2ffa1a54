"""Automatic assignment: new questions go round-robin to active agents who are not away."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from inbox.extensions import db
from inbox.models import Shop, User
from inbox.workflow import Role


def is_available(user: User | None, at: datetime) -> bool:
    """Whether the user can take questions at `at`: an active account that is not away."""
    return user is not None and user.active and not user.is_away(at)


def round_robin_order(candidate_ids: list[int], last_id: int | None) -> list[int]:
    """Candidates in the order they get their turn: the first id after `last_id`, wrapping around."""
    ids = sorted(candidate_ids)
    later = [i for i in ids if last_id is None or i > last_id]
    return later + [i for i in ids if i not in later]


def pick_assignee(shop: Shop, at: datetime) -> User | None:
    """The next agent in turn when the shop assigns automatically; None when it does not or nobody is free.

    Only the role "agent" takes part: owners and managers pick up questions themselves.
    """
    if not shop.auto_assign:
        return None
    agents = list(db.session.scalars(
        sa.select(User).where(User.shop_id == shop.id, User.role == Role.AGENT.value, User.active.is_(True))))
    free = {u.id: u for u in agents if is_available(u, at)}
    if not free:
        return None
    chosen = free[round_robin_order(list(free), shop.last_assigned_id)[0]]
    shop.last_assigned_id = chosen.id
    return chosen
