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


# Outlook Express sent text typed in .VnTime as iso-8859-1: the bytes are TCVN3 codes.
TCVN3_BODY = (
    "kính gửi: ban thi đua - khen thưởng tỉnh\n\n"
    "ban thường vụ hội cựu chiến binh tỉnh gửi ban bài viết về gương cựu chiến binh tiêu "
    "biểu trong phong trào xây dựng nông thôn mới.\n\n"
    "đồng chí vàng seo dín sinh năm 1960, người dân tộc mông, nhập ngũ tháng 2 năm 1979, "
    "trực tiếp tham gia chiến đấu bảo vệ biên giới phía bắc.\n\n"
    "năm 2016, xã được hỗ trợ xi măng làm đường liên thôn, nhưng tuyến đường đi qua đất "
    "nương của nhiều hộ nên việc giải phóng mặt bằng gặp khó khăn. đồng chí dín bàn với vợ "
    "con, tự nguyện hiến 850 m2 đất nương trồng ngô, rồi đến từng nhà vận động bà con cùng "
    "hiến đất. chỉ sau hai tháng, 23 hộ đã hiến hơn 4.000 m2 đất, con đường dài 2,3 km hoàn "
    "thành trước mùa mưa, học sinh không còn phải lội bùn đến trường."
)


def test_tcvn3_bytes_labelled_latin1_are_read_as_tcvn3_not_windows1258() -> None:
    """GIVEN a body of TCVN3 bytes labelled iso-8859-1 (which also decode as windows-1258,
    to half-right Vietnamese: "KƯnh gửi", "chiƠn") WHEN decoded THEN the bytes' western
    reading, which the legacy repair turns into the Unicode text; genuine windows-1258
    under the same label stays windows-1258 (test above)."""
    from dienhinh.ingest.article import repair_legacy_text

    payload = to_tcvn3(TCVN3_BODY).encode("cp1252")
    assert payload.decode("cp1258") != TCVN3_BODY  # it decodes, wrongly
    text, encoding = repair_legacy_text(decode_text(payload, "iso-8859-1"))
    assert (text, encoding) == (TCVN3_BODY, "tcvn3")


def test_a_tcvn3_body_and_subject_in_a_mail_come_out_in_unicode(ctx: ExtractContext) -> None:
    subject = "bài gương ccb hiến đất làm đường"
    encoded = "".join(
        f"={b:02X}" if b > 127 or chr(b) in "?=_" else ("_" if b == 32 else chr(b))
        for b in to_tcvn3(subject).encode("cp1252")
    )
    raw = make_raw_email(
        [
            RawPart(
                ['Content-Type: text/plain; charset="iso-8859-1"'],
                to_tcvn3(TCVN3_BODY).encode("cp1252"),
                "8bit",
            )
        ],
        subtype="single",
        subject=f"=?iso-8859-1?Q?{encoded}?=".encode(),
    )
    out = extract_message(raw, ctx)
    assert out.headers.subject == subject
    assert "đồng chí vàng seo dín sinh năm 1960" in out.articles[0].text
