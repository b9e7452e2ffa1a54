"""The migrations build exactly the schema the models describe, so `flask db upgrade` never lags a model change;
an upgraded database shows the figures a count from scratch gives."""
import warnings
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from inbox import create_app, search
from inbox.extensions import db
from inbox.models import Order, Shop, User
from inbox.models.shop import COUNTED_VERSION
from inbox.services import performance, product_weeks, recount, service_counts, ticket_days, tickets as ticket_service
from inbox.ui import recounting_notice
from tests.conftest import NOW, TEST_DATABASE_URL


# Indexes on an expression (the clock start), which SQLAlchemy cannot reflect from SQLite: compared by name and
# definition below instead.
EXPRESSION_INDEXES = {"ix_ticket_late_start", "ix_ticket_unanswered_start"}


def _pending_operations(engine):
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: not (type_ == "table" and search.owns_table(name)
                                                             or type_ == "index" and name in EXPRESSION_INDEXES),
        })
        return compare_metadata(context, db.metadata)


def _expression_indexes(engine) -> dict[str, str]:
    """name -> the CREATE INDEX statement as SQLite stores it, without quotes and spacing."""
    with engine.connect() as conn:
        return {name: "".join(sql.replace('"', "").split()).lower() for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'") if name in EXPRESSION_INDEXES}


def test_upgrade_from_nothing_matches_the_models_and_downgrades_cleanly(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}", "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:   # the migrations turn them off; the app's connections keep them on
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        search.install(db.engine)  # the index lives beside the migrated tables and must not look like drift
        assert _pending_operations(db.engine) == []
        migrated = _expression_indexes(db.engine)
        with db.engine.connect() as conn:
            for index in db.metadata.tables["ticket"].indexes:
                if index.name in EXPRESSION_INDEXES:
                    modelled = str(sa.schema.CreateIndex(index).compile(dialect=conn.dialect))
                    assert migrated[index.name] == "".join(modelled.replace('"', "").split()).lower()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = {name for name in db.inspect(conn).get_table_names() if not search.owns_table(name)}
        assert left <= {"alembic_version"}
        db.engine.dispose()


@pytest.fixture
def empty_database(tmp_path):
    """A database of its own for a migration's run: a SQLite file, or on PostgreSQL `<test database>_migrations`,
    made afresh (the tests' own database keeps the schema the models make)."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'upgraded.sqlite'}"
        return
    base = sa.engine.make_url(TEST_DATABASE_URL)
    name = f"{base.database}_migrations"
    server = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with server.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _kept(shop_id):
    conn = db.session.connection()
    return (ticket_days.kept(conn, shop_id), product_weeks.kept(conn, shop_id), service_counts.kept(conn, shop_id))


def _counted_afresh(shop_id):
    conn = db.session.connection()
    return (ticket_days.recount(conn, shop_id), product_weeks.recount(conn, shop_id),
            service_counts.recount(conn, shop_id))


def test_an_upgraded_database_counts_each_shop_in_steps_before_its_figures_are_shown(empty_database):
    """The migrations that make the kept tables leave them empty (none runs the services' code of a later day);
    the worker counts each shop in steps with today's code, and meanwhile its pages say so instead of showing short
    figures; then they show what a count from scratch gives. Data made at head, the database taken back to before
    the first kept table, and up again."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context(), time_machine.travel(NOW, tick=False):
        upgrade()
        shop = Shop(name="Oude Winkel", country="NL", timezone="Europe/Amsterdam")
        db.session.add(shop)
        db.session.flush()
        agent = User(shop_id=shop.id, email="agent@oud.example", display_name="Agent", role="agent")
        agent.set_password("correct horse battery")
        db.session.add(agent)
        db.session.add(Order(shop_id=shop.id, order_number="1001", ordered_at=NOW - timedelta(days=9),
                             product="Lamp"))
        for days in (1, 3, 9, 40):
            ticket = ticket_service.create_ticket(shop, subject="Waar blijft mijn lamp?", body="Nog niets.",
                                                  customer_email="klant@example.com", product="Lamp",
                                                  order_number="1001", received_at=NOW - timedelta(days=days))
            if days != 3:
                ticket_service.reply(ticket, shop, "Hij komt morgen.", by=agent,
                                     at=NOW - timedelta(days=days, hours=-2), status="solved")
        db.session.commit()
        shop_id, agent_id = shop.id, agent.id
        made = _kept(shop_id)
        assert made == _counted_afresh(shop_id) and all(made)

        db.session.remove()
        downgrade(revision="c2f8a6d4e913")   # before ticket_day, the first kept table
        upgrade()
        db.session.remove()
        db.engine.dispose()

        shop = db.session.get(Shop, shop_id)
        assert shop.counted_version == 0
        assert _kept(shop_id) != made   # left empty by the migrations
        with app.test_request_context():
            assert "being recounted" in recounting_notice(shop)
        assert recount.run(shop_id, size=2)   # tickets two by two, then the order number
        db.session.remove()
        shop = db.session.get(Shop, shop_id)
        assert shop.counted_version == COUNTED_VERSION and shop.recount_ticket is None
        start, end = NOW.date() - timedelta(days=27), NOW.date()
        with app.test_request_context():
            assert recounting_notice(shop) is None
            report = performance.build_report(shop, NOW, own_only=False, user_id=agent_id, start=start, end=end)
        assert report.service_rows[0][1].tickets == 3   # everyone's: the three of the last four weeks
        assert _kept(shop_id) == made == _counted_afresh(shop_id)
        db.session.remove()
        db.engine.dispose()
