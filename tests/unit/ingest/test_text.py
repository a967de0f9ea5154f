"""Plain-text bodies: charset, NFC, quotes and signatures."""

from __future__ import annotations

import unicodedata

from dienhinh.core.types import Part
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.text import TextExtractor, plain_paragraphs
from factory import to_cp1258


def test_windows1258_body_is_nfc(ctx: ExtractContext) -> None:
    text = "Tổ hợp tác chè hữu cơ xã Thanh Bình\n\nBà con người Nùng và người Mông."
    part = Part(
        path="1", content_type="text/plain", payload=to_cp1258(text), charset="windows-1258"
    )
    [draft] = TextExtractor().extract(part, ctx)
    assert draft.text == text
    assert unicodedata.is_normalized("NFC", draft.text)
    assert draft.source == "text-body"


def test_quotes_and_signature_removed() -> None:
    body = (
        "Bài viết ở dưới.\n\nĐoạn một của bài.\n> trích dẫn cũ\n\n-- \nNguyễn Văn A\n"
        "ĐT: 0912 000 000\n"
    )
    assert plain_paragraphs(body) == ["Bài viết ở dưới.", "Đoạn một của bài."]


def test_reply_markers_cut_the_quoted_message() -> None:
    for marker in (
        "Vào Th 2, 10 thg 6, 2019 lúc 09:15 Ban TĐKT <a@b> đã viết:",
        "On Mon, Jun 10, 2019 at 9:15 AM Ban <a@b> wrote:",
        "-----Original Message-----",
    ):
        assert plain_paragraphs(f"Nội dung.\n\n{marker}\nCâu hỏi cũ") == ["Nội dung."]


def test_hard_wrapped_lines_are_joined_short_lines_kept() -> None:
    wrapped = (
        "Một đoạn văn dài được trình soạn thư ngắt dòng ở khoảng bảy mươi\n"
        "ký tự, cần được nối lại thành một đoạn."
    )
    assert plain_paragraphs(wrapped) == [wrapped.replace("\n", " ")]
    assert plain_paragraphs("Trân trọng,\nHoa") == ["Trân trọng,\nHoa"]
