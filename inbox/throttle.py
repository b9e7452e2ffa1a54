"""Slow down floods on public pages (`allow`: so many requests per bucket and key in a window), and password
guessing, per account and per address, across all app processes, without locking the rightful user out: the
wait never passes MAX_WAIT, and a browser this account signed in on before (a known device) is counted on its
own, so a guesser elsewhere cannot keep the owner out."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.models import LoginAttempt, RateHit

WINDOW = timedelta(minutes=15)
MAX_WAIT = 5 * 60
IP_FACTOR = 4  # one address may be a shared office: allow it more failures than one account


def wait_seconds(failures: int, free: int) -> int:
    """Seconds to wait after `failures` recent failures: none for the first `free`, then doubling up to MAX_WAIT.
    A guesser gets one try per five minutes at worst, about 300 a day."""
    if failures < free:
        return 0
    return min(MAX_WAIT, 2 ** (failures - free + 1))


def retry_after(email: str, ip: str, free: int, device: str | None = None) -> int:
    """Seconds before this account may be tried again from here (0: go ahead).

    From a known device only that device's own failures count; elsewhere, the account's and the address's."""
    since = clock.now() - WINDOW
    if device:
        buckets = ((sa.and_(LoginAttempt.email == email, LoginAttempt.device == device), free),)
    else:
        buckets = ((LoginAttempt.email == email, free), (LoginAttempt.ip == ip, free * IP_FACTOR))
    waits = []
    for condition, allowed in buckets:
        count, last = db.session.execute(
            sa.select(sa.func.count(), sa.func.max(LoginAttempt.created_at))
            .where(condition, LoginAttempt.created_at >= since)
        ).one()
        wait = wait_seconds(count, allowed)
        if wait and last is not None:
            remaining = wait - (clock.now() - clock.as_utc(last)).total_seconds()
            waits.append(max(0, int(remaining + 0.999)))
    return max(waits, default=0)


def record_failure(email: str, ip: str, device: str | None = None) -> None:
    db.session.add(LoginAttempt(email=email, ip=ip, device=device))
    db.session.commit()


def clear(email: str) -> None:
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == email))


# -- public pages ------------------------------------------------------------------------------------------
# The help centre and its search-as-you-type answer anyone: a per-process budget per address keeps one client
# from hammering them (a shared office stays far below it). Kept in memory: a counter per address per minute,
# nothing stored, and a restart forgets it.

PUBLIC_WINDOW = timedelta(minutes=1)
MAX_TRACKED = 10_000


def allow(budget: dict, key: str, limit: int, window: timedelta = PUBLIC_WINDOW) -> bool:
    """Count one request of `key` in `budget` (a dict the caller keeps per process); False once `key` made more
    than `limit` requests in the current window."""
    now = clock.now()
    start, used = budget.get(key, (now, 0))
    if now - start >= window:
        start, used = now, 0
    if len(budget) >= MAX_TRACKED and key not in budget:
        for stale in [k for k, (s, _n) in budget.items() if now - s >= window]:
            del budget[stale]
    budget[key] = (start, used + 1)
    return used < limit


def allow_recorded(bucket: str, key: str, limit: int, window: timedelta) -> bool:
    """Like `allow`, counted in the database so every app process shares it (a customer's link, an e-mail
    address asking for links). Count one request to a public page for `key` (an address, a hashed link) in `bucket`; False when `limit`
    were already counted within `window`. Rows older than the window are removed as we go."""
    now = clock.now()
    key = key[:64]
    db.session.execute(sa.delete(RateHit).where(RateHit.bucket == bucket, RateHit.key == key,
                                                RateHit.created_at < now - window))
    count = db.session.scalar(sa.select(sa.func.count()).select_from(RateHit).where(
        RateHit.bucket == bucket, RateHit.key == key, RateHit.created_at >= now - window))
    if count >= limit:
        return False
    db.session.add(RateHit(bucket=bucket, key=key, created_at=now))
    return True
