"""Every kind of console page in chromium at a 390 px phone and a 1280 px desktop: nothing
wider than the viewport, lists and the menu made of tap targets at least 44 px tall on the
phone, every field with an accessible name, the queue's buttons saying which row they act
on, the menu collapsed behind one "Menu" button on the phone, and the compliance grid a
card per unit whose periods read on a phone. Screenshots: tests/artifacts/phone-*.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consolekit import PASSWORD, add_user, attachment, write_outcome
from dienhinh.store.models import Article
from factory import ICT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TAP = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple and Android guides)

# Where a finger taps: the menu and every list (tables, lists, tabs, pagers, filter and
# decision bars). Links inside running text (a notice's sentence, the article's body) are
# text, not list items, and keep the line's height.
_TAP_SCOPE = (
    "header.top, main nav, main table, main ul, main ol, .pager, .filters, .decide, "
    ".review-actions, .cards"
)
_TAP_JS = """([scope, least]) => {
  const seen = new Set(), bad = [];
  for (const root of document.querySelectorAll(scope)) {
    for (const el of root.querySelectorAll(
        'a[href], button, select, textarea, summary, input:not([type=hidden])')) {
      if (seen.has(el) || el.closest('.article-text, pre')) continue;
      seen.add(el);
      // A checkbox is tapped through its label.
      const target = (el.type === 'checkbox' || el.type === 'radio') && el.labels.length
        ? el.labels[0] : el;
      if (!target.checkVisibility({visibilityProperty: true})) continue;
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < least - 0.5) {
        bad.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} `
          + `"${(el.innerText || el.value || el.name || '').trim().slice(0, 40)}" `
          + `${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
  }
  return bad;
}"""
_NAMES_JS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const byLabel = Array.from(el.labels || []).some(l => l.innerText.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim();
    const byRef = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => document.getElementById(id)).some(t => t && t.textContent.trim());
    if (!byLabel && !byAria && !byRef) bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
}"""
# Boxes that scroll sideways: a phone page must not hide its width inside one either.
_SCROLLERS_JS = """() => Array.from(document.querySelectorAll('body *')).filter(el => {
  const s = getComputedStyle(el);
  return ['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1;
}).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className)"""


@pytest.fixture(scope="module")
def kinds(server: Any) -> dict[str, tuple[str, str | None]]:
    """Every page kind: its name -> (path, who is logged in; None: nobody)."""
    add_user(server.engine, "quan", role="admin")
    with Session(server.engine) as s:
        waiting = write_outcome(
            s,
            received_at=datetime(2024, 5, 6, 9, 0, tzinfo=ICT),
            subject="Gửi bài viết điển hình tháng 5 của văn phòng huyện ủy",
            from_addr="vanphong-huyenuy-batxat-laocai@laocai.gov.vn",
            status="failed",
            reason="no readable article: bai-viet-dien-hinh-thang-5-2024-ban-cuoi-cung.zip",
            unit="bat-xat",
            attachments=[
                attachment(
                    "bai-viet-dien-hinh-thang-5-2024-ban-cuoi-cung-da-sua-loi-chinh-ta.zip",
                    "refused",
                    "encrypted: password-protected zip (member bai-viet.docx)",
                    ctype="application/zip",
                )
            ],
        )
        docx = server.article("Gửi bài điển hình tháng 3")
        message = s.scalars(select(Article.message_pk).where(Article.id == docx)).one()
    hostile = next(v for k, v in server.by_subject.items() if "<script>" in k)
    pages: dict[str, tuple[str, str | None]] = {
        "login": ("/login", None),
        "queue": ("/", "mai"),
        "queue-all": ("/?state=", "mai"),
        "queue-search": ("/?state=&q=lung+phinh", "mai"),
        "article": (f"/articles/{docx}", "mai"),
        "article-hostile": (f"/articles/{hostile}", "mai"),
        "message": (f"/messages/{message}", "mai"),
        "message-review": (f"/messages/{waiting}", "mai"),
        "messages-review": ("/messages/review", "mai"),
        "dashboard": ("/dashboard", "mai"),
        "compliance": ("/compliance?year=2024", "mai"),
        "compliance-cell": ("/compliance?year=2024&unit=bat-xat&period=2024-03", "mai"),
        "users": ("/admin/users", "quan"),
        "audit": ("/admin/audit", "quan"),
        "error": ("/articles/999999", "mai"),
    }
    from dienhinh.core.labels import STATE_LABELS

    for code in STATE_LABELS:
        pages[f"queue-{code}"] = (f"/?state={code}", "mai")
    return pages


KINDS = [
    "login",
    "queue",
    "queue-all",
    "queue-search",
    *(f"queue-{c}" for c in ("pending-review", "approved", "published", "rejected")),
    *(f"queue-{c}" for c in ("duplicate", "needs-conversion", "needs-ocr", "failed")),
    "article",
    "article-hostile",
    "message",
    "message-review",
    "messages-review",
    "dashboard",
    "compliance",
    "compliance-cell",
    "users",
    "audit",
    "error",
]


def _small_targets(page: Any, scope: str) -> list[str]:
    return list(page.evaluate(_TAP_JS, [scope, TAP]))


def _overflow(page: Any) -> tuple[int, int]:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return int(width), int(viewport)


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_fits_a_phone_and_a_desktop(
    kind: str,
    kinds: dict[str, tuple[str, str | None]],
    new_page: Callable[[str | None], Any],
    shot: Any,
) -> None:
    path, user = kinds[kind]
    page = new_page(user)
    for size, name in ((PHONE, "390"), (DESKTOP, "1280")):
        page.set_viewport_size(size)
        page.goto(path)
        page.wait_for_load_state("load")
        width, viewport = _overflow(page)
        assert width <= viewport == size["width"], f"{kind} at {name}: {width} px wide"
        assert page.evaluate(_NAMES_JS) == [], f"{kind}: fields without a name"
        if size is PHONE:
            assert page.evaluate(_SCROLLERS_JS) == [], f"{kind}: a sideways scroller"
            assert _small_targets(page, _TAP_SCOPE) == [], f"{kind}: targets under {TAP} px"
        shot(page, f"phone-{kind}-{name}")


def test_the_menu_is_one_bar_on_a_phone_and_opens(
    new_page: Callable[[str | None], Any], shot: Any
) -> None:
    page = new_page("mai")
    page.set_viewport_size(PHONE)
    page.goto("/dashboard")
    toggle = page.locator("#menu-toggle")
    nav = page.locator("header.top nav")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("header.top").bounding_box()["height"] < 60  # one compact line
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible() and page.locator("#logout").is_visible()
    links = nav.locator("a")
    assert links.count() >= 5
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["height"] >= TAP and box["width"] >= 300  # a full-width row each
    assert _small_targets(page, "header.top") == []
    shot(page, "phone-menu-open-390")
    page.keyboard.press("Escape")
    assert not nav.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    # A link in the open menu goes where it says.
    toggle.click()
    nav.locator("a", has_text="Hàng chờ").click()
    page.wait_for_url("**/")
    assert not nav.is_visible()
    # On a desktop the menu is the usual line of links, no button.
    page.set_viewport_size(DESKTOP)
    assert nav.is_visible() and not toggle.is_visible()
    assert page.locator("header.top").bounding_box()["height"] < 60


def test_without_script_the_menu_stays_listed(browser: Any, server: Any, shot: Any) -> None:
    """The menu folds only once app.js can open it again: with scripting off (or app.js not
    loaded) the phone shows every link, each a full-width tap target."""
    ctx = browser.new_context(base_url=server.url, java_script_enabled=False, viewport=PHONE)
    try:
        page = ctx.new_page()
        page.goto("/login")
        page.fill("#login", "mai")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/")
        assert not page.locator("#menu-toggle").is_visible()
        links = page.locator("header.top nav a")
        assert links.count() >= 5 and all(links.nth(i).is_visible() for i in range(links.count()))
        assert _small_targets(page, "header.top") == []
        assert _overflow(page) == (PHONE["width"], PHONE["width"])
        shot(page, "phone-menu-noscript-390")
    finally:
        ctx.close()


def test_the_queue_is_cards_on_a_phone(
    new_page: Callable[[str | None], Any], server: Any, shot: Any
) -> None:
    page = new_page("mai")
    page.set_viewport_size(PHONE)
    page.goto("/?state=pending-review")
    rows = page.locator("table.queue tr.row")
    assert rows.count() >= 5
    # Every row's buttons say which article they act on.
    buttons = page.locator("table.queue tr.row button")
    assert buttons.count() >= 5
    for i in range(buttons.count()):
        b = buttons.nth(i)
        title = b.locator("xpath=ancestor::tr").locator("td.title a").inner_text().strip()
        assert b.get_attribute("aria-label") == f"{b.inner_text().strip()}: {title}"
    # A card: the title first and full width, the approve button a full-width tap target.
    first = rows.first
    card = first.bounding_box()
    title = first.locator("td.title a").bounding_box()
    assert card["width"] <= PHONE["width"] and title["width"] > 0.7 * card["width"]
    assert title["y"] - card["y"] < 30  # the title opens the card
    button = first.locator("button").bounding_box()
    assert button["height"] >= TAP and button["width"] > 0.7 * card["width"]
    assert page.locator("table.queue thead").is_hidden()
    shot(page, "phone-queue-cards-390")


def test_the_queue_opens_at_the_top_on_a_phone(
    new_page: Callable[[str | None], Any], server: Any, shot: Any
) -> None:
    """The first row is selected (for j/k and a) but the page stays at its top: the menu,
    the state tabs and the search are what a phone shows first. After an action the page
    goes to the row where the editor was."""
    page = new_page("mai")
    page.set_viewport_size(PHONE)
    page.goto("/?state=pending-review")
    rows = page.locator("table.queue tr.row")
    assert "selected" in (rows.first.get_attribute("class") or "")
    assert page.evaluate("window.scrollY") == 0
    assert page.locator("header.top").bounding_box()["y"] == 0
    shot(page, "phone-queue-top-390")
    last = rows.nth(rows.count() - 1)
    last_id = last.get_attribute("data-id")
    page.goto(f"/?state=pending-review&msg=approved&id={last_id}")
    selected = page.locator("table.queue tr.row.selected")
    assert selected.get_attribute("data-id") == last_id
    box = selected.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]
    assert page.evaluate("window.scrollY") > 0


def test_the_compliance_grid_reads_on_a_phone(
    new_page: Callable[[str | None], Any], shot: Any
) -> None:
    page = new_page("mai")
    page.set_viewport_size(PHONE)
    page.goto("/compliance?year=2024")
    unit = page.locator("tr#unit-bat-xat")  # a district: twelve months
    box = unit.bounding_box()
    assert box["width"] <= PHONE["width"]
    cells = unit.locator("td.cell")
    assert cells.count() == 12
    labels = []
    for i in range(12):
        c = cells.nth(i)
        cbox = c.bounding_box()
        # Every month on screen, inside the card, named, and big enough to tap.
        assert box["x"] <= cbox["x"] and cbox["x"] + cbox["width"] <= box["x"] + box["width"]
        assert cbox["height"] >= TAP
        labels.append(c.evaluate("e => e.dataset.label"))
        assert c.evaluate("e => getComputedStyle(e, '::before').content") != "none"
    assert labels == [f"T{m}" for m in range(1, 13)]
    # A quarterly unit: four quarters named as in the desktop header.
    quarters = page.locator("tr#unit-vnpt td.cell")
    assert [quarters.nth(i).evaluate("e => e.dataset.label") for i in range(4)] == [
        "Quý I",
        "Quý II",
        "Quý III",
        "Quý IV",
    ]
    # The unit's name and its year's result are readable text on the card.
    assert "UBND huyện Bát Xát" in unit.inner_text()
    assert unit.locator("td.result").is_visible()
    assert page.locator("table.compliance thead").is_hidden()
    shot(page, "phone-compliance-card-390")
