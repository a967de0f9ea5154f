"""Issue 12 in chromium: the account of every attachment on the message and article pages,
the "cần xem" list with its two decisions, and the "chưa rõ" cell of the compliance grid,
at desktop width and on a 390 px phone. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consolekit import attachment, write_outcome
from dienhinh.store.models import AuditLog, Message
from factory import ICT

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ZIP_REASON = "encrypted: password-protected zip (member bai-viet.docx)"


@pytest.fixture(scope="module")
def waiting(server: Any) -> Iterator[dict[str, int]]:
    """Three messages that gave no article, written through the pipeline's writer."""
    with Session(server.engine) as s:
        ids = {
            "zip": write_outcome(
                s,
                received_at=datetime(2024, 5, 6, 9, 0, tzinfo=ICT),
                subject="Gửi bài viết điển hình tháng 5",
                from_addr="vanphong-batxat@laocai.gov.vn",
                status="failed",
                reason=f"no readable article: bai-viet-dien-hinh-thang-5.zip: {ZIP_REASON}",
                unit="bat-xat",
                attachments=[
                    attachment(
                        "bai-viet-dien-hinh-thang-5.zip",
                        "refused",
                        ZIP_REASON,
                        ctype="application/zip",
                        declared="application/octet-stream",
                    ),
                    attachment(
                        "giay-moi-hoi-nghi.docx",
                        "official-document",
                        "official-document: giấy mời (Số: 12/GM-UBND, V/v dự hội nghị)",
                        ctype="application/vnd.openxmlformats-officedocument"
                        ".wordprocessingml.document",
                    ),
                    attachment(
                        "anh-chup-trang-1.jpg",
                        "refused",
                        "unreadable: OCR found no text",
                        ctype="image/jpeg",
                    ),
                    attachment("logo.png", "logo", "logo: signature image", ctype="image/png"),
                ],
            ),
            "photos": write_outcome(
                s,
                received_at=datetime(2024, 5, 7, 9, 0, tzinfo=ICT),
                subject="gửi ảnh chụp bài viết",
                reason="no article: body too short and no document attached",
                attachments=[attachment("IMG_2041.jpg", "photo", ctype="image/jpeg")],
            ),
            "learned": write_outcome(
                s,
                received_at=datetime(2024, 5, 8, 9, 0, tzinfo=ICT),
                subject="Bài tháng 5",
                from_addr="vanthu.sapa@laocai.gov.vn",
                status="no-article",
                reason="no article: body too short and no document attached",
                unit="sa-pa",
            ),
        }
    yield ids


def test_message_page_shows_every_attachment_in_vietnamese(
    new_page: Any, waiting: dict[str, int], shot: Any
) -> None:
    page = new_page("mai")
    page.goto(f"/messages/{waiting['zip']}")
    assert page.inner_text("#message-state") == "lỗi, không đọc được bài"
    assert page.inner_text("#message-reason") == "không có bài nào đọc được (tệp có mật khẩu)"
    rows = page.locator("#attachments tbody tr")
    assert rows.count() == 4
    texts = [rows.nth(i).inner_text() for i in range(4)]
    assert "bị từ chối" in texts[0] and "tệp có mật khẩu" in texts[0]
    assert "tệp nén (.zip) (thư khai là tệp không rõ loại)" in texts[0]
    assert "văn bản hành chính (không phải bài viết)" in texts[1]
    assert "không đọc được" in texts[2] and "hình biểu trưng, chữ ký" in texts[3]
    # The stored English is not shown to an editor (admins: "Chi tiết kỹ thuật").
    assert page.locator("#attachments .tech").count() == 0
    assert "password-protected" not in page.inner_text("body")
    shot(page, "message-account")
    page.set_viewport_size(PHONE)
    page.reload()
    # Nothing wider than the phone: long file names and reasons wrap.
    assert page.evaluate("document.querySelector('#attachments').scrollWidth") <= PHONE["width"]
    assert page.locator("#review-needed button", has_text="Xử lý lại").is_visible()
    shot(page, "message-account-390")


def test_article_page_shows_the_attachments_outcome(new_page: Any, server: Any, shot: Any) -> None:
    page = new_page("mai")
    page.goto(f"/articles/{server.article('Bài viết gương sáng y đức')}")
    rows = page.locator("#attachments tbody tr")
    assert rows.count() >= 1
    assert "bài viết" in rows.first.locator(".outcome").inner_text()
    assert "đã nhận bài" in page.inner_text("#message-state")
    shot(page, "article-account")


def test_the_review_list_and_its_decisions(
    new_page: Any, server: Any, waiting: dict[str, int], shot: Any
) -> None:
    page = new_page("mai")
    # The queue says there are messages to look at, and leads to them.
    notice = page.locator("#review-notice")
    assert "3 thư cần xem" in notice.inner_text()
    page.goto("/dashboard")
    assert page.inner_text("#review-needed-count") == "3"
    assert page.locator("#review-needed tbody tr[data-id]").count() == 3
    shot(page, "dashboard-review-needed")
    page.click("#review-needed-count a")
    page.wait_for_url(re.compile(r".*/messages/review$"))
    assert page.locator("#review-list tbody tr[data-id]").count() == 3
    shot(page, "review-list")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "review-list-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Confirm: no article in the photos-only message (with a note for the record).
    row = page.locator(f"#review-list tr[data-id='{waiting['photos']}']")
    row.locator("input[name=note]").fill("Ảnh chụp hội nghị, không phải bài")
    row.locator("button", has_text="Xác nhận không có bài").click()
    page.wait_for_url(re.compile(r".*msg=confirmed-no-article.*"))
    assert "không có bài" in page.inner_text(".flash")
    assert page.locator(f"#review-list tr[data-id='{waiting['photos']}']").count() == 0
    with Session(server.engine) as s:
        audit = s.execute(
            select(AuditLog).where(
                AuditLog.object_id == waiting["photos"], AuditLog.action == "confirm-no-article"
            )
        ).scalar_one()
        assert audit.actor == "mai" and audit.reason == "Ảnh chụp hội nghị, không phải bài"

    # Reprocess: queued for the worker, still in the list until it has run.
    row = page.locator(f"#review-list tr[data-id='{waiting['learned']}']")
    row.locator("button", has_text="Xử lý lại").click()
    page.wait_for_url(re.compile(r".*msg=requeued.*"))
    row = page.locator(f"#review-list tr[data-id='{waiting['learned']}']")
    assert "đang chờ xử lý lại" in row.inner_text()
    with Session(server.engine) as s:
        assert s.get(Message, waiting["learned"]).status == "received"
    shot(page, "review-list-after")


def test_compliance_cell_reads_chua_ro(new_page: Any, waiting: dict[str, int], shot: Any) -> None:
    page = new_page("mai")
    page.goto("/compliance?year=2024")
    cell = page.locator("tr#unit-bat-xat td[data-period='2024-05']")
    assert "cell-unresolved" in (cell.get_attribute("class") or "")
    assert "chưa rõ" in cell.inner_text()
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 235, 156)"
    assert "thư không có bài chờ biên tập viên quyết định" in (cell.get_attribute("title") or "")
    # Bát Xát missed other months with nothing waiting for them: whatever the editor
    # decides about May, the year is not met, so the year's result says so.
    assert page.inner_text("tr#unit-bat-xat td.result") == "Chưa đạt"
    shot(page, "compliance-chua-ro")
