"""service measures in whole business minutes, counted per shop, assignee and channel, block of days and value,
kept with every change (ticket_measure becomes exact instead of a lazy cache)

Revision ID: b8e4d2a6c913
Revises: c9a4e7b1d352
Create Date: 2026-12-03 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e4d2a6c913'
down_revision = 'c9a4e7b1d352'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket_measure', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_measure_shop')
    op.drop_table('ticket_measure')
    op.create_table('ticket_measure',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('first_response', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Integer(), nullable=True),
    sa.Column('gap_sum', sa.Integer(), nullable=False),
    sa.Column('gap_count', sa.Integer(), nullable=False),
    sa.Column('wait', sa.Integer(), nullable=False),
    sa.Column('wait_key', sa.Integer(), nullable=True),
    sa.Column('solved', sa.Boolean(), nullable=False),
    sa.Column('first_contact', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_ticket_measure_shop_id_shop')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_measure_ticket_id_ticket'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_measure'))
    )
    op.create_index('ix_ticket_measure_shop', 'ticket_measure', ['shop_id'], unique=False)
    op.create_table('service_count',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('member', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_service_count_shop_id_shop')),
    sa.PrimaryKeyConstraint('shop_id', 'block', 'member', 'kind', 'value', name=op.f('pk_service_count'))
    )
    op.create_table('service_fine',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('block', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('value', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('member', sa.String(length=24), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_service_fine_shop_id_shop')),
    sa.PrimaryKeyConstraint('shop_id', 'kind', 'block', 'value', 'member', name=op.f('pk_service_fine'))
    )
    # Left empty: the app counts every shop with the code of its day (services/recount.step, in the worker, before the
    # figures are read; or `flask norms rebuild`), as shop.counted_version (f2c7a9d4e6b1) tells it to, and then
    # analyzes the tables on PostgreSQL. A backfill here would run the services' code of a later day against this
    # revision's tables.


def downgrade():
    op.drop_table('service_fine')
    op.drop_table('service_count')
    # The lazy cache of before: emptied (it refills on reading).
    op.drop_index('ix_ticket_measure_shop', table_name='ticket_measure')
    op.drop_table('ticket_measure')
    op.create_table('ticket_measure',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('message_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('solved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_s', sa.Integer(), nullable=True),
    sa.Column('resolution_s', sa.Integer(), nullable=True),
    sa.Column('gap_sum_s', sa.Integer(), nullable=False),
    sa.Column('gap_count', sa.Integer(), nullable=False),
    sa.Column('wait_s', sa.Integer(), nullable=False),
    sa.Column('first_contact', sa.Boolean(), nullable=False),
    sa.Column('waiting_from', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_ticket_measure_shop_id_shop')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_measure_ticket_id_ticket'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_measure'))
    )
    op.create_index('ix_ticket_measure_shop', 'ticket_measure', ['shop_id'], unique=False)
