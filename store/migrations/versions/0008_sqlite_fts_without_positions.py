"""SQLite: the full-text index without word positions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 15:00:00

The console's search ANDs whole words and a last-word prefix, never a phrase or a NEAR, so
the FTS5 table ``article_fts`` needs no word positions: ``detail=none`` keeps only which
articles hold each word. The index shrinks several times and a frequent word's list is read
that much faster (the state counts under a search for "thôn" read all 100,000 entries of it;
measured with bench/console.py, figures in bench/RESULTS.md). The table is recreated and
rebuilt from ``article_search`` (its triggers are unchanged). PostgreSQL: nothing to do.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _recreate(options: str) -> None:
    op.execute("DROP TABLE IF EXISTS article_fts")
    op.execute(
        "CREATE VIRTUAL TABLE article_fts USING fts5("
        f"folded, content='article_search', content_rowid='article_id'{options})"
    )
    op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate(", detail=none")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("")
