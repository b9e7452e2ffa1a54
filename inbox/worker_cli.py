"""flask --app inbox worker [--once] [--only JOB]: one process for every background job (services/jobs.py)."""
from __future__ import annotations

import logging
import signal
import threading

import click

from inbox.services import jobs, locks


@click.command("worker")
@click.option("--once", is_flag=True, help="Run each job one time and exit (for cron); exits 1 when one failed.")
@click.option("--only", multiple=True, type=click.Choice(jobs.NAMES),
              help="Run only this job (repeatable); default: all of them.")
def worker(once, only):
    """Fetch mail, send the outbox, deliver webhooks, queue SLA events, hand over away users' tickets and check
    the norms, each on its schedule. SIGTERM or Ctrl-C: the job in progress finishes, then the worker exits 0.
    Safe to run on several machines with PostgreSQL; SQLite allows one worker."""
    logging.getLogger("inbox").setLevel(logging.INFO)
    stopping = threading.Event()

    def ask_to_stop(signum, _frame):
        if not stopping.is_set():
            click.echo(f"worker: {signal.Signals(signum).name}, stopping after the current job", err=True)
        stopping.set()

    try:
        schedule = jobs.schedule(tuple(only))
    except ValueError as e:   # a mistyped INBOX_WORKER_INTERVALS
        raise click.ClickException(str(e)) from None
    # The handlers are the process's: put the old ones back when done (the command may run inside another program).
    previous = {signum: signal.signal(signum, ask_to_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        with locks.one_worker_on_sqlite():
            click.echo(f"worker: {', '.join(f'{job.name} every {job.every:g} s' for job in schedule)}", err=True)
            ok = jobs.run(schedule, stopping.is_set, stopping.wait, once=once)
    except locks.WorkerRunning as e:
        raise click.ClickException(str(e)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo("worker: stopped", err=True)
    if once and not ok:
        raise SystemExit(1)
