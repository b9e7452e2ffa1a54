"""Command-line tasks: flask --app inbox <group> <command>."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from inbox.extensions import db


def register_cli(app: Flask) -> None:
    sla_group = AppGroup("sla", help="The business-hours reply clock.")

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

    app.cli.add_command(sla_group)
    from inbox import mailcli
    mailcli.register(app)
