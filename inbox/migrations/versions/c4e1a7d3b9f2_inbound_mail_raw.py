"""keep each inbound mail's raw message, so what had to be cut to fit a column is never lost

Revision ID: c4e1a7d3b9f2
Revises: e2b9c0d4a817
Create Date: 2026-12-03 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d3b9f2'
down_revision = 'e2b9c0d4a817'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('raw', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.drop_column('raw')
