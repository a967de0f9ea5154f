"""search: each article's state beside its search row, in the full-text index

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:30:00

The state tabs' numbers under a search for a word found in nearly every article ("của",
"xã", "phong trào") are capped ("hơn 2.000", the Board's choice), but were still read by
joining each match to its article's state: the newest 10,000 matches walked one by one, then
a list of every match built for the states with few of them (SQLite), every match hashed
and joined (PostgreSQL). With the state beside the search row the index answers a state's
count alone, and stops at the cap:

* ``article_search.status``: the article's state, filled here from ``article.status`` and
  by ``search.refresh`` for the rows it writes; a trigger on ``article`` (``UPDATE OF
  status``) keeps it in step on every state change, whoever writes it (the transitions of
  store/states.py, the ingest's bulk writers, the slow lane);
* SQLite: ``article_fts`` is rebuilt over (folded, status) with ``detail=column`` (a column
  filter needs it; the prefix indexes of 0015 are kept), its triggers follow ``status``
  too. A state's matches are then ``folded : (...) AND status : (...)`` read from the index
  alone: a capped count takes well under a millisecond instead of 20-50 ms at 100,000
  articles (the index grows from 74 to 218 MB there; rebuilt in about 30 s);
* PostgreSQL: ``tsv`` (the generated vector of 0007) also holds the state as one lexeme,
  ``#state=<state>`` (no searched word can start with ``#``), so the GIN index ANDs a
  search with a state: the states with few matches are counted from their own short
  posting lists. Changing the generated expression re-creates the column and its index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_PREFIX = ", prefix='3 4 5 6 7'"


def _sqlite_fts(columns: tuple[str, ...], detail: str) -> None:
    """``article_fts`` over ``columns`` of article_search, its three triggers, rebuilt."""
    for trigger in ("article_search_ai", "article_search_ad", "article_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS article_fts")
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE article_fts USING fts5({cols}, content='article_search', "
        f"content_rowid='article_id', detail={detail}{_PREFIX})"
    )
    op.execute(
        "CREATE TRIGGER article_search_ai AFTER INSERT ON article_search BEGIN "
        f"INSERT INTO article_fts(rowid, {cols}) VALUES (new.article_id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER article_search_ad AFTER DELETE ON article_search BEGIN "
        f"INSERT INTO article_fts(article_fts, rowid, {cols}) "
        f"VALUES ('delete', old.article_id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER article_search_au AFTER UPDATE OF {cols} ON article_search BEGIN "
        f"INSERT INTO article_fts(article_fts, rowid, {cols}) "
        f"VALUES ('delete', old.article_id, {old}); "
        f"INSERT INTO article_fts(rowid, {cols}) VALUES (new.article_id, {new}); END"
    )
    op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")


_PG_TSV = (
    "to_tsvector('simple'::regconfig, folded) "
    "|| array_to_tsvector(ARRAY['#state=' || status::text])"
)


def _pg_tsv(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS article_fts_tsv")
    op.execute("ALTER TABLE article_search DROP COLUMN tsv")
    op.execute(
        f"ALTER TABLE article_search ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({expression}) "
        "STORED"
    )
    op.execute("CREATE INDEX article_fts_tsv ON article_search USING gin (tsv)")
    op.execute("ANALYZE article_search")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "article_search",
        sa.Column("status", sa.String(length=20), nullable=False, server_default=""),
    )
    # Before the triggers and the index: the fill rewrites no text index (article_fts's
    # update trigger of 0015 fires on ``folded`` only, the vector is re-created below).
    op.execute(
        "UPDATE article_search SET status = "
        "(SELECT article.status FROM article WHERE article.id = article_search.article_id)"
    )
    if sqlite:
        _sqlite_fts(("folded", "status"), "column")
        op.execute(
            "CREATE TRIGGER article_status_search AFTER UPDATE OF status ON article "
            "WHEN new.status IS NOT old.status BEGIN "
            "UPDATE article_search SET status = new.status WHERE article_id = new.id; END"
        )
    else:
        _pg_tsv(_PG_TSV)
        op.execute(
            "CREATE FUNCTION article_status_search() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE article_search SET status = NEW.status WHERE article_id = NEW.id; "
            "RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER article_status_search AFTER UPDATE OF status ON article "
            "FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status) "
            "EXECUTE FUNCTION article_status_search()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS article_status_search")
        _sqlite_fts(("folded",), "none")
        # 0015's update trigger: on a change of the text only.
        op.execute("DROP TRIGGER IF EXISTS article_search_au")
        op.execute(
            "CREATE TRIGGER article_search_au AFTER UPDATE OF folded ON article_search BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, folded) "
            "VALUES ('delete', old.article_id, old.folded); "
            "INSERT INTO article_fts(rowid, folded) VALUES (new.article_id, new.folded); END"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS article_status_search ON article")
        op.execute("DROP FUNCTION IF EXISTS article_status_search()")
        _pg_tsv("to_tsvector('simple'::regconfig, folded)")
    op.drop_column("article_search", "status")
