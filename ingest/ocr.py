"""Scanned PDFs and photographed pages → articles, with Tesseract.

Each page is rendered (PDF) or decoded (photo) to a grayscale PNG in a private temporary
directory and read by one ``tesseract PAGE.png stdout -l vie --psm 3 tsv`` run. The TSV
output gives every line with its box, so the article is rebuilt the way the PDF extractor
does it: letterhead lines first, the leading lines set larger than the body become the
title, and Tesseract's paragraphs are re-joined where it split one mid-sentence (also
across pages). The text is NFC. Every article is flagged "ocr" (and "ocr-low-confidence"
when Tesseract's mean word confidence is under 70) and waits for review.

Photographed pages are first evened out, turned upright and deskewed (see "photographed
pages" below), and each page is accounted for: read (``ocr-page``) or refused when OCR
found no text on it. Which photos are pages is decided by what the image shows
(:func:`looks_like_text_page`), never by its name.

Cost, measured on the 2-core test machine with tesseract 5 and ``vie``: rendering an A4
page at 300 dpi ~0.1 s, Tesseract ~1.1 s per page of text; a phone photo of a page
(1400x1900) ~4-6 s with orientation detection, a 12-megapixel one ~10 s. Tesseract is run with
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
from PIL import Image, ImageFilter, ImageMath, ImageOps, UnidentifiedImageError

from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsOCR
from dienhinh.core.states import ArticleState
from dienhinh.core.text import collapse_ws, nfc
from dienhinh.core.types import ArticleDraft
from dienhinh.ingest.article import TITLE_MAX_CHARS, Block, build_article, is_letterhead_line
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.convert import plain_text_blocks

__all__ = [
    "PageRead",
    "PageScan",
    "is_letterhead_banner",
    "looks_like_text_page",
    "ocr_images",
    "ocr_letterhead",
    "ocr_pdf",
    "ocr_photographed_pages",
    "page_order",
    "tesseract_available",
]

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


def _tesseract(
    image: Path, ctx: ExtractContext, label: str, args: Sequence[str] | None = None
) -> str:
    """Tesseract's TSV for one page image (or the output ``args`` ask for, e.g. the
    orientation report of ``--psm 0``); the group is killed on timeout."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise NeedsOCR(_NOT_INSTALLED)
    timeout = ctx.limits.ocr_timeout_seconds
    if args is None:
        args = ("-l", ctx.limits.ocr_languages, "--psm", "3", "tsv")
    argv = [tesseract, str(image), "stdout", *args]
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
    article.status = ArticleState.PENDING_REVIEW
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


# --- photographed pages: orientation, deskew, even light -----------------------------------
#
# A phone photo of a printed page is rarely upright: the phone is held sideways (the JPEG
# is stored rotated, often without EXIF orientation), a little crooked, and the light
# falls from one side. Each photo is therefore (1) divided by its own background, so
# the paper is white from corner to corner and the desk around it fades, (2) turned
# upright by Tesseract's orientation detection (``--psm 0``; when that finds too few
# letters, both ways along the text lines are read and the more confident kept), and
# (3) deskewed by the angle whose row profile has the sharpest text lines.

_SKEW_MAX = 8.0  # degrees; a page held more crooked than this is photographed again
_OSD_MIN_CONFIDENCE = 2.0
_NO_TEXT = "unreadable: OCR found no text"


@dataclass
class PageRead:
    """What OCR made of one photographed page."""

    name: str
    lines: list[_Line] = field(default_factory=list)
    rotated: int = 0  # degrees clockwise the photo was turned to stand upright
    skew: float = 0.0  # degrees the page was turned back to level
    error: str = ""  # "unreadable: ..." when no text came out
    # A photo sent with the pages that OCR tried as a possible page and found too little
    # text on: it stays a photo of the article (a sign on a building, a banner).
    photo: bool = False

    @property
    def words(self) -> int:
        return sum(len(line.text.split()) for line in self.lines)

    @property
    def outcome(self) -> str:
        """The page's AttachmentOutcome value: read by OCR, refused, or still a photo."""
        if self.photo:
            return "photo"
        return "refused" if self.error else "ocr-page"


@dataclass
class PageScan:
    """The article the pages make (None when no page had text) and each page's account."""

    article: ArticleDraft | None
    pages: list[PageRead]


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


def _background(image: Image.Image) -> Image.Image:
    """The paper's brightness around each pixel: the brightest of the block means around
    it (ink is thin, so a block over text is nearly paper), smoothed, at full size."""
    w, h = image.size
    step = max(4, min(w, h) // 100)
    small = image.resize((max(1, w // step), max(1, h // step)), Image.Resampling.BOX)
    bg = small.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.GaussianBlur(1))
    return bg.resize((w, h), Image.Resampling.BILINEAR)


def _ink(image: Image.Image) -> Image.Image:
    """255 where a pixel is clearly darker than the paper around it (under 70 % of the
    local background and by more than 30 levels), else 0: strokes, whatever the light."""
    bg = _background(image)
    mask: Image.Image = ImageMath.lambda_eval(
        lambda a: a["convert"](
            ((a["img"] * 10 < a["bg"] * 7) & (a["bg"] - a["img"] > 30)) * 255, "L"
        ),
        img=image,
        bg=bg,
    )
    return mask


def _flatten(image: Image.Image) -> Image.Image:
    """The image divided by its background: white paper everywhere, ink kept dark."""
    bg = _background(image)
    flat: Image.Image = ImageMath.lambda_eval(
        lambda a: a["convert"](a["min"](a["img"] * 255 / (a["bg"] + 1), 255), "L"),
        img=image,
        bg=bg,
    )
    return flat


def _row_profile(ink: Image.Image) -> list[float]:
    """Share of ink in each row (0..1)."""
    return [v / 255 for v in ink.resize((1, ink.height), Image.Resampling.BOX).tobytes()]


def _variance(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def _level(ink: Image.Image, angle: float) -> Image.Image:
    """``ink`` turned by ``angle`` degrees, the middle only (no empty corners)."""
    turned = ink.rotate(angle, resample=Image.Resampling.NEAREST) if angle else ink
    w, h = turned.size
    return turned.crop((w // 8, h // 8, w - w // 8, h - h // 8))


def _best_angle(ink: Image.Image, angles: Sequence[float]) -> tuple[float, float]:
    """The angle (of ``angles``) at which the rows of ``ink`` are sharpest: the variance
    of the row profile is largest when each text line falls into its own rows."""
    scored = [(_variance(_row_profile(_level(ink, a))), a) for a in angles]
    return max(scored)


def _skew(image: Image.Image) -> float:
    """Degrees to turn ``image`` (counter-clockwise) so its text lines are level."""
    small = image.copy()
    small.thumbnail((1000, 1000))
    ink = _ink(small)
    _, coarse = _best_angle(ink, [a / 1 for a in range(-8, 9)])
    _, fine = _best_angle(ink, [coarse + a / 4 for a in range(-4, 5)])
    return max(-_SKEW_MAX, min(_SKEW_MAX, fine))


_ROTATE = re.compile(r"^Rotate:\s*(\d+)", re.M)
_ROTATE_CONF = re.compile(r"^Orientation confidence:\s*([\d.]+)", re.M)


def _orientation(path: Path, ctx: ExtractContext, label: str) -> int | None:
    """Degrees clockwise that turn the page upright, by Tesseract's orientation and
    script detection; None when it cannot tell (too few letters, low confidence)."""
    try:
        report = _tesseract(path, ctx, f"{label} (orientation)", ("--psm", "0"))
    except MalformedDocument as err:  # "Too few characters. Skipping this page"
        log.info("%s: orientation not detected (%s)", label, err)
        return None
    turn, conf = _ROTATE.search(report), _ROTATE_CONF.search(report)
    if turn is None or conf is None or float(conf.group(1)) < _OSD_MIN_CONFIDENCE:
        return None
    return int(turn.group(1)) % 360


def _mean_confidence(lines: list[_Line]) -> float:
    scores = [c for ln in lines for c in ln.confidences]
    return statistics.fmean(scores) if scores else -1.0


def _read_photo(
    image: Image.Image, ctx: ExtractContext, label: str, tmp: Path
) -> tuple[list[_Line], int, float]:
    """One photographed page: flattened, turned upright, deskewed, read."""
    flat = _flatten(image)
    path = tmp / "page.png"
    flat.save(path, "PNG", compress_level=1)
    turn = _orientation(path, ctx, label)
    candidates = [turn] if turn is not None else _axis_candidates(flat)
    best: tuple[float, list[_Line], int, float] | None = None
    for rotation in candidates:
        upright = flat.rotate(-rotation, expand=True) if rotation else flat
        skew = _skew(upright)
        if abs(skew) >= 0.25:
            upright = upright.rotate(
                skew, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC
            )
        upright.save(path, "PNG", compress_level=1)
        lines = _tsv_lines(_tesseract(path, ctx, label))
        score = _mean_confidence(lines) * min(len(lines), 10)
        if best is None or score > best[0]:
            best = (score, lines, rotation, skew)
    assert best is not None
    _, lines, rotation, skew = best
    return lines, rotation, skew


def _axis_candidates(image: Image.Image) -> list[int]:
    """When orientation detection gives up: the two ways the text lines can run, by
    the axis along which the row profile is sharpest."""
    small = image.copy()
    small.thumbnail((800, 800))
    ink = _ink(small)
    across, _ = _best_angle(ink, [-4, 0, 4])
    along, _ = _best_angle(ink.rotate(90, expand=True), [-4, 0, 4])
    return [0, 180] if across >= along else [90, 270]


_NUMBER = re.compile(r"\d+")


def page_order(names: Sequence[str]) -> list[int]:
    """Indexes of ``names`` in page order: by the numbers in the file names ("trang 2",
    "IMG_0412", "anh-10") when every name has one and they tell the pages apart, else as
    attached. Only the numbers count, compared as numbers, so "trang10" follows
    "trang9"."""
    keys = [tuple(int(n) for n in _NUMBER.findall(Path(name).stem)) for name in names]
    if not names or not all(keys) or len(set(keys)) != len(keys):
        return list(range(len(names)))
    return sorted(range(len(names)), key=lambda i: keys[i])


# A photo sent beside photographed pages counts as a page when OCR reads at least this
# many words on it. The page test (``looks_like_text_page``) passes over a sparse last
# page (a few closing lines, the signature); a photo of people or of a banner yields a
# handful of words at most.
MIN_PAGE_WORDS = 30


def ocr_photographed_pages(
    images: list[tuple[bytes, str]], ctx: ExtractContext, *, maybe: frozenset[int] = frozenset()
) -> PageScan:
    """Photos of a printed article (``(bytes, file name)`` pairs, in page order), read
    into one article flagged "ocr" (source ``image-scan``), with an account of each page:
    read (``ocr-page``) or refused because OCR found no text on it. The images whose
    indexes are in ``maybe`` are photos sent with the pages that the page test passed over:
    each is a page only when OCR reads at least ``MIN_PAGE_WORDS`` words on it, else it
    stays a photo (``PageRead.photo``) and adds nothing to the text.

    Raises NeedsOCR without Tesseract/Vietnamese, LimitExceeded when a page runs past
    ``ocr_timeout_seconds`` or is too large to decode. A page that does not decode is
    refused with the reason, not raised: the other pages still make the article."""
    if not tesseract_available(ctx.limits.ocr_languages):
        raise NeedsOCR(_NOT_INSTALLED)
    reads: list[PageRead] = []
    with tempfile.TemporaryDirectory(prefix="dienhinh-ocr-") as tmp:
        for number, (data, name) in enumerate(images, start=1):
            label = name or f"page {number}"
            page = PageRead(name=name)
            reads.append(page)
            try:
                image = _open_image(data, label)
            except MalformedDocument as err:
                page.error = f"unreadable: {err}"
                log.warning("OCR %s: %s", label, page.error)
                continue
            started = time.monotonic()
            page.lines, page.rotated, page.skew = _read_photo(image, ctx, label, Path(tmp))
            if number - 1 in maybe and page.words < MIN_PAGE_WORDS:
                page.lines, page.photo = [], True
            elif not page.lines:
                page.error = _NO_TEXT
            log.info(
                "OCR %s: %d lines, turned %d°, deskewed %.2f° in %.2f s%s",
                label,
                len(page.lines),
                page.rotated,
                page.skew,
                time.monotonic() - started,
                f" ({page.error})" if page.error else "",
            )
    origin = ", ".join(n for n in (p.name for p in reads) if n)
    read = [p.lines for p in reads if p.lines]
    if not read:
        return PageScan(None, reads)
    return PageScan(_article(read, source="image-scan", origin=origin), reads)


def ocr_images(images: list[tuple[bytes, str]], ctx: ExtractContext) -> list[ArticleDraft]:
    """One article from photos of a printed article, pages in the order given
    (``(bytes, file name)`` pairs). Callers pick the pages with
    :func:`looks_like_text_page` so that photos of people are not OCR'd. Raises
    MalformedDocument when no page had text."""
    if not images:
        return []
    scan = ocr_photographed_pages(images, ctx)
    if scan.article is None:
        reasons = "; ".join(f"{p.name or 'page'}: {p.error}" for p in scan.pages)
        raise MalformedDocument(f"OCR found no text ({reasons})")
    return [scan.article]


# --- a letterhead drawn as an image ---------------------------------------------------------

# A letterhead pasted as a picture is a banner: much wider than high (the issuing body on
# the left, the national motto on the right). A photo is 4:3 or 3:2 and is never read.
LETTERHEAD_MIN_ASPECT = 2.2
LETTERHEAD_MAX_PIXELS = 4_000_000  # a banner larger than this is not a letterhead
LETTERHEAD_WIDTH = 1600  # scaled to this width for Tesseract: enough for 10-pt capitals


def is_letterhead_banner(image_bytes: bytes) -> bool:
    """Whether an image is shaped like a letterhead banner (cheap: reads the header only)."""
    try:
        with Image.open(io.BytesIO(image_bytes)) as img:
            w, h = img.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False
    return h > 0 and w / h >= LETTERHEAD_MIN_ASPECT and w * h <= LETTERHEAD_MAX_PIXELS


def ocr_letterhead(image_bytes: bytes, ctx: ExtractContext) -> list[str]:
    """The text lines of a letterhead banner image, top to bottom ([] when it is not a
    banner, Tesseract is missing, or it reads nothing). One Tesseract run on the banner
    alone (~0.3 s), never on the page or a photo; for the unit tagger, not the article."""
    if not is_letterhead_banner(image_bytes) or not tesseract_available(ctx.limits.ocr_languages):
        return []
    try:
        with Image.open(io.BytesIO(image_bytes)) as img:
            gray = ImageOps.grayscale(img.convert("RGB"))
        if gray.width != LETTERHEAD_WIDTH:
            height = max(1, round(gray.height * LETTERHEAD_WIDTH / gray.width))
            gray = gray.resize((LETTERHEAD_WIDTH, height), Image.Resampling.LANCZOS)
        with tempfile.TemporaryDirectory(prefix="dienhinh-lh-") as tmp:
            path = Path(tmp) / "letterhead.png"
            gray.save(path, "PNG", compress_level=1)
            lines = _tsv_lines(_tesseract(path, ctx, "letterhead image"))
    except (UnidentifiedImageError, OSError, ValueError, MalformedDocument, LimitExceeded):
        log.info("letterhead image not read", exc_info=True)
        return []
    except NeedsOCR:
        return []
    lines.sort(key=lambda ln: ln.top)
    return [nfc(collapse_ws(ln.text)) for ln in lines if sum(c.isalpha() for c in ln.text) >= 3]


# --- is this photo a page of text? ----------------------------------------------------------


def looks_like_text_page(image_bytes: bytes) -> bool:
    """A cheap guess (~50 ms) whether an image is a photo or scan of a printed page,
    upright or turned, crooked by up to 8°, in uneven light, on a desk.

    On an 800 px grayscale copy, ink is what is clearly darker than the paper around it
    (so shade and the desk do not count). In the middle of the frame (the page fills it;
    the desk is at the edges), the ink is turned through ±8° both ways along and across;
    at the angle whose row profile is sharpest, a page of text shows what a photo does
    not: at least five bands of ink of a line's height holding most of the ink, blank
    rows between them, and thin strokes (short runs of ink along the rows). The figures
    measured on generated page photos and on real photographs are in
    ``tests/unit/ingest/test_ocr.py``.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's notes on odd files: not our concern
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(image_bytes))
            opened.draft("L", (1600, 1600))  # JPEG: decode at reduced size, much faster
            image = ImageOps.exif_transpose(opened).convert("L")
            image.thumbnail((800, 800))
    except Exception as err:  # noqa: BLE001 - a guess: what Pillow cannot decode is no page
        # Damaged files raise anything from OSError to struct.error or IndexError; the
        # image then stays an attachment and its own checks report it.
        log.debug("not a page: cannot decode the image (%s: %s)", type(err).__name__, err)
        return False
    width, height = image.size
    if width * height < 60_000 or not 0.4 <= width / height <= 2.5:
        return False  # too small to read, or a banner / a strip rather than a page
    ink = _ink(image).crop(
        (width * 15 // 100, height * 15 // 100, width * 85 // 100, height * 85 // 100)
    )
    angles = (-8, -6, -4, -2, 0, 2, 4, 6, 8)
    across = _best_angle(ink, angles)
    turned = ink.rotate(90, expand=True)
    along = _best_angle(turned, angles)
    level = _level(ink, across[1]) if across >= along else _level(turned, along[1])
    return _text_lines(level)


def _text_lines(ink: Image.Image) -> bool:
    """Whether level ``ink`` (rows along the text lines) looks like lines of print."""
    profile = _row_profile(ink)
    rows = len(profile)
    total = sum(profile)
    if not 0.01 <= total / rows <= 0.3:
        return False  # hardly any ink, or ink everywhere (texture, a dark scene)
    peak = sorted(profile)[int(rows * 0.95)]
    threshold = peak * 0.15
    bands: list[tuple[int, int]] = []
    start: int | None = None
    for y, share in enumerate([*profile, 0.0]):
        if share > threshold and start is None:
            start = y
        elif share <= threshold and start is not None:
            bands.append((start, y))
            start = None
    lines = [(a, b) for a, b in bands if 2 <= b - a <= rows * 0.08]
    if len(lines) < 5:
        return False
    if sum(sum(profile[a:b]) for a, b in lines) / total < 0.75:
        return False  # much of the ink is in tall blobs: objects, not lines of type
    if sum(v <= threshold for v in profile) / rows < 0.2:
        return False  # no blank rows between the lines
    # Strokes: type is many short runs of ink along the line; edges of objects are long.
    pixels = ink.tobytes()
    runs = pixels.count(b"\x00\xff") + (pixels[:1] == b"\xff")
    return runs > 0 and pixels.count(255) / runs <= 6
