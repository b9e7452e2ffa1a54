"""PostgreSQL search: inbox_fold reads an ASCII text with replace() instead of translate() (the same words,
ten times faster; the search triggers and a rebuild of the index call it for every text written)

Revision ID: b6e1d4f2a9c7
Revises: e3b8c5a1f294
Create Date: 2026-12-03 18:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b6e1d4f2a9c7'
down_revision = 'e3b8c5a1f294'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        from inbox import search
        conn.exec_driver_sql(search.PG_FOLD)


def downgrade():
    # Nothing to undo: the function gives the same text as the one it replaced.
    pass
