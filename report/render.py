"""Text forms of a compliance report: the JSON contract, CSV for spreadsheets, a table."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from itertools import groupby
from typing import Final, TextIO

from dienhinh.report.compliance import ComplianceReport, ComplianceRow
from dienhinh.report.labels import CADENCE_LABELS, group_label, roman

__all__ = ["CSV_FIELDS", "write_csv", "write_json", "write_table"]

# The contract's keys first, in its order, then what a person filtering in Excel wants.
CSV_FIELDS: Final = (
    "unit",
    "period",
    "required",
    "received",
    "approved",
    "published",
    "met",
    "unit_name",
    "group",
    "cadence",
    "future",
    "unresolved",
)
BOM: Final = "\ufeff"
# The terminal's colour and, without colours, the mark after the count, by row state.
_LOOKS: Final = {
    "met": ("green", ""),
    "missed": ("red", "!"),
    "unresolved": ("yellow", "?"),
    "running": ("blue", "~"),
    "future": ("dim", ""),
}


def write_json(rows: Sequence[ComplianceRow], out: TextIO) -> None:
    """The contract: a list of ``{"unit", "period", "required", "received", "approved",
    "published", "met"}`` objects, nothing else."""
    json.dump([r.as_json() for r in rows], out, ensure_ascii=False, indent=1)
    out.write("\n")


def write_csv(rows: Sequence[ComplianceRow], out: TextIO, *, bom: bool = True) -> None:
    """One line per unit and period. ``out`` should be opened with ``newline=""``.

    The byte-order mark is what makes Excel read the file as UTF-8 (without it, Vietnamese
    names come out as mojibake in the Windows code page)."""
    if bom:
        out.write(BOM)
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_FIELDS)
    for r in rows:
        w.writerow(
            [
                r.unit,
                r.period,
                r.required,
                r.received,
                r.approved,
                r.published,
                "true" if r.met else "false",
                r.unit_name,
                r.group,
                r.cadence,
                "true" if r.future else "false",
                r.unresolved,
            ]
        )


def write_table(report: ComplianceReport, out: TextIO) -> None:
    """A readable grid on the terminal: one table per cadence (monthly units have twelve
    columns, quarterly ones four), each cell the number received, green when the quota is
    met, red when missed, dim for a period still to come. Without a terminal the same grid
    is printed without colours, as wide as it needs."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    tty = out.isatty()
    console = Console(file=out, width=None if tty else 200, no_color=not tty, highlight=False)
    rows = report.rows
    by_unit = [list(g) for _k, g in groupby(rows, key=lambda r: r.unit)]
    console.print(
        Text(
            f"Tình hình gửi bài giới thiệu gương điển hình tiên tiến năm {report.year}",
            style="bold",
        )
    )
    for cadence in ("monthly", "quarterly"):
        units = [u for u in by_unit if u[0].cadence == cadence]
        if not units:
            continue
        required = units[0][0].required
        table = Table(
            title=f"Đơn vị báo cáo theo {CADENCE_LABELS[cadence].lower()} "
            f"(chỉ tiêu: {required} bài/{CADENCE_LABELS[cadence].lower()})",
            title_justify="left",
        )
        table.add_column("Mã")
        table.add_column("Đơn vị")
        for r in units[0]:
            q = r.period.split("-Q")
            table.add_column(
                f"Q{roman(int(q[1]))}" if len(q) == 2 else f"T{int(r.period[5:])}",
                justify="right",
            )
        for head in ("Nhận", "Duyệt", "Đăng", "Đạt"):
            table.add_column(head, justify="right")
        group = None
        for unit_rows in units:
            first = unit_rows[0]
            if first.group != group:
                group = first.group
                table.add_row("", Text(group_label(group), style="bold italic"))
            cells: list[Text | str] = [first.unit, first.unit_name]
            for r in unit_rows:
                style, mark = _LOOKS[r.state]
                # Without colours a missed period must still show: "0!" ("0?": chưa rõ,
                # "0~": đang thực hiện, the period is not over).
                cells.append(
                    Text("·" if r.future else f"{r.received}{'' if tty else mark}", style=style)
                )
            due = [r for r in unit_rows if r.due]
            cells += [
                str(sum(r.received for r in unit_rows)),
                str(sum(r.approved for r in unit_rows)),
                str(sum(r.published for r in unit_rows)),
                f"{sum(r.met for r in due)}/{len(due)}",
            ]
            table.add_row(*cells)
        console.print(table)
    console.print(
        "Số trong ô: số bài đã nhận; "
        + (
            "xanh: đạt chỉ tiêu, đỏ: chưa đạt, vàng: chưa rõ (thư không ra bài chờ quyết định), "
            "xanh dương: đang thực hiện (kỳ chưa kết thúc)"
            if tty
            else "!: chưa đạt chỉ tiêu, ?: chưa rõ (thư không ra bài chờ quyết định), "
            "~: đang thực hiện (kỳ chưa kết thúc)"
        )
        + ", ·: chưa đến kỳ."
    )
    if report.unattributed:
        console.print(
            f"{report.unattributed} bài chưa xác định đơn vị gửi, chưa được tính "
            "(gán đơn vị bằng `dienhinh assign`)."
        )
