"""Quota compliance for the annual emulation scoring: per unit and period, how many
distinct articles the Board received, approved and published, and whether the quota is met.

The unit directory, not the data, defines the rows: every unit appears for every period of
the year, with zeros when it sent nothing. Counting rules (README, "Compliance reports"):

* An article belongs to the period in which the Board *received the email*
  (``Message.received_at``), in the province's time zone, and to its unit
  (``Article.unit``; ingest copies the message's unit there, and ``dienhinh assign``
  updates both, so ``Message.unit`` is only a fallback for rows written without it).
* Duplicates (status ``duplicate`` or ``duplicate_of_id`` set) never count.
* A revision (``revision_of_id`` set, "bản sửa") and the article it revises are one
  submission: counted once, in the original's period and for the original's unit, with the
  best state any version reached (the editor approves one version and often rejects the
  other). Revisions of revisions follow the chain to the first version.
* received = a version in pending-review, approved, published, needs-conversion or
  needs-ocr (the last two are the Board's tooling, not the unit's fault); ``failed``
  (corrupt or encrypted document) counts only with ``report.count_failed``; rejected
  never. approved = approved or published; published = published.
* ``met`` = received >= required. A period that has not started yet (relative to ``now``)
  is listed with ``future`` set and ``met`` false; one that has started and not ended is
  ``running`` ("đang thực hiện": the unit still has time, so not "chưa đạt" while short);
  the JSON contract carries no extra key for either (a consumer compares the period with
  today). ``ComplianceRow.state`` and :func:`year_result` are the one reading of a row and
  of a unit's year that the table, the console and the workbook share.
* ``unresolved`` = the unit's messages of the period that yielded no article and wait for
  an editor's decision (``Message.review_needed``, issue 12: from a known unit, or with an
  attachment not accounted as an article). A period not met with such messages is shown
  "chưa rõ" instead of "chưa đạt" (``ComplianceRow.undecided``); ``met`` stays false
  until it is decided (the missing article may be in one of them).

Cost: one query for the year's articles (six narrow columns, no ORM objects), one
recursive query for later corrections of them, and a look-up of older versions only when a
revision of the year points at one; the period of each row is a bisect over the year's
thirteen month starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.config import Config
from dienhinh.core.errors import ConfigError, DienhinhError
from dienhinh.core.periods import (
    check_year,
    month_index,
    month_starts_utc,
    period_bounds,
    periods_of_year,
)
from dienhinh.report import config as report_config
from dienhinh.store.models import Article, Message
from dienhinh.store.states import ArticleState

__all__ = [
    "APPROVED_STATES",
    "PUBLISHED_STATES",
    "RECEIVED_STATES",
    "ComplianceReport",
    "ComplianceRow",
    "Submission",
    "UnknownUnit",
    "build_report",
    "compliance",
    "load_directory",
    "newest_received",
    "year_result",
]

RECEIVED_STATES: Final = frozenset(
    {
        ArticleState.PENDING_REVIEW,
        ArticleState.APPROVED,
        ArticleState.PUBLISHED,
        ArticleState.NEEDS_CONVERSION,
        ArticleState.NEEDS_OCR,
    }
)
APPROVED_STATES: Final = frozenset({ArticleState.APPROVED, ArticleState.PUBLISHED})
PUBLISHED_STATES: Final = frozenset({ArticleState.PUBLISHED})

_CHUNK: Final = 500  # ids per IN (...) look-up
_MAX_CHAIN: Final = 50  # revision chains longer than this are a data error; stop following


class UnknownUnit(DienhinhError):
    """A report was asked for a unit code the directory does not list."""

    def __init__(self, code: str, known: Sequence[str]) -> None:
        sample = ", ".join(known[:5])
        super().__init__(
            f"unknown unit code {code!r}; the directory (units.toml) lists {len(known)} "
            f"units, e.g. {sample}"
        )
        self.code = code


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """One unit in one period. ``as_json()`` is the contract; the rest is for display."""

    unit: str
    period: str
    required: int
    received: int
    approved: int
    published: int
    met: bool
    unit_name: str
    group: str
    cadence: str
    start: datetime
    end: datetime
    future: bool
    unresolved: int = 0  # messages of the period waiting for an editor's decision
    running: bool = False  # started and not over at the report's time: "đang thực hiện"

    @property
    def state(self) -> str:
        """``future`` (not started), ``met``, ``running`` (not over, quota not reached
        yet), ``unresolved`` (over, short, with messages waiting for a decision: "chưa
        rõ") or ``missed`` ("chưa đạt"). A running period is never missed."""
        if self.future:
            return "future"
        if self.met:
            return "met"
        if self.running:
            return "running"
        return "unresolved" if self.unresolved > 0 else "missed"

    @property
    def undecided(self) -> bool:
        """Over and not met, but an undecided message may hold the missing article."""
        return self.state == "unresolved"

    @property
    def due(self) -> bool:
        """Counted among the year's periods due: over, or running and already met."""
        return not self.future and (not self.running or self.met)

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract object: tools rely on these keys and nothing more."""
        return {
            "unit": self.unit,
            "period": self.period,
            "required": self.required,
            "received": self.received,
            "approved": self.approved,
            "published": self.published,
            "met": self.met,
            "unresolved": self.unresolved,
        }


class Submission(NamedTuple):
    """One counted submission: the first version of an article and its revisions. (A
    named tuple: a report makes thousands, and a frozen dataclass costs twice as much.)"""

    article_id: int  # the first version
    article_ids: tuple[int, ...]  # every non-duplicate version, first version first
    received: bool
    approved: bool
    published: bool


@dataclass(frozen=True)
class ComplianceReport:
    """A year's rows plus what the console and the table need around them."""

    year: int
    rows: list[ComplianceRow]
    # Countable articles of the year whose unit is unknown or not in the directory: they
    # count for nobody until an editor assigns them (``dienhinh assign``).
    unattributed: int = 0
    submissions: dict[tuple[str, str], list[Submission]] = field(default_factory=dict, repr=False)
    cutoff: datetime | None = None  # the report's time ("now"): nothing after it is known

    def data_end(self, tz: str) -> date:
        """The last day the report's figures cover, for "đến ngày ...": the year's last
        day for a year that is over, else the cut-off day (never a day in the future)."""
        last = date(self.year, 12, 31)
        if self.cutoff is None:
            return last
        return min(last, self.cutoff.astimezone(ZoneInfo(tz)).date())

    def articles(self, unit: str, period: str) -> list[Submission]:
        """The submissions counted in one cell (the console's drill-down)."""
        return self.submissions.get((unit, period), [])


@dataclass(slots=True)
class _Row:
    id: int
    parent: int | None
    status: str
    countable: bool  # not a duplicate
    unit: str | None
    received_at: datetime


YEAR_RESULTS: Final = ("Đạt", "Chưa đạt", "Chưa rõ", "Đang thực hiện", "")


def year_result(rows: Sequence[ComplianceRow]) -> str:
    """A unit's year so far: "Chưa đạt" once a period is missed (whatever comes later),
    "Chưa rõ" while every short period that is over has messages waiting for a decision,
    "Đang thực hiện" while only the running period is short, "Đạt" when every period due
    is met, "" when nothing has started."""
    states = {r.state for r in rows}
    if "missed" in states:
        return "Chưa đạt"
    if "unresolved" in states:
        return "Chưa rõ"
    if "running" in states:
        return "Đang thực hiện"
    return "Đạt" if "met" in states else ""


def load_directory(config: Config) -> UnitDirectory:
    if config.tagging is None:
        raise ConfigError("tagging.units_file", "no unit directory configured")
    return UnitDirectory.load(config.tagging.units_file)


def compliance(
    session: Session,
    config: Config,
    year: int,
    *,
    unit: str | None = None,
    now: datetime | None = None,
    directory: UnitDirectory | None = None,
) -> list[ComplianceRow]:
    """Every unit (or only ``unit``) for every period of ``year``, in directory order then
    period order. Raises UnknownUnit for a code the directory does not list and
    ValueError for a year outside 2000..2100."""
    return build_report(session, config, year, unit=unit, now=now, directory=directory).rows


def build_report(
    session: Session,
    config: Config,
    year: int,
    *,
    unit: str | None = None,
    now: datetime | None = None,
    directory: UnitDirectory | None = None,
) -> ComplianceReport:
    """:func:`compliance` with the unattributed count and the drill-down lists."""
    check_year(year)
    settings = report_config.load(config)
    directory = directory if directory is not None else load_directory(config)
    if unit is not None and unit not in directory:
        raise UnknownUnit(unit, [u.code for u in directory])
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    tz = config.timezone
    starts = month_starts_utc(year, tz)
    received_states = RECEIVED_STATES | ({ArticleState.FAILED} if settings.count_failed else set())

    rows = _fetch(session, starts[0], starts[-1])
    chains = _chains(rows)

    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    subs: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    cadence = {u.code: u.cadence for u in directory}
    unattributed = 0
    for root_id, members in chains.items():
        root = rows[root_id]
        month = month_index(root.received_at, starts)
        if month is None:  # a revision of an article from another year: counted there
            continue
        versions = [m for m in members if m.countable]
        states = {m.status for m in versions}
        got = bool(states & received_states)
        if not got:
            continue
        code = root.unit
        if code not in cadence:
            unattributed += 1
            continue
        assert code is not None  # in the directory
        period = _period_of(code, month, year, cadence)
        sub = Submission(
            article_id=root_id,
            article_ids=tuple(m.id for m in versions),
            received=got,
            approved=bool(states & APPROVED_STATES),
            published=bool(states & PUBLISHED_STATES),
        )
        c = counts[(code, period)]
        c[0] += 1
        c[1] += sub.approved
        c[2] += sub.published
        subs[(code, period)].append(sub)

    waiting = _unresolved(session, starts, year, cadence)
    out: list[ComplianceRow] = []
    for u in directory:
        if unit is not None and u.code != unit:
            continue
        required = settings.minimum(u.cadence)
        for period in periods_of_year(year, u.cadence):
            start, end = period_bounds(period, tz)
            received, approved, published = counts.get((u.code, period), (0, 0, 0))
            future = start > now
            running = start <= now < end
            out.append(
                ComplianceRow(
                    unit=u.code,
                    period=period,
                    required=required,
                    received=received,
                    approved=approved,
                    published=published,
                    met=(not future) and received >= required,
                    unit_name=u.name,
                    group=u.group,
                    cadence=u.cadence,
                    start=start,
                    end=end,
                    future=future,
                    unresolved=waiting.get((u.code, period), 0),
                    running=running,
                )
            )
    for key in subs:
        subs[key].sort(key=lambda s: s.article_id)
    return ComplianceReport(
        year=year,
        rows=out,
        unattributed=unattributed,
        submissions=subs,
        cutoff=now,
    )


# --- data -----------------------------------------------------------------------------------


def newest_received(session: Session, year: int, tz: str) -> datetime | None:
    """The receipt time of the year's newest message, for the workbook's heading (one
    look-up on the index of ``message.received_at``; not part of :func:`build_report`,
    which the console runs on every page view)."""
    starts = month_starts_utc(check_year(year), tz)
    # max() keeps the column's type: an aware UTC datetime on both databases.
    newest: datetime | None = session.execute(
        select(func.max(Message.received_at)).where(
            Message.received_at >= starts[0], Message.received_at < starts[-1]
        )
    ).scalar_one_or_none()
    return newest


def _period_of(code: str, month: int, year: int, cadence: dict[str, str]) -> str:
    return (
        f"{year:04d}-{month + 1:02d}"
        if cadence[code] == "monthly"
        else f"{year:04d}-Q{month // 3 + 1}"
    )


def _unresolved(
    session: Session, starts: Sequence[datetime], year: int, cadence: dict[str, str]
) -> dict[tuple[str, str], int]:
    """Messages of the year waiting for an editor's decision, per unit and period (read
    through ``ix_message_review_needed``: a handful of rows)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for code, received_at in session.execute(
        select(Message.unit, Message.received_at).where(
            Message.review_needed.is_(True),
            Message.received_at >= starts[0],
            Message.received_at < starts[-1],
        )
    ):
        month = month_index(received_at, starts)
        if code not in cadence or month is None:
            continue
        out[(code, _period_of(code, month, year, cadence))] += 1
    return out


def _columns() -> Select[Any]:
    return select(
        Article.id,
        Article.revision_of_id,
        Article.status,
        Article.duplicate_of_id,
        func.coalesce(Article.unit, Message.unit),
        Message.received_at,
    ).join(Message, Article.message_pk == Message.id)


def _not_duplicate() -> Any:
    return and_(Article.status != ArticleState.DUPLICATE, Article.duplicate_of_id.is_(None))


def _add(rows: dict[int, _Row], result: Iterable[Any]) -> None:
    for aid, parent, status, dup_of, unit, received_at in result:
        rows[aid] = _Row(
            id=aid,
            parent=parent,
            status=status,
            countable=status != ArticleState.DUPLICATE and dup_of is None,
            unit=unit,
            received_at=received_at,
        )


def _later_revisions(start: datetime, end: datetime) -> Select[Any]:
    """Ids of the non-duplicate revisions received at or after ``end`` whose chain starts
    with an article received in ``[start, end)`` (the middle of the chain may be later)."""
    rev, rev_msg, parent, parent_msg = (
        aliased(Article),
        aliased(Message),
        aliased(Article),
        aliased(Message),
    )
    later = (
        select(rev.id.label("id"))
        .join(rev_msg, rev.message_pk == rev_msg.id)
        .join(parent, rev.revision_of_id == parent.id)
        .join(parent_msg, parent.message_pk == parent_msg.id)
        .where(
            rev_msg.received_at >= end,
            parent_msg.received_at >= start,
            parent_msg.received_at < end,
        )
        .cte("later_revisions", recursive=True)
    )
    deeper = aliased(Article)
    later = later.union(select(deeper.id).join(later, deeper.revision_of_id == later.c.id))
    return select(later.c.id)


def _fetch(session: Session, start: datetime, end: datetime) -> dict[int, _Row]:
    """The year's articles, revisions received later, and every earlier version a revision
    points at, keyed by article id."""
    rows: dict[int, _Row] = {}
    # The year's articles. Duplicates are left out here: they never count and never start
    # a chain (dedupe only offers non-duplicates as originals).
    _add(
        rows,
        session.execute(
            _columns().where(
                Message.received_at >= start, Message.received_at < end, _not_duplicate()
            )
        ),
    )
    # Revisions received after the year of an article of the year (a correction sent in
    # January for a December article), and revisions of those, followed by a recursive
    # query so older years do not load every later correction. A revision is never
    # received before the article it revises, so nothing earlier can belong here.
    later = _columns().where(Article.id.in_(_later_revisions(start, end)), _not_duplicate())
    _add(rows, session.execute(later))
    # Earlier versions that revisions of the year point at (a January correction of a
    # December article). Chains are short: this loops once, and only when there are some.
    gone: set[int] = set()  # ids pointed at that no longer exist
    for _ in range(_MAX_CHAIN):
        missing = sorted(
            {r.parent for r in rows.values() if r.parent and r.parent not in rows} - gone
        )
        if not missing:
            break
        for i in range(0, len(missing), _CHUNK):
            _add(rows, session.execute(_columns().where(Article.id.in_(missing[i : i + _CHUNK]))))
        gone.update(aid for aid in missing if aid not in rows)
    return rows


def _chains(rows: dict[int, _Row]) -> dict[int, list[_Row]]:
    """Group versions under their first version, which comes first in its list."""
    chains: dict[int, list[_Row]] = defaultdict(list)
    for r in sorted(rows.values(), key=lambda r: r.id):
        root, seen = r, {r.id}
        while root.parent is not None and root.parent in rows and root.parent not in seen:
            root = rows[root.parent]
            seen.add(root.id)
            if len(seen) > _MAX_CHAIN:
                break
        chains[root.id].append(r)
    for root_id, members in chains.items():
        members.sort(key=lambda m: (m.id != root_id, m.id))
    return dict(chains)
