"""duplicates, revisions and document facts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 19:24:53.545319
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('article_band',
    sa.Column('band', sa.String(length=40), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('band', 'article_id')
    )
    with op.batch_alter_table('article_band', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_band_article_id'), ['article_id'], unique=False)

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('similarity', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('signature', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('meta', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.create_foreign_key('fk_article_revision_of', 'article', ['revision_of_id'], ['id'])

    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phash', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_asset_phash'), ['phash'], unique=False)

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meta', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    


def downgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('meta')

    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_phash'))
        batch_op.drop_column('phash')

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_constraint('fk_article_revision_of', type_='foreignkey')
        batch_op.drop_column('meta')
        batch_op.drop_column('signature')
        batch_op.drop_column('similarity')
        batch_op.drop_column('revision_of_id')

    with op.batch_alter_table('article_band', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_band_article_id'))

    op.drop_table('article_band')
    
