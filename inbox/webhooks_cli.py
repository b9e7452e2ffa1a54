"""flask --app inbox webhooks send [--loop]: deliver the webhook queue."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from inbox.extensions import db

webhooks_group = AppGroup("webhooks", help="Deliver queued webhook events to the shops' endpoints.")


@webhooks_group.command("send")
@click.option("--loop", is_flag=True, help="Keep going: deliver what is due every --interval seconds.")
@click.option("--interval", default=5.0, show_default=True)
def send(loop, interval):
    """Deliver the events that are due; failures are retried later with growing waits."""
    from inbox.services import webhooks
    while True:
        try:
            results = webhooks.run_queue()
            if results:
                click.echo(", ".join(f"{state}: {results.count(state)}" for state in sorted(set(results))))
        except Exception as e:  # noqa: BLE001 - a worker in a loop keeps going; the error is logged
            db.session.rollback()
            current_app.logger.exception("webhook round failed")
            click.echo(f"error: {e}", err=True)
        if not loop:
            return
        time.sleep(interval)
