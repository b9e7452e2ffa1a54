"""user: first name shown on the shop's contact page

Revision ID: c2f8a6d4e913
Revises: b9e3f1a2c4d5
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2f8a6d4e913'
down_revision = 'b9e3f1a2c4d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('show_on_contact', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('show_on_contact')
