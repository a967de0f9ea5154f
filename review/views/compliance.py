"""The compliance page ("Tình hình gửi bài"): units x periods for one year, the drill-down
to the articles behind a cell, and the workbook download.

Every request builds the report once (``dienhinh.report.compliance.build_report``: two or
three narrow queries, periods bucketed in Python) and turns its rows into a display grid
here. The grid follows the workbook's layout (``dienhinh.report.xlsx``) so what an editor
sees on screen is what the province receives: months under their quarter, a quarterly
unit's cell spanning its quarter, units grouped by the directory's groups with a subtotal
line each, then a grand total. The directory, not the data, defines the lines.

On screen a cell is one of: met (green), missed (red), future (grey, the period has not
started) or, for the period that is running now, "current": it shows what has arrived so
far, green once the quota is reached and amber until then (not red: the unit still has
time). The workbook, a document dated the day it is written, keeps its own three colours.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.report.compliance import ComplianceReport, ComplianceRow, Submission, build_report
from dienhinh.report.labels import CADENCE_LABELS, group_label, roman
from dienhinh.report.periods import (
    MAX_YEAR,
    MIN_YEAR,
    period_bounds,
    period_label,
    periods_of_year,
)
from dienhinh.review.app import Console
from dienhinh.review.web import content_disposition
from dienhinh.store.models import Article, Message

__all__ = [
    "XLSX_TYPE",
    "Grid",
    "build_grid",
    "compliance_page",
    "compliance_xlsx",
]

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS: Final = tuple(range(1, 13))
_OTHER_LIMIT: Final = 100  # uncounted articles listed under a cell


# --- the display grid (pure: rows in, lines out) ------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One period of one unit: ``span`` month columns (1 or 3)."""

    period: str
    span: int
    state: str  # met | missed | unresolved | future | current-met | current-open
    received: int
    approved: int
    published: int
    required: int
    unresolved: int = 0  # messages waiting for an editor's decision ("chưa rõ")

    @property
    def css(self) -> str:
        """The classes the stylesheet colours (tests read them too)."""
        if self.state.startswith("current-"):
            return f"cell cell-current cell-{self.state.removeprefix('current-')}"
        return f"cell cell-{self.state}"

    @property
    def title(self) -> str:
        label = period_label(self.period)
        if self.state == "future":
            return f"{label}: chưa đến kỳ"
        note = " (kỳ đang diễn ra, số liệu đến hôm nay)" if self.state.startswith("current") else ""
        waiting = (
            f"; {self.unresolved} thư không có bài chờ biên tập viên quyết định (chưa rõ)"
            if self.unresolved
            else ""
        )
        return (
            f"{label}{note}: nhận {self.received}, đã duyệt {self.approved}, "
            f"đã đăng {self.published}; chỉ tiêu {self.required}{waiting}"
        )


@dataclass(frozen=True, slots=True)
class TotalCell:
    """A subtotal over one month (all units monthly) or one quarter; None: all future."""

    span: int
    value: int | None


@dataclass(frozen=True, slots=True)
class Figures:
    """The year's columns of a unit or a total line."""

    received: int
    approved: int
    published: int
    met: int  # periods met
    due: int  # periods started (current included)


@dataclass(frozen=True, slots=True)
class UnitLine:
    number: int
    code: str
    name: str
    cadence: str
    cells: tuple[Cell, ...]
    year: Figures
    result: str  # "Đạt" | "Chưa đạt" | "Chưa rõ" | "" (nothing due yet)

    @property
    def cadence_label(self) -> str:
        return str(CADENCE_LABELS.get(self.cadence, self.cadence))


@dataclass(frozen=True, slots=True)
class TotalLine:
    label: str
    cells: tuple[TotalCell, ...]
    year: Figures
    done: int  # units meeting every period due
    units: int


@dataclass(frozen=True, slots=True)
class GroupBlock:
    number: str  # Roman
    code: str
    label: str
    units: tuple[UnitLine, ...]
    total: TotalLine


@dataclass(frozen=True, slots=True)
class Grid:
    year: int
    groups: tuple[GroupBlock, ...]
    total: TotalLine


def _state(row: ComplianceRow, now: datetime) -> str:
    if row.future:
        return "future"
    if row.start <= now < row.end:
        return "current-met" if row.received >= row.required else "current-open"
    if row.met:
        return "met"
    return "unresolved" if row.undecided else "missed"


def _figures(rows: list[ComplianceRow]) -> Figures:
    due = [r for r in rows if not r.future]
    return Figures(
        received=sum(r.received for r in rows),
        approved=sum(r.approved for r in rows),
        published=sum(r.published for r in rows),
        met=sum(r.received >= r.required for r in due),
        due=len(due),
    )


def _unit_line(number: int, rows: list[ComplianceRow], now: datetime) -> UnitLine:
    first = rows[0]
    cells = tuple(
        Cell(
            period=r.period,
            span=1 if r.cadence == "monthly" else 3,
            state=_state(r, now),
            received=r.received,
            approved=r.approved,
            published=r.published,
            required=r.required,
            unresolved=r.unresolved,
        )
        for r in rows
    )
    year = _figures(rows)
    # A running period counts as met only once reached: "Đạt" for the year so far means
    # every finished period met and the current one too, as the workbook counts it.
    result = "" if not year.due else ("Đạt" if year.met == year.due else "Chưa đạt")
    due = [r for r in rows if r.start <= now]
    if result == "Chưa đạt" and all(r.met or r.undecided for r in due):
        # Every missing period has an undecided message that may hold its article; one
        # missed period without any makes the year "Chưa đạt" whatever editors decide.
        result = "Chưa rõ"
    return UnitLine(number, first.unit, first.unit_name, first.cadence, cells, year, result)


def _total_line(label: str, units: list[list[ComplianceRow]], now: datetime) -> TotalLine:
    """Sums per month when every unit reports monthly, else per quarter (as the workbook)."""
    flat = [r for u in units for r in u]
    monthly = bool(flat) and all(r.cadence == "monthly" for r in flat)
    buckets = 12 if monthly else 4
    sums: list[int | None] = [None] * buckets
    for r in flat:
        month = int(r.period[5:]) - 1 if r.cadence == "monthly" else 3 * (int(r.period[-1]) - 1)
        b = month if monthly else month // 3
        if not r.future:
            sums[b] = (sums[b] or 0) + r.received
    done = sum(
        1
        for u in units
        if any(not r.future for r in u) and all(r.received >= r.required for r in u if not r.future)
    )
    return TotalLine(
        label=label,
        cells=tuple(TotalCell(1 if monthly else 3, v) for v in sums),
        year=_figures(flat),
        done=done,
        units=len(units),
    )


def build_grid(
    rows: list[ComplianceRow], directory: UnitDirectory, year: int, now: datetime
) -> Grid:
    """Group the report's rows (directory order, one run per unit) into display lines."""
    by_unit: dict[str, list[ComplianceRow]] = {}
    for r in rows:
        by_unit.setdefault(r.unit, []).append(r)
    groups: dict[str, list[str]] = {}
    for u in directory:
        if u.code in by_unit:
            groups.setdefault(u.group, []).append(u.code)
    blocks: list[GroupBlock] = []
    everyone: list[list[ComplianceRow]] = []
    number = 0
    for gi, (group, codes) in enumerate(groups.items(), start=1):
        lines = []
        members = [by_unit[c] for c in codes]
        for unit_rows in members:
            number += 1
            lines.append(_unit_line(number, unit_rows, now))
        label = group_label(group)
        # "Cộng các sở, ban, ngành" but "Cộng Mặt trận Tổ quốc ...": proper nouns keep capitals.
        sub = "c" + label[1:] if label.startswith("Các ") else label
        blocks.append(
            GroupBlock(
                roman(gi), group, label, tuple(lines), _total_line(f"Cộng {sub}", members, now)
            )
        )
        everyone.extend(members)
    return Grid(year, tuple(blocks), _total_line("Tổng cộng", everyone, now))


# --- request handling -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    year: int
    group: str  # "" = every group
    unit: str  # drill-down, "" = none
    period: str


def _this_year(tz: str) -> int:
    return datetime.now(ZoneInfo(tz)).year


def _parse(params: QueryParams, console: Console) -> _Query:
    """The page's parameters, checked: a bad one is a 400/404 with a Vietnamese message,
    never a traceback or a silently different report."""
    raw_year = params.get("year", "").strip()
    if not raw_year:
        year = _this_year(console.config.timezone)
    elif raw_year.isdigit() and len(raw_year) == 4 and MIN_YEAR <= int(raw_year) <= MAX_YEAR:
        year = int(raw_year)
    else:
        raise HTTPException(400, f"Năm phải là một số từ {MIN_YEAR} đến {MAX_YEAR}.")
    group = params.get("group", "").strip()
    if group and group not in {u.group for u in console.directory}:
        raise HTTPException(400, "Không có nhóm đơn vị này.")
    unit = params.get("unit", "").strip()
    period = params.get("period", "").strip()
    if unit or period:
        found = console.directory.get(unit)
        if found is None:
            raise HTTPException(404, "Không có đơn vị này trong danh bạ.")
        if period not in periods_of_year(year, found.cadence):
            raise HTTPException(404, "Kỳ này không thuộc năm đang xem hoặc không đúng chu kỳ.")
    return _Query(year, group, unit, period)


def _link(**params: object) -> str:
    return "/compliance?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


@dataclass(frozen=True)
class _Version:
    id: int
    title: str
    status: str
    received_at: datetime
    revision_of_id: int | None


def _drill(console: Console, report: ComplianceReport, q: _Query) -> dict[str, Any]:
    """The submissions behind one cell, each with its versions, and the unit's articles of
    the period that did not count (rejected, duplicates, failed) so an editor sees why a
    cell is red. Two small queries, bounded by the cell."""
    subs: list[Submission] = report.articles(q.unit, q.period)
    ids = sorted({i for s in subs for i in s.article_ids})
    cols = (
        Article.id,
        Article.title,
        Message.subject,
        Article.status,
        Message.received_at,
        Article.revision_of_id,
    )
    counted = set(ids)
    found: dict[int, _Version] = {}
    start, end = period_bounds(q.period, console.config.timezone)
    with console.sessions() as s:
        for i in range(0, len(ids), 500):
            for aid, title, subject, status, received_at, parent in s.execute(
                select(*cols)
                .join(Message, Message.id == Article.message_pk)
                .where(Article.id.in_(ids[i : i + 500]))
            ):
                found[aid] = _Version(aid, title or subject or "", status, received_at, parent)
        other = [
            _Version(aid, title or subject or "", status, received_at, parent)
            for aid, title, subject, status, received_at, parent in s.execute(
                select(*cols)
                .join(Message, Message.id == Article.message_pk)
                .where(
                    func.coalesce(Article.unit, Message.unit) == q.unit,
                    Message.received_at >= start,
                    Message.received_at < end,
                )
                .order_by(Article.id)
                .limit(len(ids) + _OTHER_LIMIT)
            )
            if aid not in counted
        ]
    return {
        "subs": [
            {"sub": sub, "versions": [found[i] for i in sub.article_ids if i in found]}
            for sub in subs
        ],
        "others": other[:_OTHER_LIMIT],
    }


def compliance_page(request: Request) -> Response:
    console: Console = request.app.state.console
    q = _parse(request.query_params, console)
    now = datetime.now(UTC)
    with console.sessions() as s:
        report = build_report(s, console.config, q.year, now=now, directory=console.directory)
    rows = [r for r in report.rows if not q.group or r.group == q.group]
    grid = build_grid(rows, console.directory, q.year, now)
    detail = None
    if q.unit:
        unit = console.directory.get(q.unit)
        assert unit is not None  # checked by _parse
        row = next(r for r in report.rows if r.unit == q.unit and r.period == q.period)
        detail = {
            "unit": unit,
            "row": row,
            "state": _state(row, now),
            "label": period_label(q.period),
            "queue_link": "/?" + urlencode({"state": "", "unit": q.unit, "period": q.period}),
            **_drill(console, report, q),
        }
    groups: dict[str, str] = {}  # the directory's groups, in its order
    for u in console.directory:
        groups.setdefault(u.group, group_label(u.group))
    return console.render(
        request,
        "compliance.html",
        {
            "active": "compliance",
            "grid": grid,
            "q": q,
            "groups": list(groups.items()),
            "detail": detail,
            "unattributed": report.unattributed,
            "quarters": [(roman(i + 1), i) for i in range(4)],
            "months": MONTHS,
            "required": {r.cadence: r.required for r in report.rows},
            "cell_link": lambda unit, period: (
                _link(year=q.year, group=q.group, unit=unit, period=period) + "#detail"
            ),
            "year_link": lambda year: _link(year=year, group=q.group),
            "group_link": lambda group: _link(year=q.year, group=group),
            "xlsx_link": "/compliance.xlsx?" + urlencode({"year": q.year, "group": q.group})
            if q.group
            else f"/compliance.xlsx?year={q.year}",
            "min_year": MIN_YEAR,
            "max_year": MAX_YEAR,
        },
    )


def compliance_xlsx(request: Request) -> Response:
    """The year's workbook (``dienhinh.report.xlsx``), for the units the page shows."""
    from dienhinh.report.xlsx import write_compliance_xlsx

    console: Console = request.app.state.console
    q = _parse(request.query_params, console)
    with console.sessions() as s:
        report = build_report(s, console.config, q.year, directory=console.directory)
    rows = [r for r in report.rows if not q.group or r.group == q.group]
    out = io.BytesIO()
    write_compliance_xlsx(rows, console.directory, q.year, out, tz=console.config.timezone)
    name = f"bao-cao-gui-bai-{q.year}" + (f"-{q.group}" if q.group else "") + ".xlsx"
    return Response(
        out.getvalue(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition("attachment", name)},
    )
