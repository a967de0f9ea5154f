"""The administrative workbook, opened back with openpyxl and checked cell by cell.

Rows are made here (no database): a small directory with two groups and both cadences,
known counts, and a "now" in the middle of the year so that later periods are grey and
the running ones "đang thực hiện".
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.periods import period_bounds, periods_of_year
from dienhinh.report.compliance import ComplianceRow
from dienhinh.report.xlsx import (
    FILL_FUTURE,
    FILL_MET,
    FILL_MISSED,
    FILL_RUNNING,
    SHEET_DETAIL,
    SHEET_SUMMARY,
    write_compliance_xlsx,
)

TZ = "Asia/Ho_Chi_Minh"
DIRECTORY = UnitDirectory.from_mapping(
    {
        "unit": [
            {
                "code": "bac-ha",
                "name": "UBND huyện Bắc Hà",
                "group": "district",
                "cadence": "monthly",
            },
            {"code": "so-y-te", "name": "Sở Y tế", "group": "department", "cadence": "quarterly"},
            {
                "code": "sa-pa",
                "name": "UBND thị xã Sa Pa",
                "group": "district",
                "cadence": "monthly",
            },
        ]
    }
)
# received per period; approved = received // 2, published = received // 3
RECEIVED = {
    "bac-ha": [2, 0, 1, 3, 1, 0, 0, 0, 0, 0, 0, 0],
    "so-y-te": [4, 1, 0, 0],
    "sa-pa": [1, 1, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0],
}
NOW = datetime(2018, 6, 10, tzinfo=UTC)  # June is the current month; July on is future


def make_rows(year: int = 2018, now: datetime = NOW) -> list[ComplianceRow]:
    rows = []
    for u in DIRECTORY:
        for period, n in zip(periods_of_year(year, u.cadence), RECEIVED[u.code], strict=True):
            start, end = period_bounds(period, TZ)
            future = start > now
            rows.append(
                ComplianceRow(
                    unit=u.code,
                    period=period,
                    required=1,
                    received=n,
                    approved=n // 2,
                    published=n // 3,
                    met=not future and n >= 1,
                    unit_name=u.name,
                    group=u.group,
                    cadence=u.cadence,
                    start=start,
                    end=end,
                    future=future,
                    running=start <= now < end,
                )
            )
    return rows


@pytest.fixture
def sheet():
    buf = io.BytesIO()
    write_compliance_xlsx(make_rows(), DIRECTORY, 2018, buf, today=date(2018, 6, 10))
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    return wb


def _row_of(ws, text: str) -> int:
    for i in range(1, ws.max_row + 1):
        if ws.cell(row=i, column=2).value == text:
            return i
    raise AssertionError(f"{text!r} not in column B")


def test_letterhead_title_and_period(sheet):
    ws = sheet[SHEET_SUMMARY]
    assert sheet.sheetnames == [SHEET_SUMMARY, SHEET_DETAIL]
    assert ws["A1"].value == "UBND TỈNH LÀO CAI"
    assert ws["A2"].value == "SỞ NỘI VỤ - BAN THI ĐUA - KHEN THƯỞNG"
    assert ws["K1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["K2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["A4"].value == (
        "BÁO CÁO TÌNH HÌNH GỬI BÀI GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN NĂM 2018"
    )
    assert ws["A4"].font.bold and ws["A4"].font.name == "Times New Roman"
    # The year is not over: the figures go to the report's day, not to 31/12.
    assert ws["A5"].value == "Kỳ báo cáo: từ ngày 01/01/2018 đến ngày 10/06/2018"
    assert ws["D7"].value == "Quý I" and ws["M7"].value == "Quý IV"
    assert ws["D8"].value == "T1" and ws["O8"].value == "T12"
    assert ws["P8"].value == "Bài nhận" and ws["U8"].value == "Kết quả"


def test_units_grouped_with_counts_colours_and_totals(sheet):
    ws = sheet[SHEET_SUMMARY]
    # Districts first (the directory's first group), Sa Pa joins them although the
    # directory lists it after the department.
    assert ws.cell(row=9, column=1).value == "I"
    assert ws.cell(row=9, column=2).value == "CÁC HUYỆN, THÀNH PHỐ"
    bac_ha, sa_pa = _row_of(ws, "UBND huyện Bắc Hà"), _row_of(ws, "UBND thị xã Sa Pa")
    assert sa_pa == bac_ha + 1
    assert ws.cell(row=bac_ha, column=1).value == 1
    assert ws.cell(row=bac_ha, column=3).value == "Tháng"
    assert ws.cell(row=bac_ha, column=4).value == 2  # January
    assert ws.cell(row=bac_ha, column=4).fill.fgColor.rgb == "00" + FILL_MET.fgColor.rgb[-6:]
    assert ws.cell(row=bac_ha, column=5).value == 0  # February: missed, red
    assert ws.cell(row=bac_ha, column=5).fill.fgColor.rgb.endswith(FILL_MISSED.fgColor.rgb[-6:])
    # June: the running month, short so far: "đang thực hiện", not red.
    assert ws.cell(row=bac_ha, column=9).value == 0
    assert ws.cell(row=bac_ha, column=9).fill.fgColor.rgb.endswith(FILL_RUNNING.fgColor.rgb[-6:])
    assert ws.cell(row=bac_ha, column=10).value is None  # July: future, grey, empty
    assert ws.cell(row=bac_ha, column=10).fill.fgColor.rgb.endswith(FILL_FUTURE.fgColor.rgb[-6:])
    # Year columns: received, approved, published, periods met, periods due, result.
    assert [ws.cell(row=bac_ha, column=c).value for c in range(16, 22)] == [
        7,
        1 + 0 + 0 + 1 + 0,
        0 + 0 + 0 + 1 + 0,
        4,
        5,  # June is not due yet
        "Chưa đạt",  # February was missed
    ]
    # Sa Pa met every month so far and June is running: not "Chưa đạt".
    assert ws.cell(row=sa_pa, column=21).value == "Đang thực hiện"
    assert [ws.cell(row=sa_pa, column=c).value for c in (19, 20)] == [5, 5]

    subtotal = _row_of(ws, "Cộng các huyện, thành phố")
    assert subtotal == sa_pa + 1
    assert ws.cell(row=subtotal, column=4).value == 3  # January: 2 + 1
    assert ws.cell(row=subtotal, column=16).value == 7 + 6
    assert ws.cell(row=subtotal, column=21).value == "0/2 đạt"

    assert ws.cell(row=subtotal + 1, column=1).value == "II"
    so_y_te = _row_of(ws, "Sở Y tế")
    assert ws.cell(row=so_y_te, column=3).value == "Quý"
    assert ws.cell(row=so_y_te, column=4).value == 4  # Q1 in D:F merged
    assert f"D{so_y_te}:F{so_y_te}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.cell(row=so_y_te, column=7).value == 1  # Q2 (current quarter) in G:I
    assert ws.cell(row=so_y_te, column=10).value is None  # Q3: future
    assert ws.cell(row=so_y_te, column=21).value == "Đạt"  # both due quarters met

    grand = _row_of(ws, "TỔNG CỘNG")
    assert ws.cell(row=grand, column=4).value == (2 + 0 + 1) + (1 + 1 + 1) + 4  # Q1 of all
    assert ws.cell(row=grand, column=16).value == 7 + 6 + 5
    assert ws.cell(row=grand, column=21).value == "1/3 đạt"


def test_legend_date_line_and_page_setup(sheet):
    ws = sheet[SHEET_SUMMARY]
    texts = [
        ws.cell(row=i, column=c).value
        for i in range(1, ws.max_row + 1)
        for c in (1, 2, 13)
        if ws.cell(row=i, column=c).value
    ]
    assert "Đạt chỉ tiêu của kỳ" in texts and "Chưa đến kỳ báo cáo" in texts
    assert any(
        isinstance(t, str) and t.startswith("Chỉ tiêu: tối thiểu 1 bài/tháng") for t in texts
    )
    assert "Lào Cai, ngày 10 tháng 06 năm 2018" in texts
    assert "TRƯỞNG BAN" in texts and "NGƯỜI LẬP BIỂU" in texts
    assert ws.freeze_panes == "D9"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4  # "9": A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$7:$8"
    assert ws.column_dimensions["B"].width >= 30


def test_detail_sheet_lists_every_row_in_words_not_codes(sheet):
    ws = sheet[SHEET_DETAIL]
    assert [c.value for c in ws[1]] == [
        "Đơn vị",
        "Nhóm",
        "Chu kỳ",
        "Kỳ",
        "Chỉ tiêu",
        "Nhận",
        "Duyệt",
        "Đăng",
        "Kết quả",
    ]
    assert ws.max_row == 1 + 12 + 4 + 12
    assert [c.value for c in ws[2]] == [
        "UBND huyện Bắc Hà",
        "Các huyện, thành phố",
        "Tháng",
        "Tháng 1/2018",
        1,
        2,
        1,
        0,
        "Đạt",
    ]
    assert ws["I3"].value == "Chưa đạt"  # bac-ha February
    assert ws["I7"].value == "Đang thực hiện"  # bac-ha June: running
    assert ws["I8"].value == "Chưa đến kỳ"  # bac-ha July
    assert ws["I3"].fill.fgColor.rgb.endswith(FILL_MISSED.fgColor.rgb[-6:])
    assert ws["I7"].fill.fgColor.rgb.endswith(FILL_RUNNING.fgColor.rgb[-6:])
    quarters = [ws.cell(row=i, column=4).value for i in range(14, 18)]
    assert quarters == ["Quý I/2018", "Quý II/2018", "Quý III/2018", "Quý IV/2018"]
    assert ws.cell(row=15, column=1).value == "Sở Y tế"
    assert ws.cell(row=15, column=9).value == "Đạt"  # Q2 running, already met
    # No unit code or period code anywhere on the sheet.
    values = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert not values & {"bac-ha", "so-y-te", "sa-pa", "2018-01", "2018-Q1"}
    assert ws.auto_filter.ref == "A1:I29"


def test_heading_ends_at_the_newest_mail_or_the_cut_off_never_in_the_future():
    newest = datetime(2018, 6, 8, 3, 0, tzinfo=UTC)  # 08/06 10:00 in Lào Cai
    buf = io.BytesIO()
    write_compliance_xlsx(make_rows(), DIRECTORY, 2018, buf, today=date(2018, 6, 10), newest=newest)
    ws = load_workbook(io.BytesIO(buf.getvalue()))[SHEET_SUMMARY]
    assert ws["A5"].value == (
        "Kỳ báo cáo: từ ngày 01/01/2018 đến ngày 10/06/2018 (thư nhận mới nhất: ngày 08/06/2018)"
    )
    # A report's own cut-off (ComplianceReport.data_end) wins over "today".
    buf = io.BytesIO()
    write_compliance_xlsx(
        make_rows(), DIRECTORY, 2018, buf, today=date(2018, 6, 10), through=date(2018, 6, 9)
    )
    ws = load_workbook(io.BytesIO(buf.getvalue()))[SHEET_SUMMARY]
    assert ws["A5"].value == "Kỳ báo cáo: từ ngày 01/01/2018 đến ngày 09/06/2018"
    assert "31/12/2018" not in str(ws["A5"].value)


def test_report_data_end_is_the_cut_off_day_or_the_year_end():
    from dienhinh.report.compliance import ComplianceReport

    late = datetime(2018, 6, 9, 20, 0, tzinfo=UTC)  # already 10/06 in Lào Cai
    assert ComplianceReport(2018, [], cutoff=late).data_end(TZ) == date(2018, 6, 10)
    assert ComplianceReport(2017, [], cutoff=late).data_end(TZ) == date(2017, 12, 31)


def test_a_past_year_has_no_grey_and_writes_to_a_path(tmp_path):
    rows = make_rows(2017, now=datetime(2019, 1, 1, tzinfo=UTC))
    path = tmp_path / "bao-cao-2017.xlsx"
    write_compliance_xlsx(rows, DIRECTORY, 2017, path, today=date(2018, 1, 5))
    ws = load_workbook(path)[SHEET_SUMMARY]
    assert ws["A5"].value == "Kỳ báo cáo: từ ngày 01/01/2017 đến ngày 31/12/2017"
    bac_ha = _row_of(ws, "UBND huyện Bắc Hà")
    assert ws.cell(row=bac_ha, column=15).value == 0  # December 2017: missed, not future
    assert ws.cell(row=bac_ha, column=20).value == 12  # twelve periods due


def test_an_undecided_period_is_chua_ro_in_yellow(tmp_path):
    """Issue 12: Bắc Hà's February is missed but a message of it gave no article and waits
    for an editor: the cell is yellow, the detail sheet says "Chưa rõ", the year's result
    too, and the legend explains it; CSV and the terminal table carry it as well."""
    from dataclasses import replace

    from dienhinh.report.compliance import ComplianceReport
    from dienhinh.report.render import write_csv, write_table
    from dienhinh.report.xlsx import FILL_UNRESOLVED

    # February is Bắc Hà's only missing period over so far (June is running).
    waiting = {("bac-ha", "2018-02"): 2, ("bac-ha", "2018-06"): 1}
    rows = [replace(r, unresolved=waiting.get((r.unit, r.period), 0)) for r in make_rows()]
    feb = next(r for r in rows if r.unresolved == 2)
    assert feb.undecided and not feb.met and feb.as_json()["unresolved"] == 2
    buf = io.BytesIO()
    write_compliance_xlsx(rows, DIRECTORY, 2018, buf, today=date(2018, 6, 10))
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb[SHEET_SUMMARY]
    bac_ha = _row_of(ws, "UBND huyện Bắc Hà")
    assert ws.cell(row=bac_ha, column=5).fill.fgColor.rgb.endswith(FILL_UNRESOLVED.fgColor.rgb[-6:])
    assert ws.cell(row=bac_ha, column=21).value == "Chưa rõ"
    assert ws.cell(row=_row_of(ws, "UBND thị xã Sa Pa"), column=21).value != "Chưa rõ"
    legend = [ws.cell(row=i, column=2).value for i in range(1, ws.max_row + 1)]
    assert any(str(v).startswith("Chưa rõ:") for v in legend)
    assert wb[SHEET_DETAIL]["I3"].value == "Chưa rõ"  # bac-ha February

    # With May missed and nothing waiting for it, no decision can make the year: the
    # February cell stays "chưa rõ" but the year's result is "Chưa đạt".
    only_feb = [
        replace(r, received=0, met=False) if (r.unit, r.period) == ("bac-ha", "2018-05") else r
        for r in rows
    ]
    buf = io.BytesIO()
    write_compliance_xlsx(only_feb, DIRECTORY, 2018, buf, today=date(2018, 6, 10))
    wb2 = load_workbook(io.BytesIO(buf.getvalue()))
    ws2 = wb2[SHEET_SUMMARY]
    assert ws2.cell(row=_row_of(ws2, "UBND huyện Bắc Hà"), column=21).value == "Chưa đạt"
    assert wb2[SHEET_DETAIL]["I3"].value == "Chưa rõ"

    out = io.StringIO()
    write_csv(rows, out, bom=False)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("bac-ha,2018-02,"))
    assert line.endswith(",false,2")  # future, unresolved
    table = io.StringIO()
    write_table(ComplianceReport(year=2018, rows=rows), table)
    assert "0?" in table.getvalue() and "?: chưa rõ" in table.getvalue()
