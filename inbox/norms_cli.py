"""flask --app inbox norms check: the weekly norm e-mails, safe to run often and from several workers."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from inbox import clock

norms_group = AppGroup("norms", help="The norms of the performance page.")


@norms_group.command("check")
def check():
    """Send this week's warning (10+ late first reactions) and the opt-in question-volume e-mail, once per week."""
    from inbox.services.norms import run_checks
    from inbox.services.public_url import shops_without_address
    unlinked = shops_without_address()
    if unlinked:
        click.echo("Warning: the e-mails of " + ", ".join(unlinked) + " cannot link to the performance page: set "
                   "INBOX_BASE_URL, or the address on each shop's Mail settings.", err=True)
    sent = run_checks(clock.now())
    for shop, norm in sent:
        click.echo(f"{shop}: {norm} e-mail sent")
    if not sent:
        click.echo("No e-mail due.")


@norms_group.command("rebuild")
@click.option("--shop", "shop_id", type=int, help="Only this shop (its id); by default every shop.")
def rebuild(shop_id):
    """Count the kept figures afresh from the tickets and orders: the questions per day (planner, weekly norm), the
    service measures' counts, the questions and orders per week and product, and the phone's kept weeks. In short
    steps (the shop's writes go on between them; its figure pages say they are being recounted meanwhile), as the
    worker does after an upgrade; for after a load that wrote tickets or orders past the app. Safe at any time, and
    safe to interrupt: the worker goes on where it stopped."""
    import sqlalchemy as sa
    from inbox.extensions import db
    from inbox.models import Shop, Ticket
    from inbox.services import recount
    ids = [shop_id] if shop_id else db.session.scalars(sa.select(Shop.id).order_by(Shop.id)).all()
    for sid in ids:
        recount.again(db.session.connection(), sid)
        db.session.commit()
        recount.run(sid)
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket).where(Ticket.shop_id == sid))
        db.session.commit()
        click.echo(f"shop {sid}: {n} tickets counted")
