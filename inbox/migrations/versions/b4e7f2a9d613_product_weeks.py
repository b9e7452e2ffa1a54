"""questions and orders per shop, local week and product, kept with every ticket and order change (performance page)

Revision ID: b4e7f2a9d613
Revises: 7c3e9a1f5b20
Create Date: 2026-12-03 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e7f2a9d613'
down_revision = '7c3e9a1f5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_week',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('order_lines', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_product_week_shop_id_shop')),
    sa.PrimaryKeyConstraint('shop_id', 'week', 'product', 'category', name=op.f('pk_product_week'))
    )
    # Left empty: the app counts every shop with the code of its day (services/recount.step, in the worker, before the
    # figures are read; or `flask norms rebuild`), as shop.counted_version (f2c7a9d4e6b1) tells it to. A backfill here
    # would run the services' code of a later day against this revision's tables.


def downgrade():
    op.drop_table('product_week')
