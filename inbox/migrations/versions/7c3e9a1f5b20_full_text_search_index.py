"""full-text search index (SQLite FTS5 / PostgreSQL tsvector + GIN) and the triggers that keep it in step

Until now only `seed.py` and the tests installed it (inbox.schema.EXTRAS), so a server set up with `flask db
upgrade` alone had no search. Idempotent: a database that already has the index keeps it; one that gets it now
has its tickets indexed (the backfill, one statement per table).

Revision ID: 7c3e9a1f5b20
Revises: a4d7e2f9c318
Create Date: 2026-12-03 12:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7c3e9a1f5b20'
down_revision = 'a4d7e2f9c318'
branch_labels = None
depends_on = None


def upgrade():
    from inbox import search
    search.install_on(op.get_bind())


def downgrade():
    from inbox import search
    search.uninstall_on(op.get_bind())
