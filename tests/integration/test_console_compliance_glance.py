"""Compliance at a glance (issue 13), over HTTP on SQLite and PostgreSQL: "Chỉ đơn vị chưa
đạt", the running month and quarter marked and summed up first, a period not over shown
"đang thực hiện" (never red "chưa đạt"), and the workbook's heading ending at the data's
real end with its detail sheet in words, not codes.

The archive of test_console_compliance.py, plus articles of this year written here relative
to today, so the running period is real whatever day the suite runs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from starlette.testclient import TestClient
from test_console_compliance import Archive, _write, grid

from consolekit import TEST_REVIEW, add_user, login
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.publish import config as publish_config
from dienhinh.report.xlsx import SHEET_DETAIL, SHEET_SUMMARY
from dienhinh.review.app import create_app
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message
from helpers import ENGINES

ICT = timezone(timedelta(hours=7))
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def archive(make_config: Callable[..., Any]) -> Iterator[Archive]:
    """test_console_compliance.py's archive (2023-2025), written the same way."""
    config = make_config(publish={"targets": ["feed"]})
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    ids = _write(engine)
    add_user(engine, "mai")
    assert config.tagging is not None
    yield Archive(config, engine, UnitDirectory.load(config.tagging.units_file), ids)
    publish_config.reset()


@pytest.fixture
def client_for(archive: Archive) -> Iterator[Callable[..., TestClient]]:
    app = create_app(archive.config, engine=archive.engine, review=TEST_REVIEW)
    clients: list[TestClient] = []

    def make(user: str = "mai") -> TestClient:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.__enter__()
        clients.append(c)
        assert login(c, user, follow=False).status_code == 303
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _add(archive: Archive, unit: str, when: datetime, label: str) -> None:
    with Session(archive.engine) as s:
        n = s.query(Message).count() + 1000
        msg = Message(
            message_id=f"glance-{n}@laocai.gov.vn",
            sha256=f"{n:064x}",
            body_sha256=f"{n:064x}",
            size=1000,
            received_at=when,
            status="ingested",
            unit=unit,
            subject=f"Thư {label}",
        )
        s.add_all(
            [
                msg,
                Article(
                    message=msg,
                    ordinal=1,
                    source="text",
                    status="pending-review",
                    unit=unit,
                    title=f"Bài {label}",
                ),
            ]
        )
        s.commit()


def _result(html: str, unit: str) -> str:
    return grid(html)[unit][1][-1]


def test_only_missed_units_filter(client_for: Any, archive: Archive) -> None:
    # Bát Xát meets every month of 2024; everyone else misses at least one.
    for month in range(1, 13):
        _add(archive, "bat-xat", datetime(2024, month, 10, 9, tzinfo=ICT), f"bx-{month}")
    c = client_for()
    page = c.get("/compliance?year=2024").text
    assert 'id="only-missed"' in page and "Chỉ đơn vị chưa đạt" in page
    assert 'id="only-missed" checked' not in page
    everyone = grid(page)
    assert len(everyone) == 42 and _result(page, "bat-xat") == "Đạt"

    page = c.get("/compliance?year=2024&missed=1").text
    assert 'id="only-missed" checked' in page
    shown = grid(page)
    assert "bat-xat" not in shown and "bac-ha" in shown
    assert len(shown) == 41
    assert all(figs[-1] == "Chưa đạt" for _cells, figs in shown.values())
    assert "Đang chỉ hiện 41/42 đơn vị chưa đạt" in page
    # The filter stays on when moving between years, groups and cells.
    assert 'href="/compliance?year=2023&amp;missed=1"' in page
    assert re.search(r'href="/compliance\?year=2024&amp;group=district&amp;missed=1"', page)
    cell = shown["bac-ha"][0]["2024-03"]
    assert "missed=1" in cell.link
    # The totals are those of the units shown: Bát Xát's twelve articles are not in them.
    sums = re.search(r'id="grand-total">(.*?)</tr>', page, re.S).group(1)
    assert "0/41 đạt" in sums

    # A group where nobody is behind says so instead of an empty table.
    for month in range(1, 13):
        for code in ("tp-lao-cai", "muong-khuong", "si-ma-cai", "bac-ha", "bao-thang"):
            _add(archive, code, datetime(2024, month, 11, 9, tzinfo=ICT), f"{code}-{month}")
        for code in ("bao-yen", "sa-pa", "van-ban"):
            _add(archive, code, datetime(2024, month, 11, 9, tzinfo=ICT), f"{code}-{month}")
    page = c.get("/compliance?year=2024&group=district&missed=1").text
    assert grid(page) == {}
    assert 'id="no-units"' in page and "Không có đơn vị nào chưa đạt trong năm 2024" in page


def test_the_running_period_is_dang_thuc_hien_marked_and_summed_up_first(
    client_for: Any, archive: Archive
) -> None:
    now = datetime.now(TZ)
    year, month = now.year, now.month
    quarter = (month - 1) // 3 + 1
    # Bát Xát sent every past month of this year and nothing yet this month; Sa Pa sent
    # this month too; Sở Y tế sent in this quarter already.
    for m in range(1, month):
        for code in ("bat-xat", "sa-pa"):
            _add(archive, code, datetime(year, m, 2, 9, tzinfo=ICT), f"{code}-{m}")
    _add(archive, "sa-pa", now - timedelta(minutes=5), "sa-pa-now")
    _add(archive, "so-y-te", now - timedelta(minutes=5), "syt-now")
    c = client_for()
    page = c.get("/compliance").text
    g = grid(page)
    running = g["bat-xat"][0][f"{year}-{month:02d}"]
    assert "cell-current" in running.classes and "cell-open" in running.classes
    assert "cell-missed" not in running.classes
    assert _result(page, "bat-xat") == "Đang thực hiện"
    assert f"{month - 1}/{month - 1}" == g["bat-xat"][1][3]  # the running month is not due
    assert 'class="fig result running"' in page
    assert _result(page, "sa-pa") == "Đạt"
    assert "cell-met" in g["sa-pa"][0][f"{year}-{month:02d}"].classes
    if month > 1:  # every other district missed January at least
        assert _result(page, "bac-ha") == "Chưa đạt"

    # The running month and quarter are marked in the header, and summed up above it.
    assert re.search(
        rf'<th class="month current-period" aria-current="date"[^>]*>T{month}</th>', page
    )
    roman = ("I", "II", "III", "IV")[quarter - 1]
    assert re.search(
        rf'<th colspan="3" class="quarter current-period" aria-current="date">Quý {roman}</th>',
        page,
    )
    assert page.count('aria-current="date"') == 2
    line = re.search(r'id="current-periods">(.*?)</p>', page, re.S).group(1)
    assert f"Tháng {month}/{year}: 1/9 đơn vị đã đủ chỉ tiêu" in line
    assert f"Quý {roman}/{year}: 1/33 đơn vị đã đủ chỉ tiêu" in line
    assert page.index('id="current-periods"') < page.index('id="compliance"')
    # Another year has no running period: nothing marked, no line.
    other = c.get(f"/compliance?year={year - 1}").text
    assert 'aria-current="date"' not in other and 'id="current-periods"' not in other

    # The missed filter keeps Bắc Hà (January missed) but not Bát Xát (only running short).
    shown = grid(c.get("/compliance?missed=1").text)
    assert "bat-xat" not in shown and "sa-pa" not in shown
    if month > 1:
        assert "bac-ha" in shown


def test_the_workbook_heading_ends_at_the_data_and_its_detail_sheet_is_in_words(
    client_for: Any, archive: Archive
) -> None:
    c = client_for()
    # A year that is over: to its last day, with the newest mail's day.
    ws = load_workbook(io.BytesIO(c.get("/compliance.xlsx?year=2024").content))
    assert ws[SHEET_SUMMARY]["A5"].value == (
        "Kỳ báo cáo: từ ngày 01/01/2024 đến ngày 31/12/2024 (thư nhận mới nhất: ngày 28/12/2024)"
    )
    detail = ws[SHEET_DETAIL]
    assert detail["A1"].value == "Đơn vị" and detail["D1"].value == "Kỳ"
    rows = [[cell.value for cell in row] for row in detail.iter_rows(min_row=2)]
    bac_ha_march = next(r for r in rows if r[0] == "UBND huyện Bắc Hà" and r[3] == "Tháng 3/2024")
    assert bac_ha_march[5] == 2 and bac_ha_march[-1] == "Đạt"
    syt = [r[3] for r in rows if r[0] == "Sở Y tế"]
    assert syt == ["Quý I/2024", "Quý II/2024", "Quý III/2024", "Quý IV/2024"]
    assert not any(r[0] == "bac-ha" or str(r[3]).startswith("2024-") for r in rows)

    # This year: to today, never the year's end still to come; the running month is
    # "Đang thực hiện" in the detail sheet.
    now = datetime.now(TZ)
    _add(archive, "bac-ha", now - timedelta(minutes=5), "bh-now")
    ws = load_workbook(io.BytesIO(c.get("/compliance.xlsx").content))
    heading = ws[SHEET_SUMMARY]["A5"].value
    assert heading == (
        f"Kỳ báo cáo: từ ngày 01/01/{now.year} đến ngày {now:%d/%m/%Y} "
        f"(thư nhận mới nhất: ngày {now - timedelta(minutes=5):%d/%m/%Y})"
    )
    if now.month < 12 or now.day < 31:
        assert f"31/12/{now.year}" not in heading
    rows = [[cell.value for cell in row] for row in ws[SHEET_DETAIL].iter_rows(min_row=2)]
    running = next(
        r for r in rows if r[0] == "UBND huyện Bát Xát" and r[3] == f"Tháng {now.month}/{now.year}"
    )
    assert running[-1] == "Đang thực hiện"
    assert "Chưa đạt" not in {r[-1] for r in rows if r[3] == f"Tháng {now.month}/{now.year}"}
