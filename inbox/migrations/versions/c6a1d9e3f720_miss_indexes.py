"""this week's misses read off two partial indexes on (shop, clock start): first reactions that may be late, questions without one

Revision ID: c6a1d9e3f720
Revises: b4e7f2a9d613
Create Date: 2026-12-03 18:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c6a1d9e3f720'
down_revision = 'b4e7f2a9d613'
branch_labels = None
depends_on = None

MAYBE_LATE = 'first_reply_at IS NOT NULL AND (first_reply_margin < 0 OR first_reply_margin IS NULL)'
UNANSWERED = 'first_reply_at IS NULL'


def upgrade():
    op.create_index('ix_ticket_late_start', 'ticket',
                    ['shop_id', sa.text('coalesce(forwarded_at, received_at)'), 'id'], unique=False,
                    sqlite_where=sa.text(MAYBE_LATE), postgresql_where=sa.text(MAYBE_LATE))
    op.create_index('ix_ticket_unanswered_start', 'ticket',
                    ['shop_id', sa.text('coalesce(forwarded_at, received_at)'), 'first_reply_due_at'], unique=False,
                    sqlite_where=sa.text(UNANSWERED), postgresql_where=sa.text(UNANSWERED))


def downgrade():
    op.drop_index('ix_ticket_unanswered_start', table_name='ticket')
    op.drop_index('ix_ticket_late_start', table_name='ticket')
