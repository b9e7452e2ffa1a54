"""help articles and their weekly counters

Revision ID: 05e522b98234
Revises: b3f1d7a9c2e4
Create Date: 2026-12-03 09:12:38.122755

"""
from alembic import op
import sqlalchemy as sa

from inbox.models._types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '05e522b98234'
down_revision = 'b3f1d7a9c2e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('title_nl', sa.String(length=200), nullable=False),
    sa.Column('body_nl', sa.Text(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_help_article_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_help_article_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_article'))
    )
    with op.batch_alter_table('help_article', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_article_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_help_article_shop_order', ['shop_id', 'published', 'category', 'position'], unique=False)

    op.create_table('help_article_week',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('shown', sa.Integer(), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_article.id'], name=op.f('fk_help_article_week_article_id_help_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shop.id'], name=op.f('fk_help_article_week_shop_id_shop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_article_week')),
    sa.UniqueConstraint('article_id', 'week', name='uq_help_article_week')
    )
    with op.batch_alter_table('help_article_week', schema=None) as batch_op:
        batch_op.create_index('ix_help_article_week_shop', ['shop_id', 'week'], unique=False)



def downgrade():
    with op.batch_alter_table('help_article_week', schema=None) as batch_op:
        batch_op.drop_index('ix_help_article_week_shop')

    op.drop_table('help_article_week')
    with op.batch_alter_table('help_article', schema=None) as batch_op:
        batch_op.drop_index('ix_help_article_shop_order')
        batch_op.drop_index(batch_op.f('ix_help_article_shop_id'))

    op.drop_table('help_article')
