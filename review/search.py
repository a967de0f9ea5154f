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
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
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
# The last word of a search is a prefix from this many letters on (see match()).
_MIN_PREFIX = 3
# Past this many matches a search is "common" on SQLite (see _sqlite_membership()).
_COMMON = 2000


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
    """A condition on ``Article.id`` for the articles matching every word of ``query`` (the
    last word also as a prefix, as the editor may still be typing it: "lung phi" finds "Lùng
    Phình"), or None when it has no words.

    Only the last word is a prefix, and only from three letters on: a prefix makes the index
    merge the lists of every word it starts ("ca"* is ca, cac, cach, cai, cam, can, ...),
    ten to forty times the cost of a whole word at 100,000 articles, and one or two letters
    of a Vietnamese syllable select nearly everything anyway."""
    terms = query_terms(query)
    if not terms:
        return None
    last = terms[-1]
    prefix = len(last) >= _MIN_PREFIX
    if session.get_bind().dialect.name == "sqlite":
        # Each term quoted: FTS5 syntax characters in a search are plain text.
        fts = " ".join([*(f'"{t}"' for t in terms[:-1]), f'"{last}"' + ("*" if prefix else "")])
        sub = (
            select(literal_column("rowid"))
            .select_from(text("article_fts"))
            .where(text("article_fts MATCH :fts_query").bindparams(fts_query=fts))
        )
        return _sqlite_membership(session, fts, sub)
    tsq = " & ".join([*terms[:-1], f"{last}:*" if prefix else last])
    return Article.id == any_(bindparam("search_ids", _pg_ids(session, tsq), ARRAY(Integer)))


def _pg_ids(session: Session, tsq: str) -> list[int]:
    """The ids of the articles matching ``tsq``, from the GIN index, once per transaction.

    Why not a subquery: with statistics PostgreSQL knows a common word ("thon", "nong thon
    moi") is in most articles, and its costing charges the index path a to_tsvector per row
    as well (a recheck that never happens for a tsvector GIN index), so it scans
    article_search computing to_tsvector on every text: 40-90 s at 100,000 articles, against a
    fraction of a second through the index. Here the scan is switched off for this one query
    (SET LOCAL, then back); the queue's queries then test ``id = ANY(ids)`` with a hash."""
    session.connection()  # the transaction has begun: SET LOCAL holds until its end
    txn = session.get_transaction()
    held = session.info.get("search_ids")
    if held is None or held[0] is not txn:  # ids of an earlier transaction may be stale
        held = session.info["search_ids"] = (txn, {})
    cache: dict[str, list[int]] = held[1]
    if tsq in cache:
        return cache[tsq]
    session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        ids = list(
            session.execute(
                text(
                    "SELECT article_id FROM article_search WHERE "
                    "to_tsvector('simple'::regconfig, folded) @@ "
                    "to_tsquery('simple'::regconfig, :q)"
                ),
                {"q": tsq},
            ).scalars()
        )
    finally:
        session.execute(text("SET LOCAL enable_seqscan = on"))
    cache[tsq] = ids
    return ids


def _sqlite_membership(session: Session, fts: str, sub: Select[Any]) -> ColumnElement[bool]:
    """``Article.id IN (matches)``, written so SQLite picks the right plan for how many
    articles match.

    SQLite cannot estimate an FTS5 match, and always starts from the list of matches: one
    article row per match (through the text's overflow pages: SQLite stores the status and
    the other queue columns after the text). Right for a rare word; for a word in most
    articles it reads them all (0.3-0.8 s at 100,000) to show 50. So a probe counts the
    matches up to :data:`_COMMON` (stopping there: a millisecond or two); past it, ``id + 0``
    hides the id from the planner, which then walks the queue's own index (status, unit or
    flagged, in id order) and stops at the page's end, or counts states from the index
    alone, testing each id against the matches."""
    probe = session.execute(
        text(
            "SELECT count(*) FROM (SELECT rowid FROM article_fts "
            "WHERE article_fts MATCH :q LIMIT :n)"
        ),
        {"q": fts, "n": _COMMON},
    ).scalar_one()
    column = Article.id + 0 if probe >= _COMMON else Article.id
    return column.in_(sub)
