"""flask --app inbox norms check: the weekly norm e-mails, safe to run often and from several workers."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from inbox import clock

norms_group = AppGroup("norms", help="The norms of the performance page.")


@norms_group.command("check")
def check():
    """Send this week's warning (10+ late first reactions) and the opt-in question-volume e-mail, once per week."""
    from inbox.services.norms import page_url, run_checks
    if page_url() is None:
        click.echo("Warning: INBOX_BASE_URL is not set, so the e-mails cannot link to the performance page.", err=True)
    sent = run_checks(clock.now())
    for shop, norm in sent:
        click.echo(f"{shop}: {norm} e-mail sent")
    if not sent:
        click.echo("No e-mail due.")
