"""Issue 13's console changes in chromium: a very long article's bounded preview and its
streamed full text, "Chạy lại" queued for the worker, the password rule on the accounts
page, and the throttle's "Thử lại sau N giây". Screenshots at 1280 and 390 px wide in
tests/artifacts/hardening-*.png."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consolekit import add_user
from dienhinh.store.models import Article, Message, ReprocessRequest
from dienhinh.store.states import MessageState, transition

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _both(page: Any, shot: Any, name: str) -> None:
    shot(page, f"hardening-{name}")
    page.set_viewport_size(PHONE)
    shot(page, f"hardening-{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_very_long_article_shows_its_beginning_and_the_rest_on_demand(
    new_page: Any, server: Any, shot: Any
) -> None:
    aid = server.article("Sáng nay 0")
    para = "Bà con bản Tả Van trồng chè shan tuyết trên sườn đồi, mỗi năm một mùa thu hoạch. "
    text = "\n\n".join(f"Đoạn {i}. " + para * 6 for i in range(6000)) + "\n\nĐOẠN CUỐI."
    with Session(server.engine) as s:
        s.get(Article, aid).text = text
        s.commit()
    page = new_page()
    started = time.perf_counter()
    page.goto(f"/articles/{aid}")
    loaded = time.perf_counter() - started
    assert loaded < 5, loaded
    assert "Đoạn 0." in page.inner_text("#article-text")
    assert "ĐOẠN CUỐI" not in page.content()
    assert page.locator("#edit-text").count() == 0
    assert "quá dài để sửa" in page.inner_text("#text-not-editable")
    _both(page, shot, "long-article")
    page.click("#text-full")
    page.wait_for_url(re.compile(rf".*/articles/{aid}/text$"))
    assert "ĐOẠN CUỐI." in page.inner_text("#article-full")
    page.click("#back")
    page.wait_for_url(re.compile(rf".*/articles/{aid}$"))


def test_chay_lai_is_queued_for_the_worker(new_page: Any, server: Any, shot: Any) -> None:
    aid = server.article("Sáng nay 1")
    with Session(server.engine) as s:
        msg = s.get(Article, aid).message
        transition(s, msg, MessageState.FAILED, actor="test", reason="converter missing")
        s.commit()
        pk = msg.id
    page = new_page()
    page.goto("/dashboard")
    row = page.locator(f"form[action='/messages/{pk}/reprocess']")
    row.locator("button").click()
    page.wait_for_url(re.compile(r".*msg=reprocess-queued.*"))
    assert "Đã xếp hàng chạy lại thư" in page.inner_text("p.flash")
    assert page.locator(f"form[action='/messages/{pk}/reprocess']").count() == 0
    assert page.locator("span.queued").count() >= 1
    _both(page, shot, "dashboard-queued")
    with Session(server.engine) as s:
        assert s.get(Message, pk).status == "failed"  # the web process ran nothing
        assert s.execute(select(ReprocessRequest.message_pk)).scalars().all() == [pk]


def test_the_accounts_page_states_and_applies_the_password_rule(
    new_page: Any, server: Any, shot: Any
) -> None:
    add_user(server.engine, "quan", role="admin")
    page = new_page("quan")
    page.goto("/admin/users")
    assert "Ít nhất 12 ký tự" in page.inner_text("#password-rule")
    page.fill("form[action='/admin/users'] input[name=login]", "hoa")
    page.fill("form[action='/admin/users'] input[name=password]", "LaoCai@2024!")
    page.click("form[action='/admin/users'] button[type=submit]")
    page.wait_for_load_state()
    assert "dễ đoán" in page.inner_text("p.error")
    _both(page, shot, "users-weak-password")


def test_the_throttle_says_how_many_seconds(new_page: Any, server: Any, shot: Any) -> None:
    """The shipped settings: 5 failures pass, then 1 s, 2 s, 4 s ... (a page load may take
    longer than the first waits, so keep guessing until one is refused)."""
    page = new_page(None)
    messages = []
    for _ in range(12):
        page.goto("/login")
        page.fill("#login", "lan")
        page.fill("#password", "sai-mat-khau-roi")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        messages.append(page.inner_text("p.error"))
        if "Thử lại sau" in messages[-1]:
            break
    assert all("không đúng" in m for m in messages[:5]), messages
    assert re.search(r"Thử lại sau \d+ giây", messages[-1]), messages
    _both(page, shot, "login-throttled")
