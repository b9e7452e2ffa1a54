"""signed-in browsers kept on the server, so a session can be ended

Revision ID: c4e1a7d2f905
Revises: 8d4f2b6a9c31
Create Date: 2026-12-03 06:10:00

"""
from alembic import op
import sqlalchemy as sa

from inbox.models._types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c4e1a7d2f905'
down_revision = '8d4f2b6a9c31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash')),
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index('ix_login_session_user', ['user_id', 'last_seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index('ix_login_session_user')
    op.drop_table('login_session')
