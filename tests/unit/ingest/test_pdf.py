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
