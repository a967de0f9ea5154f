"""A letterhead pasted into a .docx as a picture: the banner alone is OCR'd into the
article's ``header_lines`` (for the unit tagger); photos are never read."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.shared import Cm
from PIL import Image, ImageDraw, ImageFont

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.types import Part
from dienhinh.ingest import ocr
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors.docx import DocxExtractor
from dienhinh.ingest.mime import DOCX_TYPE
from dienhinh.ingest.ocr import is_letterhead_banner, ocr_letterhead, tesseract_available
from factory import DEJAVU_BOLD, make_jpeg

REPO_ROOT = Path(__file__).resolve().parents[3]

needs_tesseract = pytest.mark.skipif(
    not tesseract_available("vie"), reason="tesseract with Vietnamese (tesseract-ocr-vie) missing"
)


def _banner(left: list[str], right: list[str], width: int = 1400, height: int = 300) -> bytes:
    """A letterhead as a scanned template draws it: the body left, the motto right."""
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(DEJAVU_BOLD), 30)
    for i, line in enumerate(left):
        draw.text((30, 30 + i * 50), line, font=font, fill="black")
    for i, line in enumerate(right):
        draw.text((width // 2 + 10, 30 + i * 50), line, font=font, fill="black")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _docx(first_image: bytes | None, *, text_letterhead: str = "") -> bytes:
    d = docx.Document()
    if text_letterhead:
        d.add_paragraph().add_run(text_letterhead).bold = True
    if first_image is not None:
        d.add_picture(io.BytesIO(first_image), width=Cm(16))
    d.add_paragraph("Mô hình nuôi ong lấy mật của chị Lò Thị Hoa", style="Title")
    d.add_paragraph("Chị Hoa bắt đầu nuôi ong từ năm 2016 với năm đàn, nay đã có sáu mươi đàn.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _extract(data: bytes, ctx: ExtractContext):
    part = Part(path="2", content_type=DOCX_TYPE, payload=data, filename="bai.docx")
    [article] = DocxExtractor().extract(part, ctx)
    return article


def test_only_banner_shaped_images_are_letterheads() -> None:
    assert is_letterhead_banner(_banner(["UBND HUYỆN"], []))
    assert not is_letterhead_banner(make_jpeg(1200, 900))  # a photo
    assert not is_letterhead_banner(b"not an image")


@needs_tesseract
def test_letterhead_image_at_the_top_is_read_and_names_the_unit(ctx: ExtractContext) -> None:
    banner = _banner(
        ["UBND HUYỆN MƯỜNG KHƯƠNG", "PHÒNG NỘI VỤ"],
        ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
    )
    article = _extract(_docx(banner), ctx)
    assert article.header_lines, "the banner was not read"
    directory = UnitDirectory.load(REPO_ROOT / "units.toml")
    found = {m.unit_code for line in article.header_lines for m in directory.find_mentions(line)}
    assert found == {"muong-khuong"}, article.header_lines
    assert article.title.startswith("Mô hình nuôi ong")


def test_no_ocr_for_a_photo_first_or_a_text_letterhead(
    ctx: ExtractContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tesseract runs only for a banner opening a document without a text letterhead."""
    calls: list[int] = []
    real = ocr._tesseract

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ocr, "_tesseract", counting)
    assert _extract(_docx(make_jpeg(1200, 900)), ctx).header_lines == []
    banner = _banner(["UBND HUYỆN BẮC HÀ"], [])
    article = _extract(_docx(banner, text_letterhead="SỞ Y TẾ"), ctx)
    assert article.header_lines == ["SỞ Y TẾ"]
    assert calls == []


def test_letterhead_ocr_without_tesseract_reads_nothing(
    ctx: ExtractContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "tesseract_available", lambda languages="vie": False)
    assert ocr_letterhead(_banner(["UBND HUYỆN BẮC HÀ"], []), ctx) == []
