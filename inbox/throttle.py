"""Slow down password guessing, per account and per address, across all app processes."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from inbox import clock
from inbox.extensions import db
from inbox.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_WAIT = 15 * 60
IP_FACTOR = 4  # one address may be a shared office: allow it more failures than one account


def wait_seconds(failures: int, free: int) -> int:
    """Seconds to wait after `failures` recent failures: none for the first `free`, then doubling."""
    if failures < free:
        return 0
    return min(MAX_WAIT, 2 ** (failures - free + 1))


def retry_after(email: str, ip: str, free: int) -> int:
    """Seconds before this account or address may try again (0: go ahead)."""
    since = clock.now() - WINDOW
    waits = []
    for column, value, allowed in ((LoginAttempt.email, email, free), (LoginAttempt.ip, ip, free * IP_FACTOR)):
        count, last = db.session.execute(
            sa.select(sa.func.count(), sa.func.max(LoginAttempt.created_at))
            .where(column == value, LoginAttempt.created_at >= since)
        ).one()
        wait = wait_seconds(count, allowed)
        if wait and last is not None:
            remaining = wait - (clock.now() - clock.as_utc(last)).total_seconds()
            waits.append(max(0, int(remaining + 0.999)))
    return max(waits, default=0)


def record_failure(email: str, ip: str) -> None:
    db.session.add(LoginAttempt(email=email, ip=ip))
    db.session.commit()


def clear(email: str) -> None:
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == email))
