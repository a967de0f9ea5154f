"""The review queue page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from dienhinh.review import queue, reads, search
from dienhinh.review.app import Console
from dienhinh.review.flash import flash_message
from dienhinh.review.highlight import excerpt
from dienhinh.review.views.article import undo_context
from dienhinh.review.views.messages import review_count
from dienhinh.review.web import user_of
from dienhinh.store.models import Article, Message

__all__ = ["queue_page"]

# A search first indexes what changed lately, at most this many articles (a few tens of
# milliseconds); a bigger backlog is left to the background indexer and announced.
_CATCH_UP = 300


def _periods(s: Session, tz: str) -> list[tuple[str, str]]:
    """Months then quarters, newest first, from the newest mail back to the oldest (at most
    three years of months): the choices of the period filter."""
    # Two scalar subqueries: SQLite reads min() or max() alone from the end of the index,
    # but scans every message when asked for both in one select.
    first, last = s.execute(
        select(
            select(func.min(Message.received_at)).scalar_subquery(),
            select(func.max(Message.received_at)).scalar_subquery(),
        )
    ).one()
    zone = ZoneInfo(tz)
    last_local = (last or datetime.now(UTC)).astimezone(zone)
    first_local = (first or last_local).astimezone(zone)
    months: list[tuple[str, str]] = []
    quarters: list[tuple[str, str]] = []
    y, m = last_local.year, last_local.month
    while (y, m) >= (first_local.year, first_local.month) and len(months) < 36:
        months.append((f"{y}-{m:02d}", f"Tháng {m}/{y}"))
        q = (m - 1) // 3 + 1
        if (f"{y}-Q{q}", f"Quý {q}/{y}") not in quarters:
            quarters.append((f"{y}-Q{q}", f"Quý {q}/{y}"))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return months + quarters


def _excerpts(s: Session, ids: list[int], terms: list[str]) -> dict[int, str]:
    """For a search: the part of each shown article's lead and text around its first
    matching word (plain text, highlighted by the template), where the text matches."""
    if not ids or not terms:
        return {}
    out: dict[int, str] = {}
    for aid, lead, body in s.execute(
        select(Article.id, Article.lead, Article.text).where(Article.id.in_(ids))
    ):
        found = excerpt(f"{lead}\n{body}", terms)
        if found:
            out[aid] = found
    return out


def queue_page(request: Request) -> Response:
    console: Console = request.app.state.console
    tz = console.config.timezone
    f = queue.Filters.from_params(request.query_params)
    backlog = 0
    size = console.review.page_size
    next_before = next_skip = None
    with console.sessions() as s:
        if f.q:
            backlog = search.refresh(s, limit=_CATCH_UP, quick=True).remaining
        counts = queue.counts(s, f, tz)
        matches = search.match_count(s, f.q) if f.q else None
        ranked = queue.ranked_ids(s, f, tz)
        if ranked is not None:
            rows, next_skip = queue.ranked_page(s, ranked, f.skip, size)
        else:
            rows, next_before = queue.page(s, f, tz, size, counts)
        periods = _periods(s, tz)
        review_total = review_count(s)
        undo = undo_context(request, console, s, back="queue", qs=f.query_string())
        read = reads.read_ids(s, user_of(request).user_id, [r.id for r in rows])
        terms = search.query_terms(f.q) if f.q else []
        excerpts = _excerpts(s, [r.id for r in rows], terms)
    periods.insert(0, (queue.TODAY, "Hôm nay"))
    if f.period and f.period not in {p for p, _l in periods}:
        periods.insert(1, (f.period, f.period))
    return console.render(
        request,
        "queue.html",
        {
            "f": f,
            "rows": rows,
            "counts": counts,
            "total": sum(counts.values()),  # past the cap when any state is
            "next_before": next_before,
            "next_skip": next_skip,
            "ranked": ranked is not None,
            # A search of many matches is ranked within a window (queue.ranked_ids) and its
            # numbers past the cap are shown as "hơn 2.000" (queue.counts).
            "windowed": matches is not None and matches >= search.rank_limit(),
            "window": search.window(),
            "count_cap": search.count_cap() if matches is not None else None,
            "count_cap_text": f"{search.count_cap():,}".replace(",", "."),
            "read": read,
            "terms": terms,
            "excerpts": excerpts,
            # The search box keeps the state only when a tab was chosen (the URL has one):
            # otherwise a search looks in every state.
            "state_chosen": "state" in request.query_params,
            "units": sorted(console.directory, key=lambda u: u.name),
            "campaigns": console.campaigns,
            "periods": periods,
            "backlog": backlog,
            "review_total": review_total,
            "qs": f.query_string(before=None),
            "flash": flash_message(request),
            **undo,
        },
    )
