"""customer links to a question's page, public rate counting, the outbox's footer

Revision ID: a7d2e4c9b310
Revises: f3c1a9e7d201
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from inbox.models._types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'a7d2e4c9b310'
down_revision = 'f3c1a9e7d201'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'customer_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], ),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_customer_link_shop_id', 'customer_link', ['shop_id'], unique=False)
    op.create_index('ix_customer_link_ticket', 'customer_link', ['ticket_id', 'revoked_at'], unique=False)
    op.create_table(
        'rate_hit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('bucket', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_rate_hit_bucket_key_created', 'rate_hit', ['bucket', 'key', 'created_at'], unique=False)
    with op.batch_alter_table('outbound_email') as batch:
        batch.add_column(sa.Column('footer', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('outbound_email') as batch:
        batch.drop_column('footer')
    op.drop_index('ix_rate_hit_bucket_key_created', table_name='rate_hit')
    op.drop_table('rate_hit')
    op.drop_index('ix_customer_link_ticket', table_name='customer_link')
    op.drop_index('ix_customer_link_shop_id', table_name='customer_link')
    op.drop_table('customer_link')
