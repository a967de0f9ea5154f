"""Never lose an editor's work (issue 13), in chromium at desktop and phone width: unsaved
edits behind an in-page question before `a`, Duyệt, Từ chối, `j`/`k` or a link ("Lưu và
duyệt", "Lưu", "Bỏ thay đổi", "Ở lại") and the browser's own beforeunload; a draft kept in
localStorage across a session that ended while editing, offered back after logging in again
on the same article; "Hoàn tác" counting down and undoing; the queue's selection staying
where the editor was; the `?` shortcuts panel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from browserkit import ARTIFACTS
from consolekit import PASSWORD
from dienhinh.store.models import Article, AuditLog

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ADDED = "Đoạn biên tập viên thêm vào, chưa lưu."


def _article(server: Any, aid: int) -> Article:
    with Session(server.engine) as s:
        art = s.get(Article, aid)
        s.expunge(art)
        return art


def _pending(server: Any, n: int, *, not_unit: str = "bao-yen") -> list[int]:
    """The first ``n`` pending articles but the morning's bao-yen ones (the queue test's)."""
    with Session(server.engine) as s:
        ids = s.execute(
            select(Article.id)
            .where(
                Article.status == "pending-review",
                (Article.unit != not_unit) | (Article.unit.is_(None)),
            )
            .order_by(Article.id)
        ).scalars()
        return list(ids)[:n]


_taken: set[int] = set()


def _fresh(server: Any) -> int:
    """A pending article no other test of this module took."""
    aid = next(i for i in _pending(server, 50) if i not in _taken)
    _taken.add(aid)
    return aid


def _draft(page: Any, aid: int) -> Any:
    return page.evaluate(f"() => localStorage.getItem('dienhinh:draft:mai:{aid}')")


def _view(page: Any, name: str) -> None:
    """What the screen shows (a full-page shot would lose where a modal dialog sits)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _add_to_text(page: Any) -> None:
    page.click("#edit-text")
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n" + ADDED)
    page.keyboard.press("Escape")  # out of the field: the keys work again


def test_approving_with_unsaved_edits_asks_and_saves_then_approves(
    new_page: Any, server: Any, shot: Any
) -> None:
    page = new_page()
    aid = _fresh(server)
    page.goto(f"/articles/{aid}")
    _add_to_text(page)
    assert ADDED in _draft(page, aid)  # kept in the browser while typing

    # a: the question, not an approval.
    page.keyboard.press("a")
    dialog = page.locator("#leave-dialog")
    dialog.wait_for(state="visible")
    assert page.inner_text("#leave-save") == "Lưu và duyệt"
    assert page.is_visible("#leave-approve-note")
    shot(page, "drafts-approve-dialog")
    page.set_viewport_size(PHONE)
    _view(page, "drafts-approve-dialog-phone")
    box = page.locator("#leave-dialog").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 720})
    page.click("#leave-stay")
    assert not dialog.is_visible()
    assert _article(server, aid).status == "pending-review"
    assert ADDED in page.input_value("#edit-text")  # nothing lost

    # Esc is "Ở lại" too; the Duyệt button asks the same.
    page.click("#approve")
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not dialog.is_visible() and ADDED in page.input_value("#edit-text")

    # "Bỏ thay đổi" puts the saved text back and does not approve.
    page.keyboard.press("a")
    page.click("#leave-discard")
    assert ADDED not in page.input_value("#edit-text")
    assert _draft(page, aid) is None
    assert _article(server, aid).status == "pending-review"

    # "Lưu và duyệt": the edit saved and approved in one step, then the next article.
    _add_to_text(page)
    page.click("#approve")
    page.click("#leave-save")
    page.wait_for_url(re.compile(r".*msg=approved.*"))
    art = _article(server, aid)
    assert art.status == "approved" and ADDED in art.text
    assert _draft(page, aid) is None  # saved: the browser forgets it
    assert page.is_visible("#undo-form")


def test_rejecting_with_unsaved_edits_offers_save_and_reject(new_page: Any, server: Any) -> None:
    page = new_page()
    aid = _fresh(server)
    page.goto(f"/articles/{aid}")
    page.fill("#edit-title", "Tiêu đề sửa trước khi từ chối")
    page.fill("#reject-reason", "Chưa đủ thông tin")
    page.press("#reject-reason", "Enter")
    page.locator("#leave-dialog").wait_for(state="visible")
    assert page.inner_text("#leave-save") == "Lưu và từ chối"
    page.click("#leave-save")
    page.wait_for_url(re.compile(r".*msg=rejected.*"))
    art = _article(server, aid)
    assert art.status == "rejected" and art.title == "Tiêu đề sửa trước khi từ chối"
    assert art.reject_reason == "Chưa đủ thông tin"


def test_leaving_the_article_with_unsaved_edits_asks(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page()
    aid = _fresh(server)
    page.goto(f"/articles/{aid}?state=pending-review")
    before = _article(server, aid).title

    # The browser's own question for leaving the site or closing the tab (beforeunload):
    # asked only while there is something unsaved.
    cancelled = (
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert page.evaluate(cancelled) is False
    page.fill("#edit-title", before + " (sửa)")
    assert page.evaluate(cancelled) is True

    # j (or k) asks; Esc stays.
    page.keyboard.press("Escape")
    page.keyboard.press(_step(page)[0])
    page.locator("#leave-dialog").wait_for(state="visible")
    assert page.inner_text("#leave-save") == "Lưu"
    shot(page, "drafts-leave-dialog")
    page.keyboard.press("Escape")
    assert f"/articles/{aid}?" in page.url

    # A link asks; "Lưu" saves and goes where the editor was going.
    page.click("nav.article-nav a:has-text('Hàng chờ')")
    page.click("#leave-save")
    page.wait_for_url(re.compile(rf".*/\?state=pending-review&msg=saved&id={aid}$"))
    assert "Đã lưu" in page.inner_text(".flash")
    assert _article(server, aid).title == before + " (sửa)"
    assert _draft(page, aid) is None

    # k asks; "Bỏ thay đổi" drops the edit and goes.
    page.goto(f"/articles/{aid}?state=pending-review")
    page.fill("#edit-lead", "Sapo không muốn giữ")
    page.keyboard.press("Escape")
    key, target = _step(page)
    page.keyboard.press(key)
    page.click("#leave-discard")
    page.wait_for_url(re.compile(re.escape(target) + "$"))
    assert _article(server, aid).lead != "Sapo không muốn giữ"
    assert _draft(page, aid) is None
    # Nothing unsaved: no question at all.
    page.goto(f"/articles/{aid}?state=pending-review")
    key, target = _step(page)
    page.keyboard.press(key)
    page.wait_for_url(re.compile(re.escape(target) + "$"))


def _step(page: Any) -> tuple[str, str]:
    """The key to another article (k to a newer one, else j) and where it leads."""
    newer = page.get_attribute("#newer", "href") if page.locator("#newer").count() else None
    if newer:
        return "k", newer
    return "j", page.get_attribute("#older", "href") or ""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_draft_survives_a_session_that_ended_while_editing(
    new_page: Any, server: Any, shot: Any, width: int
) -> None:
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    aid = _fresh(server)
    url = f"/articles/{aid}?state=pending-review"
    page.goto(url)
    page.fill("#edit-title", f"Tiêu đề soạn dở {width}")
    _add_to_text(page)
    page.context.clear_cookies()  # the session ends (expired, or ended elsewhere)

    page.click("#save")
    page.wait_for_url(re.compile(r".*/login\?next=.*expired=1"))
    assert "Phiên làm việc đã hết" in page.inner_text("#expired")
    shot(page, f"drafts-login-expired-{width}")
    assert _article(server, aid).title != f"Tiêu đề soạn dở {width}"  # nothing was saved

    page.fill("#login", "mai")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{url}")  # back on the article
    page.locator("#draft-restore").wait_for(state="visible")
    assert page.input_value("#edit-title") != f"Tiêu đề soạn dở {width}"
    shot(page, f"drafts-restore-offer-{width}")
    page.click("#draft-restore-yes")
    assert page.input_value("#edit-title") == f"Tiêu đề soạn dở {width}"
    assert ADDED in page.input_value("#edit-text")
    assert not page.is_visible("#draft-restore")
    page.click("#save")
    page.wait_for_url(re.compile(r".*msg=saved.*"))
    art = _article(server, aid)
    assert art.title == f"Tiêu đề soạn dở {width}" and ADDED in art.text
    assert _draft(page, aid) is None
    page.reload()
    assert not page.is_visible("#draft-restore")


def test_a_restored_draft_can_be_discarded(new_page: Any, server: Any) -> None:
    page = new_page()
    aid = _pending(server, 1)[0]  # stays pending: any will do
    page.goto(f"/articles/{aid}")
    page.fill("#edit-title", "Bản nháp sẽ bỏ")
    page.context.clear_cookies()
    page.click("#save")
    page.wait_for_url(re.compile(r".*/login\?.*"))
    page.fill("#login", "mai")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/articles/{aid}")
    page.click("#draft-restore-no")
    assert not page.is_visible("#draft-restore")
    assert _draft(page, aid) is None
    page.reload()
    assert not page.is_visible("#draft-restore")
    assert page.input_value("#edit-title") != "Bản nháp sẽ bỏ"


@pytest.mark.parametrize("width", [1280, 390])
def test_undo_in_the_queue_and_the_selection_stays(
    new_page: Any, server: Any, shot: Any, width: int
) -> None:
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.clock.install()  # the undo countdown, run forward at will
    page.goto("/?state=pending-review&unit=bao-yen")
    ids = [int(x) for x in page.locator("tr.row").evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert len(ids) >= 4
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.get_attribute("tr.row.selected", "data-id") == str(ids[2])
    page.keyboard.press("a")
    page.wait_for_url(re.compile(r".*msg=approved.*"))
    assert _article(server, ids[2]).status == "approved"
    # Where the editor was: the row that took the approved one's place, not the top.
    assert page.get_attribute("tr.row.selected", "data-id") == str(ids[3])
    assert page.is_visible("#undo-form")
    shot(page, f"drafts-queue-undo-{width}")

    # u (or the button) within the window: the article is back, selected, and audited.
    if width < 500:
        page.click("#undo")
    else:
        page.keyboard.press("u")
    page.wait_for_url(re.compile(r".*msg=undone.*"))
    assert "Đã hoàn tác" in page.inner_text(".flash")
    assert _article(server, ids[2]).status == "pending-review"
    assert page.get_attribute("tr.row.selected", "data-id") == str(ids[2])
    with Session(server.engine) as s:
        undo = (
            s.execute(
                select(AuditLog)
                .where(AuditLog.object_id == ids[2], AuditLog.action == "undo")
                .order_by(AuditLog.id.desc())
            )
            .scalars()
            .first()
        )
        assert undo is not None and undo.before["undone"] == "state:approved"

    # Approve again and let the window pass: the button goes (the server would refuse).
    page.keyboard.press("a")
    page.wait_for_url(re.compile(r".*msg=approved.*"))
    assert page.get_attribute("tr.row.selected", "data-id") == str(ids[3])
    left = int(page.inner_text("#undo-left"))
    assert 1 <= left <= 10
    page.clock.run_for(3000)
    assert int(page.inner_text("#undo-left")) == left - 3
    page.clock.run_for(left * 1000)
    assert page.locator("#undo-form").count() == 0
    page.keyboard.press("u")  # nothing to undo any more
    assert _article(server, ids[2]).status == "approved"


def test_the_shortcuts_panel(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page()
    page.goto(f"/articles/{_pending(server, 1)[0]}")
    page.keyboard.press("?")
    panel = page.locator("#keys-panel")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    for key in ("j", "k", "Enter", "a", "r", "u", "/", "Esc", "?"):
        assert key in text
    _view(page, "drafts-keys-panel")
    page.keyboard.press("a")  # keys do nothing behind the panel
    assert panel.is_visible()
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    # On a phone, without a keyboard: the footer's button.
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.click("#keys-open")
    panel.wait_for(state="visible")
    box = panel.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    _view(page, "drafts-keys-panel-phone")
    page.click("#keys-close")
    assert not panel.is_visible()


def test_editing_an_approved_article_on_a_phone_sends_it_back_and_says_so(
    new_page: Any, server: Any
) -> None:
    """An approved article's page says, before the editor saves, that new words go back to
    review; saving a changed title does that and the notice says so; "Lưu và duyệt" is there
    to approve the new words in one step (390 px wide)."""
    page = new_page()
    page.set_viewport_size(PHONE)
    with Session(server.engine) as s:  # the module's other tests took the pending ones
        aid = (
            s.execute(
                select(Article.id)
                .where(Article.status.in_(["pending-review", "approved"]))
                .order_by(Article.status.desc(), Article.id)
            )
            .scalars()
            .first()
        )
    assert aid is not None
    if _article(server, aid).status == "pending-review":
        page.goto(f"/articles/{aid}")
        page.click("#approve")
        page.wait_for_url(re.compile(r".*msg=approved.*"))
    page.goto(f"/articles/{aid}")
    note = page.locator("#edit-after-approval")
    assert note.is_visible() and "trở lại hàng chờ duyệt" in note.inner_text()
    assert page.is_visible("#save-approve")
    page.fill("#edit-title", "Tiêu đề sửa sau khi duyệt trên điện thoại")
    page.click("#save")
    page.wait_for_url(re.compile(r".*msg=saved-to-review.*"))
    _view(page, "edit-after-approval-phone")
    assert "Nội dung đã thay đổi sau khi duyệt" in page.inner_text("body")
    assert page.inner_text("#article-state") == "Chờ duyệt"
    assert _article(server, aid).status == "pending-review"
    box = page.locator("#save-approve").bounding_box()
    assert box and box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    page.click("#save-approve")
    page.wait_for_url(re.compile(r".*msg=approved.*"))
    assert _article(server, aid).status == "approved"
    assert _draft(page, aid) is None
