"""customer ratings of solved questions, and the shop's choice of how to ask

Revision ID: b9e3f1a2c4d5
Revises: a7d2e4c9b310
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from inbox.models._types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b9e3f1a2c4d5'
down_revision = 'a7d2e4c9b310'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('score', sa.String(length=8), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('followed_up_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('followed_up_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agent_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['followed_up_by'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], ),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id'),
    )
    op.create_index('ix_rating_shop_created', 'rating', ['shop_id', 'created_at'], unique=False)
    with op.batch_alter_table('shop') as batch:
        batch.add_column(sa.Column('rating_mode', sa.String(length=8), nullable=False, server_default='reply'))


def downgrade():
    with op.batch_alter_table('shop') as batch:
        batch.drop_column('rating_mode')
    op.drop_index('ix_rating_shop_created', table_name='rating')
    op.drop_table('rating')
