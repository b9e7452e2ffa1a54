"""API token scopes (read, write, imports) and the index the API's ticket list pages by

Revision ID: c4a7e2f91d08
Revises: e7b2c9d4a1f6
Create Date: 2026-12-03 06:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2f91d08'
down_revision = 'e7b2c9d4a1f6'
branch_labels = None
depends_on = None


def upgrade():
    # Tokens made before scopes existed could only post calls and orders: they keep exactly that.
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=16), server_default='imports', nullable=False))
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_shop_updated', ['shop_id', 'updated_at', 'id'], unique=False)
        batch_op.create_index('ix_ticket_shop_status_updated', ['shop_id', 'status', 'updated_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_shop_status_updated')
        batch_op.drop_index('ix_ticket_shop_updated')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('scope')
