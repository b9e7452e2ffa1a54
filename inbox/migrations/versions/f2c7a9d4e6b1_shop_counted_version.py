"""the version of the counting each shop's kept figures were made with: 0 for every shop here, so the app counts
each one afresh before reading them (the migrations that made the kept tables leave them empty)

Revision ID: f2c7a9d4e6b1
Revises: e3b7c1d9a524
Create Date: 2026-12-03 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c7a9d4e6b1'
down_revision = 'e3b7c1d9a524'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing shop gets 0: counted afresh in steps by services/recount.step (the worker, or `flask norms
    # rebuild`) before its figures are shown. A database whose old migrations still backfilled is counted once
    # more: harmless.
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.drop_column('counted_version')
