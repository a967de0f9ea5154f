"""Issue 13 in chromium, at desktop width and on a 390 px phone: the compliance page's
"Chỉ đơn vị chưa đạt" filter and its running period (marked, summed up above the grid,
amber "đang thực hiện" and not red, the grid opened on it with the unit names in view),
and the learned-address question after a unit change with the admins' page that undoes
it, all without a JavaScript dialog. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consolekit import add_user
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.store.models import Article, Message, SenderAddress
from factory import ICT, article_text, make_email

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 900, "height": 1000}  # the grid is wider than this: it scrolls
DESKTOP = {"width": 1280, "height": 900}
SIZES = {"desktop": DESKTOP, "tablet": TABLET, "phone": PHONE}
BLUE_OUTLINE = "rgb(37, 99, 235)"  # .cell-current
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GMAIL = "nguyenthihoa.1987@gmail.com"  # a local part naming no unit (it would be a hint)
OPEN_AMBER = "rgb(255, 243, 196)"  # .cell-open
MISSED_RED = "rgb(255, 199, 206)"  # .cell-missed


def _article(s: Session, n: int, unit: str, when: datetime) -> None:
    msg = Message(
        message_id=f"glance-browser-{n}@laocai.gov.vn",
        sha256=f"{n + 9000:064x}",
        body_sha256=f"{n + 9000:064x}",
        size=1000,
        received_at=when,
        status="ingested",
        unit=unit,
        subject=f"Thư {n}",
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
                title=f"Bài {n}",
            ),
        ]
    )


@pytest.fixture(scope="module")
def this_year(server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """Bát Xát sent every past month of this year, nothing yet this month; Sa Pa sent this
    month too; one message from a personal address no unit is known for."""
    now = datetime.now(TZ)
    with Session(server.engine) as s:
        n = 0
        for m in range(1, now.month):
            for unit in ("bat-xat", "sa-pa"):
                n += 1
                _article(s, n, unit, datetime(now.year, m, 3, 9, tzinfo=ICT))
        _article(s, n + 1, "sa-pa", now - timedelta(minutes=5))
        s.commit()
    title, paras = article_text(777)
    path = tmp_path_factory.mktemp("gmail") / "gmail.eml"
    path.write_bytes(
        make_email(
            from_=f"Cán bộ <{GMAIL}>",
            subject="Bài gửi từ hộp thư cá nhân",
            message_id="<glance-gmail@gmail.com>",
            date=datetime(2024, 6, 3, 9, 0, tzinfo=ICT),
            text=title + "\n\n" + "\n\n".join(paras) + "\n",
        )
    )
    Ingestor(server.config, server.engine).import_from(FileImportSource([path]))
    add_user(server.engine, "quan", role="admin")
    yield now.month


def _visible_in(page: Any, inner: str, outer: str) -> bool:
    """Whether ``inner`` lies horizontally inside the visible part of ``outer``."""
    return bool(
        page.evaluate(
            """([a, b]) => {
              const i = document.querySelector(a).getBoundingClientRect();
              const o = document.querySelector(b).getBoundingClientRect();
              return i.left >= o.left - 1 && i.right <= o.right + 1;
            }""",
            [inner, outer],
        )
    )


def _bg(page: Any, selector: str) -> str:
    return str(page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor"))


@pytest.mark.parametrize("size", ["desktop", "tablet", "phone"])
def test_running_period_first_and_the_missed_filter(
    new_page: Any, shot: Any, this_year: int, size: str
) -> None:
    page = new_page("mai")
    page.set_viewport_size(SIZES[size])
    page.goto("/compliance")
    month = this_year
    year = datetime.now(TZ).year
    running = f"tr#unit-bat-xat td[data-period='{year}-{month:02d}']"
    # The running month of a unit that sent every earlier month: amber, not red, and the
    # year is "Đang thực hiện".
    assert "cell-open" in (page.get_attribute(running, "class") or "")
    assert _bg(page, running) == OPEN_AMBER != MISSED_RED
    assert page.inner_text("tr#unit-bat-xat td.result").strip() == "Đang thực hiện"
    assert page.inner_text("tr#unit-sa-pa td.result").strip() == "Đạt"
    # The running month and quarter are marked and summed up before the grid.
    assert page.locator("table.compliance th[aria-current=date]").count() == 2
    summary = page.inner_text("#current-periods")
    assert f"Tháng {month}/{year}: 1/9 đơn vị đã đủ chỉ tiêu" in summary
    box = page.locator("#current-periods").bounding_box()
    assert box is not None and box["y"] < page.locator("#compliance").bounding_box()["y"]
    # The running period is outlined, and in view: on a screen narrower than the grid it
    # opens scrolled to the running quarter, the unit names still in view; on a phone
    # (a card per unit) its tile is on the card, nothing wider than the screen.
    assert BLUE_OUTLINE in page.locator(running).evaluate("e => getComputedStyle(e).boxShadow")
    assert _visible_in(page, running, ".grid-wrap")
    assert _visible_in(page, "tr#unit-bat-xat td.unit-name", ".grid-wrap")
    scrolled = page.evaluate("document.querySelector('.grid-wrap').scrollLeft")
    if size == "tablet":
        assert scrolled > 0  # wider than the screen: scrolled to now
        assert _visible_in(page, "table.compliance th.quarter.current-period", ".grid-wrap")
        # The unit names stay at the left edge while the periods scroll under them.
        names = page.locator("tr#unit-bat-xat td.unit-name").bounding_box()
        wrap = page.locator(".grid-wrap").bounding_box()
        assert names is not None and wrap is not None and abs(names["x"] - wrap["x"]) < 2
    if size == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, f"compliance-running-{size}")

    # "Chỉ đơn vị chưa đạt": only the units with a period over and missed.
    page.check("#only-missed")
    page.click("#compliance-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*missed=1.*"))
    assert page.is_checked("#only-missed")
    # Every other district missed a month of this year, every other unit a quarter (none
    # has before the year's first month or quarter is over).
    behind = (7 if month > 1 else 0) + (33 if month > 3 else 0)
    results = page.locator("tr.unit td.result").all_inner_texts()
    assert {r.strip() for r in results} <= {"Chưa đạt"}
    assert page.locator("tr#unit-bat-xat").count() == 0
    assert page.locator("tr#unit-sa-pa").count() == 0
    assert page.locator("tr.unit").count() == behind
    assert f"Đang chỉ hiện {behind}/42 đơn vị chưa đạt" in page.inner_text("#missed-note")
    shot(page, f"compliance-missed-{size}")
    # Back to everyone.
    page.click("#show-all")
    page.wait_for_url(re.compile(r".*/compliance\?year=\d{4}$"))
    assert page.locator("tr.unit").count() == 42


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_unit_change_asks_before_learning_and_admin_undoes(
    new_page: Any, shot: Any, server: Any, this_year: int, size: str
) -> None:
    with Session(server.engine) as s:
        aid = s.execute(
            select(Article.id)
            .join(Message, Message.id == Article.message_pk)
            .where(Message.message_id == "glance-gmail@gmail.com")
        ).scalar_one()
    page = new_page("mai")
    page.set_viewport_size(SIZES[size])
    page.goto(f"/articles/{aid}")
    unit = "bao-yen" if size == "desktop" else "bac-ha"
    name = "UBND huyện Bảo Yên" if size == "desktop" else "UBND huyện Bắc Hà"
    page.select_option("#edit-unit", unit)
    page.click("#save")
    page.wait_for_selector("#learn-ask")
    assert page.inner_text("#learn-ask-question") == f"Ghi nhớ địa chỉ {GMAIL} cho đơn vị {name}?"
    with Session(server.engine) as s:
        row = s.get(SenderAddress, GMAIL)
        assert row is None or row.unit != unit  # nothing learned by the save itself
    assert page.locator("#learn-ask").is_visible()
    shot(page, f"learn-ask-{size}")
    page.click("#learn-yes")
    page.wait_for_selector(".flash")
    assert "Đã ghi nhớ địa chỉ người gửi" in page.inner_text(".flash")
    assert page.locator("#learn-ask").count() == 0
    with Session(server.engine) as s:
        row = s.get(SenderAddress, GMAIL)
        assert (row.unit, row.active, row.created_by) == (unit, True, "mai")

    admin = new_page("quan")
    admin.set_viewport_size(SIZES[size])
    if size == "phone":
        admin.click("#menu-toggle")  # the menu folds behind one button on a phone
    admin.click("#nav-addresses")
    admin.wait_for_url(re.compile(r".*/admin/addresses$"))
    line = admin.locator(f"#learned-addresses tr[data-address='{GMAIL}']")
    assert name in line.inner_text() and "mai" in line.inner_text()
    assert line.locator(f"a[href='/articles/{aid}']").count() == 1
    if size == "phone":  # one block per address: nothing wider than the phone
        assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(admin, f"learned-addresses-{size}")
    line.locator("button", has_text="Bỏ ghi nhớ").click()
    admin.wait_for_selector(".flash")
    assert "Đã bỏ ghi nhớ địa chỉ" in admin.inner_text(".flash")
    assert admin.locator(f"#learned-addresses tr[data-address='{GMAIL}']").count() == 0
    assert admin.locator(f"#forgotten-addresses tr[data-address='{GMAIL}']").count() == 1
    with Session(server.engine) as s:
        assert s.get(SenderAddress, GMAIL).active is False
    if size == "phone":
        assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(admin, f"learned-addresses-undone-{size}")
