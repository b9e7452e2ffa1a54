"""a customer's questions by date, for the ticket page's earlier questions

Revision ID: 5b1e0c7d2a94
Revises: 3aff5d46cd7d
Create Date: 2026-12-01 14:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b1e0c7d2a94'
down_revision = '3aff5d46cd7d'
branch_labels = None
depends_on = None


def upgrade():
    # The side panel lists a customer's newest questions: read them in order instead of sorting all of them.
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_shop_customer')
        batch_op.create_index('ix_ticket_shop_customer_received', ['shop_id', 'customer_email', 'received_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_shop_customer_received')
        batch_op.create_index('ix_ticket_shop_customer', ['shop_id', 'customer_email'], unique=False)
