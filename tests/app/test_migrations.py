"""The migrations build exactly the schema the models describe, so `flask db upgrade` never lags a model change."""
import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from inbox import create_app, search
from inbox.extensions import db


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
