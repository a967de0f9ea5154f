"""PDF → one article, with pypdfium2.

pypdfium2 reads a 1-2 page unit PDF in ~2.5 ms where pypdf needs ~36 ms
(parsing-costs.md). A PDF without a text layer (a scan) is not dropped: it becomes an
article waiting in ``ArticleState.NEEDS_OCR`` for the slow lane's OCR (``ingest/ocr.py``).
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from dienhinh.core.errors import MalformedDocument
from dienhinh.core.states import ArticleState
from dienhinh.core.text import nfc
from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.article import (
    Block,
    is_cover_paragraph,
    is_letterhead_line,
    repair_legacy_blocks,
)
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.split import articles_from_blocks

__all__ = ["PdfExtractor", "pdf_blocks"]

MAX_PAGES = 200  # an article is a few pages; a 500-page annex is not worth the time
MIN_TEXT_CHARS = 30  # fewer visible characters than this in the whole file = a scan
# Lines of a cover letter before the title that the title is still looked for after.
_COVER_LINES = 8
_TITLE_LINES = 8  # a title is among the first lines of page 1
_END = re.compile(r"[.!?:;…\"”)»]$")


@dataclass
class _Line:
    text: str
    size: float = 0.0  # font size of the first visible character
    top: float = 0.0  # baseline of that character, PDF units (grows upwards)


def _lines(textpage: pdfium.PdfTextPage, text: str) -> list[_Line]:
    """Lines of a page with size and position of their first visible character. pdfium
    counts the generated CR LF between lines as characters, so offsets match ``text``."""
    out: list[_Line] = []
    offset = 0
    for line in text.split("\r\n"):
        stripped = line.lstrip()
        if stripped:
            index = offset + len(line) - len(stripped)
            size = round(float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index)), 1)
            x, y = ctypes.c_double(), ctypes.c_double()
            pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
            out.append(_Line(line.strip(), size, y.value))
        offset += len(line) + 2
    return out


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Re-join wrapped lines. A paragraph ends at a larger vertical gap than the usual
    line spacing, at a line that ends a sentence short of the measure, or at a clearly
    short line."""
    widths = sorted(len(ln.text) for ln in lines)
    measure = widths[int(len(widths) * 0.9)] if widths else 0
    gaps = sorted(a.top - b.top for a, b in itertools.pairwise(lines) if a.top - b.top > 0)
    spacing = gaps[len(gaps) // 4] if gaps else 0.0  # a low quartile: plain line spacing
    paras: list[str] = []
    current: list[str] = []
    for i, line in enumerate(lines):
        current.append(line.text)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        gap = (line.top - nxt.top) if nxt is not None else 0.0
        short = len(line.text) < 0.85 * measure
        if (
            nxt is None
            or (spacing and (gap > spacing * 1.3 or gap < 0))
            or (short and _END.search(line.text))
            or len(line.text) < 0.6 * measure
        ):
            paras.append(" ".join(current))
            current = []
    return paras


def pdf_blocks(payload: bytes, label: str) -> tuple[list[Block], int]:
    """(blocks in reading order, visible character count). Raises MalformedDocument."""
    try:
        pdf = pdfium.PdfDocument(payload)
    except pdfium.PdfiumError as err:
        reason = "encrypted (password required)" if "password" in str(err).lower() else str(err)
        raise MalformedDocument(f"{label}: cannot open PDF: {reason}") from err
    blocks: list[Block] = []
    visible = 0
    try:
        for index in range(min(len(pdf), MAX_PAGES)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                text = nfc(textpage.get_text_range())
                lines = _lines(textpage, text)
            finally:
                textpage.close()
                page.close()
            visible += len("".join(text.split()))  # non-space characters, counted in C
            if index == 0:
                blocks.extend(_first_page(lines))
            else:
                blocks.extend(Block(text=p) for p in _paragraphs(lines))
    except pdfium.PdfiumError as err:
        raise MalformedDocument(f"{label}: damaged PDF: {err}") from err
    finally:
        pdf.close()
    return blocks, visible


def _first_page(lines: list[_Line]) -> list[Block]:
    sizes = Counter(ln.size for ln in lines if ln.size > 1)
    body_size = sizes.most_common(1)[0][0] if sizes else 0.0
    blocks: list[Block] = []
    i = 0
    # Letterhead lines each stay a block; the larger-type lines after them are the title.
    while i < len(lines) and is_letterhead_line(lines[i].text):
        blocks.append(Block(text=lines[i].text))
        i += 1
    # A cover letter may come first ("Kính gửi: ...", "... trân trọng gửi bài viết"): the
    # title is then the first run of larger type after its few lines.
    head = i
    while (
        i < len(lines)
        and is_cover_paragraph(lines[head].text)
        and i - head < _COVER_LINES
        and lines[i].size <= body_size + 0.5
        and any(ln.size > body_size + 0.5 for ln in lines[i + 1 : head + _COVER_LINES + 1])
    ):
        i += 1
    if i > head and (i == len(lines) or lines[i].size <= body_size + 0.5):
        i = head  # no larger type among the first lines: no title set apart
    blocks.extend(Block(text=p) for p in _paragraphs(lines[head:i]))
    title: list[str] = []
    while i < len(lines) and len(title) < _TITLE_LINES and lines[i].size > body_size + 0.5:
        title.append(lines[i].text)
        i += 1
    if title:
        blocks.append(Block(text=" ".join(title), heading=True, level=1))
    blocks.extend(Block(text=p) for p in _paragraphs(lines[i:]))
    return blocks


class PdfExtractor:
    name: ClassVar[str] = "pdf"

    def score(self, part: Part) -> int | None:
        if part.content_type == "application/pdf":
            return 100
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        label = part.filename or f"part {part.path}"
        blocks, visible = pdf_blocks(part.payload, label)
        origin = part.filename or part.path
        if visible < MIN_TEXT_CHARS:
            return [
                ArticleDraft(
                    title="",
                    text="",
                    source="pdf",
                    origin=origin,
                    status=ArticleState.NEEDS_OCR,
                    flags=["ocr"],
                    error=f"{label}: no text layer (scanned); needs OCR",
                )
            ]
        # PDF text carries no usable font information here: legacy text (a TCVN3 document
        # printed to PDF) is repaired when the whole text says so.
        encoding = repair_legacy_blocks(blocks)
        flags = [f"legacy-encoding:{encoding}"] if encoding else []
        return articles_from_blocks(blocks, source="pdf", origin=origin, flags=flags)
