"""Diacritic-insensitive full-text search over articles.

Why a refresh step instead of hooks in ingest: the ingest writer stores articles with bulk
Core statements (no ORM events fire) and the slow lane and the console change them through
the ORM; SQL triggers cannot fold Vietnamese text without an application function that
every connection (sqlite3 shell, a second worker) would have to register. So the index is
a table of folded texts (``ArticleSearch``) that :func:`refresh` brings up to date from
each article's ``updated_at``: an article whose ``updated_at`` differs from the one its
search row was built from (or that has no row) is re-indexed. Nothing in ingest changes, a
deleted article loses its row by cascade, and the database's own full-text index (FTS5 on
SQLite, a GIN tsvector index on PostgreSQL, see migration 0005) follows the table.

The console calls :func:`refresh` in a background thread every few seconds, and a search
request first indexes a small batch of what changed since the newest indexed row (the
editor never misses the mail of the last minute).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dienhinh.core.text import fold
from dienhinh.store.models import Article, ArticleSearch, Message

__all__ = ["RefreshResult", "folded_document", "match", "query_terms", "refresh"]

# PostgreSQL refuses a tsvector over 1 MB; an article is a few thousand characters, and
# anything beyond this is an annex nobody searches.
_MAX_FOLDED = 400_000
# Rows changed within this long before the newest indexed row are looked at again by the
# quick catch-up: a slow ingest transaction may commit rows older than ones already seen.
_LOOKBACK = timedelta(minutes=10)
_TERM = re.compile(r"[^\W_]+")
_MAX_TERMS = 12


@dataclass(frozen=True)
class RefreshResult:
    indexed: int
    remaining: int  # stale or missing rows left for the next call (0: up to date)


def folded_document(title: str, lead: str, body: str, subject: str, sender: str) -> str:
    """The text that is searched: what an editor remembers of an article."""
    return fold(" ".join((title, lead, body, subject, sender)))[:_MAX_FOLDED]


def query_terms(query: str) -> list[str]:
    """The words of a search, folded: "Bắc Hà" and "bac ha" give ["bac", "ha"]."""
    return _TERM.findall(fold(query))[:_MAX_TERMS]


def _stale(since: object | None) -> ColumnElement[bool]:
    cond = or_(ArticleSearch.article_id.is_(None), ArticleSearch.updated_at != Article.updated_at)
    if since is not None:
        cond = and_(Article.updated_at >= since, cond)
    return cond


def refresh(session: Session, *, limit: int | None = None, quick: bool = False) -> RefreshResult:
    """Index up to ``limit`` stale articles and commit. ``quick`` looks only at articles
    changed since shortly before the newest indexed row (cheap, for a search request);
    otherwise every article is checked (through indexes only)."""
    since = None
    if quick:
        newest = session.execute(select(func.max(ArticleSearch.updated_at))).scalar()
        if newest is not None:
            since = newest - _LOOKBACK
    base = (
        select(Article.id)
        .outerjoin(ArticleSearch, ArticleSearch.article_id == Article.id)
        .where(_stale(since))
    )
    batch = limit if limit is not None else 2000
    indexed = 0
    while True:
        # In updated_at order: the scan then walks ix_article_updated_at alone (on SQLite,
        # reading article rows would walk each text's overflow pages).
        ids = list(session.execute(base.order_by(Article.updated_at).limit(batch)).scalars())
        if not ids:
            return RefreshResult(indexed, 0)
        rows = session.execute(
            select(
                Article.id,
                Article.updated_at,
                Article.title,
                Article.lead,
                Article.text,
                Message.subject,
                Message.from_name,
                Message.from_addr,
            )
            .join(Message, Message.id == Article.message_pk)
            .where(Article.id.in_(ids))
        ).all()
        values = [
            {
                "article_id": r.id,
                "updated_at": r.updated_at,
                "folded": folded_document(
                    r.title, r.lead, r.text, r.subject, f"{r.from_name} {r.from_addr}"
                ),
            }
            for r in rows
        ]
        _upsert(session, values)
        session.commit()
        indexed += len(values)
        if limit is not None:
            if len(ids) < batch:  # the whole backlog fitted in this batch
                return RefreshResult(indexed, 0)
            remaining = session.execute(
                select(func.count()).select_from(base.subquery())
            ).scalar_one()
            return RefreshResult(indexed, int(remaining))


def _upsert(session: Session, values: list[dict[str, object]]) -> None:
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(ArticleSearch).values(values)
    # An UPDATE (not SQLite's REPLACE, which deletes without firing the FTS triggers) when a
    # second console process indexed the same article first.
    stmt = stmt.on_conflict_do_update(
        index_elements=[ArticleSearch.article_id],
        set_={"updated_at": stmt.excluded.updated_at, "folded": stmt.excluded.folded},
    )
    session.execute(stmt)


def match(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Article.id`` for the articles matching every word of ``query`` (each
    word also as a prefix: "thao" finds "thảo quả"), or None when it has no words."""
    terms = query_terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        # Each term quoted: FTS5 syntax characters in a search are plain text.
        fts = " ".join(f'"{t}"*' for t in terms)
        sub = (
            select(literal_column("rowid"))
            .select_from(text("article_fts"))
            .where(text("article_fts MATCH :fts_query").bindparams(fts_query=fts))
        )
        return Article.id.in_(sub)
    tsq = " & ".join(f"{t}:*" for t in terms)
    # OFFSET 0 keeps the subquery apart: PostgreSQL then finds the matches through the GIN
    # index first. Flattened into the outer query it would rather walk article_search in id
    # order (for ORDER BY id DESC LIMIT n) and compute to_tsvector on every row it passes,
    # ten times slower for a word found in a few articles.
    sub = (
        select(ArticleSearch.article_id)
        .offset(0)
        .where(
            text(
                "to_tsvector('simple'::regconfig, article_search.folded) @@ "
                "to_tsquery('simple'::regconfig, :ts_query)"
            ).bindparams(ts_query=tsq)
        )
    )
    return Article.id.in_(sub)
