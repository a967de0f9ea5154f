"""Scanned PDFs and photographed pages → articles, with Tesseract.

Each page is rendered (PDF) or decoded (photo) to a grayscale PNG in a private temporary
directory and read by one ``tesseract PAGE.png stdout -l vie --psm 3 tsv`` run. The TSV
output gives every line with its box, so the article is rebuilt the way the PDF extractor
does it: letterhead lines first, the leading lines set larger than the body become the
title, and Tesseract's paragraphs are re-joined where it split one mid-sentence (also
across pages). The text is NFC. Every article is flagged "ocr" (and "ocr-low-confidence"
when Tesseract's mean word confidence is under 70) and waits for review.

Cost, measured on the 2-core test machine with tesseract 5 and ``vie``: rendering an A4
page at 300 dpi ~0.1 s, Tesseract ~1.1 s per page of text. Tesseract is run with
``OMP_THREAD_LIMIT=1``: its OpenMP threads made the same page take 4.0 s on two cores,
and the ingest pool already uses every core.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError

from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsOCR
from dienhinh.core.text import collapse_ws, nfc
from dienhinh.core.types import ArticleDraft
from dienhinh.ingest.article import TITLE_MAX_CHARS, Block, build_article, is_letterhead_line
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.convert import plain_text_blocks

__all__ = ["looks_like_text_page", "ocr_images", "ocr_pdf", "tesseract_available"]

log = logging.getLogger(__name__)

DPI = 300
MAX_SIDE_PX = 5000  # an A4 page at 300 dpi is 3508 px; posters are scaled down to this
LOW_CONFIDENCE = 70.0
_TITLE_SCALE = 1.25  # a title line's type is at least this much larger than the body's
_TITLE_LINES = 4
_NOT_INSTALLED = "Tesseract with Vietnamese (tesseract-ocr-vie) is not installed"
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?[-–—\s]*$", re.I)
_SENTENCE_END = re.compile(r"[.!?:;…\"”»)]$")


# --- Tesseract -----------------------------------------------------------------------------


def tesseract_available(languages: str = "vie") -> bool:
    """True when ``tesseract`` is on PATH and knows every language in ``languages``
    ("vie", "vie+eng")."""
    path = shutil.which("tesseract")
    if path is None:
        return False
    installed = _installed_languages(path)
    return all(lang in installed for lang in languages.split("+"))


@functools.lru_cache(maxsize=4)
def _installed_languages(path: str) -> frozenset[str]:
    try:
        run = subprocess.run([path, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    # The first line is 'List of available languages in "...":'; older versions print
    # it on stderr, so read both.
    lines = (run.stdout + b"\n" + run.stderr).decode("utf-8", "replace").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and " " not in ln.strip())


def _child_env() -> dict[str, str]:
    # Passed through, not configuration: Tesseract needs PATH/TESSDATA_PREFIX as the
    # operator set them. Only the thread limit is ours (see the module docstring).
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _tesseract(image: Path, ctx: ExtractContext, label: str) -> str:
    """Tesseract's TSV for one page image; the group is killed on timeout."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise NeedsOCR(_NOT_INSTALLED)
    timeout = ctx.limits.ocr_timeout_seconds
    argv = [tesseract, str(image), "stdout", "-l", ctx.limits.ocr_languages, "--psm", "3", "tsv"]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=image.parent,
        env=_child_env(),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LimitExceeded(
            f"{label}: OCR of one page took longer than {timeout} s (ocr_timeout_seconds)"
        ) from exc
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip().replace("\n", "; ")[:300]
        raise MalformedDocument(f"{label}: Tesseract failed (exit {proc.returncode}: {message})")
    return out.decode("utf-8", "replace")


# --- TSV → lines → blocks ------------------------------------------------------------------


@dataclass
class _Line:
    text: str
    top: int
    width: int
    height: int
    para: tuple[int, int]  # Tesseract's (block_num, par_num) within the page
    confidences: list[float] = field(default_factory=list)

    @property
    def pitch(self) -> float:
        """Pixels per character: type size, robust to the tall boxes of a tilted photo."""
        return self.width / max(len(self.text), 1)


def _tsv_lines(tsv: str) -> list[_Line]:
    lines: dict[tuple[int, int, int], _Line] = {}
    reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(reader, None)  # header
    for row in reader:
        if len(row) < 12 or not row[0].isdigit():
            continue
        level, block, par, line = int(row[0]), int(row[2]), int(row[3]), int(row[4])
        key = (block, par, line)
        if level == 4:
            lines[key] = _Line("", int(row[7]), int(row[8]), int(row[9]), (block, par))
        elif level == 5 and row[11].strip() and key in lines:
            current = lines[key]
            current.text = f"{current.text} {row[11].strip()}" if current.text else row[11].strip()
            current.confidences.append(float(row[10]))
    return [ln for ln in lines.values() if ln.text.strip() and not _PAGE_NUMBER.match(ln.text)]


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Lines → paragraphs. Tesseract's paragraph numbers are a start; a paragraph also
    ends at a wider vertical gap than the usual line spacing, or at a line that ends a
    sentence short of the measure (the rules of the PDF extractor)."""
    if not lines:
        return []
    widths = sorted(ln.width for ln in lines)
    measure = widths[int(len(widths) * 0.9)]
    steps = sorted(b.top - a.top for a, b in itertools.pairwise(lines) if b.top > a.top)
    spacing = steps[len(steps) // 4] if steps else 0
    out: list[list[str]] = [[lines[0].text]]
    for prev, line in itertools.pairwise(lines):
        gap = line.top - prev.top
        if (
            line.para != prev.para
            or (spacing and (gap > spacing * 1.35 or gap < 0))
            or (prev.width < 0.85 * measure and _SENTENCE_END.search(prev.text))
        ):
            out.append([])
        out[-1].append(line.text)
    return [collapse_ws(" ".join(p)) for p in out]


def _join_broken(paragraphs: list[str]) -> list[str]:
    """Re-join a paragraph Tesseract (or a page break) split mid-sentence: the first part
    does not end a sentence and the next starts with a lower-case letter."""
    out: list[str] = []
    for para in paragraphs:
        if out and not _SENTENCE_END.search(out[-1]) and para[:1].islower():
            out[-1] = f"{out[-1]} {para}"
        else:
            out.append(para)
    return out


def _first_page_head(lines: list[_Line]) -> tuple[list[Block], list[_Line]]:
    """Letterhead lines and a title set in larger type; the remaining lines."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines) and is_letterhead_line(lines[i].text):
        blocks.append(Block(text=lines[i].text))
        i += 1
    sized = [ln for ln in lines if len(ln.text) >= 8] or lines
    pitch = statistics.median(ln.pitch for ln in sized) if sized else 0.0
    height = statistics.median(ln.height for ln in sized) if sized else 0.0
    title: list[str] = []
    while (
        i < len(lines)
        and len(title) < _TITLE_LINES
        and (lines[i].pitch >= pitch * _TITLE_SCALE or lines[i].height >= height * _TITLE_SCALE)
    ):
        title.append(lines[i].text)
        i += 1
    text = collapse_ws(" ".join(title))
    if text and len(text) <= TITLE_MAX_CHARS:
        blocks.append(Block(text=text, heading=True))
    elif text:
        blocks.append(Block(text=text))
    return blocks, lines[i:]


def _article(pages: list[list[_Line]], *, source: str, origin: str) -> ArticleDraft:
    pages = [p for p in pages if p]
    if not pages:
        raise MalformedDocument(f"{origin or source}: OCR found no text")
    head, rest = _first_page_head(pages[0])
    paragraphs = _join_broken([*_paragraphs(rest), *(x for p in pages[1:] for x in _paragraphs(p))])
    blocks = [Block(text=nfc(b.text), heading=b.heading) for b in head]
    if not any(b.heading for b in blocks):
        # No line stood out by size: fall back to "the first short line-like paragraph".
        blocks = plain_text_blocks([b.text for b in blocks] + paragraphs)
    else:
        blocks += [Block(text=nfc(p)) for p in paragraphs]
    article = build_article(blocks, source=source, origin=origin)
    article.flags.append("ocr")
    confidences = [c for p in pages for ln in p for c in ln.confidences]
    if confidences and statistics.fmean(confidences) < LOW_CONFIDENCE:
        article.flags.append("ocr-low-confidence")
    article.status = "pending-review"
    return article


def _read_pages(
    images: Sequence[Image.Image], ctx: ExtractContext, label: str
) -> list[list[_Line]]:
    if not tesseract_available(ctx.limits.ocr_languages):
        raise NeedsOCR(_NOT_INSTALLED)
    pages: list[list[_Line]] = []
    with tempfile.TemporaryDirectory(prefix="dienhinh-ocr-") as tmp:
        for number, image in enumerate(images, start=1):
            path = Path(tmp) / f"page-{number:03d}.png"
            image.save(path, "PNG", compress_level=1)
            started = time.monotonic()
            pages.append(_tsv_lines(_tesseract(path, ctx, f"{label} page {number}")))
            log.info("OCR %s page %d in %.2f s", label, number, time.monotonic() - started)
            path.unlink()
    return pages


# --- entry points --------------------------------------------------------------------------


def ocr_pdf(data: bytes, ctx: ExtractContext, *, origin: str = "") -> list[ArticleDraft]:
    """One article from an image-only PDF: its first ``ocr_max_pages`` pages, OCR'd.

    Raises NeedsOCR without Tesseract/Vietnamese, MalformedDocument for an unreadable PDF
    or one with no recognisable text, LimitExceeded when a page runs past
    ``ocr_timeout_seconds``.
    """
    label = origin or "scanned PDF"
    if not tesseract_available(ctx.limits.ocr_languages):
        raise NeedsOCR(_NOT_INSTALLED)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise MalformedDocument(f"{label}: cannot open PDF: {err}") from err
    images: list[Image.Image] = []
    try:
        total = len(pdf)
        for index in range(min(total, ctx.limits.ocr_max_pages)):
            page = pdf[index]
            try:
                width, height = page.get_size()
                scale = min(DPI / 72, MAX_SIDE_PX / max(width, height, 1))
                images.append(page.render(scale=scale, grayscale=True).to_pil())
            finally:
                page.close()
    except pdfium.PdfiumError as err:
        raise MalformedDocument(f"{label}: damaged PDF: {err}") from err
    finally:
        pdf.close()
    article = _article(_read_pages(images, ctx, label), source="pdf-scan", origin=origin)
    if total > ctx.limits.ocr_max_pages:
        article.flags.append("ocr-partial")
        article.error = f"only the first {ctx.limits.ocr_max_pages} of {total} pages were read"
    return [article]


def _open_image(data: bytes, name: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise LimitExceeded(f"{name}: image too large to OCR ({err})") from err
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise MalformedDocument(f"{name}: not a readable image ({err})") from err
    image = ImageOps.exif_transpose(image).convert("L")  # phone photos are often rotated
    if max(image.size) > MAX_SIDE_PX:
        image.thumbnail((MAX_SIDE_PX, MAX_SIDE_PX))
    return image


def ocr_images(images: list[tuple[bytes, str]], ctx: ExtractContext) -> list[ArticleDraft]:
    """One article from photos of a printed article, pages in the order given
    (``(bytes, file name)`` pairs). Callers pick the pages with
    :func:`looks_like_text_page` so that photos of people are not OCR'd."""
    if not images:
        return []
    if not tesseract_available(ctx.limits.ocr_languages):
        raise NeedsOCR(_NOT_INSTALLED)
    names = [name for _, name in images]
    origin = ", ".join(n for n in names if n)
    decoded = [_open_image(data, name or f"image {i}") for i, (data, name) in enumerate(images, 1)]
    return [
        _article(_read_pages(decoded, ctx, origin or "images"), source="image-scan", origin=origin)
    ]


# --- is this photo a page of text? ----------------------------------------------------------


def looks_like_text_page(image_bytes: bytes) -> bool:
    """A cheap guess (~5 ms) whether an image is a photo or scan of a printed page.

    On a 600 px grayscale copy, after stretching the contrast: a page of text is mostly
    paper (bright), with a small share of ink (dark) and few pixels in between (a bimodal
    histogram), and its ink is thin strokes: short dark runs along each row, many of them.
    A photo of people or a landscape has a broad histogram and large dark areas.
    Measured on the images in ``tests/unit/ingest/test_ocr.py`` (see there).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(image_bytes))
            opened.draft("L", (1200, 1200))  # JPEG: decode at reduced size, much faster
            image = ImageOps.exif_transpose(opened).convert("L")
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        return False
    image.thumbnail((600, 600))
    image = ImageOps.autocontrast(image, cutoff=1)
    hist = image.histogram()
    total = sum(hist)
    if total < 10_000:  # too small to be a readable page
        return False
    bright = sum(hist[170:]) / total
    dark = sum(hist[:90]) / total
    middle = 1 - bright - dark
    if not (bright >= 0.55 and 0.01 <= dark <= 0.35 and middle <= 0.25):
        return False
    # Ink strokes: dark runs along rows. Text gives many short runs; a dark jacket or
    # hair gives a few long ones.
    width, height = image.size
    if not 0.4 <= width / height <= 2.5:  # a banner or a strip, not a page
        return False
    ink = image.point(lambda v: 255 if v < 90 else 0).tobytes()
    runs = run_px = blank_rows = 0
    rows = range(0, height, 2)
    lo, hi = width // 6, width - width // 6  # the middle: not the desk around a photographed page
    for y in rows:
        row = ink[y * width : (y + 1) * width]
        dark = row.count(255)
        run_px += dark
        runs += row.count(b"\x00\xff") + (row[:1] == b"\xff")
        blank_rows += row[lo:hi].count(255) <= width // 200
    if runs == 0:
        return False
    mean_run = run_px / runs
    # Printed text leaves rows without ink in the middle of the page (margins, the space
    # between lines); speckle noise and textured photos put dark pixels in every row.
    return mean_run <= width * 0.02 and runs / len(rows) >= 4 and blank_rows / len(rows) >= 0.1
