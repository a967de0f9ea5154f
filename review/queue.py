"""The review queue: articles filtered, newest first, a page at a time.

One query per page (articles joined to their message, only the columns the list shows;
unit names come from the in-memory directory), one grouped count per state, and keyset
pagination on the article id (``before``), so page 200 costs what page 1 costs. Every
filter runs on an index: status, unit, flagged (article columns), campaign (Tag's
field/value index), period (message.received_at; "today" too) and text (the full-text index).

A search is ranked by relevance (:func:`ranked_ids`: the query as a phrase in the title, then
more of its words in the title, then the phrase anywhere, then newest); its pages are slices
of that order (``skip``). A search matching fewer than ``search.rank_limit()`` articles (a
name, a place) ranks every match; a more common one ("thôn", "của", "phong trào") ranks a
bounded window (its newest matches and the newest articles whose title holds every word),
and its state counts are capped (:func:`counts`): no request ranks, marks or reads the rows
of every match of a common word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Select, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from dienhinh.review import search
from dienhinh.review.ids import parse_id
from dienhinh.store.models import Article, ArticleSearch, Message, Tag
from dienhinh.store.states import ArticleState

__all__ = [
    "Filters",
    "QueueRow",
    "counts",
    "neighbour",
    "page",
    "period_bounds",
    "ranked_ids",
    "ranked_page",
]

STATES = tuple(s.value for s in ArticleState)
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|[Qq]([1-4]))$")
TODAY = "today"  # the period of mail received today (local time)
_MAX_SKIP = 1_000_000


@dataclass(frozen=True)
class Filters:
    state: str = ArticleState.PENDING_REVIEW.value  # "" = every state
    unit: str = ""
    campaign: str = ""
    # "2024-03" (a month), "2024-Q1" (a quarter) or "today", local time
    period: str = ""
    flagged: bool = False
    q: str = ""
    before: int | None = None  # keyset: articles with a smaller id
    skip: int = 0  # a ranked search's page: how many of its results come before

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Filters:
        q = params.get("q", "").strip()[:200]
        # A search looks in every state unless a tab was chosen (the tabs' links always
        # carry ``state``, the search box only when the page had one chosen).
        state = params.get("state", "" if q else cls.state)
        if state not in STATES:
            state = ""
        skip = params.get("skip", "")
        period = params.get("period", "").strip()
        return cls(
            state=state,
            unit=params.get("unit", "").strip()[:100],
            campaign=params.get("campaign", "").strip()[:100],
            period=period if period == TODAY or _PERIOD.match(period) else "",
            flagged=params.get("flagged", "") in ("1", "on", "true"),
            q=q,
            before=parse_id(params.get("before")),
            skip=min(int(skip), _MAX_SKIP) if skip.isdigit() and len(skip) < 10 else 0,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        f = replace(self, **changes)
        out = {
            "state": f.state,
            "unit": f.unit,
            "campaign": f.campaign,
            "period": f.period,
            "flagged": "1" if f.flagged else "",
            "q": f.q,
            "before": str(f.before) if f.before else "",
            "skip": str(f.skip) if f.skip else "",
        }
        # state is kept even when empty: "" (every state) differs from the default.
        return {k: v for k, v in out.items() if v or k == "state"}

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


def period_bounds(
    period: str, tz: str, now: datetime | None = None
) -> tuple[datetime, datetime] | None:
    """UTC bounds [start, end) of a local month "2024-03" or quarter "2024-Q1", or of
    today ("today": local midnight to the next, ``now`` by default the current time)."""
    if period == TODAY:
        zone = ZoneInfo(tz)
        local = (now or datetime.now(UTC)).astimezone(zone)
        start = datetime(local.year, local.month, local.day, tzinfo=zone)
        end = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), zone)
        return start.astimezone(UTC), end.astimezone(UTC)
    m = _PERIOD.match(period)
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        first, months = int(m.group(2)), 1
    else:
        first, months = (int(m.group(3)) - 1) * 3 + 1, 3
    end_month = first + months
    zone = ZoneInfo(tz)
    start = datetime(year, first, 1, tzinfo=zone)
    end = datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class QueueRow:
    id: int
    version: int
    title: str
    status: str
    unit: str | None
    campaigns: list[str]
    subject_type: str | None
    kind: str | None
    flagged: bool
    flags: list[str]
    source: str
    received_at: datetime
    from_name: str
    from_addr: str
    subject: str
    sender_verified: bool | None


def _conditions(
    session: Session, f: Filters, tz: str, *, with_state: bool
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if with_state and f.state:
        conds.append(Article.status == f.state)
    if f.unit:
        conds.append(Article.unit == f.unit)
    if f.flagged:
        conds.append(Article.flagged.is_(True))
    if f.campaign:
        # Tag rows mirror Article.campaigns: the console deletes the rows of a campaign an
        # editor removes (see actions.set_tags), so the indexed tag table answers alone
        # (ix_tag_field_value_article: the ids come from the index). A campaign holds
        # thousands of articles: on SQLite ``id + 0`` keeps the planner from starting with
        # that list (one article row each), see search._sqlite_match.
        column = Article.id + 0 if session.get_bind().dialect.name == "sqlite" else Article.id
        conds.append(
            column.in_(
                select(Tag.article_id).where(Tag.field == "campaign", Tag.value == f.campaign)
            )
        )
    bounds = period_bounds(f.period, tz) if f.period else None
    if bounds:
        in_period = select(Message.id).where(
            Message.received_at >= bounds[0], Message.received_at < bounds[1]
        )
        if session.get_bind().dialect.name == "sqlite":
            conds.append(Article.message_pk.in_(in_period))
        else:
            conds.append(_period_ids(session, bounds))
    if f.q:
        cond = search.match(session, f.q)
        if cond is not None:
            conds.append(cond)
    return conds


def _period_ids(session: Session, bounds: tuple[datetime, datetime]) -> ColumnElement[bool]:
    """PostgreSQL: the articles of a period as an id array (a quarter's mail, a few hundred
    to a few thousand ids, from the received_at index). As a subquery, PostgreSQL assumes
    the period's articles are spread evenly over the ids and walks the newest articles
    looking for the page's 50, through 90,000 others for a period years back (1.7 s)."""
    cache = search.txn_cache(session, "period_ids")  # the page and the counts share it
    if bounds not in cache:
        cache[bounds] = list(
            session.execute(
                select(Article.id)
                .join(Message, Message.id == Article.message_pk)
                .where(Message.received_at >= bounds[0], Message.received_at < bounds[1])
            ).scalars()
        )
    return Article.id == any_(bindparam("period_ids", cache[bounds], ARRAY(Integer)))


def _walk_search(f: Filters) -> bool:
    """Whether a search's page is read from the full-text index newest first
    (:func:`search.newest_matches`): a search with no filter but the state, which the index
    holds beside the words (migration 0016), so a state with few of the matches skips the
    others there."""
    return bool(f.q) and not (f.unit or f.campaign or f.period or f.flagged)


def page(
    session: Session,
    f: Filters,
    tz: str,
    size: int,
    counts: Mapping[str, int] | None = None,
) -> tuple[list[QueueRow], int | None]:
    """One page of the queue and the ``before`` value of the next page (None: last).
    ``counts``, the state counts under the same filters when the caller has them, help
    choose how a search's page is read."""
    # The page's ids first, from the indexes alone where the filters allow; then the columns
    # of those ids only. In one query, SQLite reads every candidate's row (text included)
    # before it sorts and cuts (a quarter's 3,600 articles for 50 shown).
    ids: Any = None
    if counts is not None and f.state and f.q and counts.get(f.state, 0) == 0:
        return [], None
    if _walk_search(f):
        ids = search.newest_matches(session, f.q, state=f.state, before=f.before, limit=size + 1)
    if ids is None:
        conds = _conditions(session, f, tz, with_state=True)
        if f.before:
            conds.append(Article.id < f.before)
        ids = select(Article.id).where(*conds).order_by(Article.id.desc()).limit(size + 1)
    rows = _rows(session, Article.id.in_(ids))
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def _rows(session: Session, cond: ColumnElement[bool]) -> list[QueueRow]:
    """The queue's columns of the articles ``cond`` selects, newest first."""
    stmt: Select[Any] = (
        select(
            Article.id,
            Article.version,
            Article.title,
            Article.status,
            Article.unit,
            Article.campaigns,
            Article.subject_type,
            Article.kind,
            Article.flagged,
            Article.flags,
            Article.source,
            Message.received_at,
            Message.from_name,
            Message.from_addr,
            Message.subject,
            Message.sender_verified,
        )
        .join(Message, Message.id == Article.message_pk)
        .where(cond)
        .order_by(Article.id.desc())
    )
    return [QueueRow(**r._asdict()) for r in search.execute(session, stmt)]


def ranked_ids(
    session: Session,
    f: Filters,
    tz: str,
    *,
    include: int | None = None,
) -> list[int] | None:
    """The ids of the articles the search matches under the filters, most relevant first
    (``search.relevance``, then newest), or None without a search. ``include`` adds one
    article whatever the filters (the one just approved out of its tab, whose place
    decides the next one). Once per transaction for the same filters.

    A search matching fewer than ``search.rank_limit()`` articles ranks every match. A more
    common one ("của", "xã", "phong trào": nearly every article) ranks a bounded window:
    its ``search.window()`` newest matches and the ``search.window()`` newest articles
    whose title holds every word (from the titles' own index, so the best matches are
    there whatever their age), never every match (see :func:`_ranked_window`)."""
    if not f.q:
        return None
    count = search.match_count(session, f.q)
    if count is None:
        return None
    key = (replace(f, before=None, skip=0), include)
    cache = search.txn_cache(session, "ranked_ids")
    if key not in cache:
        terms = search.query_terms(f.q)
        if count >= search.rank_limit():
            cache[key] = _ranked_window(session, f, tz, terms, include)
        else:
            cond = and_(*_conditions(session, f, tz, with_state=True))
            if include is not None:
                cond = or_(cond, Article.id == include)
            phrase = search.phrase_anywhere(session, terms)
            stmt = select(Article.id, Article.title).where(cond)
            if phrase is not None:
                stmt = stmt.add_columns(phrase).outerjoin(
                    ArticleSearch, ArticleSearch.article_id == Article.id
                )
            scored = [
                (search.relevance(r[1], terms, bool(r[2]) if len(r) > 2 else False), r[0])
                for r in search.execute(session, stmt)
            ]
            scored.sort(reverse=True)
            cache[key] = [aid for _score, aid in scored]
    ranked: list[int] = cache[key]
    return ranked


def _ranked_window(
    session: Session, f: Filters, tz: str, terms: list[str], include: int | None
) -> list[int]:
    """A common search's ranking (see :func:`ranked_ids`): the candidates of
    :func:`_window` in ``search.relevance`` order, then newest.

    One word: relevance is whether the title holds the word, which the titles' index has
    answered, so the order is the newest articles whose title holds it, then the other
    newest matches, each newest first, and nothing more is read (a match among the newest
    ones whose title holds the word is among the newest such titles too). More words: each
    candidate's folded title and whether its text holds the phrase, read from its search
    row alone."""
    newest, titled = _window(session, f, tz)
    if len(terms) == 1:
        in_title = set(titled)
        if include is not None and include not in in_title and include not in newest:
            if search.title_holds(session, f.q, include):
                in_title.add(include)
                titled = [*titled, include]
            else:
                newest = [*newest, include]
        rest = [i for i in newest if i not in in_title]
        return sorted(titled, reverse=True) + sorted(rest, reverse=True)
    ids = set(newest) | set(titled)
    if include is not None:
        ids.add(include)
    stmt = select(
        ArticleSearch.article_id, ArticleSearch.title, search.phrase_anywhere(session, terms)
    ).where(search.ids_in(session, ArticleSearch.article_id, sorted(ids)))
    # Core rows (no ORM loading for plain columns): a few hundred of them.
    scored = [
        (search.relevance(title, terms, bool(phrase), folded=True), aid)
        for aid, title, phrase in session.connection().execute(stmt)
    ]
    scored.sort(reverse=True)
    return [aid for _score, aid in scored]


def _window(session: Session, f: Filters, tz: str) -> tuple[list[int], list[int]]:
    """A common search's candidates (see :func:`ranked_ids`): its newest matches under the
    filters and the newest articles under the filters whose title holds every word, each
    up to ``search.window()``, newest first; read newest first from an index and stopped
    there."""
    size = search.window()
    newest: list[int] | None = None
    titled: list[int] | None = None
    if _walk_search(f):
        newest = search.newest_matches(session, f.q, state=f.state, before=None, limit=size)
    if newest is None:
        conds = _conditions(session, f, tz, with_state=True)
        newest = list(
            search.execute(
                session, select(Article.id).where(*conds).order_by(Article.id.desc()).limit(size)
            ).scalars()
        )
    if _walk_search(f):
        titled = search.newest_title_matches(
            session, f.q, state=f.state, limit=size, newest=newest[0] if newest else None
        )
    if titled is None:
        title_cond = search.title_match(session, f.q)
        others = _conditions(session, replace(f, q=""), tz, with_state=True)
        titled = list(
            search.execute(
                session,
                select(Article.id)
                .where(*others, title_cond)
                .order_by(Article.id.desc())
                .limit(size),
            ).scalars()
        )
    return newest, titled


def ranked_page(
    session: Session, ranked: list[int], skip: int, size: int
) -> tuple[list[QueueRow], int | None]:
    """One page of a ranked search (``size`` results after the first ``skip``) and the
    ``skip`` of the next page (None: last)."""
    ids = ranked[skip : skip + size]
    if not ids:
        return [], None
    by_id = {r.id: r for r in _rows(session, Article.id.in_(ids))}
    rows = [by_id[i] for i in ids if i in by_id]
    return rows, (skip + size if len(ranked) > skip + size else None)


def counts(session: Session, f: Filters, tz: str) -> dict[str, int]:
    """Articles per state under the other filters (the state tabs' numbers). Under a search
    with no other filter, each number is exact up to ``search.count_cap()`` and
    ``count_cap() + 1`` above it, the console showing "hơn 2.000" for it: read from the
    full-text index alone, which holds each article's state (``search.state_counts``), and
    stopped at the cap. Under other filters too their own indexes bound the exact count."""
    if f.q and not (f.unit or f.campaign or f.period or f.flagged):
        found = search.state_counts(session, f.q, STATES)
        if found is not None:
            return found
    return _exact_counts(session, f, tz, STATES)


def _exact_counts(session: Session, f: Filters, tz: str, states: Sequence[str]) -> dict[str, int]:
    conds = _conditions(session, f, tz, with_state=False)
    if len(states) < len(STATES):
        conds.append(Article.status.in_(states))
    # Answered from an index without reading article rows (ix_article_status,
    # ix_article_unit_status, ix_article_flagged_status hold the state; search and campaign
    # test ids against their lists, see _conditions); only a period (and unit with flagged
    # together) reads the rows of the articles it selects.
    stmt = select(Article.status, func.count()).where(*conds).group_by(Article.status)
    found = {status: int(n) for status, n in search.execute(session, stmt)}
    return {s: found.get(s, 0) for s in states}


def neighbour(session: Session, f: Filters, tz: str, article_id: int, *, older: bool) -> int | None:
    """The next article in the queue after ``article_id`` (older) or before it (newer):
    in a ranked search, the next less (or more) relevant one."""
    ranked = ranked_ids(session, f, tz, include=article_id)
    if ranked is not None:
        at = ranked.index(article_id) if article_id in ranked else -1
        if at < 0:
            return None
        if older:
            return ranked[at + 1] if at + 1 < len(ranked) else None
        return ranked[at - 1] if at > 0 else None
    conds = _conditions(session, f, tz, with_state=True)
    if older:
        conds.append(Article.id < article_id)
        order = Article.id.desc()
    else:
        conds.append(Article.id > article_id)
        order = Article.id.asc()
    return search.execute(
        session, select(Article.id).where(*conds).order_by(order).limit(1)
    ).scalar()
