"""The console's year result for a unit (issue 12): "Chưa rõ" only while the undecided
messages could still make the year; one missed period with nothing waiting for it makes the
year "Chưa đạt" whatever editors decide."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dienhinh.report.compliance import ComplianceRow
from dienhinh.report.periods import period_bounds
from dienhinh.review.views.compliance import _unit_line

TZ = "Asia/Ho_Chi_Minh"
NOW = datetime(2024, 4, 15, tzinfo=UTC)  # April running: January to April are due


def _rows(received: list[int]) -> list[ComplianceRow]:
    rows = []
    for month, n in enumerate(received, start=1):
        period = f"2024-{month:02d}"
        start, end = period_bounds(period, TZ)
        future = start > NOW
        rows.append(
            ComplianceRow(
                unit="bat-xat",
                period=period,
                required=1,
                received=n,
                approved=n,
                published=0,
                met=not future and n >= 1,
                unit_name="UBND huyện Bát Xát",
                group="huyen",
                cadence="monthly",
                start=start,
                end=end,
                future=future,
            )
        )
    return rows


def _with_waiting(rows: list[ComplianceRow], *periods: str) -> list[ComplianceRow]:
    return [replace(r, unresolved=1) if r.period in periods else r for r in rows]


def test_every_missing_period_waiting_reads_chua_ro() -> None:
    rows = _with_waiting(_rows([1, 0, 1, 0] + [0] * 8), "2024-02", "2024-04")
    assert _unit_line(1, rows, NOW).result == "Chưa rõ"


def test_one_missing_period_without_a_waiting_message_is_chua_dat() -> None:
    rows = _with_waiting(_rows([1, 0, 1, 0] + [0] * 8), "2024-02")
    line = _unit_line(1, rows, NOW)
    assert line.result == "Chưa đạt"
    feb = next(c for c in line.cells if c.period == "2024-02")
    assert feb.unresolved == 1  # the month itself still shows what waits


def test_nothing_waiting_and_all_met_is_dat() -> None:
    assert _unit_line(1, _rows([1, 1, 2, 1] + [0] * 8), NOW).result == "Đạt"
