"""The PDF extractor (pypdfium2)."""

from __future__ import annotations

import io

import pytest

from dienhinh.core.errors import MalformedDocument
from dienhinh.core.types import Part
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.pdf import PdfExtractor
from factory import article_text, make_image_pdf, make_pdf

TITLE, PARAS = article_text(11)


def _part(data: bytes) -> Part:
    return Part(path="2", content_type="application/pdf", payload=data, filename="bai.pdf")


def test_text_pdf_title_and_paragraphs(ctx: ExtractContext) -> None:
    [art] = PdfExtractor().extract(_part(make_pdf(TITLE, PARAS)), ctx)
    assert art.status == "pending-review"
    assert art.source == "pdf"
    assert art.title == TITLE
    assert art.text.split("\n\n") == list(PARAS)
    assert art.lead == PARAS[0]


def test_title_after_a_cover_letter_in_the_same_pdf(ctx: ExtractContext) -> None:
    """A unit's signed dispatch: "Kính gửi: ..." and a sentence sending the article, then
    the article's title in larger type. The title is the article's, the cover lines are
    not its text."""
    cover = [
        "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai.",
        "Trường Chính trị tỉnh trân trọng gửi bài viết giới thiệu mô hình mới để Quý Ban "
        "tổng hợp, tuyên truyền theo Kế hoạch.",
    ]
    [art] = PdfExtractor().extract(_part(make_pdf(TITLE, PARAS, cover=cover)), ctx)
    assert art.title == TITLE
    assert art.text.split("\n\n") == list(PARAS)
    assert not any("Kính gửi" in ln for ln in art.text.split("\n"))


def test_body_type_first_lines_without_a_cover_are_the_text(ctx: ExtractContext) -> None:
    """Larger type a few lines down (a heading inside the article) does not make the
    first lines a cover letter to skip."""
    data = make_pdf(TITLE, PARAS, cover=["Ông Vàng A Páo năm nay bảy mươi tuổi."])
    [art] = PdfExtractor().extract(_part(data), ctx)
    assert "Ông Vàng A Páo năm nay bảy mươi tuổi." in art.text


def test_image_only_pdf_needs_ocr(ctx: ExtractContext) -> None:
    [art] = PdfExtractor().extract(_part(make_image_pdf()), ctx)
    assert art.status == "needs-ocr"
    assert art.text == ""
    assert "ocr" in art.flags


def test_encrypted_pdf_fails(ctx: ExtractContext) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "hello")
    c.save()
    with pytest.raises(MalformedDocument, match="password"):
        PdfExtractor().extract(_part(buf.getvalue()), ctx)


def test_corrupt_pdf_fails(ctx: ExtractContext) -> None:
    with pytest.raises(MalformedDocument):
        PdfExtractor().extract(_part(b"%PDF-1.4\n garbage"), ctx)
