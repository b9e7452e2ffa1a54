"""A colleague's away period and stand-in: open tickets go to the stand-in (or the unassigned queue) when the
period starts, by a sweep on the shop's requests or `flask --app inbox team sweep`."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from inbox import clock
from inbox.extensions import db
from inbox.models import Shop, Ticket, User
from inbox.services import assignment, audit, team
from inbox.workflow import Status

SWEEP_EVERY = timedelta(minutes=1)


def init_app(app) -> None:
    """Scheduled away periods begin without cron: a sweep on signed-in requests, at most once a minute per shop."""
    app.before_request(sweep_on_request)


def sweep_on_request() -> None:
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return
    if sweep_if_due(current_user.shop):
        db.session.commit()


def stand_in_for(user: User, at: datetime) -> User | None:
    """Who takes over while `user` is away: the delegate, or the delegate's delegate when that one
    is away too; None (the unassigned queue) when the chain has nobody available."""
    seen = {user.id}
    candidate = user.delegate
    while candidate is not None and candidate.id not in seen:
        if candidate.shop_id == user.shop_id and assignment.is_available(candidate, at):
            return candidate
        seen.add(candidate.id)
        candidate = candidate.delegate
    return None


def hand_over(user: User, shop: Shop, at: datetime, *, by: User | None = None) -> int:
    """Move an away user's open tickets to the stand-in (or the queue). Returns how many moved."""
    if not user.is_away(at):
        return 0
    return team.move_open_tickets(user, shop, stand_in_for(user, at), by=by)


def set_away(user: User, *, away_from: datetime | None, away_until: datetime | None,
             delegate: User | None, by: User) -> int:
    """Set (or clear, with no dates) the user's away period and stand-in. When the period has
    already started, the open tickets move right away; a scheduled one is picked up by the sweep."""
    if delegate is not None and (delegate.id == user.id or delegate.shop_id != user.shop_id or not delegate.active):
        raise team.TeamError(_("Choose an active colleague as stand-in."))
    if away_until is not None and away_from is None:
        away_from = clock.now()
    if away_from is not None and (away_until is None or away_until <= away_from):
        raise team.TeamError(_("The end of the away period must come after its start."))
    old = clock.period_text(user.away_from, user.away_until)
    user.delegate = delegate
    user.away_from, user.away_until = away_from, away_until
    new = clock.period_text(away_from, away_until)
    if old != new:
        audit.record(user.shop_id, "user.away", actor=by, subject_user=user, field="away", old=old, new=new)
    return hand_over(user, user.shop, clock.now(), by=by)


def sweep_shop(shop: Shop, at: datetime | None = None) -> int:
    """Hand over the tickets of everyone in the shop who is away now. Safe to run any time."""
    at = at or clock.now()
    away = db.session.scalars(sa.select(User).where(
        User.shop_id == shop.id, User.away_from <= at, User.away_until > at,
        sa.exists().where(Ticket.assignee_id == User.id, Ticket.status != Status.SOLVED.value)))
    return sum(hand_over(user, shop, at) for user in away)


_last_sweep: dict[int, datetime] = {}


def sweep_if_due(shop: Shop) -> int:
    """The on-request check: a sweep at most once a minute per shop (per process), so scheduled away
    periods start without a cron job. The worker (and `flask --app inbox team sweep`) does the same for all shops."""
    now = clock.now()
    last = _last_sweep.get(shop.id)
    if last is not None and last <= now < last + SWEEP_EVERY:
        return 0
    _last_sweep[shop.id] = now
    return sweep_shop(shop, now)


def away_colleagues(shop_id: int, at: datetime) -> list[User]:
    """Who is away now or will be: for the team page."""
    return list(db.session.scalars(sa.select(User).where(
        User.shop_id == shop_id, User.active.is_(True), User.away_until > at).order_by(User.away_from)))
