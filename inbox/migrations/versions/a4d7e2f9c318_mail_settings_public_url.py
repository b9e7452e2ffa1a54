"""mail settings: the address of Seller Inbox in e-mails (empty: INBOX_BASE_URL)

Revision ID: a4d7e2f9c318
Revises: a7d2c4e8f105
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d7e2f9c318'
down_revision = 'a7d2c4e8f105'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_settings') as batch:
        batch.add_column(sa.Column('public_url', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('mail_settings') as batch:
        batch.drop_column('public_url')
