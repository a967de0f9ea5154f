"""The compliance page in chromium: the grid for a year, a red cell's drill-down, a green
cell's drill-down to the article page, and the workbook downloaded and opened."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from dienhinh.report.xlsx import SHEET_SUMMARY

pytestmark = pytest.mark.browser


def test_compliance_grid_drill_down_and_workbook(
    new_page: Any, server: Any, shot: Any, tmp_path: Path
) -> None:
    page = new_page("mai")
    page.click("#nav-compliance")
    page.wait_for_url(re.compile(r".*/compliance$"))
    page.fill("#year", "2024")  # the test mail arrived in 2024
    page.click("#compliance-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*year=2024.*"))
    assert "Tình hình gửi bài năm 2024" in page.inner_text("h1")
    # The directory defines the rows: 42 units, whatever the mail.
    assert page.locator("tr.unit").count() == 42
    # The stylesheet colours the cells (class-based; CSP allows no inline style).
    red = page.locator("tr#unit-vnpt td.cell-missed").first
    assert red.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 199, 206)"
    shot(page, "compliance")

    # A red cell: nothing counted for it.
    red.locator("a.cell-link").click()
    page.wait_for_selector("#detail")
    assert "VNPT Lào Cai" in page.inner_text("#detail h2")
    assert "Không có bài nào được tính" in page.inner_text("#detail-articles")
    assert page.inner_text("#detail-received").strip() == "0"
    shot(page, "compliance-red-cell")

    # A green cell: its articles, each a link to its page.
    green = page.locator("td.cell-met a.cell-link").first
    count = int(green.locator(".received").inner_text())
    green.click()
    page.wait_for_selector("#detail-articles a")
    links = page.locator("#detail-articles tbody tr:not(.revision) a")
    assert links.count() == count >= 1
    links.first.click()
    page.wait_for_url(re.compile(r".*/articles/\d+$"))
    page.go_back()

    # The workbook of the year shown.
    with page.expect_download() as info:
        page.click("#xlsx")
    download = info.value
    assert download.suggested_filename == "bao-cao-gui-bai-2024.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    ws = load_workbook(target)[SHEET_SUMMARY]
    assert "NĂM 2024" in str(ws["A4"].value)
    names = {ws.cell(row, 2).value for row in range(1, ws.max_row + 1)}
    assert {"VNPT Lào Cai", "UBND huyện Bát Xát"} <= names
