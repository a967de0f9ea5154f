"""The console in chromium, as an editor uses it: log in, filter, open, edit tags, approve,
reject, a conflicting save, a morning's queue cleared with the keyboard, and an approved
article appearing in the Atom feed once the publication queue ran."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dienhinh.store.models import Article

pytestmark = pytest.mark.browser


def _state(server: Any, aid: int) -> str:
    with Session(server.engine) as s:
        return s.get(Article, aid).status


def test_login_and_logout(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page(None)
    page.goto("/")
    assert page.url.startswith(f"{server.url}/login?next=")
    shot(page, "login")
    page.fill("#login", "mai")
    page.fill("#password", "sai-mat-khau-roi")
    page.click("button[type=submit]")
    assert "không đúng" in page.inner_text("p.error")
    page.close()
    page = new_page("mai")
    assert page.inner_text("header .user").startswith("Biên tập mai")
    shot(page, "queue")
    page.click("#logout")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto("/dashboard")
    assert "/login" in page.url


def test_filtering_the_queue(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page()
    page.click("nav.tabs a:has-text('Tất cả')")
    all_rows = page.locator("tr.row").count()
    assert all_rows >= 10
    page.fill("#q", "lung phinh")  # no diacritics
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r".*q=lung\+phinh.*"))
    titles = page.locator("tr.row td.title a").all_inner_texts()
    assert titles and all("Lùng Phình" in t for t in titles)
    page.fill("#q", "")
    page.select_option("#period", "2024-05")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*period=2024-05.*"))
    subjects = page.locator("tr.row .muted.small").all_inner_texts()
    assert len(subjects) == 6 and all("Sáng nay" in s for s in subjects)
    page.select_option("#unit", "bao-yen")
    page.click("form.filters button[type=submit]")
    assert page.locator("tr.row").count() == 6
    shot(page, "queue-filtered")


def test_opening_an_article_and_editing_tags(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page()
    aid = server.article("Bài từ địa chỉ chưa xác thực")
    page.goto(f"/articles/{aid}")
    assert page.is_visible("#unverified")
    assert "ubnd-batxat@laocai.gov.vn" in page.inner_text("#sender")
    page.check("#campaign-giao-duc")
    page.select_option("#edit-subject", "ca-nhan")
    page.select_option("#edit-kind", "nhan-to-moi")
    page.click("#save")
    page.wait_for_url(re.compile(r".*msg=saved.*"))
    assert "Đã lưu" in page.inner_text(".flash")
    tags = page.inner_text("#tags")
    assert "Đổi mới, nâng cao chất lượng giáo dục" in tags and "biên tập viên mai chọn" in tags
    assert "editor:mai" not in tags
    assert "Nhân tố mới" in tags
    assert "sửa nhãn" in page.inner_text("#audit")
    shot(page, "article")


def test_approving_rejecting_and_the_feed(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page()
    approve = server.article("Gửi bài điển hình tháng 3")
    reject = server.article("Bài viết gương sáng y đức")
    page.goto(f"/articles/{reject}")
    page.fill("#reject-reason", "Nội dung trùng với bài đã đăng năm 2023")
    page.click("#reject")
    page.wait_for_load_state()
    assert _state(server, reject) == "rejected"
    page.goto(f"/articles/{reject}")
    assert "Nội dung trùng với bài đã đăng năm 2023" in page.inner_text(".reason")
    page.goto(f"/articles/{approve}")
    title = page.inner_text("#article-title")
    page.click("#approve")
    page.wait_for_load_state()
    assert _state(server, approve) == "approved"

    from dienhinh.publish.queue import run_queue

    run_queue(server.engine, server.config)  # what the worker's publish job does
    page.goto("/feed.atom")
    assert title in page.content()
    page.goto("/dashboard")
    assert page.inner_text("#waiting").strip().isdigit()
    shot(page, "dashboard")


def test_a_conflicting_save_is_refused(new_page: Any, server: Any, shot: Any) -> None:
    aid = server.article(next(k for k in server.by_subject if k.startswith("Phàn Thị Lở")))
    mai, lan = new_page("mai"), new_page("lan")
    mai.goto(f"/articles/{aid}")
    lan.goto(f"/articles/{aid}")
    lan.fill("#edit-title", "Tiêu đề Lan sửa")
    lan.click("#save")
    lan.wait_for_url(re.compile(r".*msg=saved.*"))
    mai.fill("#edit-title", "Tiêu đề Mai sửa")
    mai.click("#save")
    mai.wait_for_selector("#action-error")
    assert "đã được người khác lưu" in mai.inner_text("#action-error")
    assert mai.input_value("#edit-title") == "Tiêu đề Lan sửa"  # the page shows the saved one
    assert mai.locator("#draft textarea").first.input_value() == "Tiêu đề Mai sửa"  # kept
    shot(mai, "conflict")
    with Session(server.engine) as s:
        assert s.get(Article, aid).title == "Tiêu đề Lan sửa"


def test_clearing_a_morning_queue_with_the_keyboard(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page()
    page.goto("/?state=pending-review&unit=bao-yen")
    ids = [int(x) for x in page.locator("tr.row").evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert len(ids) == 6
    # In the list: j moves the selection, a approves the selected row.
    page.keyboard.press("j")
    assert page.get_attribute("tr.row.selected", "data-id") == str(ids[1])
    page.keyboard.press("a")
    page.wait_for_url(re.compile(r".*msg=approved.*"))
    assert _state(server, ids[1]) == "approved"
    # The selection stays where the editor was: on the row that took the approved one's place.
    assert page.get_attribute("tr.row.selected", "data-id") == str(ids[2])
    # k goes back to the first; Enter opens it; then a and r work through the rest.
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/articles/{ids[0]}\?.*"))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf".*/articles/{ids[2]}\?.*"))
    page.keyboard.press("r")
    page.keyboard.type("Chưa đủ thông tin về nhân vật")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/articles/{ids[3]}\?.*"))
    page.keyboard.press("j")  # skip one
    page.wait_for_url(re.compile(rf".*/articles/{ids[4]}\?.*"))
    page.keyboard.press("k")  # and back
    page.wait_for_url(re.compile(rf".*/articles/{ids[3]}\?.*"))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf".*/articles/{ids[4]}\?.*"))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf".*/articles/{ids[5]}\?.*"))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(r".*/\?msg=approved.*"))  # the queue is empty: back to it
    assert "Không có bài nào" in page.inner_text("main")
    states = [_state(server, i) for i in ids]
    assert states == ["approved", "approved", "rejected", "approved", "approved", "approved"]
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    shot(page, "queue-cleared")


def test_hostile_mail_runs_no_script_in_the_browser(new_page: Any, server: Any) -> None:
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    aid = server.article("Bài <script>")
    page.goto(f"/articles/{aid}")
    assert '<script>alert("xss")</script>' in page.inner_text("#subject")
    page.goto("/?state=&q=xss")
    assert page.locator("tr.row").count() >= 1
    # The new_page fixture asserts that no alert() dialog ever opened.
    assert not [e for e in errors if "Content Security Policy" in e and "app.js" in e]
