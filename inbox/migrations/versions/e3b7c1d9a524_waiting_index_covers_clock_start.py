"""ticket: the unanswered questions' index by due time also carries when each clock started and the assignee, so
the performance page's questions still waiting and its at-risk list read only the questions not due yet, from the
index alone on SQLite (they walked every unanswered question of the weeks shown)

Revision ID: e3b7c1d9a524
Revises: b8e4d2a6c913
Create Date: 2026-12-03 21:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3b7c1d9a524'
down_revision = 'b8e4d2a6c913'
branch_labels = None
depends_on = None

UNANSWERED = sa.text('first_reply_at IS NULL')


def upgrade():
    op.drop_index('ix_ticket_unanswered_due', table_name='ticket')
    op.create_index('ix_ticket_unanswered_due', 'ticket',
                    ['shop_id', 'first_reply_due_at', 'forwarded_at', 'received_at', 'assignee_id', 'first_reply_at'],
                    unique=False, sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)
    if op.get_bind().dialect.name == "sqlite":
        # Figures for SQLite's planner, as the index it replaces had (c9a4e7b1d352 says why).
        op.execute("ANALYZE ix_ticket_unanswered_due")


def downgrade():
    op.drop_index('ix_ticket_unanswered_due', table_name='ticket')
    op.create_index('ix_ticket_unanswered_due', 'ticket', ['shop_id', 'first_reply_due_at'], unique=False,
                    sqlite_where=UNANSWERED, postgresql_where=UNANSWERED)
