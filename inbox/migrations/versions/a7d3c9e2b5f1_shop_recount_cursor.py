"""how far a shop's count in steps has come (services/recount.step): the kept figures of an upgraded shop are
counted by the worker in short transactions instead of inline, holding up its writes

Revision ID: a7d3c9e2b5f1
Revises: a1d5f3c8e2b7
Create Date: 2026-12-04 02:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c9e2b5f1'
down_revision = 'a1d5f3c8e2b7'
branch_labels = None
depends_on = None


def upgrade():
    # Nothing started anywhere: a shop behind COUNTED_VERSION starts its count with its first step.
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recount_ticket', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('recount_order', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('recount_done', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('recount_total', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('shop', schema=None) as batch_op:
        batch_op.drop_column('recount_total')
        batch_op.drop_column('recount_done')
        batch_op.drop_column('recount_order')
        batch_op.drop_column('recount_ticket')
