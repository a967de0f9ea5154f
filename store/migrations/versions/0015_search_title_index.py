"""search: each article's folded title and a full-text index of it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 21:00:00

A search for a word found in nearly every article ("của", "xã", "phong trào") is ranked
within a bounded window (dienhinh.review.search): the newest matches, plus the newest
articles whose *title* holds every word of the query, which rank first whatever their age.
Those come from an index of the titles alone:

* ``article_search.title``: ``fold`` of the article's title (filled by ``search.refresh``;
  here for the rows already indexed, with the same rule copied below so that this migration
  keeps meaning what it means if that code changes);
* SQLite: an FTS5 table ``article_fts_title`` over it (external content, rowid = article id,
  ``detail=none`` as ``article_fts`` since migration 0008), kept in step by triggers. The
  update trigger of ``article_fts`` now fires on a change of ``folded`` only, so that filling
  ``title`` here does not rewrite the whole text index;
* PostgreSQL: a GIN index ``article_fts_title`` on ``to_tsvector('simple', title)`` (titles
  are short: no stored vector).

SQLite, ``article_fts`` is rebuilt with prefix indexes of 3 to 7 letters (a folded Vietnamese
syllable has at most 7). The last word of a search is also a prefix ("lung phi" finds "Lùng
Phình"); without a prefix index FTS5 merges the lists of every word the prefix starts before
it returns one row, 25-70 ms for "cua"* or "thon"* at 100,000 articles, on every statement of a
request that uses the search; with one, a read that stops after the newest matches takes
0.1-0.4 ms (the index grows from 34 to 74 MB at 100,000 articles; rebuilt in about 40 s).
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_CHUNK = 2000
_WS = re.compile(r"\s+")

article = sa.table("article", sa.column("id", sa.Integer), sa.column("title", sa.Text))
article_search = sa.table(
    "article_search", sa.column("article_id", sa.Integer), sa.column("title", sa.Text)
)


def _strip(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ``dienhinh.core.text.strip_diacritics`` as of this migration: the precomposed Latin
# letters to their bare form, the combining marks dropped, đ -> d.
_STRIP = {cp: _strip(chr(cp)) for cp in range(0x00C0, 0x1F00) if _strip(chr(cp)) != chr(cp)}
_STRIP.update({cp: "" for cp in range(0x0300, 0x0370)})
_STRIP.update({ord("đ"): "d", ord("Đ"): "D"})
# ``search.folded_document``: the searched text has no markup characters.
_STRIP.update({ord(c): " " for c in "<>&"})


def _fold(text: str) -> str:
    """``dienhinh.core.text.fold`` as of this migration: no diacritics, case-folded,
    whitespace collapsed."""
    bare = unicodedata.normalize("NFC", text).translate(_STRIP)
    return _WS.sub(" ", bare.casefold()).strip()


def _backfill() -> None:
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(article.c.id, article.c.title)
            .join(article_search, article_search.c.article_id == article.c.id)
            .where(article.c.id > last)
            .order_by(article.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        conn.execute(
            article_search.update()
            .where(article_search.c.article_id == sa.bindparam("row_id"))
            .values(title=sa.bindparam("folded_title")),
            [{"row_id": aid, "folded_title": _fold(title or "")[:1000]} for aid, title in rows],
        )
        last = rows[-1][0]


def _sqlite_text_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS article_search_au")
    op.execute(
        f"CREATE TRIGGER article_search_au AFTER UPDATE{columns} ON article_search BEGIN "
        "INSERT INTO article_fts(article_fts, rowid, folded) "
        "VALUES ('delete', old.article_id, old.folded); "
        "INSERT INTO article_fts(rowid, folded) VALUES (new.article_id, new.folded); END"
    )


_PREFIX = ", prefix='3 4 5 6 7'"


def _sqlite_text_index(options: str) -> None:
    op.execute("DROP TABLE IF EXISTS article_fts")
    op.execute(
        "CREATE VIRTUAL TABLE article_fts USING fts5("
        f"folded, content='article_search', content_rowid='article_id', detail=none{options})"
    )
    op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # A plain ADD COLUMN on both databases (no batch copy: SQLite's FTS triggers and the
    # external-content table name article_search).
    op.add_column(
        "article_search", sa.Column("title", sa.Text(), nullable=False, server_default="")
    )
    if sqlite:
        _sqlite_text_trigger(" OF folded")
    _backfill()
    if sqlite:
        _sqlite_text_index(_PREFIX)
        op.execute(
            "CREATE VIRTUAL TABLE article_fts_title USING fts5("
            f"title, content='article_search', content_rowid='article_id', detail=none{_PREFIX})"
        )
        op.execute("INSERT INTO article_fts_title(article_fts_title) VALUES ('rebuild')")
        op.execute(
            "CREATE TRIGGER article_search_title_ai AFTER INSERT ON article_search BEGIN "
            "INSERT INTO article_fts_title(rowid, title) VALUES (new.article_id, new.title); END"
        )
        op.execute(
            "CREATE TRIGGER article_search_title_ad AFTER DELETE ON article_search BEGIN "
            "INSERT INTO article_fts_title(article_fts_title, rowid, title) "
            "VALUES ('delete', old.article_id, old.title); END"
        )
        op.execute(
            "CREATE TRIGGER article_search_title_au AFTER UPDATE OF title ON article_search "
            "BEGIN INSERT INTO article_fts_title(article_fts_title, rowid, title) "
            "VALUES ('delete', old.article_id, old.title); "
            "INSERT INTO article_fts_title(rowid, title) VALUES (new.article_id, new.title); END"
        )
    else:
        op.execute(
            "CREATE INDEX article_fts_title ON article_search "
            "USING gin (to_tsvector('simple'::regconfig, title))"
        )
        op.execute("ANALYZE article_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("article_search_title_ai", "article_search_title_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TRIGGER IF EXISTS article_search_title_au")
        op.execute("DROP TABLE IF EXISTS article_fts_title")
        _sqlite_text_trigger("")
        _sqlite_text_index("")
    else:
        op.execute("DROP INDEX IF EXISTS article_fts_title")
    op.drop_column("article_search", "title")
