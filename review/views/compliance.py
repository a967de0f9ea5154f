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
far, green once the quota is reached and amber until then ("đang thực hiện", not red: the
unit still has time). The workbook colours the same states (``ComplianceRow.state``).

The current period comes first to the eye: its month and quarter headers are marked
(``aria-current="date"``), a line above the grid says how many units have reached the
quota of the running month and quarter, and on a narrow screen the grid opens scrolled to
the running quarter (app.js), the unit names staying in view. Periods keep the calendar's
order, as in the workbook the province receives. "Chỉ đơn vị chưa đạt" (``missed=1``)
keeps the units whose year is "Chưa đạt" (a period over and missed), with the totals of
those units.
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
from dienhinh.core.periods import (
    MAX_YEAR,
    MIN_YEAR,
    period_bounds,
    period_label,
    periods_of_year,
)
from dienhinh.report.compliance import (
    ComplianceReport,
    ComplianceRow,
    Submission,
    build_report,
    newest_received,
    year_result,
)
from dienhinh.report.labels import CADENCE_LABELS, group_label, roman
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
        note = (
            " (đang thực hiện: kỳ chưa kết thúc, số liệu đến hôm nay)"
            if self.state.startswith("current")
            else ""
        )
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
    result: str  # report.compliance.year_result: "Đạt", "Chưa đạt", "Chưa rõ", ... or ""

    @property
    def result_css(self) -> str:
        return _RESULT_CSS.get(self.result, "")

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


_RESULT_CSS: Final = {
    "Đạt": "ok",
    "Chưa đạt": "bad",
    "Chưa rõ": "unresolved",
    "Đang thực hiện": "running",
}


def _state(row: ComplianceRow) -> str:
    """The cell's state: ``ComplianceRow.state``, a running period as "current-..."."""
    if row.running:
        return "current-met" if row.met else "current-open"
    return row.state


def _figures(rows: list[ComplianceRow]) -> Figures:
    """The year's sums; a running period is due only once met (it cannot be missed yet)."""
    due = [r for r in rows if r.due]
    return Figures(
        received=sum(r.received for r in rows),
        approved=sum(r.approved for r in rows),
        published=sum(r.published for r in rows),
        met=sum(r.met for r in due),
        due=len(due),
    )


def _unit_line(number: int, rows: list[ComplianceRow]) -> UnitLine:
    first = rows[0]
    cells = tuple(
        Cell(
            period=r.period,
            span=1 if r.cadence == "monthly" else 3,
            state=_state(r),
            received=r.received,
            approved=r.approved,
            published=r.published,
            required=r.required,
            unresolved=r.unresolved,
        )
        for r in rows
    )
    # The workbook's reading of the year: a running period short of its quota is
    # "Đang thực hiện", never "Chưa đạt"; "Chưa rõ" while undecided messages could still
    # make every missing period.
    result = year_result(rows)
    return UnitLine(
        number, first.unit, first.unit_name, first.cadence, cells, _figures(rows), result
    )


def _total_line(label: str, units: list[list[ComplianceRow]]) -> TotalLine:
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
    done = sum(1 for u in units if year_result(u) == "Đạt")
    return TotalLine(
        label=label,
        cells=tuple(TotalCell(1 if monthly else 3, v) for v in sums),
        year=_figures(flat),
        done=done,
        units=len(units),
    )


def build_grid(rows: list[ComplianceRow], directory: UnitDirectory, year: int) -> Grid:
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
            lines.append(_unit_line(number, unit_rows))
        label = group_label(group)
        # "Cộng các sở, ban, ngành" but "Cộng Mặt trận Tổ quốc ...": proper nouns keep capitals.
        sub = "c" + label[1:] if label.startswith("Các ") else label
        blocks.append(
            GroupBlock(roman(gi), group, label, tuple(lines), _total_line(f"Cộng {sub}", members))
        )
        everyone.extend(members)
    return Grid(year, tuple(blocks), _total_line("Tổng cộng", everyone))


def missed_units(grid: Grid) -> set[str]:
    """The units whose year is "Chưa đạt" ("Chỉ đơn vị chưa đạt")."""
    return {u.code for g in grid.groups for u in g.units if u.result == "Chưa đạt"}


@dataclass(frozen=True, slots=True)
class Running:
    """A period running now, for the line above the grid."""

    period: str
    label: str  # "Tháng 12/2026"
    cadence: str
    met: int  # units that have reached the quota already
    units: int


def running_periods(rows: list[ComplianceRow]) -> list[Running]:
    """The month and the quarter running now (none for another year), monthly first."""
    by_period: dict[str, list[ComplianceRow]] = {}
    for r in rows:
        if r.running:
            by_period.setdefault(r.period, []).append(r)
    out = [
        Running(p, period_label(p), rs[0].cadence, sum(r.met for r in rs), len(rs))
        for p, rs in by_period.items()
    ]
    return sorted(out, key=lambda x: x.cadence != "monthly")


# --- request handling -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    year: int
    group: str  # "" = every group
    unit: str  # drill-down, "" = none
    period: str
    missed: bool = False  # "Chỉ đơn vị chưa đạt"


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
    missed = params.get("missed", "") == "1"
    return _Query(year, group, unit, period, missed)


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
    grid = build_grid(rows, console.directory, q.year)
    all_units = sum(len(g.units) for g in grid.groups)
    if q.missed:
        keep = missed_units(grid)
        grid = build_grid([r for r in rows if r.unit in keep], console.directory, q.year)
    local_now = now.astimezone(ZoneInfo(console.config.timezone))
    current_month = local_now.month if local_now.year == q.year else 0
    detail = None
    if q.unit:
        unit = console.directory.get(q.unit)
        assert unit is not None  # checked by _parse
        row = next(r for r in report.rows if r.unit == q.unit and r.period == q.period)
        detail = {
            "unit": unit,
            "row": row,
            "state": _state(row),
            "label": period_label(q.period),
            "queue_link": "/?" + urlencode({"state": "", "unit": q.unit, "period": q.period}),
            **_drill(console, report, q),
        }
    missed = "1" if q.missed else ""
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
            "running": running_periods(rows),
            "current_month": current_month,
            "current_quarter": (current_month + 2) // 3,
            "all_units": all_units,
            "cell_link": lambda unit, period: (
                _link(year=q.year, group=q.group, missed=missed, unit=unit, period=period)
                + "#detail"
            ),
            "year_link": lambda year: _link(year=year, group=q.group, missed=missed),
            "group_link": lambda group: _link(year=q.year, group=group, missed=missed),
            "all_link": _link(year=q.year, group=q.group),
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
    tz = console.config.timezone
    with console.sessions() as s:
        report = build_report(s, console.config, q.year, directory=console.directory)
        newest = newest_received(s, q.year, tz)
    rows = [r for r in report.rows if not q.group or r.group == q.group]
    out = io.BytesIO()
    write_compliance_xlsx(
        rows,
        console.directory,
        q.year,
        out,
        tz=tz,
        through=report.data_end(tz),
        newest=newest,
    )
    name = f"bao-cao-gui-bai-{q.year}" + (f"-{q.group}" if q.group else "") + ".xlsx"
    return Response(
        out.getvalue(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition("attachment", name)},
    )
