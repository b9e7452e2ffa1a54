"""rate_count (public pages' shared request budget) and user_photo (the team block's photos)

Revision ID: a7d2c4e8f105
Revises: d5a8c3e1f7b2
Create Date: 2026-12-03 12:10:00

"""
from alembic import op
import sqlalchemy as sa

from inbox.models._types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a7d2c4e8f105'
down_revision = 'd5a8c3e1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_count',
        sa.Column('bucket', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('slot', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', 'key', 'slot'),
    )
    op.create_index('ix_rate_count_slot', 'rate_count', ['slot'])
    op.create_table(
        'user_photo',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('user.id', ondelete='CASCADE'), autoincrement=False,
                  nullable=False),
        sa.Column('shop_id', sa.Integer(), sa.ForeignKey('shop.id'), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index(op.f('ix_user_photo_shop_id'), 'user_photo', ['shop_id'])


def downgrade():
    op.drop_index(op.f('ix_user_photo_shop_id'), table_name='user_photo')
    op.drop_table('user_photo')
    op.drop_index('ix_rate_count_slot', table_name='rate_count')
    op.drop_table('rate_count')
