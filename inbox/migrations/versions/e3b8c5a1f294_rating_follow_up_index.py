"""the bad ratings still to follow up, read off an index instead of every rating of the shop

Revision ID: e3b8c5a1f294
Revises: c6a1d9e3f720
Create Date: 2026-12-03 18:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3b8c5a1f294'
down_revision = 'c6a1d9e3f720'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_rating_shop_follow_up', 'rating', ['shop_id', 'score', 'followed_up_at', 'updated_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_rating_shop_follow_up', table_name='rating')
