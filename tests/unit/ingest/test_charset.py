"""Mislabelled charsets in text parts, and inline parts that are not articles.

Why: webmail and old Outlook label UTF-8 bodies us-ascii or iso-8859-1, and windows-1258
bodies as anything. Trusting the label turns "Lào Cai" into "LÃ o Cai". Bytes with the
high bit set are tried as strict UTF-8 first (Vietnamese in a single-byte charset is
practically never valid UTF-8), then the label, then windows-1258; the result is NFC.
"""

from __future__ import annotations

import unicodedata

import pytest

from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.mime import decode_text
from factory import (
    DOCX_TYPE,
    Attach,
    DocSpec,
    RawPart,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
    make_raw_email,
    to_cp1258,
    to_tcvn3,
)

TEXT = "Đồng chí Lý Thị Mai ở xã Tả Van, huyện Sa Pa, tỉnh Lào Cai."


@pytest.mark.parametrize("label", ["us-ascii", "iso-8859-1", "windows-1252", "", "x-unknown"])
def test_utf8_under_a_wrong_label(label: str) -> None:
    assert decode_text(TEXT.encode("utf-8"), label) == TEXT


@pytest.mark.parametrize("label", ["us-ascii", "iso-8859-1", "windows-1258", "utf-8"])
def test_windows1258_under_any_label_is_nfc(label: str) -> None:
    got = decode_text(to_cp1258(TEXT), label)
    assert got == TEXT and unicodedata.is_normalized("NFC", got)


def test_wide_charsets_keep_their_label() -> None:
    assert decode_text(TEXT.encode("utf-16"), "utf-16") == TEXT


def test_mislabelled_body_in_a_mail(ctx: ExtractContext) -> None:
    title, paras = article_text(3)
    body = "\n\n".join([title, *paras])
    raw = make_raw_email(
        [RawPart(['Content-Type: text/plain; charset="iso-8859-1"'], body.encode(), "8bit")],
        subtype="single",
    )
    [art] = extract_message(raw, ctx).articles
    assert art.title == title and art.text == "\n\n".join(paras)


def test_tcvn3_pasted_into_a_text_body_is_repaired(ctx: ExtractContext) -> None:
    title, paras = article_text(4)
    body = "\n\n".join([title, *(to_tcvn3(p) for p in paras)])
    [art] = extract_message(make_email(subject=title, text=body), ctx).articles
    assert art.text == "\n\n".join(paras)
    assert art.flags == ["legacy-encoding:tcvn3"]


def test_inline_photo_of_a_page_is_not_an_article(ctx: ExtractContext) -> None:
    """An inline image with a one-line note is not an article here (OCR is a later stage);
    beside a document it is a photo of that article."""
    page = Attach("trang1.jpg", make_jpeg(600, 800, seed=1), "image/jpeg", disposition="inline")
    out = extract_message(make_email(text="Em gửi ảnh bài viết ạ.", attachments=[page]), ctx)
    assert out.articles == [] and out.attachments[0].used_as == "not-article"
    assert out.attachments[0].error == "not-article: a picture, and no article in this message"
    title, paras = article_text(5)
    doc = Attach("bai.docx", make_docx(DocSpec(title=title, paragraphs=paras)), DOCX_TYPE)
    out = extract_message(make_email(attachments=[doc, page]), ctx)
    [art] = out.articles
    assert [(i.role, i.filename) for i in art.images] == [("photo", "trang1.jpg")]
