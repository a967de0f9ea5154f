"""The compliance report as an Excel workbook laid out like a Vietnamese administrative
report, for the Board's annual report to the province.

Sheet "Tổng hợp": the two-column letterhead (issuing body | national motto), the title and
the period ("từ ngày 01/01 đến ngày ...": the year's last day once it is over, else the
report's cut-off day, never a day still to come; with the newest mail's day), then one
line per unit grouped by the directory's groups (Roman-numbered, each with a subtotal line)
and a grand total. Columns: the twelve months under their quarter; a quarterly unit's cell
spans its quarter's three months. Each cell holds the number of articles received, green
when the quota is met, red when missed, amber while the period is still running and short
("đang thực hiện": the unit still has time), grey for a period still to come; the year's
columns give received, approved, published, periods met and due, and the result. A
legend, the place-and-date line and the signature titles close it. Landscape A4, fitted to
the page width, header rows repeated on each printed page, panes frozen on the unit names
and the header.

Sheet "Chi tiết": the same figures one line per unit and period, with a filter, for
sorting and checking, in the words of the summary: unit names, "Tháng 3/2019" and
"Quý I/2019", the period's result.

Values are written, not formulas: openpyxl computes nothing, and a file whose totals only
appear after Excel recalculates shows empty totals in viewers that do not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import IO, Final
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.periods import period_label
from dienhinh.report.compliance import ComplianceRow, year_result
from dienhinh.report.labels import CADENCE_LABELS, PERIOD_STATE_LABELS, group_label, roman

__all__ = ["SHEET_DETAIL", "SHEET_SUMMARY", "write_compliance_xlsx"]

SHEET_SUMMARY: Final = "Tổng hợp"
SHEET_DETAIL: Final = "Chi tiết"
TITLE: Final = "BÁO CÁO TÌNH HÌNH GỬI BÀI GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN NĂM {year}"

FONT: Final = "Times New Roman"  # the typeface of Vietnamese administrative documents
FIRST_MONTH_COL: Final = 4  # D
YEAR_COLS: Final = ("Bài nhận", "Đã duyệt", "Đã đăng", "Số kỳ đạt", "Số kỳ đến hạn", "Kết quả")
LAST_COL: Final = FIRST_MONTH_COL + 12 + len(YEAR_COLS) - 1  # U
HEADER_ROW: Final = 7  # two header rows: 7 (quarters) and 8 (months)

_thin = Side(style="thin", color="808080")
BORDER: Final = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
FILL_MET: Final = PatternFill("solid", fgColor="C6EFCE")
FILL_MISSED: Final = PatternFill("solid", fgColor="FFC7CE")
FILL_UNRESOLVED: Final = PatternFill("solid", fgColor="FFEB9C")
FILL_RUNNING: Final = PatternFill("solid", fgColor="FFF3C4")
FILL_FUTURE: Final = PatternFill("solid", fgColor="E7E6E6")
FILL_HEADER: Final = PatternFill("solid", fgColor="DDEBF7")
FILL_GROUP: Final = PatternFill("solid", fgColor="F2F2F2")
FONT_MET: Final = "006100"
FONT_MISSED: Final = "9C0006"
FONT_UNRESOLVED: Final = "9C5700"
FONT_RUNNING: Final = "7C4A03"
FONT_FUTURE: Final = "808080"
CENTER: Final = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT: Final = Alignment(horizontal="left", vertical="center", wrap_text=True)


@lru_cache(maxsize=64)  # openpyxl styles are values: share one object per look
def _font(
    *, bold: bool = False, italic: bool = False, size: int = 11, color: str = "000000"
) -> Font:
    return Font(name=FONT, bold=bold, italic=italic, size=size, color=color)


def write_compliance_xlsx(
    rows: Sequence[ComplianceRow],
    directory: UnitDirectory,
    year: int,
    stream_or_path: str | Path | IO[bytes],
    *,
    today: date | None = None,
    tz: str = "Asia/Ho_Chi_Minh",
    through: date | None = None,
    newest: datetime | None = None,
) -> None:
    """Write the workbook. ``rows`` come from ``compliance()`` (all units or a few); the
    directory gives the order and the groups. ``today`` is the date on the signature line
    (default: today in ``tz``). ``through`` is the last day the figures cover
    (``ComplianceReport.data_end``; default: the year's last day, or ``today`` while a
    period is still running or to come); ``newest`` the newest mail's receipt time, named
    beside it when given."""
    today = today or datetime.now(ZoneInfo(tz)).date()
    if through is None:
        through = date(year, 12, 31)
        if any(r.future or r.running for r in rows):
            through = min(through, today)
    newest_day = newest.astimezone(ZoneInfo(tz)).date() if newest is not None else None
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has one sheet
    ws.title = SHEET_SUMMARY
    _summary(ws, rows, directory, year, today, through, newest_day)
    _detail(wb.create_sheet(SHEET_DETAIL), rows)
    wb.save(stream_or_path)  # openpyxl accepts a path or a binary stream


# --- the summary sheet --------------------------------------------------------------------


def _put(
    ws: Worksheet,
    row: int,
    col: int,
    value: object,
    *,
    to_col: int | None = None,
    to_row: int | None = None,
    font: Font | None = None,
    align: Alignment = CENTER,
    fill: PatternFill | None = None,
    border: bool = False,
) -> None:
    """Write one (possibly merged) cell with its style; a merged range gets the border and
    fill on every cell so it prints as one box."""
    last_col, last_row = to_col or col, to_row or row
    if (last_col, last_row) != (col, row):
        ws.merge_cells(start_row=row, start_column=col, end_row=last_row, end_column=last_col)
    ws.cell(row=row, column=col, value=value)
    for r in range(row, last_row + 1):
        for c in range(col, last_col + 1):
            cell = ws.cell(row=r, column=c)
            cell.font = font or _font()
            cell.alignment = align
            if fill is not None:
                cell.fill = fill
            if border:
                cell.border = BORDER


def _summary(
    ws: Worksheet,
    rows: Sequence[ComplianceRow],
    directory: UnitDirectory,
    year: int,
    today: date,
    through: date,
    newest: date | None,
) -> None:
    # Letterhead: the issuing body on the left, the national motto on the right.
    right = FIRST_MONTH_COL + 7  # K
    _put(ws, 1, 1, "UBND TỈNH LÀO CAI", to_col=3, font=_font(size=12))
    _put(
        ws, 2, 1, "SỞ NỘI VỤ - BAN THI ĐUA - KHEN THƯỞNG", to_col=3, font=_font(bold=True, size=12)
    )
    _put(
        ws,
        1,
        right,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        to_col=LAST_COL,
        font=_font(bold=True, size=12),
    )
    _put(
        ws, 2, right, "Độc lập - Tự do - Hạnh phúc", to_col=LAST_COL, font=_font(bold=True, size=12)
    )
    _put(ws, 4, 1, TITLE.format(year=year), to_col=LAST_COL, font=_font(bold=True, size=14))
    period = f"Kỳ báo cáo: từ ngày 01/01/{year} đến ngày {through:%d/%m/%Y}"
    if newest is not None:
        period += f" (thư nhận mới nhất: ngày {newest:%d/%m/%Y})"
    _put(ws, 5, 1, period, to_col=LAST_COL, font=_font(italic=True, size=12))

    # Header: quarters over months, then the year's columns.
    h1, h2 = HEADER_ROW, HEADER_ROW + 1
    head = _font(bold=True)
    for col, text in ((1, "STT"), (2, "Đơn vị"), (3, "Chu kỳ")):
        _put(ws, h1, col, text, to_row=h2, font=head, fill=FILL_HEADER, border=True)
    for q in range(4):
        c = FIRST_MONTH_COL + 3 * q
        _put(
            ws, h1, c, f"Quý {roman(q + 1)}", to_col=c + 2, font=head, fill=FILL_HEADER, border=True
        )
        for m in range(3):
            _put(ws, h2, c + m, f"T{3 * q + m + 1}", font=head, fill=FILL_HEADER, border=True)
    year_col = FIRST_MONTH_COL + 12
    _put(
        ws,
        h1,
        year_col,
        f"Cả năm {year}",
        to_col=LAST_COL,
        font=head,
        fill=FILL_HEADER,
        border=True,
    )
    for i, text in enumerate(YEAR_COLS):
        _put(ws, h2, year_col + i, text, font=head, fill=FILL_HEADER, border=True)

    # Units grouped by the directory's groups, in directory order.
    by_unit = {code: list(g) for code, g in groupby(rows, key=lambda r: r.unit)}
    order = [u for u in directory if u.code in by_unit]
    groups: dict[str, list[str]] = {}
    for u in order:
        groups.setdefault(u.group, []).append(u.code)
    line = h2 + 1
    number = 0
    all_units: list[list[ComplianceRow]] = []
    for gi, (group, codes) in enumerate(groups.items(), start=1):
        _put(ws, line, 1, roman(gi), font=head, fill=FILL_GROUP, border=True)
        _put(
            ws,
            line,
            2,
            group_label(group).upper(),
            to_col=LAST_COL,
            font=head,
            fill=FILL_GROUP,
            align=LEFT,
            border=True,
        )
        line += 1
        members = [by_unit[c] for c in codes]
        for unit_rows in members:
            number += 1
            _unit_line(ws, line, number, unit_rows)
            line += 1
        label = group_label(group)
        # "Cộng các sở, ban, ngành" but "Cộng Mặt trận Tổ quốc ...": proper nouns keep capitals.
        if label.startswith("Các "):
            label = "c" + label[1:]
        _total_line(ws, line, f"Cộng {label}", members)
        line += 1
        all_units.extend(members)
    _total_line(ws, line, "TỔNG CỘNG", all_units, grand=True)
    line += 2

    # Legend.
    _put(ws, line, 1, "Ghi chú:", to_col=2, font=_font(bold=True, italic=True), align=LEFT)
    line += 1
    required = {r.cadence: r.required for r in rows}
    quota = "; ".join(
        f"tối thiểu {n} bài/{CADENCE_LABELS[c].lower()} đối với "
        + ("các huyện, thành phố" if c == "monthly" else "các đơn vị khác")
        for c, n in sorted(required.items())
    )
    notes = [
        (
            None,
            "Số trong ô: số bài Ban nhận được trong kỳ (không tính bài trùng, bài bị từ "
            "chối; bản sửa tính chung với bài gốc). Kỳ tính theo ngày Ban nhận thư.",
        ),
        (None, f"Chỉ tiêu: {quota}."),
        ((FILL_MET, FONT_MET), "Đạt chỉ tiêu của kỳ"),
        ((FILL_MISSED, FONT_MISSED), "Chưa đạt chỉ tiêu của kỳ"),
        (
            (FILL_UNRESOLVED, FONT_UNRESOLVED),
            "Chưa rõ: có thư không ra bài, chờ Ban xem và quyết định",
        ),
        (
            (FILL_RUNNING, FONT_RUNNING),
            "Đang thực hiện: kỳ chưa kết thúc, số bài nhận đến ngày lập báo cáo",
        ),
        ((FILL_FUTURE, FONT_FUTURE), "Chưa đến kỳ báo cáo"),
    ]
    for swatch, text in notes:
        if swatch is not None:
            _put(ws, line, 1, "", fill=swatch[0], border=True)
        _put(ws, line, 2, text, to_col=LAST_COL, font=_font(italic=True), align=LEFT)
        line += 1

    # Place and date, then who signs.
    line += 1
    sign = FIRST_MONTH_COL + 9  # M
    _put(
        ws,
        line,
        sign,
        f"Lào Cai, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        to_col=LAST_COL,
        font=_font(italic=True, size=12),
    )
    line += 1
    _put(ws, line, 1, "NGƯỜI LẬP BIỂU", to_col=3, font=_font(bold=True, size=12))
    _put(ws, line, sign, "TRƯỞNG BAN", to_col=LAST_COL, font=_font(bold=True, size=12))

    # Widths, frozen panes, printing.
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 7
    for c in range(FIRST_MONTH_COL, FIRST_MONTH_COL + 12):
        ws.column_dimensions[get_column_letter(c)].width = 5
    for c in range(year_col, LAST_COL + 1):
        ws.column_dimensions[get_column_letter(c)].width = 9
    ws.column_dimensions[get_column_letter(LAST_COL)].width = 11  # "20/42 đạt"
    ws.row_dimensions[4].height = 36
    ws.row_dimensions[h2].height = 30
    ws.freeze_panes = f"{get_column_letter(FIRST_MONTH_COL)}{h2 + 1}"
    ws.print_title_rows = f"{h1}:{h2}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


# A period's fill and font colour by ComplianceRow.state.
_LOOKS: Final = {
    "met": (FILL_MET, FONT_MET),
    "missed": (FILL_MISSED, FONT_MISSED),
    "unresolved": (FILL_UNRESOLVED, FONT_UNRESOLVED),
    "running": (FILL_RUNNING, FONT_RUNNING),
    "future": (FILL_FUTURE, FONT_FUTURE),
}


def _period_cols(period: str) -> tuple[int, int]:
    """First and last column of a period: one month, or a quarter's three months."""
    if "-Q" in period:
        q = int(period[-1]) - 1
        return FIRST_MONTH_COL + 3 * q, FIRST_MONTH_COL + 3 * q + 2
    m = int(period[5:]) - 1
    return FIRST_MONTH_COL + m, FIRST_MONTH_COL + m


def _unit_line(ws: Worksheet, line: int, number: int, unit_rows: list[ComplianceRow]) -> None:
    first = unit_rows[0]
    _put(ws, line, 1, number, border=True)
    _put(ws, line, 2, first.unit_name, align=LEFT, border=True)
    _put(ws, line, 3, CADENCE_LABELS.get(first.cadence, first.cadence), border=True)
    for r in unit_rows:
        start, end = _period_cols(r.period)
        fill, color = _LOOKS[r.state]
        value = None if r.future else r.received
        _put(
            ws,
            line,
            start,
            value,
            to_col=end,
            font=_font(bold=True, color=color),
            fill=fill,
            border=True,
        )
    due = [r for r in unit_rows if r.due]
    values = (
        sum(r.received for r in unit_rows),
        sum(r.approved for r in unit_rows),
        sum(r.published for r in unit_rows),
        sum(r.met for r in due),
        len(due),
        year_result(unit_rows),
    )
    for i, v in enumerate(values):
        _put(ws, line, FIRST_MONTH_COL + 12 + i, v, border=True)


def _total_line(
    ws: Worksheet, line: int, label: str, units: list[list[ComplianceRow]], *, grand: bool = False
) -> None:
    """Sums over ``units``: per month when they all report monthly, else per quarter."""
    font = _font(bold=True, size=12 if grand else 11)
    fill = FILL_HEADER if grand else None
    _put(ws, line, 1, "", fill=fill, border=True)
    _put(ws, line, 2, label, to_col=3, font=font, align=LEFT, fill=fill, border=True)
    flat = [r for u in units for r in u]
    monthly = all(r.cadence == "monthly" for r in flat)
    buckets = 12 if monthly else 4
    sums: list[int | None] = [None] * buckets  # None: every period in it is still to come
    for r in flat:
        start, _end = _period_cols(r.period)
        idx = start - FIRST_MONTH_COL
        b = idx if monthly else idx // 3
        if not r.future:
            sums[b] = (sums[b] or 0) + r.received
    for b in range(buckets):
        start = FIRST_MONTH_COL + (b if monthly else 3 * b)
        _put(
            ws,
            line,
            start,
            sums[b],
            to_col=start if monthly else start + 2,
            font=font,
            fill=fill,
            border=True,
        )
    done = sum(1 for u in units if year_result(u) == "Đạt")
    values = (
        sum(r.received for r in flat),
        sum(r.approved for r in flat),
        sum(r.published for r in flat),
        sum(r.met for r in flat if r.due),
        sum(r.due for r in flat),
        f"{done}/{len(units)} đạt",
    )
    for i, v in enumerate(values):
        _put(ws, line, FIRST_MONTH_COL + 12 + i, v, font=font, fill=fill, border=True)


# --- the detail sheet ----------------------------------------------------------------------


def _detail(ws: Worksheet, rows: Sequence[ComplianceRow]) -> None:
    heads = ("Đơn vị", "Nhóm", "Chu kỳ", "Kỳ", "Chỉ tiêu", "Nhận", "Duyệt", "Đăng", "Kết quả")
    for c, text in enumerate(heads, start=1):
        _put(ws, 1, c, text, font=_font(bold=True), fill=FILL_HEADER, border=True)
    for i, r in enumerate(rows, start=2):
        values = (
            r.unit_name,
            group_label(r.group),
            CADENCE_LABELS.get(r.cadence, r.cadence),
            period_label(r.period),
            r.required,
            r.received,
            r.approved,
            r.published,
            PERIOD_STATE_LABELS[r.state],
        )
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=i, column=c, value=v)
            cell.font = _font()
            cell.border = BORDER
        result = ws.cell(row=i, column=len(heads))
        result.fill, color = _LOOKS[r.state]
        result.font = _font(color=color)
    for c, width in enumerate((40, 30, 8, 14, 9, 8, 8, 8, 16), start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{max(len(rows) + 1, 2)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
