"""The migrations build exactly the schema the models describe, so `flask db upgrade` never lags a model change."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from inbox import create_app, search
from inbox.extensions import db


def _pending_operations(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: not (type_ == "table" and search.owns_table(name)),
        })
        return compare_metadata(context, db.metadata)


def test_upgrade_from_nothing_matches_the_models_and_downgrades_cleanly(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}", "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        search.install(db.engine)  # the index lives beside the migrated tables and must not look like drift
        assert _pending_operations(db.engine) == []
        downgrade(revision="base")
        with db.engine.connect() as conn:
            left = {name for name in db.inspect(conn).get_table_names() if not search.owns_table(name)}
        assert left <= {"alembic_version"}
        db.engine.dispose()
