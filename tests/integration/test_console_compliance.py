"""The console's compliance page, its drill-down and workbook, and the audit page, over HTTP
on SQLite and PostgreSQL.

The archive is written with the real models over three years (2023-2025) for the shipped
directory (42 units): a district that meets some months and misses others, a receipt in
the first hours of April (still March in UTC), duplicates and rejected articles that must
not count, a correction sent in January for a December article, quarterly units, and
units that never sent anything. Expected figures are written next to the data; the grid
is also checked cell by cell against ``compliance()`` (the report's JSON contract).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import PASSWORD, TEST_REVIEW, add_user, csrf_of, login, version_of
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.publish import config as publish_config
from dienhinh.report.compliance import compliance
from dienhinh.report.xlsx import SHEET_SUMMARY
from dienhinh.review.app import create_app
from dienhinh.review.auth import UNKNOWN_LOGIN
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, AuditLog, Message
from helpers import ENGINES

ICT = timezone(timedelta(hours=7))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Archive:
    config: Any
    engine: Any
    directory: UnitDirectory
    ids: dict[str, int] = field(default_factory=dict)  # label -> article id


def _write(engine: Any) -> dict[str, int]:
    n = 0
    ids: dict[str, int] = {}
    with Session(engine) as s:

        def art(label: str, unit: str, when: datetime, status: str, **extra: Any) -> Article:
            nonlocal n
            n += 1
            msg = Message(
                message_id=f"c-{n}@laocai.gov.vn",
                sha256=f"{n:064x}",
                body_sha256=f"{n:064x}",
                size=1000,
                received_at=when,
                status="ingested",
                unit=unit,
                subject=f"Thư {label}",
            )
            a = Article(
                message=msg,
                ordinal=1,
                source="text",
                status=status,
                unit=unit,
                title=f"Bài {label}",
                **extra,
            )
            s.add_all([msg, a])
            s.flush()
            ids[label] = a.id
            return a

        # Bắc Hà (monthly): March 2024 met twice over, April missed (only a rejected one).
        art("bh-mar-1", "bac-ha", datetime(2024, 3, 5, 9, tzinfo=ICT), "approved")
        orig = art("bh-mar-2", "bac-ha", datetime(2024, 3, 20, 9, tzinfo=ICT), "published")
        art(
            "bh-mar-dup",
            "bac-ha",
            datetime(2024, 3, 21, 9, tzinfo=ICT),
            "duplicate",
            duplicate_of_id=orig.id,
        )
        art("bh-apr-rej", "bac-ha", datetime(2024, 4, 10, 9, tzinfo=ICT), "rejected")
        # Bát Xát: 05:00 on April 1st local is still March 31st in UTC: April.
        art("bx-apr", "bat-xat", datetime(2024, 4, 1, 5, tzinfo=ICT), "pending-review")
        # A December article rejected, its correction (January) approved: one submission,
        # December, approved.
        dec = art("bh-dec", "bac-ha", datetime(2024, 12, 28, 9, tzinfo=ICT), "rejected")
        art(
            "bh-dec-fix",
            "bac-ha",
            datetime(2025, 1, 3, 9, tzinfo=ICT),
            "approved",
            revision_of_id=dec.id,
        )
        # Sở Y tế (quarterly): Q2 2024 met, published.
        art("syt-q2", "so-y-te", datetime(2024, 5, 15, 9, tzinfo=ICT), "published")
        # Other years must not leak into 2024.
        art("bh-2023", "bac-ha", datetime(2023, 3, 5, 9, tzinfo=ICT), "approved")
        art("syt-2025", "so-y-te", datetime(2025, 2, 1, 9, tzinfo=ICT), "pending-review")
        # An article of nobody's unit: counted for nobody, reported as unattributed.
        art("unknown", "khong-ro", datetime(2024, 6, 1, 9, tzinfo=ICT), "pending-review")
        s.commit()
    return ids


@pytest.fixture
def archive(make_config: Callable[..., Any]) -> Iterator[Archive]:
    config = make_config(publish={"targets": ["feed"]})
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    ids = _write(engine)
    add_user(engine, "mai")
    add_user(engine, "quan", role="admin")
    assert config.tagging is not None
    yield Archive(config, engine, UnitDirectory.load(config.tagging.units_file), ids)
    publish_config.reset()


@pytest.fixture
def client_for(archive: Archive) -> Iterator[Callable[..., TestClient]]:
    app = create_app(archive.config, engine=archive.engine, review=TEST_REVIEW)
    clients: list[TestClient] = []

    def make(user: str | None = "mai") -> TestClient:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.__enter__()
        clients.append(c)
        if user:
            assert login(c, user, follow=False).status_code == 303
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


# --- reading the grid back ------------------------------------------------------------------

_ROW = re.compile(r'<tr class="unit" id="unit-([\w-]+)"[^>]*>(.*?)</tr>', re.S)
_CELL = re.compile(
    r'<td colspan="(\d)" class="([^"]+)" data-period="([^"]+)" title="([^"]*)">(.*?)</td>', re.S
)
_FIG = re.compile(r'<td class="fig[^"]*">([^<]*)</td>', re.S)


@dataclass
class GridCell:
    span: int
    classes: set[str]
    period: str
    title: str
    body: str

    @property
    def received(self) -> int | None:
        m = re.search(r'class="received">(\d+)<', self.body)
        return int(m.group(1)) if m else None

    @property
    def small(self) -> str:
        m = re.search(r'class="ap">([^<]*)<', self.body)
        return m.group(1) if m else ""

    @property
    def link(self) -> str:
        m = re.search(r'href="([^"]+)"', self.body)
        return m.group(1).replace("&amp;", "&") if m else ""


def grid(html: str) -> dict[str, tuple[dict[str, GridCell], list[str]]]:
    """unit -> ({period: cell}, [year figures: received, approved, published, met/due,
    result])."""
    out = {}
    for code, body in _ROW.findall(html):
        cells = {
            p: GridCell(int(span), set(cls.split()), p, title, inner)
            for span, cls, p, title, inner in _CELL.findall(body)
        }
        out[code] = (cells, [f.strip() for f in _FIG.findall(body)])
    return out


def _total(html: str, row_id: str) -> tuple[list[str], list[str]]:
    m = re.search(rf'<tr class="[\w-]+" id="{row_id}">(.*?)</tr>', html, re.S)
    assert m, row_id
    sums = re.findall(r'<td colspan="\d" class="sum">([^<]*)</td>', m.group(1))
    return sums, [f.strip() for f in _FIG.findall(m.group(1))]


# --- the grid -------------------------------------------------------------------------------


def test_grid_cells_colours_counts_zero_rows_and_totals(client_for: Any, archive: Archive) -> None:
    c = client_for()
    r = c.get("/compliance?year=2024")
    assert r.status_code == 200
    g = grid(r.text)
    # The directory defines the rows: every unit, in directory order, including those
    # that never sent anything.
    assert list(g) == [u.code for u in archive.directory]
    assert len(g) == 42

    bh, bh_year = g["bac-ha"]
    assert len(bh) == 12 and all(cell.span == 1 for cell in bh.values())
    march = bh["2024-03"]
    assert {"cell", "cell-met"} <= march.classes
    assert march.received == 2 and march.small == "2/1"  # the duplicate is not counted
    assert "nhận 2, đã duyệt 2, đã đăng 1" in march.title
    assert march.link.startswith("/compliance?year=2024&unit=bac-ha&period=2024-03")
    april = bh["2024-04"]
    assert "cell-missed" in april.classes and april.received == 0  # rejected: not counted
    december = bh["2024-12"]
    assert "cell-met" in december.classes and december.received == 1 and december.small == "1/0"
    # Year: received 3 (2 + the corrected December one), approved 3, published 1; 2 of 12.
    assert bh_year == ["3", "3", "1", "2/12", "Chưa đạt"]

    bx, _ = g["bat-xat"]
    assert bx["2024-04"].received == 1 and "cell-met" in bx["2024-04"].classes
    assert bx["2024-03"].received == 0 and "cell-missed" in bx["2024-03"].classes

    syt, syt_year = g["so-y-te"]
    assert list(syt) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert all(cell.span == 3 for cell in syt.values())  # a quarter spans its months
    assert "cell-met" in syt["2024-Q2"].classes and syt["2024-Q2"].small == "1/1"
    assert syt_year == ["1", "1", "1", "1/4", "Chưa đạt"]

    vnpt, vnpt_year = g["vnpt"]  # never sent anything
    assert [cell.received for cell in vnpt.values()] == [0, 0, 0, 0]
    assert all("cell-missed" in cell.classes for cell in vnpt.values())
    assert vnpt_year == ["0", "0", "0", "0/4", "Chưa đạt"]

    # Group subtotals (districts: per month; others: per quarter) and the grand total.
    sums, figs = _total(r.text, "subtotal-district")
    assert len(sums) == 12 and sums[2] == "2" and sums[3] == "1" and sums[11] == "1"
    assert figs == ["4", "3", "1", "3/108", "0/9 đạt"]
    sums, figs = _total(r.text, "subtotal-department")
    assert sums == ["0", "1", "0", "0"]
    assert figs[:4] == ["1", "1", "1", "1/68"]
    sums, figs = _total(r.text, "grand-total")
    assert figs[:3] == ["5", "4", "2"]
    assert figs[4] == "0/42 đạt"
    # The article of no known unit is counted for nobody, and said so.
    assert 'id="unattributed"' in r.text and "1 bài" in r.text

    # Cell by cell, the page says what the report's JSON contract says.
    with Session(archive.engine) as s:
        rows = compliance(s, archive.config, 2024)
    for row in rows:
        cell = g[row.unit][0][row.period]
        assert cell.received == row.received, (row.unit, row.period)
        assert ("cell-met" in cell.classes) == row.met


def test_other_years_future_and_current_periods(client_for: Any, archive: Archive) -> None:
    c = client_for()
    g = grid(c.get("/compliance?year=2023").text)
    assert g["bac-ha"][0]["2023-03"].received == 1
    assert sum(cell.received or 0 for cells, _ in g.values() for cell in cells.values()) == 1
    g = grid(c.get("/compliance?year=2025").text)
    # The January correction counted for December 2024, not for January 2025.
    assert g["bac-ha"][0]["2025-01"].received == 0
    assert g["so-y-te"][0]["2025-Q1"].received == 1

    # Next year: every period still to come, grey, not clickable, nothing due.
    this_year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    r = c.get(f"/compliance?year={this_year + 1}")
    g = grid(r.text)
    cells = [cell for cells, _ in g.values() for cell in cells.values()]
    assert cells and all("cell-future" in cell.classes for cell in cells)
    assert all(cell.link == "" and cell.received is None for cell in cells)
    assert g["bac-ha"][1] == ["0", "0", "0", "0/0", ""]

    # This year (the default): the running month is marked as current, earlier months not
    # future, later months future.
    r = c.get("/compliance")
    assert f"Tình hình gửi bài năm {this_year}" in r.text
    g = grid(r.text)
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    bh = g["bac-ha"][0]
    current = bh[f"{now.year}-{now.month:02d}"]
    assert "cell-current" in current.classes and "cell-future" not in current.classes
    assert current.received == 0 and "cell-open" in current.classes
    assert "đang thực hiện" in current.title
    for m in range(1, 13):
        cell = bh[f"{now.year}-{m:02d}"]
        assert ("cell-future" in cell.classes) == (m > now.month)
        assert ("cell-current" in cell.classes) == (m == now.month)


def test_group_filter(client_for: Any, archive: Archive) -> None:
    c = client_for()
    r = c.get("/compliance?year=2024&group=district")
    g = grid(r.text)
    assert list(g) == [u.code for u in archive.directory if u.group == "district"]
    assert 'id="subtotal-district"' in r.text and 'id="subtotal-department"' not in r.text
    assert _total(r.text, "grand-total")[1][:3] == ["4", "3", "1"]
    assert 'href="/compliance.xlsx?year=2024&amp;group=district"' in r.text
    assert c.get("/compliance?year=2024&group=nope").status_code == 400


def test_drill_down_lists_the_articles_behind_a_cell(client_for: Any, archive: Archive) -> None:
    c = client_for()
    ids = archive.ids
    r = c.get("/compliance?year=2024&unit=bac-ha&period=2024-03")
    assert r.status_code == 200
    detail = r.text[r.text.index('id="detail"') : r.text.index('id="compliance"')]
    counted = detail[detail.index('id="detail-articles"') :]
    counted = counted[: counted.index("</table>")]
    assert f'href="/articles/{ids["bh-mar-1"]}"' in counted
    assert f'href="/articles/{ids["bh-mar-2"]}"' in counted
    assert f'href="/articles/{ids["bh-mar-dup"]}"' not in counted
    # ... and the duplicate is listed among what did not count, so a red cell explains itself.
    assert f'href="/articles/{ids["bh-mar-dup"]}"' in detail
    assert "UBND huyện Bắc Hà · Tháng 3/2024" in detail

    # A correction and its original are one submission, under the original's period.
    r = c.get("/compliance?year=2024&unit=bac-ha&period=2024-12")
    counted = r.text[r.text.index('id="detail-articles"') :]
    counted = counted[: counted.index("</table>")]
    assert f'/articles/{ids["bh-dec"]}"' in counted and f'/articles/{ids["bh-dec-fix"]}"' in counted
    assert "bản sửa" in counted

    # A red cell: nothing counted, the rejected article shown as not counted.
    r = c.get("/compliance?year=2024&unit=bac-ha&period=2024-04")
    assert "Không có bài nào được tính trong kỳ này." in r.text
    assert f'/articles/{ids["bh-apr-rej"]}"' in r.text

    # Quarterly cell.
    r = c.get("/compliance?year=2024&unit=so-y-te&period=2024-Q2")
    assert f'/articles/{ids["syt-q2"]}"' in r.text

    # Every cell link of the grid opens its drill-down.
    g = grid(c.get("/compliance?year=2024").text)
    link = g["so-y-te"][0]["2024-Q2"].link
    assert c.get(link.split("#")[0]).status_code == 200

    # Wrong cadence, unknown unit, bad year.
    assert c.get("/compliance?year=2024&unit=bac-ha&period=2024-Q1").status_code == 404
    assert c.get("/compliance?year=2024&unit=so-y-te&period=2024-03").status_code == 404
    assert c.get("/compliance?year=2024&unit=nope&period=2024-03").status_code == 404
    assert c.get("/compliance?year=2023&unit=bac-ha&period=2024-03").status_code == 404
    assert c.get("/compliance?year=1999").status_code == 400
    assert c.get("/compliance?year=abc").status_code == 400


def test_xlsx_download(client_for: Any, archive: Archive) -> None:
    c = client_for()
    r = c.get("/compliance.xlsx?year=2024")
    assert r.status_code == 200
    assert r.headers["content-type"] == XLSX
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "bao-cao-gui-bai-2024.xlsx" in disposition
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb[SHEET_SUMMARY]
    assert "NĂM 2024" in str(ws["A4"].value)
    line = next(
        row for row in range(1, ws.max_row + 1) if ws.cell(row, 2).value == "UBND huyện Bắc Hà"
    )
    assert ws.cell(line, 4 + 2).value == 2  # column F: March
    assert ws.cell(line, 4 + 3).value == 0  # April: missed
    names = [ws.cell(row, 2).value for row in range(1, ws.max_row + 1)]
    assert "VNPT Lào Cai" in names  # a unit that never sent anything is in the report

    # The group shown is the group downloaded.
    r = c.get("/compliance.xlsx?year=2024&group=district")
    ws = load_workbook(io.BytesIO(r.content))[SHEET_SUMMARY]
    names = [ws.cell(row, 2).value for row in range(1, ws.max_row + 1)]
    assert "UBND huyện Bắc Hà" in names and "Sở Y tế" not in names
    assert c.get("/compliance.xlsx?year=3000").status_code == 400


def test_compliance_needs_a_login(client_for: Any) -> None:
    c = client_for(None)
    for path in ("/compliance?year=2024", "/compliance.xlsx?year=2024", "/admin/audit"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path


# --- the audit log ----------------------------------------------------------------------------


def test_logins_failures_and_logouts_are_audited_and_shown_to_admins_only(
    client_for: Any, archive: Archive
) -> None:
    mai = client_for("mai")
    stranger = client_for(None)
    assert login(stranger, "mai", "sai-mat-khau-123", follow=False).status_code == 401
    assert login(stranger, "khong-co-ai", PASSWORD, follow=False).status_code == 401
    page = mai.get("/compliance").text
    assert mai.post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 303

    with Session(archive.engine) as s:
        rows = list(
            s.execute(
                select(AuditLog).where(AuditLog.object_type == "user").order_by(AuditLog.id)
            ).scalars()
        )
    events = [(a.actor, a.action) for a in rows if a.action.startswith("log")]
    assert events == [
        ("mai", "login"),
        ("mai", "login-failed"),
        (UNKNOWN_LOGIN, "login-failed"),  # what was typed is not kept (a password, maybe)
        ("mai", "logout"),
    ]
    assert not any("khong-co-ai" in str(a.after) for a in rows)
    by_action = {(a.actor, a.action): a for a in rows}
    assert by_action[("mai", "login")].after["ip"] == "testclient"
    assert by_action[("mai", "login-failed")].after == {
        "ip": "testclient",
        "login": "mai",
        "why": "password",
    }
    assert by_action[(UNKNOWN_LOGIN, "login-failed")].object_id == 0
    assert by_action[("mai", "logout")].after == {"ip": "testclient"}

    # Editors may not read it.
    editor = client_for("mai")
    r = editor.get("/admin/audit")
    assert r.status_code == 403
    assert 'id="nav-audit"' not in editor.get("/compliance").text

    admin = client_for("quan")
    r = admin.get("/admin/audit")
    assert r.status_code == 200 and 'id="nav-audit"' in r.text
    assert r.text.count('data-action="login"') == 3  # mai twice, quan once
    r = admin.get("/admin/audit?action=login-failed")
    assert r.text.count("<tr data-action=") == 2
    assert r.text.count('data-action="login-failed"') == 2
    r = admin.get("/admin/audit?actor=mai&action=logout")
    assert r.text.count("<tr data-action=") == 1 and "testclient" in r.text
    r = admin.get("/admin/audit?actor=nobody")
    assert "Không có mục nào." in r.text


def test_audit_page_pages_by_id(client_for: Any, archive: Archive) -> None:
    with Session(archive.engine) as s:
        for i in range(130):
            s.add(
                AuditLog(
                    actor="worker",
                    object_type="message",
                    object_id=i,
                    action="reprocess",
                    at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=i),
                )
            )
        s.commit()
    admin = client_for("quan")
    r = admin.get("/admin/audit?action=reprocess")
    assert r.text.count("<tr data-action=") == 100
    older = re.search(r'href="([^"]+)" id="audit-older"', r.text)
    assert older
    r = admin.get(older.group(1).replace("&amp;", "&"))
    assert r.text.count("<tr data-action=") == 30 and 'id="audit-older"' not in r.text


# --- a refused save: POST/redirect/GET -----------------------------------------------------


def test_a_refused_save_redirects_and_keeps_the_input_for_its_author(
    client_for: Any, archive: Archive
) -> None:
    aid = archive.ids["bh-mar-1"]
    url = f"/articles/{aid}"
    mai, quan = client_for("mai"), client_for("quan")
    page_mai, page_quan = mai.get(url).text, quan.get(url).text

    def save(c: TestClient, page: str, title: str) -> Any:
        return c.post(
            f"{url}/save",
            data={
                "csrf_token": csrf_of(page),
                "version": version_of(page, f"{url}/save"),
                "title": title,
                "lead": "Sapo " + title,
                "text": "Nội dung " + title,
            },
        )

    with Session(archive.engine) as s:
        before = s.get(Article, aid)
        version, approved = before.version, before.status in ("approved", "published")
    assert save(quan, page_quan, "Tiêu đề Quân").status_code == 303
    r = save(mai, page_mai, "Tiêu đề Mai")
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith(f"{url}?msg=conflict") and "draft=" in target
    for _ in range(2):  # a reload shows the same page and posts nothing
        page = mai.get(target)
        assert page.status_code == 200
        assert 'id="action-error"' in page.text and "đã được người khác lưu" in page.text
        assert 'id="draft"' in page.text and "Tiêu đề Mai" in page.text
        assert 'class="flash"' not in page.text
    with Session(archive.engine) as s:
        art = s.get(Article, aid)
        # Quân's save is the only one that went through (an approved article's new words
        # also send it back to review: one more version step for the state).
        assert art.title == "Tiêu đề Quân"
        assert art.version == version + (2 if approved else 1)
        assert art.status == "pending-review" or not approved
        refused = s.execute(select(AuditLog).where(AuditLog.action == "save-conflict")).scalar_one()
        assert refused.actor == "mai" and refused.object_id == aid
        assert refused.object_type == "draft"
    # Another editor following the same link sees the notice, not Mai's words.
    other = quan.get(target)
    assert 'id="draft"' not in other.text and "Tiêu đề Mai" not in other.text


def test_styles_are_classes_only(client_for: Any) -> None:
    """The CSP (default-src 'self') forbids inline styles and scripts: none on the page."""
    r = client_for().get("/compliance?year=2024&unit=bac-ha&period=2024-03")
    assert " style=" not in r.text and "<style" not in r.text
    assert re.search(r"<script(?![^>]*src=)", r.text) is None
