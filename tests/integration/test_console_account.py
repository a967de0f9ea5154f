"""Issue 12 in the console, over HTTP on SQLite and PostgreSQL: the account of every
attachment on the message and article pages (in Vietnamese, the English detail beside it),
the "cần xem" list and its two decisions, and the "chưa rõ" cell of the compliance grid.

Outcomes are written through the pipeline's writer from core.types (tests/accountkit.py);
the rest of the database is the console's usual mail imported by the real pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import (
    TEST_REVIEW,
    Seeded,
    add_user,
    attachment,
    csrf_of,
    login,
    seed,
    write_outcome,
)
from dienhinh.review.app import create_app
from dienhinh.review.views.messages import REQUEUED
from dienhinh.store.models import Article, AuditLog, Message, SenderAddress
from factory import ICT

ZIP_REASON = "encrypted: password-protected zip (member bai-viet.docx)"
GM_REASON = "official-document: giấy mời (Số: 12/GM-UBND, V/v dự hội nghị)"


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    seeded = seed(make_config(), tmp_path)
    add_user(seeded.engine, "mai")
    yield seeded


@pytest.fixture
def client(env: Seeded) -> Iterator[TestClient]:
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        assert login(c, "mai", follow=False).status_code == 303
        yield c


def _failed_unit_message(env: Seeded, when: datetime | None = None) -> int:
    """Bát Xát sent an encrypted zip and a meeting invitation: no article came out."""
    with Session(env.engine) as s:
        return write_outcome(
            s,
            received_at=when or datetime(2024, 5, 6, 9, 0, tzinfo=ICT),
            subject="Gửi bài viết điển hình tháng 5",
            from_addr="vanphong-batxat@laocai.gov.vn",
            status="failed",
            reason=f"no readable article: bai-viet.zip: {ZIP_REASON}",
            unit="bat-xat",
            attachments=[
                attachment(
                    "bai-viet.zip",
                    "refused",
                    ZIP_REASON,
                    ctype="application/zip",
                    declared="application/octet-stream",
                ),
                attachment(
                    "giay-moi.docx",
                    "official-document",
                    GM_REASON,
                    ctype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ),
                attachment("logo.png", "logo", "logo: 120x40 image in the signature"),
            ],
        )


def _rows(html: str, table_id: str) -> list[str]:
    m = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert m, f"no table #{table_id}"
    return re.findall(r"<tr[^>]*data-(?:outcome|id)=.*?</tr>", m.group(1), re.S)


def test_message_page_gives_the_account_of_every_attachment_in_vietnamese(
    client: TestClient, env: Seeded
) -> None:
    pk = _failed_unit_message(env)
    page = client.get(f"/messages/{pk}").text
    # The state and reason read as true in Vietnamese; the stored English is not shown to
    # an editor (admins have it behind "Chi tiết kỹ thuật").
    assert "lỗi, không đọc được bài" in page
    assert "không có bài nào đọc được (tệp có mật khẩu)" in page
    assert "no readable article" not in page and "Chi tiết kỹ thuật" not in page
    rows = _rows(page, "attachments")
    assert len(rows) == 3
    zip_row, gm_row, logo_row = rows
    assert "bai-viet.zip" in zip_row and "bị từ chối" in zip_row
    assert "tệp có mật khẩu" in zip_row and ZIP_REASON not in zip_row
    assert "tệp nén (.zip)" in zip_row and "thư khai là tệp không rõ loại" in zip_row
    assert "application/" not in zip_row
    assert "văn bản hành chính (không phải bài viết)" in gm_row
    assert ">văn bản hành chính<" in gm_row  # the reason code, in Vietnamese
    assert "hình biểu trưng, chữ ký" in logo_row
    # Put in front of an editor: a known unit's message gave no article.
    assert 'id="review-needed"' in page and "Xác nhận không có bài" in page


def test_article_page_lists_the_attachments_with_their_outcome(
    client: TestClient, env: Seeded
) -> None:
    aid = env.article("Bài viết gương sáng y đức")
    page = client.get(f"/articles/{aid}").text
    rows = _rows(page, "attachments")
    assert rows and all(">bài viết<" in r or ">ảnh minh họa<" in r for r in rows), rows
    assert any(">bài viết<" in r for r in rows)
    assert "đã nhận bài" in page  # the message's state
    with Session(env.engine) as s:
        msg_pk = s.get(Article, aid).message_pk
    assert f'href="/messages/{msg_pk}"' in page
    # A message with an article is not "cần xem".
    assert 'id="review-needed"' not in client.get(f"/messages/{msg_pk}").text


def test_only_messages_that_need_a_decision_are_listed(client: TestClient, env: Seeded) -> None:
    unit_msg = _failed_unit_message(env)
    with Session(env.engine) as s:
        s.add(SenderAddress(address="canbo.bacha@gmail.com", unit="bac-ha", created_by="mai"))
        s.commit()
        learned = write_outcome(
            s,
            received_at=datetime(2024, 5, 7, 9, 0, tzinfo=ICT),
            subject="Em gửi bài",
            from_addr="CanBo.BacHa@gmail.com",
            reason="no article: body too short and no document attached",
        )
        photo_only = write_outcome(
            s,
            received_at=datetime(2024, 5, 8, 9, 0, tzinfo=ICT),
            subject="ảnh",
            reason="no article: body too short and no document attached",
            attachments=[attachment("IMG_2041.jpg", "photo", ctype="image/jpeg")],
        )
        quiet = write_outcome(  # an auto-reply from nobody known, with nothing attached
            s,
            received_at=datetime(2024, 5, 9, 9, 0, tzinfo=ICT),
            subject="Trả lời tự động: đang nghỉ phép",
            reason="not an article: auto-reply (Auto-Submitted: auto-replied)",
        )
        flags = dict(s.execute(select(Message.id, Message.review_needed)).all())
    assert flags[unit_msg] and flags[learned] and flags[photo_only]
    assert not flags[quiet]
    listed = {
        int(i) for i in re.findall(r'<tr data-id="(\d+)"', client.get("/messages/review").text)
    }
    assert listed == {unit_msg, learned, photo_only}
    dash = client.get("/dashboard").text
    assert re.search(r'id="review-needed-count"><a href="/messages/review">3<', dash)
    assert {int(i) for i in re.findall(r'<tr data-id="(\d+)"', dash)} >= listed
    queue = client.get("/").text
    assert 'id="review-notice"' in queue and "3 thư cần xem" in queue


def test_confirm_no_article_is_audited_and_closes_the_question(
    client: TestClient, env: Seeded
) -> None:
    pk = _failed_unit_message(env)
    page = client.get(f"/messages/{pk}").text
    token = csrf_of(page)
    r = client.post(
        f"/messages/{pk}/confirm-no-article",
        data={"csrf_token": token, "note": "Đã gọi điện: đơn vị gửi nhầm", "back": "list"},
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/messages/review?")
    with Session(env.engine) as s:
        msg = s.get(Message, pk)
        assert not msg.review_needed and msg.decided_by == "mai" and msg.decided_at
        assert msg.status == "failed"  # the state stays true: nothing was read
        (row,) = s.execute(
            select(AuditLog).where(
                AuditLog.object_id == pk, AuditLog.action == "confirm-no-article"
            )
        ).scalars()
        assert row.actor == "mai" and row.reason == "Đã gọi điện: đơn vị gửi nhầm"
    page = client.get(f"/messages/{pk}").text
    assert 'id="decided"' in page and "xác nhận thư không có bài" in page
    assert "Lý do: Đã gọi điện: đơn vị gửi nhầm" in page  # the editor's note, as typed
    assert "confirm-no-article" not in page.replace('/confirm-no-article"', "")
    assert f'data-id="{pk}"' not in client.get("/messages/review").text
    # Decided already: a second decision is refused.
    r = client.post(f"/messages/{pk}/confirm-no-article", data={"csrf_token": token})
    assert r.status_code == 409


def test_reprocess_queues_the_message_for_the_worker(client: TestClient, env: Seeded) -> None:
    pk = _failed_unit_message(env)
    token = csrf_of(client.get("/dashboard").text)
    r = client.post(f"/messages/{pk}/requeue", data={"csrf_token": token, "back": "dashboard"})
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard?msg=requeued")
    with Session(env.engine) as s:
        msg = s.get(Message, pk)
        # Back to `received`, due now: the worker's next process/daily run takes it.
        assert msg.status == "received" and msg.next_attempt_at is None
        assert msg.reason == REQUEUED and msg.review_needed  # still waiting for an answer
        assert s.execute(
            select(AuditLog).where(AuditLog.object_id == pk, AuditLog.action == "state:received")
        ).first()
        from dienhinh.ingest.pipeline import Ingestor

        due = s.execute(Ingestor(env.config, env.engine).queue.pending_query(None)).all()
        assert pk in {row[0] for row in due}
    page = client.get(f"/messages/{pk}").text
    assert "chờ xử lý" in page and "biên tập viên đã yêu cầu xử lý lại" in page
    assert "Xác nhận không có bài" not in page  # nothing to decide until it has run
    r = client.post(f"/messages/{pk}/confirm-no-article", data={"csrf_token": token})
    assert r.status_code == 409


def test_compliance_grid_says_chua_ro_until_an_editor_decides(
    client: TestClient, env: Seeded
) -> None:
    pk = _failed_unit_message(env, datetime(2024, 5, 6, 9, 0, tzinfo=ICT))

    def may() -> str:
        page = client.get("/compliance?year=2024").text
        row = re.search(r'<tr class="unit" id="unit-bat-xat".*?</tr>', page, re.S)
        assert row
        cell = re.search(
            r'<td colspan="1" class="([^"]+)" data-period="2024-05"(.*?)</td>', row[0], re.S
        )
        assert cell
        return cell[1] + cell[2]

    cell = may()
    assert "cell-unresolved" in cell and "chưa rõ" in cell and "cell-missed" not in cell
    token = csrf_of(client.get(f"/messages/{pk}").text)
    client.post(f"/messages/{pk}/confirm-no-article", data={"csrf_token": token})
    cell = may()
    assert "cell-missed" in cell and "chưa rõ" not in cell


def test_a_guessed_unit_does_not_read_as_certain_on_the_message_page(
    client: TestClient, env: Seeded
) -> None:
    """A unit the attribution only guessed (flag "no convincing evidence", low confidence)
    shows its confidence and "cần xem" beside it; a sure unit shows neither flag."""
    pk = _failed_unit_message(env)
    with Session(env.engine) as s:
        msg = s.get(Message, pk)
        assert msg is not None
        msg.unit_confidence, msg.flags = 0.11, ["no convincing evidence"]
        s.commit()
    unit = re.search(r'<dd id="message-unit">(.*?)</dd>', client.get(f"/messages/{pk}").text, re.S)
    assert unit is not None
    assert "độ tin cậy 11%" in unit.group(1)
    assert "cần xem: chưa đủ căn cứ xác định đơn vị gửi" in unit.group(1)
    with Session(env.engine) as s:
        msg = s.get(Message, pk)
        assert msg is not None
        msg.unit_confidence, msg.flags = 0.97, []
        s.commit()
    sure = re.search(r'<dd id="message-unit">(.*?)</dd>', client.get(f"/messages/{pk}").text, re.S)
    assert sure is not None and "cần xem" not in sure.group(1) and "97%" in sure.group(1)
