"""The console's error pages are Vietnamese (issue 13): a crash (500), a page that does
not exist (404), a wrong method (405), an admin's page (403), a stale form (CSRF 403) and
Starlette's own English details, which are logged and never shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient
from vncheck import offending_tokens

from consolekit import TEST_REVIEW, add_user, login
from dienhinh.publish import config as publish_config
from dienhinh.review.app import create_app
from dienhinh.review.views import dashboard
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from helpers import ENGINES


@pytest.fixture
def client(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[TestClient]:
    config = make_config(publish={"targets": ["feed"]})
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    add_user(engine, "mai")
    app = create_app(config, engine=engine, review=TEST_REVIEW)
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as c:
        assert login(c, "mai", follow=False).status_code == 303
        yield c
    publish_config.reset()


def _main(html: str) -> str:
    return html.split("<main>", 1)[1].split("</main>", 1)[0]


def _vietnamese_page(html: str) -> None:
    text = _main(html)
    assert '<p class="error">' in text
    words = " ".join(part.split(">")[-1] for part in text.split("<"))
    assert offending_tokens(words) == [], words


def test_a_crash_is_a_vietnamese_page_not_internal_server_error(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: Any) -> None:
        raise RuntimeError("boom: something nobody foresaw")

    monkeypatch.setattr(dashboard, "_data", broken)
    r = client.get("/dashboard")
    assert r.status_code == 500
    assert "Internal Server Error" not in r.text and "boom" not in r.text
    assert "Máy chủ gặp lỗi" in r.text
    _vietnamese_page(r.text)


def test_not_found_wrong_method_and_admin_pages_are_vietnamese(client: TestClient) -> None:
    for method, url, status, words in (
        ("GET", "/khong-co-trang-nay", 404, "Không tìm thấy trang."),
        ("GET", "/articles/999999", 404, "Không có bài này."),
        ("GET", "/logout", 405, "Trang này không nhận thao tác đó."),
        ("GET", "/admin/users", 403, "chỉ dành cho quản trị viên"),
    ):
        r = client.request(method, url)
        assert r.status_code == status, url
        assert words in r.text and "Method Not Allowed" not in r.text, url
        _vietnamese_page(r.text)


def test_a_stale_form_says_so_in_vietnamese(client: TestClient) -> None:
    r = client.post("/messages/1/requeue", data={"csrf_token": "cu"})
    assert r.status_code == 403
    assert "mã bảo vệ biểu mẫu không khớp" in r.text and "CSRF" not in _main(r.text)
    _vietnamese_page(r.text)


def test_starlettes_english_details_are_logged_not_shown(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_a: Any) -> None:
        raise HTTPException(400, "Too many fields. Maximum number of fields is 200.")

    monkeypatch.setattr(dashboard, "_data", refuse)
    r = client.get("/dashboard")
    assert r.status_code == 400 and "Too many fields" not in r.text
    assert "Yêu cầu không hợp lệ" in r.text
