"""full-text search for the review console

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00

The table ``article_search`` holds each article's folded text (no diacritics, lower case,
đ -> d; filled by dienhinh.review.search.refresh). The full-text index beside it depends on
the database:

* SQLite: an FTS5 table ``article_fts`` over ``article_search.folded`` (external content,
  rowid = article id), kept in step by three triggers. Plain SQL triggers need no
  application function, so any connection that writes ``article_search`` keeps the index
  right; a cascade delete from ``article`` fires them too.
* PostgreSQL: a GIN index on ``to_tsvector('simple', folded)`` ('simple' = no stemming, no
  stop words: the text is already folded and Vietnamese has no stemmer).

The FTS5 table and its shadow tables are not models; tests/unit/store/test_migrations.py
leaves names starting with ``article_fts`` out of its comparison.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_search",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    with op.batch_alter_table("article_search", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_search_updated_at"), ["updated_at"], unique=False
        )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index("ix_article_updated_at", ["updated_at"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5("
            "folded, content='article_search', content_rowid='article_id')"
        )
        op.execute(
            "CREATE TRIGGER article_search_ai AFTER INSERT ON article_search BEGIN "
            "INSERT INTO article_fts(rowid, folded) VALUES (new.article_id, new.folded); END"
        )
        op.execute(
            "CREATE TRIGGER article_search_ad AFTER DELETE ON article_search BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, folded) "
            "VALUES ('delete', old.article_id, old.folded); END"
        )
        op.execute(
            "CREATE TRIGGER article_search_au AFTER UPDATE ON article_search BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, folded) "
            "VALUES ('delete', old.article_id, old.folded); "
            "INSERT INTO article_fts(rowid, folded) VALUES (new.article_id, new.folded); END"
        )
    else:
        op.execute(
            "CREATE INDEX article_fts_gin ON article_search "
            "USING gin (to_tsvector('simple'::regconfig, folded))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("article_search_ai", "article_search_ad", "article_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_fts")
    else:
        op.execute("DROP INDEX IF EXISTS article_fts_gin")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_updated_at")
    with op.batch_alter_table("article_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_search_updated_at"))
    op.drop_table("article_search")
