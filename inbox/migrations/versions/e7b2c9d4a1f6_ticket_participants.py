"""who takes part in a ticket's conversation: a stranger's follow-up becomes a new ticket referring to it

Revision ID: e7b2c9d4a1f6
Revises: c4e1a7d3b9f2
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import inbox.models._types


# revision identifiers, used by Alembic.
revision = 'e7b2c9d4a1f6'
down_revision = 'c4e1a7d3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ticket_participant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', inbox.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_ticket_participant_shop_id_shop')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_participant_ticket_id_ticket'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_participant')),
        sa.UniqueConstraint('ticket_id', 'email', name='uq_ticket_participant_ticket_email'),
    )
    with op.batch_alter_table('ticket_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_participant_shop_id'), ['shop_id'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refers_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ticket_refers_to_id_ticket'), 'ticket', ['refers_to_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_index('ix_ticket_refers_to', ['refers_to_id'], unique=False)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('sender_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('sender_email')
        batch_op.drop_column('sender_name')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_refers_to')
        batch_op.drop_constraint(batch_op.f('fk_ticket_refers_to_id_ticket'), type_='foreignkey')
        batch_op.drop_column('refers_to_id')
    with op.batch_alter_table('ticket_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_participant_shop_id'))
    op.drop_table('ticket_participant')
