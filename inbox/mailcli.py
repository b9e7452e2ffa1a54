"""flask --app inbox mail fetch | serve | import | send: the mail workers."""
from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from inbox.extensions import db

mail_group = AppGroup("mail", help="E-mail in (IMAP fetch, SMTP receiver, import) and out (the outbox worker).")


def _loop(once, loop: bool, interval: float) -> None:
    """Run `once` (which returns False when its round failed) once or forever; a single round that failed
    ends the command with exit status 1, so cron and monitoring notice."""
    while True:
        try:
            ok = once() is not False
        except Exception as e:  # noqa: BLE001 - a worker in a loop keeps going; the error is logged
            db.session.rollback()
            current_app.logger.exception("mail worker round failed")
            click.echo(f"error: {e}", err=True)
            ok = False
        if not loop:
            if not ok:
                raise SystemExit(1)
            return
        time.sleep(interval)


@mail_group.command("fetch")
@click.option("--shop", "shop_id", type=int, help="Only this shop (default: every shop with IMAP settings).")
@click.option("--loop", is_flag=True, help="Keep fetching.")
@click.option("--interval", default=60.0, show_default=True, help="Seconds between rounds with --loop.")
def fetch(shop_id, loop, interval):
    """Fetch new mail over IMAP for each configured shop."""
    from inbox.services import imap

    def once():
        ok = True
        for shop, settings in imap.configured_shops():
            if shop_id and shop.id != shop_id:
                continue
            report = imap.fetch_shop(shop, settings)
            click.echo(f"{shop.name}: {report.summary()}", err=report.failed)
            ok = ok and not report.failed
        return ok
    _loop(once, loop, interval)


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep sending.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds with --loop.")
def send(loop, interval):
    """Deliver queued replies from the outbox (retries temporary failures with backoff)."""
    from inbox.services import outbox

    def once():
        results = outbox.run_queue()
        for r in results:
            if r.state != "skipped":
                click.echo(f"outbox #{r.row_id}: {r.state}" + (f" ({r.error})" if r.error else ""))
        if not loop or results:
            click.echo(f"{sum(r.state in ('sent', 'local') for r in results)} delivered, "
                       f"{sum(r.state == 'queued' for r in results)} to retry, "
                       f"{sum(r.state == 'failed' for r in results)} failed")
    _loop(once, loop, interval)


@mail_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
def serve(host, port):
    """Run the SMTP receiver: mail for shop-<id>@MAIL_DOMAIN (or a shop's alias) becomes tickets."""
    from inbox.services import mailconfig, smtpd

    controller = smtpd.make_controller(current_app._get_current_object(), host, port)
    controller.start()
    click.echo(f"SMTP receiver on {host}:{port}, mail for shop-<id>@{mailconfig.mail_domain()}; Ctrl-C stops it")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@mail_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--shop", "shop_id", type=int, required=True, help="The shop the mail belongs to.")
def import_files(files, shop_id):
    """Import .eml files once: each is reported as new ticket, threaded, duplicate, kept for review, or NOT KEPT.

    Exits 1 only when a file could be kept nowhere (not even in the review list); that file is still on disk.
    """
    from inbox.models import Shop
    from inbox.services import intake

    shop = db.session.scalar(sa.select(Shop).where(Shop.id == shop_id))
    if shop is None:
        raise click.BadParameter(f"no shop with id {shop_id}", param_hint="--shop")
    review = lost = 0
    for path in files:
        try:
            result = intake.receive_email(shop, path.read_bytes(), source="import")
        except intake.IntakeUnavailable as e:
            result = intake.IntakeResult("lost", reason=f"the database is unavailable ({e}); import it again later")
        except OSError as e:
            result = intake.IntakeResult("lost", reason=f"cannot read the file ({e})")
        review += result.outcome == "rejected"
        lost += not result.kept
        click.echo(f"{path.name}: {result.describe()}", err=not result.kept)
    if review:
        click.echo(f"{review} kept in the review list (Mail > Review)")
    if lost:
        click.echo(f"{lost} file(s) could not be kept anywhere; they are unchanged on disk", err=True)
        raise SystemExit(1)
