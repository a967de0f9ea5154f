"""article_read: which articles each editor has opened (the queue's "chưa đọc")

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00

One row per editor and article the first time the editor opens the article page; the
queue shows the articles without a row for the editor as unread. The primary key
(user_id, article_id) answers the queue's lookup of a page's 50 ids; the index on
article_id serves the cascade when an article is deleted. Existing articles start unread
for everyone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_read",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "article_id"),
    )
    with op.batch_alter_table("article_read", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_read_article_id"), ["article_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("article_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_read_article_id"))
    op.drop_table("article_read")
