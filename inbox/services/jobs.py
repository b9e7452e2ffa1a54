"""The background jobs and their schedule: what `flask --app inbox worker` runs.

| job | every | shared between workers by |
|---|---|---|
| imap | 60 s | an advisory lock per shop (two workers never fetch one mailbox at once) |
| outbox | 5 s | `FOR UPDATE SKIP LOCKED` + a conditional claim per row |
| webhooks | 5 s | `FOR UPDATE SKIP LOCKED` + a conditional claim per row |
| sla | 60 s | an advisory lock; the `sla_notice` unique key sends each event once per deadline |
| away | 60 s | an advisory lock (the sweep is also safe twice: an away user's tickets move once) |
| norms | 15 min | an advisory lock; the `norm_notice` unique key sends each week's e-mail once |
| recount | 5 s | an advisory lock (each step also takes the shop's lock: a second counter would only wait) |

INBOX_WORKER_INTERVALS (e.g. "outbox=2,imap=30") changes the waits. Each job ends its own transactions and the
session is dropped after it, so a long-running worker never serves stale rows.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from inbox import clock
from inbox.extensions import db
from inbox.services import locks

log = logging.getLogger(__name__)

Stop = Callable[[], bool]


@dataclass(frozen=True)
class Job:
    name: str
    every: float                          # seconds between the starts of two runs
    run: Callable[[Stop], str | None]     # does one round; answers a line for the log, or None for "nothing"


def fetch_mail(stop: Stop) -> str | None:
    from inbox.services import imap
    lines = []
    for shop, settings in imap.configured_shops():
        if stop():
            break
        with locks.singleton("imap", shop.id) as mine:
            if mine:
                report = imap.fetch_shop(shop, settings)
                if report.failed or report.results:
                    lines.append(f"{shop.name}: {report.summary()}")
    return "; ".join(lines) or None


def send_mail(stop: Stop) -> str | None:
    from inbox.services import outbox
    results = outbox.run_queue(stop=stop)
    return _count(r.state for r in results)


def deliver_webhooks(stop: Stop) -> str | None:
    from inbox.services import webhooks
    return _count(webhooks.run_queue(stop=stop))


def sla_events(stop: Stop) -> str | None:
    from inbox.services import sla_events as events
    with locks.singleton("sla") as mine:
        if not mine:
            return None
        queued = events.run(clock.now())
    return f"{queued} SLA events queued" if queued else None


def away_sweep(stop: Stop) -> str | None:
    from inbox.models import Shop
    from inbox.services import away
    with locks.singleton("away") as mine:
        if not mine:
            return None
        moved = 0
        for shop in db.session.scalars(sa.select(Shop).order_by(Shop.id)).all():
            moved += away.sweep_shop(shop)
            db.session.commit()
    return f"{moved} tickets handed over" if moved else None


def norm_check(stop: Stop) -> str | None:
    from inbox.services.norms import run_checks
    with locks.singleton("norms") as mine:
        if not mine:
            return None
        sent = run_checks(clock.now())
    return ", ".join(f"{shop}: {norm} e-mail sent" for shop, norm in sent) or None


def recount_shops(stop: Stop) -> str | None:
    """Count the shops behind the current counting (after an upgrade) in short steps, until done or asked to stop."""
    from inbox.services import recount
    with locks.singleton("recount") as mine:
        if not mine:
            return None
        done = [shop_id for shop_id in recount.behind() if recount.run(shop_id, stop)]
    return f"shops counted: {', '.join(map(str, done))}" if done else None


def _count(states) -> str | None:
    states = [s for s in states if s != "skipped"]
    return ", ".join(f"{state}: {states.count(state)}" for state in sorted(set(states))) or None


JOBS = (Job("imap", 60, fetch_mail), Job("outbox", 5, send_mail), Job("webhooks", 5, deliver_webhooks),
        Job("sla", 60, sla_events), Job("away", 60, away_sweep), Job("norms", 15 * 60, norm_check),
        Job("recount", 5, recount_shops))
NAMES = tuple(job.name for job in JOBS)


def schedule(only: tuple[str, ...] = ()) -> list[Job]:
    """The jobs to run (all, or `only` these), with the waits of INBOX_WORKER_INTERVALS."""
    waits = current_app.config.get("WORKER_INTERVALS") or {}
    unknown = set(waits) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown job in WORKER_INTERVALS: {', '.join(sorted(unknown))} (jobs: {', '.join(NAMES)})")
    return [Job(job.name, float(waits.get(job.name, job.every)), job.run) for job in JOBS
            if not only or job.name in only]


def run_job(job: Job, stop: Stop) -> bool:
    """One round of one job; a failure is logged and rolled back, never raised (the other jobs go on)."""
    started = time.monotonic()
    try:
        line = job.run(stop)
    except Exception:  # noqa: BLE001 - a worker keeps going; the next round tries again
        db.session.rollback()
        log.exception("worker job %s failed", job.name)
        return False
    finally:
        db.session.remove()   # a fresh session per round: rows changed by others are read again
    if line:
        log.info("%s: %s (%.2f s)", job.name, line, time.monotonic() - started)
    return True


def run(jobs: list[Job], stop: Stop, wait: Callable[[float], None], once: bool = False) -> bool:
    """Run every job when it is due until `stop()`; with `once`, each job one time. `wait(seconds)` sleeps and
    returns early when the worker is asked to stop. Answers False when a round failed (for --once)."""
    next_at = {job.name: 0.0 for job in jobs}
    ok = True
    while not stop():
        for job in jobs:
            if stop():
                break
            if time.monotonic() >= next_at[job.name]:
                ok = run_job(job, stop) and ok
                next_at[job.name] = time.monotonic() + job.every
        if once:
            break
        wait(max(0.0, min(next_at.values()) - time.monotonic()))
    return ok
