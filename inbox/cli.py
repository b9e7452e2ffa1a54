"""Command-line tasks: flask --app inbox <group> <command>."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from inbox.extensions import db


sla_group = AppGroup("sla", help="The business-hours reply clock.")
team_group = AppGroup("team", help="Employee accounts and away periods.")


@sla_group.command("recompute")
@click.option("--shop", "shop_id", type=int, help="Only this shop (default: all).")
def recompute(shop_id):
    """Recompute due times of open tickets (after a country change or new holiday data)."""
    from inbox.models import Shop
    from inbox.services.sla import recompute_shop
    query = sa.select(Shop)
    if shop_id:
        query = query.where(Shop.id == shop_id)
    for shop in db.session.scalars(query):
        changed = recompute_shop(shop)
        db.session.commit()
        click.echo(f"{shop.name}: {changed} due times changed")


@team_group.command("sweep")
def sweep():
    """Hand over the open tickets of everyone whose away period has started (run every few minutes)."""
    from inbox.models import Shop
    from inbox.services import away
    total = 0
    for shop in db.session.scalars(sa.select(Shop)):
        moved = away.sweep_shop(shop)
        db.session.commit()
        if moved:
            click.echo(f"{shop.name}: {moved} tickets handed over")
        total += moved
    click.echo(f"{total} tickets handed over")
