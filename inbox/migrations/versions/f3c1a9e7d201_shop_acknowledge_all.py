"""shop: acknowledge every new question (with the promised answer time)

Revision ID: f3c1a9e7d201
Revises: 05e522b98234
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c1a9e7d201'
down_revision = '05e522b98234'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shop') as batch:
        batch.add_column(sa.Column('ack_all', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('shop') as batch:
        batch.drop_column('ack_all')
