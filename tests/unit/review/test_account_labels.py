"""The one Vietnamese mapping of attachment outcomes and reason codes (core/labels.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dienhinh.core.labels import (
    MESSAGE_STATE_LABELS,
    OUTCOME_LABELS,
    error_label,
    outcome_label,
    reason_parts,
)
from dienhinh.core.types import AttachmentOutcome
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.store.states import MessageState
from factory import DOCX_TYPE, Attach, make_email


def test_every_outcome_and_message_state_has_a_vietnamese_label() -> None:
    assert {o.value for o in AttachmentOutcome} <= set(OUTCOME_LABELS)
    assert {s.value for s in MessageState} == set(MESSAGE_STATE_LABELS)
    assert outcome_label("official-document") == "văn bản hành chính (không phải bài viết)"
    assert outcome_label("ocr-page") == "trang ảnh đã nhận dạng chữ"
    assert outcome_label("") == "chưa ghi nhận"
    assert outcome_label("something-new") == "chưa rõ"  # never the code


def test_reason_codes_before_the_colon_are_vietnamese_and_the_stored_text_is_kept() -> None:
    """The Vietnamese is for everyone; the stored text only for the admins' "Chi tiết kỹ
    thuật" disclosure."""
    cases = {
        "encrypted: password-protected zip": "tệp có mật khẩu",
        "over-limit: 120 parts, the limit is 100": "vượt giới hạn cho phép",
        "unreadable: conversion failed: LibreOffice exited 1": "không đọc được",
        "unsupported: application/x-msdownload": "loại tệp không hỗ trợ",
        "official-document: giấy mời (Số: 12/GM-UBND)": "văn bản hành chính",
        "Encrypted : upper case and spaces": "tệp có mật khẩu",
        "no readable article: a.doc: conversion found no text": "không có bài nào đọc được",
        "not an article: auto-reply (Auto-Submitted: auto-replied)": (
            "không phải bài viết: thư trả lời tự động"
        ),
        "logo: 120x40 image in the signature": "hình biểu trưng, chữ ký",
        "1 of 3 documents could not be read": "1/3 tệp không đọc được",
        "timeout: extraction took over 300 s": "quá thời gian đọc thư",
        "needs-conversion: bai.doc waits for LibreOffice": "chờ chuyển đổi định dạng",
        "needs-ocr: scan.pdf has no text layer": "chờ nhận dạng chữ từ ảnh",
        "waiting: photographed page, to be read by OCR": "đang chờ chuyển đổi hoặc nhận dạng chữ",
        "1 of 2 documents could not be read: bai.doc: unreadable": "1/2 tệp không đọc được",
        "no article: bai.zip: encrypted: password-protected zip": (
            "không có bài viết (tệp có mật khẩu)"
        ),
    }
    for reason, vi in cases.items():
        assert reason_parts(reason) == (vi, reason), reason
    assert reason_parts(None) == ("", "")
    # An unknown code: a generic Vietnamese phrase, never the English.
    assert reason_parts("weird thing happened") == (
        "lý do kỹ thuật (quản trị viên xem chi tiết)",
        "weird thing happened",
    )


# --- documents the extractors could not open ------------------------------------------------


def _broken_zip_member() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bai.docx", b"PK\x03\x04" + b"\x00" * 64)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "ctype", "words"),
    [
        ("bai-hong.docx", bytes(range(7, 251)) * 20, DOCX_TYPE, "tệp bị hỏng"),
        ("bai-hong.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 200, "application/pdf", "tệp bị hỏng"),
        ("bai.zip", _broken_zip_member(), "application/zip", "không đọc được"),
    ],
)
def test_a_document_that_cannot_be_opened_is_named_as_such(
    tmp_path: Path, name: str, data: bytes, ctype: str, words: str
) -> None:
    """GIVEN a unit's only document damaged WHEN extracted THEN what the console and the
    digest show for the message and its failed article says the file is at fault (so an
    editor asks for it again), never the generic "lỗi kỹ thuật"."""
    out = extract_message(
        make_email(attachments=[Attach(name, data, ctype)]), ExtractContext(blob_root=tmp_path)
    )
    assert out.status == "failed", out.reason
    shown = [error_label(out.reason)] + [error_label(a.error) for a in out.articles if a.error]
    assert all("kỹ thuật" not in x for x in shown), (out.reason, shown)
    assert any(words in x for x in shown), shown
