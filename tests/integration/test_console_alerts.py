"""The dashboard shows the worker's alerts (a mailbox not polled for too long), and
flags and review reasons appear in Vietnamese, not as the codes they are stored as."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, Seeded, add_user, login, seed
from dienhinh.core.labels import flag_label
from dienhinh.publish import config as publish_config
from dienhinh.review.app import create_app
from dienhinh.store.models import Article, MailboxState, Message, utcnow


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    seeded = seed(make_config(publish={"targets": ["feed"]}), tmp_path)
    add_user(seeded.engine, "mai")
    yield seeded
    publish_config.reset()


@pytest.fixture
def client(env: Seeded) -> Iterator[TestClient]:
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    with TestClient(app, follow_redirects=False) as c:
        assert login(c, "mai", follow=False).status_code == 303
        yield c


def test_a_mailbox_not_polled_for_a_day_is_an_alert_on_the_dashboard(
    env: Seeded, client: TestClient
) -> None:
    assert "Hộp thư không được lấy thư" not in client.get("/dashboard").text
    key = env.config.mailbox.url.key
    with Session(env.engine) as s:
        state = s.get(MailboxState, key) or MailboxState(key=key)
        state.last_success_at = utcnow() - timedelta(days=1)
        state.last_error = "connection refused"
        s.add(state)
        s.commit()
    page = client.get("/dashboard").text
    assert 'class="alert error"' in page
    assert "Hộp thư không được lấy thư" in page and "không kết nối được" in page
    # The server's English words are for admins, behind "Chi tiết kỹ thuật".
    assert "connection refused" not in page and "Chi tiết kỹ thuật" not in page
    add_user(env.engine, "quan", role="admin")
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    with TestClient(app, follow_redirects=False) as admin:
        assert login(admin, "quan", follow=False).status_code == 303
        page = admin.get("/dashboard").text
    assert "Chi tiết kỹ thuật" in page and "connection refused" in page


def test_flags_and_reasons_are_shown_in_vietnamese(env: Seeded, client: TestClient) -> None:
    with Session(env.engine) as s:
        art = s.query(Article).order_by(Article.id).first()
        assert art is not None
        msg = s.get(Message, art.message_pk)
        assert msg is not None
        msg.flags = ["unverified sender", "no convincing evidence"]
        art.meta = {**art.meta, "review_reasons": ["low confidence: kind nhan-to-moi (0.41)"]}
        art_id = art.id
        s.commit()
    page = client.get(f"/articles/{art_id}").text
    assert "người gửi chưa được xác thực" in page
    assert "chưa đủ căn cứ xác định đơn vị gửi" in page
    assert "độ tin cậy thấp: Loại «Nhân tố mới» (độ tin cậy 41%)" in page
    assert ">unverified sender<" not in page and "nhan-to-moi (0.41)" not in page


def test_an_unknown_flag_is_a_vietnamese_phrase_never_the_code() -> None:
    assert flag_label("legacy-encoding:tcvn3") == "chuyển từ bảng mã cũ TCVN3"
    assert flag_label("split:2/3") == "tách từ một tệp, phần 2/3"
    assert flag_label("something new") == "cần kiểm tra thêm"
