"""Diacritic-insensitive full-text search over articles.

Why a refresh step instead of hooks in ingest: the ingest writer stores articles with bulk
Core statements (no ORM events fire) and the slow lane and the console change them through
the ORM; SQL triggers cannot fold Vietnamese text without an application function that
every connection (sqlite3 shell, a second worker) would have to register. So the index is
a table of folded texts (``ArticleSearch``) that :func:`refresh` brings up to date from
each article's ``updated_at``: an article whose ``updated_at`` differs from the one its
search row was built from (or that has no row) is re-indexed. Nothing in ingest changes, a
deleted article loses its row by cascade, and the database's own full-text index (FTS5 on
SQLite, a GIN index on a generated tsvector column on PostgreSQL, see migrations 0005 and
0007) follows the table.

The console calls :func:`refresh` in a background thread every few seconds, and a search
request first indexes a small batch of what changed since the newest indexed row (the
editor never misses the mail of the last minute).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Executable,
    Integer,
    Result,
    and_,
    any_,
    bindparam,
    case,
    column,
    func,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dienhinh.core.text import fold
from dienhinh.store.models import Article, ArticleSearch, Message

__all__ = [
    "RefreshResult",
    "count_cap",
    "execute",
    "folded_document",
    "folded_title",
    "ids_in",
    "is_common",
    "match",
    "match_count",
    "newest_matches",
    "newest_title_matches",
    "phrase_anywhere",
    "query_terms",
    "rank_limit",
    "refresh",
    "relevance",
    "state_counts",
    "state_words",
    "title_holds",
    "title_match",
    "txn_cache",
    "window",
]

# PostgreSQL refuses a tsvector over 1 MB; an article is a few thousand characters, and
# anything beyond this is an annex nobody searches.
_MAX_FOLDED = 400_000
_MAX_TITLE = 1000
# Rows changed within this long before the newest indexed row are looked at again by the
# quick catch-up: a slow ingest transaction may commit rows older than ones already seen.
_LOOKBACK = timedelta(minutes=10)
_TERM = re.compile(r"[^\W_]+")
_MAX_TERMS = 12
# The last word of a search is a prefix from this many letters on (see match()).
_MIN_PREFIX = 3
# Past this many matches a search is "common": its counts are shown capped ("hơn 2.000",
# the Board's choice, see count_cap()), it is ranked within a window (see window()), and the
# queue's conditions are written for it (see _sqlite_match() and _pg_match()).
_COMMON = 2000
# Up to this many matches a search is ranked by relevance as a whole (see rank_limit()).
_RANK_LIMIT = 1000
# A more common search is ranked within this many of its newest matches plus this many of
# the newest articles whose title holds every word (see window()), on both databases (the
# same results whichever holds the archive; was 250 on SQLite). A search of two words or
# more reads each candidate's folded text for the phrase test: 4 ms at 100 candidates each
# side, 8 ms at 250 on SQLite, 100,000 articles; PostgreSQL reads each out of line.
_WINDOW = 100
# PostgreSQL looks for a common search's newest matches among this many newest search rows
# first (see newest_matches()).
_RECENT_ROWS = 2000
# PostgreSQL looks for a common search's newest title matches within this many ids below its
# newest match first (see newest_title_matches()).
_TITLE_RANGE = 10_000


@dataclass(frozen=True)
class RefreshResult:
    indexed: int
    remaining: int  # stale or missing rows left for the next call (0: up to date)


# PostgreSQL's text-search parser reads "<script>alert("xss")</script>" as markup and drops
# words inside what looks like a tag or an entity ("xss" was never found there, while
# SQLite's tokenizer found it): the searched text has no markup characters.
_MARKUP = str.maketrans("<>&", "   ")


def folded_document(title: str, lead: str, body: str, subject: str, sender: str) -> str:
    """The text that is searched: what an editor remembers of an article."""
    return fold(" ".join((title, lead, body, subject, sender)).translate(_MARKUP))[:_MAX_FOLDED]


def folded_title(title: str | None) -> str:
    """The title as its own index holds it (migration 0015): folded as the document is."""
    return fold((title or "").translate(_MARKUP))[:_MAX_TITLE]


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
                Article.status,
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
                "title": folded_title(r.title),
                "status": r.status,
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
        set_={
            "updated_at": stmt.excluded.updated_at,
            "folded": stmt.excluded.folded,
            "title": stmt.excluded.title,
            "status": stmt.excluded.status,
        },
    )
    session.execute(stmt)


def match(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Article.id`` for the articles matching every word of ``query`` (the
    last word also as a prefix, as the editor may still be typing it: "lung phi" finds "Lùng
    Phình"), or None when it has no words.

    Only the last word is a prefix, and only from three letters on: a prefix makes the index
    merge the lists of every word it starts ("ca"* is ca, cac, cach, cai, cam, can, ...),
    ten to forty times the cost of a whole word at 100,000 articles, and one or two letters
    of a Vietnamese syllable select nearly everything anyway.

    How the condition is written depends on how many articles match (counted once per
    transaction, stopping at a bound): a few, and the list of matches drives the query; more
    ("thon", "xa", "nong thon moi"), and the queue's own indexes drive it (see
    :func:`_sqlite_match` and :func:`_pg_match`)."""
    terms = query_terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_match(session, _fts_text(terms))
    return _pg_match(session, _pg_query(terms))


def _pg_query(terms: list[str]) -> str:
    last = terms[-1]
    return " & ".join([*terms[:-1], f"{last}:*" if len(last) >= _MIN_PREFIX else last])


def match_count(session: Session, query: str) -> int | None:
    """How many articles match ``query``, counted up to ``count_cap() + 1`` (the count
    :func:`match` makes once per transaction; more than :func:`count_cap` means "common"),
    or None for a query without words."""
    terms = query_terms(query)
    if not terms:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Known in this transaction (the state counts tell a common search), or counted now by
    # match(): only then, as on PostgreSQL match() also marks the transaction's queue
    # queries to run without sequential scans (a common search's condition is a subquery),
    # which a page read from the search rows alone does not need.
    if sqlite:
        key, cache = _fts_text(terms), txn_cache(session, "search_probe")
        if key not in cache:
            match(session, query)
        return int(cache[key])
    tsq = _pg_query(terms)
    if tsq not in txn_cache(session, "search_common"):
        match(session, query)
    if tsq in txn_cache(session, "search_common"):
        return _COMMON + 1
    return len(txn_cache(session, "search_ids")[tsq])


def count_cap() -> int:
    """Past this many matches a search's counts are not exact: the console shows "hơn
    2.000" (the Board's choice), and nothing reads every match of a common word."""
    return _COMMON


def is_common(count: int | None) -> bool:
    """Whether a search of ``count`` matches (:func:`match_count`) is common."""
    return count is not None and count > _COMMON


def window() -> int:
    """How many of a common search's newest matches, and of the newest articles whose title
    holds every word, are ranked (see ``queue.ranked_ids``): the same on both databases."""
    return _WINDOW


def rank_limit() -> int:
    """Searches with fewer matches than this rank every match by relevance (see
    ``queue.ranked_ids``); a more common one ranks a window (:func:`window`). Ranking reads every
    match's title and tests its folded text for the phrase (PostgreSQL decompresses each):
    a search of 997 matches in the bench archive of 10,000 articles took 84 ms (SQLite) and
    99 ms (PostgreSQL) for its counts, ranking and page, median, on a two-core machine at
    load 11; at 2,000 matches twice that."""
    return min(_RANK_LIMIT, _COMMON)


def phrase_anywhere(session: Session, terms: list[str]) -> ColumnElement[bool] | None:
    """Whether an article's searched text (``ArticleSearch.folded``) holds the query's
    words next to each other, in order, starting at a word ("bac ha" in "... o bac ha
    ..."); None for a one-word query. A plain substring test, on the database side (the
    folded texts stay there): the same SQL on SQLite (instr) and PostgreSQL (strpos).

    " " + folded holding " bac ha" is written as folded holding " bac ha", or else
    starting with "bac ha": the concatenation copied each text (3-5 kB) before the test,
    twice the cost of the test itself, and the start is read only where the phrase is
    not found further on."""
    if len(terms) < 2:
        return None
    phrase = " ".join(terms)
    folded = ArticleSearch.folded
    if session.get_bind().dialect.name == "sqlite":
        inside = func.instr(folded, " " + phrase) > 0
        start = func.substr(folded, 1, len(phrase)) == phrase
    else:
        inside = func.strpos(folded, " " + phrase) > 0
        start = func.left(folded, len(phrase)) == phrase
    return case((inside, True), else_=start)


def relevance(
    title: str, terms: list[str], phrase: bool, *, folded: bool = False
) -> tuple[int, int, int]:
    """The sort key of a match (higher first): the query as a phrase in the title, how
    many of the query's words the title holds, the phrase anywhere (``phrase``, from
    :func:`phrase_anywhere`). Words compare folded, the last one also as a prefix from
    three letters on, as the search itself matches. ``folded``: the title is already
    folded (:func:`folded_title`, the search row's)."""
    # String and set operations only: this runs for every match (up to rank_limit()).
    words = _TERM.findall(title if folded else fold(title or ""))
    if not terms or not words:
        return 0, 0, int(phrase and len(terms) >= 2)
    *head, last = terms
    present = set(words)
    prefix = len(last) >= _MIN_PREFIX
    hits = sum(1 for t in head if t in present) + int(
        last in present or (prefix and any(w.startswith(last) for w in present))
    )
    title_phrase = False
    if head and hits == len(terms):
        # " w1 w2 ... " holds " t1 ... tn " (or " t1 ... tn" then more letters of the
        # last word, where it is a prefix).
        padded = f" {' '.join(words)} "
        needle = f" {' '.join(terms)}"
        title_phrase = (needle if prefix else needle + " ") in padded
    return int(title_phrase), hits, int(phrase and len(terms) >= 2)


def _fts_query(terms: list[str]) -> str:
    """An FTS5 query: every term quoted (FTS5 syntax characters in a search are plain
    text), the last one a prefix from three letters on."""
    last = terms[-1]
    star = "*" if len(last) >= _MIN_PREFIX else ""
    return " ".join([*(f'"{t}"' for t in terms[:-1]), f'"{last}"{star}'])


def _fts_text(terms: list[str], state: str = "") -> str:
    """The FTS5 query of ``article_fts`` (migration 0016: columns ``folded`` and
    ``status``): the words in the searched text only, and, when ``state`` is given, the
    article in that state (the state's words, "needs-ocr" is ``needs`` and ``ocr``: no
    state's words are all among another's, see :data:`STATE_WORDS`)."""
    q = f"folded : ({_fts_query(terms)})"
    if state:
        q += " AND status : (" + " AND ".join(f'"{w}"' for w in state_words(state)) + ")"
    return q


def state_words(state: str) -> list[str]:
    """The words FTS5's tokenizer makes of a state ("needs-ocr": needs, ocr)."""
    return _TERM.findall(state.casefold())


def _pg_state(state: str) -> str:
    """The lexeme of ``state`` in ``article_search.tsv`` (migration 0016), as a tsquery
    literal: ``'#state=pending-review'``; no searched word starts with ``#``."""
    return "'#state=" + state.replace("'", "''") + "'"


def newest_matches(
    session: Session, query: str, *, state: str, before: int | None, limit: int
) -> list[int] | None:
    """The ids of the newest ``limit`` articles matching ``query`` (in ``state`` when
    given, older than ``before`` when given), or None for a query without words.

    SQLite reads the full-text index in descending rowid order and stops there: about a
    millisecond where the queue's condition (:func:`match`) builds the list of every match
    first (40 ms for a word in 100,000 articles). The state is in the index too (migration
    0016): a state holding a small share of the matches skips the others there.

    PostgreSQL's index gives the matches in no order. A common search's newest matches are
    among the newest articles: the newest :data:`_RECENT_ROWS` search rows are read newest
    first, the state tested on each (a column of the row), then the vector of those in the
    state (under a millisecond for 100 matches of a word in nearly every article; a join
    with the article table tested the vectors of articles in every state). Where they hold
    fewer than ``limit`` (a rarer word, a small state), the GIN index's matches of the
    search in that state are read and sorted."""
    terms = query_terms(query)
    if not terms:
        return None
    params: dict[str, object] = {"n": limit}
    if session.get_bind().dialect.name == "sqlite":
        sql = "SELECT rowid FROM article_fts WHERE article_fts MATCH :q"
        params["q"] = _fts_text(terms, state)
        if before:
            sql += " AND rowid < :before"
            params["before"] = before
        sql += " ORDER BY rowid DESC LIMIT :n"
        return [int(i) for i in session.execute(text(sql), params).scalars()]
    params |= {"q": _pg_query(terms), "k": _RECENT_ROWS, "state": state, "before": before}
    older = " WHERE article_id < :before" if before else ""
    found = "tsv @@ to_tsquery('simple'::regconfig, :q)"
    if state:
        # In a CASE, which the planner keeps in order: it would test the vector (read out
        # of line) first, the cheaper of the two by its costs.
        found = f"CASE WHEN status = :state THEN {found} ELSE false END"
    recent = [
        int(i)
        for i in session.execute(
            text(
                "SELECT article_id FROM (SELECT article_id, status, tsv FROM article_search"  # noqa: S608 - fixed pieces
                f"{older} ORDER BY article_id DESC LIMIT :k) recent WHERE {found} "
                "ORDER BY article_id DESC LIMIT :n"
            ),
            params,
        ).scalars()
    ]
    if len(recent) >= limit:
        return recent
    where = "tsv @@ to_tsquery('simple'::regconfig, :q)"
    if state:
        where = "tsv @@ (to_tsquery('simple'::regconfig, :q) && CAST(:s AS tsquery))"
        params["s"] = _pg_state(state)
    if before:
        where += " AND article_id < :before"
    with _plans_off(session, "seqscan", "indexscan", "parallel"):
        return [
            int(i)
            for i in session.execute(
                text(
                    f"SELECT article_id FROM article_search WHERE {where} "  # noqa: S608 - fixed pieces
                    "ORDER BY article_id DESC LIMIT :n"
                ),
                params,
            ).scalars()
        ]


def state_counts(session: Session, query: str, states: Sequence[str]) -> dict[str, int] | None:
    """How many articles in each of ``states`` match ``query``, each counted up to
    ``count_cap() + 1`` and no further (exact below the cap), from the full-text index
    alone: the state is in it beside the words (migration 0016), so a state's count stops
    at the cap, and a state with few matches is read from its own short list (SQLite: a
    column filter of ``article_fts``; PostgreSQL: the state's lexeme ANDed in the GIN
    index). Well under a millisecond a state on SQLite at 100,000 articles. None for a
    query without words."""
    terms = query_terms(query)
    if not terms:
        return None
    # One statement, a bounded count per state (the states are a handful).
    params: dict[str, object] = {"n": _COMMON + 1}
    parts = []
    sqlite = session.get_bind().dialect.name == "sqlite"
    for i, state in enumerate(states):
        if sqlite:
            params[f"q{i}"] = _fts_text(terms, state)
            parts.append(
                f"(SELECT count(*) FROM (SELECT rowid FROM article_fts "  # noqa: S608 - numbered params
                f"WHERE article_fts MATCH :q{i} LIMIT :n))"
            )
        else:
            params[f"s{i}"] = _pg_state(state)
            parts.append(
                "(SELECT count(*) FROM (SELECT 1 FROM article_search WHERE tsv @@ "  # noqa: S608 - numbered params
                f"(to_tsquery('simple'::regconfig, :q) && CAST(:s{i} AS tsquery)) LIMIT :n) m{i})"
            )
    if not parts:
        return {}
    stmt = text("SELECT " + ", ".join(parts))
    if sqlite:
        row = session.execute(stmt, params).one()
    else:
        params["q"] = _pg_query(terms)
        # The bitmap scan of the GIN index, as the probe of _pg_match (a sequential scan
        # would test every row's vector).
        with _plans_off(session, "seqscan", "indexscan"):
            row = session.execute(stmt, params).one()
    found = {state: int(n) for state, n in zip(states, row, strict=True)}
    if sum(found.values()) > _COMMON:
        # The states hold disjoint sets of matches: past the cap together, the search is
        # common, and match() need not count its matches again (on PostgreSQL that count
        # builds the bitmap of every match once more).
        _known_common(session, terms)
    return found


def _known_common(session: Session, terms: list[str]) -> None:
    """Remember, for this transaction, that the search of ``terms`` has more than
    :data:`_COMMON` matches (what the probe of :func:`match` finds out)."""
    if session.get_bind().dialect.name == "sqlite":
        txn_cache(session, "search_probe")[_fts_text(terms)] = _COMMON + 1
    else:
        txn_cache(session, "search_common")[_pg_query(terms)] = True


def title_match(session: Session, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Article.id`` for the articles whose *title* holds every word of
    ``query`` (the last also as a prefix, as :func:`match`), from the titles' own index
    (migration 0015); None for a query without words. Every such article matches
    ``query`` (the searched text starts with the title). Written for the planner as
    :func:`match` is: SQLite starts from the list of matches unless told otherwise, so when
    the titles alone hold more than :func:`count_cap` matches (counted once per
    transaction), ``id + 0`` lets the queue's indexes drive."""
    terms = query_terms(query)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        return _fts_ids_in(session, "article_fts_title", _fts_query(terms), "title_query")
    return Article.id.in_(
        select(ArticleSearch.article_id).where(
            text(
                "to_tsvector('simple'::regconfig, article_search.title) "
                "@@ to_tsquery('simple'::regconfig, :title_tsq)"
            ).bindparams(title_tsq=_pg_query(terms))
        )
    )


def title_holds(session: Session, query: str, article_id: int) -> bool:
    """Whether the title of article ``article_id`` holds every word of ``query`` (the last
    also as a prefix), as the titles' index answers for :func:`title_match`."""
    terms = query_terms(query)
    if not terms:
        return False
    if session.get_bind().dialect.name == "sqlite":
        sql = "SELECT 1 FROM article_fts_title WHERE article_fts_title MATCH :q AND rowid = :id"
        params: dict[str, object] = {"q": _fts_query(terms), "id": article_id}
    else:
        sql = (
            "SELECT 1 FROM article_search WHERE article_id = :id AND "
            "to_tsvector('simple'::regconfig, title) @@ to_tsquery('simple'::regconfig, :q)"
        )
        params = {"q": _pg_query(terms), "id": article_id}
    return session.execute(text(sql), params).first() is not None


def newest_title_matches(
    session: Session, query: str, *, state: str, limit: int, newest: int | None = None
) -> list[int] | None:
    """The ids of the newest ``limit`` articles whose title holds every word of ``query``
    (in ``state`` when given), or None for a query without words.

    SQLite reads the titles' index in descending rowid order and stops there, as
    :func:`newest_matches` does for the whole text. PostgreSQL's index of titles gives its
    matches in no order: they are all read, then sorted (15-30 ms for a word in 6,000 to
    20,000 titles at 100,000 articles); so it looks first among the articles up to
    :data:`_TITLE_RANGE` ids older than ``newest`` (the search's newest match: no title
    match is newer), a range the primary key gives as a bitmap ANDed with the index's
    before any row is read, then eight times as far, then everywhere, until ``limit``
    are found."""
    terms = query_terms(query)
    if not terms:
        return None
    params: dict[str, object] = {"n": limit}
    if session.get_bind().dialect.name == "sqlite":
        sql = (
            "SELECT article_fts_title.rowid FROM article_fts_title "
            "JOIN article INDEXED BY ix_article_id_status "
            "ON article.id = article_fts_title.rowid "
            "WHERE article_fts_title MATCH :q"
        )
        params["q"] = _fts_query(terms)
        if state:
            sql += " AND article.status = :state"
            params["state"] = state
        sql += " ORDER BY article_fts_title.rowid DESC LIMIT :n"
        return [int(i) for i in session.execute(text(sql), params).scalars()]
    sql = (
        "SELECT article_id FROM article_search WHERE "
        "to_tsvector('simple'::regconfig, title) @@ to_tsquery('simple'::regconfig, :q)"
    )
    params["q"] = _pg_query(terms)
    if state:  # the article's state, kept in step by a trigger (migration 0016)
        sql += " AND status = :state"
        params["state"] = state
    ranges = [None] if newest is None else [newest - _TITLE_RANGE, newest - 8 * _TITLE_RANGE, None]
    found: list[int] = []
    # Bitmap scans only (a walk of the primary key would build each row's title vector),
    # and no parallel workers (starting them costs more than the query).
    with _plans_off(session, "seqscan", "indexscan", "parallel"):
        for lo in ranges:
            params["lo"] = lo
            where = "" if lo is None else " AND article_id > :lo"
            found = [
                int(i)
                for i in session.execute(
                    text(sql + where + " ORDER BY article_id DESC LIMIT :n"), params
                ).scalars()
            ]
            if len(found) >= limit:
                break
    return found


def ids_in(session: Session, column: ColumnElement[int], ids: Sequence[int]) -> ColumnElement[bool]:
    """``column IN ids`` as one bound value (SQLite: a JSON array read by ``json_each``;
    PostgreSQL: an integer array), not a parameter per id: SQLAlchemy expands an IN list of
    a few hundred ids into as many parameters on every execution, which cost more than
    the query."""
    if session.get_bind().dialect.name == "sqlite":
        listed = bindparam("id_list", json.dumps(list(ids)), unique=True)
        return column.in_(select(func.json_each(listed).table_valued("value").c.value))
    return column == any_(bindparam("id_list", list(ids), ARRAY(Integer), unique=True))


def txn_cache(session: Session, key: str) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction (matches counted in
    an earlier transaction may be stale)."""
    session.connection()  # the transaction has begun
    txn = session.get_transaction()
    held = session.info.get(key)
    if held is None or held[0] is not txn:
        held = session.info[key] = (txn, {})
    cache: dict[Any, Any] = held[1]
    return cache


def _sqlite_match(session: Session, fts: str) -> ColumnElement[bool]:
    """``Article.id IN (matches)``, written so SQLite picks the right plan for how many
    articles match.

    SQLite cannot estimate an FTS5 match, and always starts from the list of matches,
    looking each article up. Right for a rare word; for a word in most articles it reads
    them all to show 50. So a probe counts the matches up to :data:`_COMMON` (stopping
    there: a millisecond or two; once per transaction); past it, ``id + 0`` hides the id
    from the planner, which then walks the queue's own index (status, unit or flagged, in
    id order) and stops at the page's end, or counts states from the index alone, testing
    each id against the matches. (Testing each article walked with an FTS5 lookup of its
    rowid instead was tried: 1-2 s a page for a frequent word, as FTS5 seeks through its
    long position lists.)"""
    return _fts_ids_in(session, "article_fts", fts, "fts_query")


# The probe cache of each FTS5 table (its matches counted up to _COMMON, per transaction).
_PROBES: Final = {"article_fts": "search_probe", "article_fts_title": "title_probe"}


def _fts_ids_in(session: Session, fts_table: str, fts: str, param: str) -> ColumnElement[bool]:
    """``Article.id IN (rowids of fts_table matching fts)``, with the id hidden from the
    planner (``id + 0``) when the probe finds more than :data:`_COMMON` matches (see
    :func:`_sqlite_match`). ``param`` names the bound query (unique per statement)."""
    cache = txn_cache(session, _PROBES[fts_table])
    if fts not in cache:
        cache[fts] = session.execute(
            text(
                f"SELECT count(*) FROM (SELECT rowid FROM {fts_table} "  # noqa: S608 - a table of _PROBES
                f"WHERE {fts_table} MATCH :q LIMIT :n)"
            ),
            {"q": fts, "n": _COMMON + 1},
        ).scalar_one()
    rows = table(fts_table, column("rowid", Integer))
    sub = select(rows.c.rowid).where(text(f"{fts_table} MATCH :{param}").bindparams(**{param: fts}))
    target = Article.id + 0 if cache[fts] > _COMMON else Article.id
    return target.in_(sub)


def _pg_match(session: Session, tsq: str) -> ColumnElement[bool]:
    """The tsvector condition, written so PostgreSQL reads the GIN index.

    Why not always a plain subquery: with statistics PostgreSQL knows a common word is in
    most articles, and as it does not count the reading of each row's out-of-line vector, it
    scans all of article_search (0.5 s at 100,000) rather than read the index (20 ms). So
    the matches are first counted up to :data:`_COMMON` from the index (sequential scans
    switched off for that one query). Fewer: their ids go into the queries as an array
    (``id = ANY(ids)``, a hash). More: a subquery, and the queue's queries that use it run
    with sequential scans off (:func:`execute`), leaving the planner the two good plans: a
    page walks the newest articles testing each one's vector (a merge join, about a
    millisecond), the counts hash the ids from the bitmap index scan."""
    common = txn_cache(session, "search_common")
    cache = txn_cache(session, "search_ids")
    if tsq not in common and tsq not in cache:
        # The bitmap scan of the GIN index, whatever the statistics say: a sequential scan
        # or a walk of the primary key would test rows until LIMIT (all of them for a rare
        # word).
        with _plans_off(session, "seqscan", "indexscan"):
            cache[tsq] = list(
                session.execute(
                    text(
                        "SELECT article_id FROM article_search WHERE "
                        "tsv @@ to_tsquery('simple'::regconfig, :q) LIMIT :n"
                    ),
                    {"q": tsq, "n": _COMMON + 1},
                ).scalars()
            )
        if len(cache[tsq]) > _COMMON:
            common[tsq] = True
    if tsq not in common:
        return Article.id == any_(bindparam("search_ids", cache[tsq], ARRAY(Integer)))
    session.info["index_only"] = session.get_transaction()
    return Article.id.in_(
        select(ArticleSearch.article_id).where(
            text("article_search.tsv @@ to_tsquery('simple'::regconfig, :tsq)").bindparams(tsq=tsq)
        )
    )


def execute(session: Session, stmt: Executable) -> Result[Any]:
    """Run one of the queue's queries; on PostgreSQL with sequential scans off when a
    common search in this transaction asked for it (see :func:`_pg_match`)."""
    held = session.info.get("index_only")
    if held is None or held is not session.get_transaction():
        return session.execute(stmt)
    with _plans_off(session, "seqscan"):
        return session.execute(stmt)


# The planner settings _plans_off() switches off, by name: the setting and its "off" value.
_PLANS: Final = {
    "seqscan": ("enable_seqscan", "off"),
    "indexscan": ("enable_indexscan", "off"),
    "parallel": ("max_parallel_workers_per_gather", "0"),
}


@contextlib.contextmanager
def _plans_off(session: Session, *kinds: str) -> Iterator[None]:
    """PostgreSQL's planner without the given scan kinds ("seqscan", "indexscan", or
    "parallel": no parallel workers) for the statements of the block, then as it was (as
    SET LOCAL: never past the transaction; one statement each way, a round trip each)."""
    names = [_PLANS[kind] for kind in kinds]
    cols = ", ".join(
        f"current_setting('{name}'), set_config('{name}', '{off}', true)" for name, off in names
    )
    before = session.execute(text(f"SELECT {cols}")).one()[0::2]
    try:
        yield
    finally:
        session.execute(
            text(
                "SELECT "
                + ", ".join(
                    f"set_config('{name}', :v{i}, true)" for i, (name, _o) in enumerate(names)
                )
            ),
            {f"v{i}": value for i, value in enumerate(before)},
        )
