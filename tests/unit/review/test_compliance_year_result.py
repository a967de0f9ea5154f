"""The console's year result for a unit (issues 12 and 13): "Chưa rõ" only while the
undecided messages could still make the year; one missed period with nothing waiting for it
makes the year "Chưa đạt" whatever editors decide; a period not over yet is "đang thực
hiện", never "chưa đạt", in the cell, in the year's figures and in the result."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.periods import period_bounds
from dienhinh.report.compliance import ComplianceRow
from dienhinh.review.views.compliance import (
    _unit_line,
    build_grid,
    missed_units,
    running_periods,
)

TZ = "Asia/Ho_Chi_Minh"
NOW = datetime(2024, 4, 15, tzinfo=UTC)  # April running: January to March are over


def _rows(received: list[int], unit: str = "bat-xat") -> list[ComplianceRow]:
    rows = []
    for month, n in enumerate(received, start=1):
        period = f"2024-{month:02d}"
        start, end = period_bounds(period, TZ)
        future = start > NOW
        rows.append(
            ComplianceRow(
                unit=unit,
                period=period,
                required=1,
                received=n,
                approved=n,
                published=0,
                met=not future and n >= 1,
                unit_name=f"UBND huyện {unit}",
                group="district",
                cadence="monthly",
                start=start,
                end=end,
                future=future,
                running=start <= NOW < end,
            )
        )
    return rows


def _with_waiting(rows: list[ComplianceRow], *periods: str) -> list[ComplianceRow]:
    return [replace(r, unresolved=1) if r.period in periods else r for r in rows]


def test_every_missing_period_waiting_reads_chua_ro() -> None:
    rows = _with_waiting(_rows([1, 0, 0, 0] + [0] * 8), "2024-02", "2024-03")
    assert _unit_line(1, rows).result == "Chưa rõ"


def test_one_missing_period_without_a_waiting_message_is_chua_dat() -> None:
    rows = _with_waiting(_rows([1, 0, 0, 1] + [0] * 8), "2024-02")
    line = _unit_line(1, rows)
    assert line.result == "Chưa đạt" and line.result_css == "bad"
    feb = next(c for c in line.cells if c.period == "2024-02")
    assert feb.unresolved == 1  # the month itself still shows what waits


def test_nothing_waiting_and_all_met_is_dat() -> None:
    assert _unit_line(1, _rows([1, 1, 2, 1] + [0] * 8)).result == "Đạt"


def test_a_running_period_short_of_its_quota_is_dang_thuc_hien_not_chua_dat() -> None:
    line = _unit_line(1, _rows([1, 1, 2, 0] + [0] * 8))
    april = next(c for c in line.cells if c.period == "2024-04")
    assert april.state == "current-open" and "cell-missed" not in april.css
    assert "đang thực hiện" in april.title
    assert line.result == "Đang thực hiện" and line.result_css == "running"
    assert (line.year.met, line.year.due) == (3, 3)  # April is not due yet
    # Reached early, it counts: met and due.
    line = _unit_line(1, _rows([1, 1, 2, 1] + [0] * 8))
    assert (line.year.met, line.year.due) == (4, 4)
    # Even waiting messages in the running month do not make it "chưa rõ".
    line = _unit_line(1, _with_waiting(_rows([1, 1, 2, 0] + [0] * 8), "2024-04"))
    assert line.result == "Đang thực hiện"


def test_the_missed_filter_keeps_chua_dat_units_and_the_running_line_counts() -> None:
    directory = UnitDirectory.from_mapping(
        {
            "unit": [
                {"code": c, "name": f"UBND huyện {c}", "group": "district", "cadence": "monthly"}
                for c in ("a", "b", "c")
            ]
        }
    )
    rows = (
        _rows([1, 0, 1, 1] + [0] * 8, "a")  # February missed: Chưa đạt
        + _rows([1, 1, 1, 0] + [0] * 8, "b")  # April running, short: Đang thực hiện
        + _rows([1, 1, 1, 1] + [0] * 8, "c")  # Đạt so far
    )
    grid = build_grid(rows, directory, 2024)
    assert [u.result for u in grid.groups[0].units] == ["Chưa đạt", "Đang thực hiện", "Đạt"]
    assert missed_units(grid) == {"a"}
    assert grid.total.done == 1
    (april,) = running_periods(rows)
    assert (april.label, april.met, april.units) == ("Tháng 4/2024", 2, 3)
