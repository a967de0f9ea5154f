"""Issue 13 in chromium, at desktop (1280 px) and phone (390 px) widths: the "Xem trước"
panel (the article as the publishers send it: title, lead once, body, photos with their
captions) and a revision compared side by side with its original, then "Dùng bản sửa"
and the original's history. Screenshots: tests/artifacts/preview-*.png, compare-*.png,
history-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from revisionkit import revision_mail
from sqlalchemy import select
from sqlalchemy.orm import Session

from browserkit import Server
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.store.models import Article

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def pair(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """(original, revision): the correction is imported into the running console's
    database by the real pipeline, which links it to the original."""
    path = tmp_path_factory.mktemp("revision") / "revision.eml"
    path.write_bytes(revision_mail()[0])
    Ingestor(server.config, server.engine).import_from(FileImportSource([path]))
    with Session(server.engine) as s:
        rev = s.execute(select(Article).where(Article.revision_of_id.is_not(None))).scalar_one()
        ids = (rev.revision_of_id, rev.id)
    yield ids


def _flat(s: str) -> str:
    return " ".join(s.split())


def _fits(page: Any, selector: str, width: int) -> None:
    """Every element matched lies within the viewport's width (nothing to scroll sideways)."""
    rights = page.locator(selector).evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= width + 0.5, (selector, rights)


def test_preview_shows_what_the_portal_gets(new_page: Any, server: Server, shot: Any) -> None:
    aid = server.article("Gửi bài điển hình tháng 3")  # a .docx with two photos, one caption
    with Session(server.engine) as s:
        art = s.get(Article, aid)
        title, lead, body = art.title, art.lead, art.text
        captions = [a.caption for a in art.images if a.caption]
    page = new_page()
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"/articles/{aid}")
        panel = page.locator("#preview")
        assert not page.locator("#preview-article").is_visible()  # closed until asked for
        panel.locator("summary").click()
        preview = page.locator("#preview-article")
        assert preview.is_visible()
        assert _flat(page.inner_text("#preview-title")) == _flat(title)
        paras = [_flat(t) for t in preview.locator("p").all_inner_texts()]
        assert paras == [_flat(lead), *[_flat(p) for p in body.split("\n\n")]]
        assert _flat(preview.inner_text()).count(_flat(lead)) == 1  # the lead once
        assert preview.locator("p.lead").count() == 1
        assert preview.locator("p.lead").evaluate("e => getComputedStyle(e).fontWeight") == "700"
        assert preview.locator("figcaption").all_inner_texts() == captions
        imgs = preview.locator("img")
        assert imgs.count() == 2
        assert imgs.evaluate_all("els => els.every(i => i.complete && i.naturalWidth > 0)")
        preview.locator("img").last.scroll_into_view_if_needed()
        _fits(page, "#preview-article, #preview-article img, #preview-article p", size["width"])
        panel.scroll_into_view_if_needed()
        shot(page, f"preview-{name}")


def test_revision_compared_side_by_side_then_used(
    new_page: Any, server: Server, pair: tuple[int, int], shot: Any
) -> None:
    original, rev = pair
    page = new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(f"/articles/{original}")
    assert f"#{rev}" in page.inner_text(f"#has-revision-{rev}")  # "có bản sửa: #N"
    page.goto(f"/articles/{rev}")
    assert f"#{original}" in page.inner_text("#revision-of")  # "bản sửa của #M"
    page.click("#compare-button")
    page.wait_for_url(f"**/articles/{rev}/compare")

    # Desktop: the two versions side by side, field by field.
    old, new = page.locator("#old-text"), page.locator("#new-text")
    bo, bn = old.bounding_box(), new.bounding_box()
    assert abs(bo["y"] - bn["y"]) < 1 and bo["x"] + bo["width"] <= bn["x"]
    assert "quyết định" in new.locator("ins").all_inner_texts()
    assert "mạnh dạn" in old.locator("del").all_inner_texts()
    assert page.locator("#new-title ins").inner_text() == "(bản sửa)"
    # Marked by more than colour: inserted words underlined, removed ones struck through.
    assert "underline" in new.locator("ins").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert "line-through" in old.locator("del").first.evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert page.locator("#diff-legend ins").is_visible()
    assert page.locator("#diff-legend del").is_visible()
    assert not page.locator(".side-label").first.is_visible()  # the column heads say it
    shot(page, "compare-desktop")

    # Phone: one column, the original's text above the revision's, each labelled.
    page.set_viewport_size(PHONE)
    page.reload()
    old, new = page.locator("#old-text"), page.locator("#new-text")
    bo, bn = old.bounding_box(), new.bounding_box()
    assert bn["y"] >= bo["y"] + bo["height"]
    assert page.locator("#old-text .side-label").inner_text() == f"Bài gốc #{original}"
    assert page.locator("#new-text .side-label").inner_text() == f"Bản sửa #{rev}"
    _fits(page, ".compare, .diff-text, #revision-decide button", PHONE["width"])
    shot(page, "compare-phone")

    # "Dùng bản sửa": the original takes the revision's text; its old text is in history.
    page.click("#use-revision")
    page.wait_for_url(f"**/articles/{original}?msg=revision-used*")
    assert "bản cũ được giữ trong lịch sử" in page.inner_text("p.flash")
    _raw, new_paras, new_title = revision_mail()
    assert _flat(page.inner_text("#article-title")) == _flat(new_title)
    history = page.locator("#history")
    history.locator("summary").first.click()
    assert "mạnh dạn" in history.inner_text()  # the old wording, kept and shown
    _fits(page, "#history, #history .article-text", PHONE["width"])
    history.scroll_into_view_if_needed()
    shot(page, "history-phone")
    page.set_viewport_size(DESKTOP)
    page.locator("#preview summary").click()
    paras = [_flat(t) for t in page.locator("#preview-article p").all_inner_texts()]
    assert paras == [_flat(p) for p in new_paras]  # the new lead once, then the new body
    shot(page, "history-desktop")
