"""Slow down floods on public pages (`allow`: so many requests per bucket and key in a window), and password
guessing, per account and per address, across all app processes, without locking the rightful user out: the
wait never passes MAX_WAIT, and a browser this account signed in on before (a known device) is counted on its
own, so a guesser elsewhere cannot keep the owner out."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.models import LoginAttempt, RateCount, RateHit

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
# The help centre and its search-as-you-type answer anyone: a budget per address keeps one client from hammering
# them (a shared office stays far below it). `allow_shared` counts in the database, so several app processes
# share one budget; `allow` is the per-process counter in memory (the API's tokens).

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


def allow_shared(bucket: str, key: str, limit: int, window: timedelta = PUBLIC_WINDOW) -> bool:
    """Count one request of `key` (an address) in `bucket` for the current fixed window, in the database, so
    every app process shares the budget; False once `key` made more than `limit` requests in it. One statement
    (an upsert answering the new count); the first request of a window also clears the bucket's past windows.
    The caller commits (at once: the count must stand even when the page then fails), and on PostgreSQL that
    commit does not wait for the disk (`relax_commit`): call it before anything else is written."""
    seconds = max(1, int(window.total_seconds()))
    slot = int(clock.now().timestamp()) // seconds
    key = key[:64]
    table = RateCount.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
        relax_commit()
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(bucket=bucket, key=key, slot=slot, hits=1)
    hits = db.session.scalar(statement.on_conflict_do_update(
        index_elements=["bucket", "key", "slot"], set_={"hits": table.c.hits + 1}).returning(table.c.hits))
    if hits == 1:
        db.session.execute(sa.delete(RateCount).where(RateCount.bucket == bucket, RateCount.slot < slot - 1))
    return hits <= limit


def public_request_allowed(bucket: str, share: int = 1) -> bool:
    """Whether this request's address is within its budget for a public page (INBOX_HELP_RATE_LIMIT a minute,
    times `share`), shared by every app process; counted and committed at once, so a page that then fails
    still counts. Always True with the limit off (0)."""
    from flask import current_app, request
    limit = current_app.config["HELP_RATE_LIMIT"] * share
    if not limit:
        return True
    allowed = allow_shared(bucket, request.remote_addr or "?", limit)
    db.session.commit()
    return allowed


def relax_commit() -> None:
    """On PostgreSQL, this transaction's COMMIT does not wait for the disk (synchronous_commit off, for this
    transaction only): for counts that cost nothing when a crash loses the last fraction of a second of them,
    never for a transaction that also holds a customer's question. A wait for the disk is most of a small
    write's time on a busy server."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
