"""A sender's markup never runs on the portal: an article whose title, lead, photo caption
and text carry hostile markup is published by the real WordPress publisher to the suite's
REAL WordPress (Debian's package on loopback, an administrator's Application Password:
``unfiltered_html``, so kses filters nothing), and chromium opens the public post page and
the home page. No script runs (the payloads set ``window.__pwned`` or open a dialog), and
the visible title, lead, caption and text are the sender's characters, "<", "&" and the
entity-encoded markup included, never escaped twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browserkit import CHROMIUM, browser_missing
from dienhinh.core.config import Secret
from dienhinh.publish.base import ImageItem, PublicationItem
from dienhinh.publish.config import WordPressSettings
from dienhinh.publish.wordpress import WordPressPublisher
from dienhinh.store.blobs import BlobStore
from factory import make_jpeg
from wordpress import WordPress

pytestmark = [pytest.mark.browser, pytest.mark.wordpress]

TITLE = (
    "Gương sáng <script>window.__pwned='title'</script> Hội LHPN & Đoàn "
    "<img src=x onerror=window.__pwned=1> &lt;svg onload=alert(2)&gt; [gallery] a < b -- 3x4"
)
LEAD = (
    'Bà Lò Thị Mai <svg onload="window.__pwned=3"></svg> & <b>in đậm</b> '
    '&#60;script&#62;alert(4)&#60;/script&#62; <a href="javascript:window.__pwned=5">bấm</a>'
)
TEXT = (  # the body: the lead is a field of its own
    'Xem <a href="javascript:alert(6)">liên kết</a> và <iframe src=javascript:alert(7)>'
    "</iframe> nhé.\n\n"
    "Điểm 5 < 7 & 8 > 3; &amp; vẫn là chữ... :) [embed]http://127.0.0.1:9/x[/embed] "
    '<img src=x onerror="alert(8)"> <!-- wp:html --><script>alert(9)</script><!-- /wp:html -->'
)
CAPTION = "Ảnh <img src=x onerror=window.__pwned=10> & <script>alert(11)</script> chú thích"


def _tags(html: str) -> list[tuple[str, list[str]]]:
    """The elements of an HTML fragment with their attribute names, as a browser parses."""
    found: list[tuple[str, list[str]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [a for a, _ in attrs]))

    P().feed(html)
    return found


def _flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if reason := browser_missing():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield b
        b.close()


def _item(tmp_path: Any, slug_id: int) -> PublicationItem:
    store = BlobStore(tmp_path / "blobs", durable=False)
    data = make_jpeg(400, 300, seed=slug_id)
    sha = store.put(data)
    cover = ImageItem(
        asset_id=1,
        sha256=sha,
        path=store.path(sha),
        content_type="image/jpeg",
        size=len(data),
        caption=CAPTION,
        is_cover=True,
    )
    data2 = make_jpeg(300, 200, seed=slug_id + 1)
    sha2 = store.put(data2)
    other = ImageItem(
        asset_id=2,
        sha256=sha2,
        path=store.path(sha2),
        content_type="image/jpeg",
        size=len(data2),
        caption=CAPTION,
        position=1,
    )
    return PublicationItem(
        key=f"article-{slug_id}",
        publication_id=1,
        article_id=slug_id,
        target="wordpress",
        title=TITLE,
        lead=LEAD,
        text=TEXT,
        unit_code="bat-xat",
        unit_name="UBND huyện Bát Xát",
        campaigns=(),
        subject_type=None,
        kind=None,
        source="docx",
        received_at=datetime(2024, 5, 6, 3, 0, tzinfo=UTC),
        message_id="hostile@example.com",
        images=(cover, other),
    )


def _loopback_only(route: Any) -> None:
    host = urlsplit(route.request.url).hostname
    if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
        route.continue_()
    else:
        route.abort()


def test_hostile_markup_reaches_the_portal_as_text(
    chromium: Any, wordpress: WordPress, tmp_path: Any
) -> None:
    settings = WordPressSettings(
        url=wordpress.url,
        user=wordpress.user,
        password=Secret(wordpress.app_password),
        status="publish",
        slug_prefix="hostile",
        timeout_seconds=60,
    )
    receipt = WordPressPublisher(settings).publish(_item(tmp_path, 9001))
    assert receipt.url

    # What WordPress stored and renders for the API reader, too.
    with httpx.Client(base_url=wordpress.api, timeout=60) as wp:
        post = wp.get(f"/posts/{receipt.remote_id}").json()
    for field in ("title", "content", "excerpt"):
        tags = _tags(post[field]["rendered"])
        assert {t for t, _ in tags} <= {"p", "figure", "img", "figcaption", "br"}, field
        assert not [a for _, attrs in tags for a in attrs if a.startswith("on")], field

    ctx = chromium.new_context(locale="vi-VN")
    # Only the loopback WordPress: wp-admin's pages show the administrator's Gravatar, and
    # on a machine where outside connections hang rather than fail, that one image keeps
    # the page's "load" from ever firing (a CI run timed out at the login's redirect).
    ctx.route("**/*", _loopback_only)
    dialogs: list[str] = []
    ctx.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    page = ctx.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        # The public post page.
        page.goto(receipt.url, wait_until="load")
        page.wait_for_timeout(300)  # an onerror/onload would have fired by now
        assert page.evaluate("window.__pwned") is None
        assert _flat(page.locator("h1.wp-block-post-title").inner_text()) == _flat(TITLE)
        assert TITLE.split(" <script>")[0] in page.title()
        assert "<script>window.__pwned='title'</script>" in page.title()
        content = page.locator(".wp-block-post-content")
        paras = [_flat(t) for t in content.locator("p").all_inner_texts()]
        assert paras[0] == _flat(LEAD)
        assert paras[1:3] == [_flat(p) for p in TEXT.split("\n\n")]
        assert _flat(content.locator("figcaption").inner_text()) == _flat(CAPTION)
        assert content.locator("img").first.get_attribute("alt") == CAPTION
        # No element a sender wrote exists as markup: only our own figure's <img>.
        assert content.locator("script, iframe, svg, a, b").count() == 0
        assert content.locator("img").count() == 1
        featured = page.locator(".wp-block-post-featured-image img")
        assert featured.get_attribute("alt") == CAPTION
        assert (
            page.locator("body script:not([src])").evaluate_all(
                "els => els.filter(e => /alert|__pwned/.test(e.textContent)).length"
            )
            == 0
        )

        # The home page: title, excerpt (the lead) and featured image.
        page.goto(wordpress.url + "/", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        titles = [_flat(t) for t in page.locator(".wp-block-post-title").all_inner_texts()]
        assert _flat(TITLE) in titles
        excerpts = [_flat(t) for t in page.locator(".wp-block-post-excerpt").all_inner_texts()]
        assert any(e.startswith(_flat(LEAD)[:60]) for e in excerpts), excerpts
        assert page.locator("main script, main iframe, main svg").count() == 0

        # An administrator: the posts list, the media library and the post's preview.
        page.goto(wordpress.url + "/wp-login.php")
        page.fill("#user_login", wordpress.user)
        page.fill("#user_pass", wordpress.password)
        page.click("#wp-submit")
        # wp-admin's first page (PHP's one-process server) is slow on a busy machine
        try:
            page.wait_for_url("**/wp-admin/**", wait_until="domcontentloaded", timeout=120_000)
        except PlaywrightTimeout:
            error = page.locator("#login_error")
            said = error.inner_text() if error.count() else ""
            pytest.fail(f"the login did not reach wp-admin: at {page.url}; {said!r}")
        page.goto(wordpress.url + "/wp-admin/edit.php", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        row = page.locator(f"#post-{receipt.remote_id} a.row-title")
        assert _flat(row.inner_text()) == _flat(TITLE)
        page.goto(wordpress.url + "/wp-admin/upload.php?mode=list", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        assert page.locator("#the-list script, #the-list svg").count() == 0
        page.goto(f"{wordpress.url}/?p={receipt.remote_id}&preview=true", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None
        assert _flat(page.locator("h1.wp-block-post-title").inner_text()) == _flat(TITLE)
    finally:
        ctx.close()
    assert dialogs == []
