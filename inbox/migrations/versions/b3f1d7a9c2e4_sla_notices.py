"""sla_notice: each SLA webhook event once per ticket deadline

Revision ID: b3f1d7a9c2e4
Revises: d33cd67a2566
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa

from inbox.models._types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b3f1d7a9c2e4'
down_revision = 'd33cd67a2566'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sla_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('due_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', 'kind', 'due_at', name='uq_sla_notice_deadline'),
    )


def downgrade():
    op.drop_table('sla_notice')
