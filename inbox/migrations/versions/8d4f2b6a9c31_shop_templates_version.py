"""the shop's templates version, which processes key their copy of the composer's template list on

Revision ID: 8d4f2b6a9c31
Revises: 5b1e0c7d2a94
Create Date: 2026-12-01 16:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d4f2b6a9c31'
down_revision = '5b1e0c7d2a94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('templates_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.drop_column('templates_version')
