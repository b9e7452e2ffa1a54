"""questions per shop, local day and assignee, kept with every ticket change (planner, performance page)

Revision ID: d5a8c3e1f7b2
Revises: c2f8a6d4e913
Create Date: 2026-12-03 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a8c3e1f7b2'
down_revision = 'c2f8a6d4e913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ticket_day',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('unanswered', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_ticket_day_shop_id_shop')),
    sa.PrimaryKeyConstraint('shop_id', 'day', 'assignee_id', name=op.f('pk_ticket_day'))
    )
    op.create_index('ix_ticket_unanswered_due', 'ticket', ['shop_id', 'first_reply_due_at'], unique=False,
                    sqlite_where=sa.text('first_reply_at IS NULL'), postgresql_where=sa.text('first_reply_at IS NULL'))
    # Left empty: the app counts every shop with the code of its day (services/recount.step, in the worker, before the
    # figures are read; or `flask norms rebuild`), as shop.counted_version (f2c7a9d4e6b1) tells it to. A backfill here
    # would run the services' code of a later day against this revision's tables.


def downgrade():
    op.drop_index('ix_ticket_unanswered_due', table_name='ticket')
    op.drop_table('ticket_day')
