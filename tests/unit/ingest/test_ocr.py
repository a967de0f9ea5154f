"""OCR of scanned PDFs and photographed pages (ingest/ocr.py).

Pages are made here: Vietnamese text set in DejaVu (by reportlab or Pillow), rasterised,
and put into a PDF without a text layer or saved as "phone photos" (shaded, rotated,
blurred JPEG), or by ``tests/photokit.py`` as a phone really takes them (on a desk,
sideways or upside down, crooked, lit from one side). Tesseract costs ~1.1 s a page (a
photographed page ~4-6 s with orientation detection), so only a few tests run it.
"""

from __future__ import annotations

import dataclasses
import io
import math
import random
import shutil
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from photokit import Page, char_accuracy, phone_photo, printed_page
from PIL import Image, ImageDraw, ImageFilter

from dienhinh.core.errors import LimitExceeded, MalformedDocument, NeedsOCR
from dienhinh.core.text import fold
from dienhinh.ingest import ocr
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.ocr import looks_like_text_page, ocr_images, ocr_pdf, tesseract_available
from factory import article_text, make_jpeg, make_pdf, page_image

needs_tesseract = pytest.mark.skipif(
    not tesseract_available("vie"),
    reason="tesseract with Vietnamese (tesseract-ocr-vie) missing: run scripts/test-setup",
)


def _words(text: str) -> list[str]:
    return [w.strip(".,:;()") for w in unicodedata.normalize("NFC", text).casefold().split()]


def _recall(expected: str, got: str) -> float:
    """Share of the expected words found in the OCR text (NFC, case-folded)."""
    want, have = _words(expected), set(_words(got))
    return sum(w in have for w in want) / len(want)


def _image_only_pdf(pdf: bytes, dpi: int = 150) -> bytes:
    """Each page of ``pdf`` rasterised and put in a new PDF: a scan, no text layer."""
    src = pdfium.PdfDocument(pdf)
    pages = [src[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(src))]
    src.close()
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def _text_layer(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def _page_image(
    seed: int, *, width: int = 1240, font_px: int = 30
) -> tuple[Image.Image, str, list[str]]:
    """A printed page: bold title, then paragraphs, black on white."""
    title, paras = article_text(seed)
    return page_image(title, paras, width=width, font_px=font_px), title, paras


def _phone_photo(img: Image.Image, seed: int) -> Image.Image:
    """Uneven light, a slight tilt, the desk at the edges, camera blur."""
    w, h = img.size
    shade = Image.linear_gradient("L").resize((w, h)).point(lambda v: 200 + v // 5)
    out = Image.composite(img, shade, img.point(lambda v: 255 if v < 128 else 0))
    angle = random.Random(seed).uniform(-2, 2)
    out = out.rotate(angle, expand=True, fillcolor=90).filter(ImageFilter.GaussianBlur(1))
    return out.convert("RGB")


def _jpeg(img: Image.Image, quality: int = 85) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


# --- photos that are not pages ------------------------------------------------------------


def _portrait(seed: int, w: int = 800, h: int = 1000) -> Image.Image:
    rnd = random.Random(seed)
    img = Image.radial_gradient("L").resize((w, h)).convert("RGB")
    img = Image.blend(img, Image.new("RGB", (w, h), (70, 120, 60)), 0.6)
    d = ImageDraw.Draw(img)
    cx = w // 2 + rnd.randint(-60, 60)
    d.ellipse((cx - 330, int(h * 0.62), cx + 330, h + 300), fill=(30, 40, 110))  # shirt
    d.ellipse((cx - 150, int(h * 0.22), cx + 150, int(h * 0.62)), fill=(224, 180, 150))  # face
    d.pieslice((cx - 160, int(h * 0.18), cx + 160, int(h * 0.5)), 180, 360, fill=(25, 20, 20))
    for ex in (-60, 60):
        d.ellipse((cx + ex - 14, int(h * 0.38), cx + ex + 14, int(h * 0.41)), fill=(20, 20, 20))
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    return Image.blend(img, noise, 0.15).filter(ImageFilter.GaussianBlur(1.5))


def _landscape(seed: int, w: int = 1200, h: int = 800) -> Image.Image:
    rnd = random.Random(seed)
    sky = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    img = Image.blend(sky, Image.new("RGB", (w, h), (120, 170, 230)), 0.5)
    d = ImageDraw.Draw(img)
    for i in range(4):  # terraced hills
        base = int(h * (0.45 + 0.13 * i))
        phase = rnd.random() * 6
        pts = [
            (x, base + int(40 * math.sin(x / (80 + 30 * i) + phase))) for x in range(0, w + 20, 20)
        ]
        d.polygon([*pts, (w, h), (0, h)], fill=(40 + 20 * i, 100 + 25 * i, 40))
    return Image.blend(img, Image.effect_noise((w, h), 25).convert("RGB"), 0.2)


def _group_photo(seed: int, w: int = 1200, h: int = 800) -> Image.Image:
    rnd = random.Random(seed)
    img = Image.new("RGB", (w, h), (200, 190, 170))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, h // 3), fill=(180, 40, 40))  # the red banner of a ceremony
    for i in range(6):
        cx = 100 + i * 200 + rnd.randint(-20, 20)
        colour = (rnd.randrange(20, 120), rnd.randrange(20, 120), rnd.randrange(20, 120))
        d.rectangle((cx - 70, h // 2, cx + 70, h), fill=colour)
        d.ellipse((cx - 45, h // 2 - 110, cx + 45, h // 2 + 10), fill=(220, 175, 140))
        d.chord((cx - 48, h // 2 - 118, cx + 48, h // 2 - 30), 180, 360, fill=(20, 15, 15))
    noise = Image.effect_noise((w, h), 20).convert("RGB")
    return Image.blend(img, noise, 0.15).filter(ImageFilter.GaussianBlur(1))


def _night(w: int = 1000, h: int = 700) -> Image.Image:
    img = Image.effect_noise((w, h), 30).point(lambda v: v // 4).convert("RGB")
    d = ImageDraw.Draw(img)
    for i in range(30):
        x, y = (i * 97) % w, (i * 53) % h
        d.ellipse((x, y, x + 12, y + 12), fill=(255, 230, 160))
    return img


def _text_pages() -> list[tuple[str, bytes]]:
    out = []
    for seed in range(3):
        page, _, _ = _page_image(seed)
        out += [
            (f"scan-{seed}.png", _png(page)),
            (f"phone-{seed}.jpg", _jpeg(_phone_photo(page, seed))),
            (f"small-type-{seed}.jpg", _jpeg(_page_image(seed, font_px=20)[0])),
        ]
    return out


def _other_photos() -> list[tuple[str, bytes]]:
    out = [("night.jpg", _jpeg(_night()))]
    for seed in range(3):
        out += [
            (f"portrait-{seed}.jpg", _jpeg(_portrait(seed))),
            (f"landscape-{seed}.jpg", _jpeg(_landscape(seed))),
            (f"group-{seed}.jpg", _jpeg(_group_photo(seed))),
            (f"speckle-{seed}.jpg", make_jpeg(640, 480, seed=seed)),
        ]
    return out


def test_looks_like_text_page_tells_pages_from_photos() -> None:
    """Accuracy on these 22 generated images is 22/22 (9 pages: clean scans, tilted and
    shaded phone photos, small type; 13 photos: portraits, landscapes, group photos under
    a banner, a night scene, speckle noise). Run by hand on five real non-page images
    found on the development machine (two photographs of circuit boards, a logo banner,
    two screenshots) it also answered False for all five. Real phone photos of pages on
    a dark, cluttered desk are the known weak spot: the page must fill most of the frame.
    """
    wrong = [name for name, data in _text_pages() if not looks_like_text_page(data)]
    wrong += [name for name, data in _other_photos() if looks_like_text_page(data)]
    assert wrong == []


def _phone_pages() -> list[tuple[str, bytes]]:
    """48 photographed pages: each rotation (0/90/180/270) at three skews and lights,
    sans and serif, 22 and 30 px type, with and without a title, on a desk or not."""
    out, n = [], 0
    for seed in range(4):
        for rotate in (0, 90, 180, 270):
            for skew, light, desk in ((0.0, 0.2, False), (3.0, 0.35, True), (-5.0, 0.5, True)):
                n += 1
                page = printed_page(
                    seed * 7 + rotate,
                    paragraphs=6,
                    serif=seed % 2 == 1,
                    font_px=30 if seed % 3 else 22,
                    title=seed % 2 == 0,
                )
                data = phone_photo(
                    page.image, seed=n, rotate=rotate, skew=skew, light=light, desk=desk
                )
                out.append((f"page-{seed}-r{rotate}-k{skew}", data))
    return out


def test_looks_like_text_page_finds_turned_crooked_shaded_pages() -> None:
    """The photos a phone really takes of a printed page: sideways or upside down,
    up to 5 degrees crooked, lit from one side, on a desk. 48/48 are found; the test of
    before this change found 27 (it wanted the page bright from edge to edge and blank
    rows across it, so it missed most pages on a desk, and sideways ones most of all).
    On a larger set made the same way (128 photos, four skews and lights) it is 128/128
    against 80/128, at ~0.04 s an image."""
    missed = [name for name, data in _phone_pages() if not looks_like_text_page(data)]
    assert missed == []


@pytest.mark.slow
def test_looks_like_text_page_on_real_images(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Pillow's own test images (its sdist, fetched with pip at test time, not
    committed): photographs, drawings, icons, corrupt files. Measured: 1 of 528 images
    without a page of print is taken for one (rdf.tif, a state diagram with labelled
    boxes), and its 3 printed pages (a page of 12-point text, a fax of a form, a printed
    web page) are found. Run by hand on scikit-image's data images (its wheel): 0 of 27
    photographs (astronaut, coffee, cells, gravel, grass, a chessboard ...) taken; its
    one page of print, a 384x191 crop of a book page, is missed (too small to read)."""
    images = _pillow_test_images(request, tmp_path_factory)
    pages = {"issue_2278.tif", "pport_g4.tif", "total-pages-zero.tif"}
    found = sorted(n for n, d in images if n in pages and looks_like_text_page(d))
    taken = sorted(n for n, d in images if n not in pages and looks_like_text_page(d))
    assert found == sorted(pages)
    assert len(images) > 400
    assert set(taken) <= {"rdf.tif"}


def _pillow_test_images(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, bytes]]:
    import subprocess
    import sys
    import tarfile

    # pytest's cache keeps the sdist between runs; under `-p no:cacheprovider` (make fuzz,
    # make chaos, CI jobs) there is no request.config.cache: a temp dir of this session.
    cache_plugin = getattr(request.config, "cache", None)
    if cache_plugin is not None:
        cache = Path(cache_plugin.mkdir("outside-pillow"))
    else:
        cache = tmp_path_factory.mktemp("outside-pillow")
    if not list(cache.glob("pillow-*.tar.gz")):
        try:
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-binary",
                    ":all:",
                    "--no-deps",
                    "--dest",
                    str(cache),
                    "pillow==13.0.0",
                ],
                capture_output=True,
                timeout=600,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot fetch Pillow's sdist (no network?): {exc!r}")
        if run.returncode != 0:
            pytest.skip(f"cannot fetch Pillow's sdist (no network?): {run.stderr[-300:]!r}")
    sdists = list(cache.glob("pillow-*.tar.gz"))
    if len(sdists) != 1:
        pytest.skip(f"pip download left no single Pillow sdist in {cache}: {sdists}")
    [sdist] = sdists
    out = []
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if member.isfile() and parts[1:3] == ["Tests", "images"] and len(parts) == 4:
                name = parts[3]
                if name.lower().endswith(
                    (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp")
                ):
                    fh = tar.extractfile(member)
                    assert fh is not None
                    out.append((name, fh.read()))
    return out


def test_page_order_by_number_in_the_name() -> None:
    assert ocr.page_order(["trang 2.jpg", "trang 10.jpg", "trang 1.jpg"]) == [2, 0, 1]
    assert ocr.page_order(["IMG_20240312_101530.jpg", "IMG_20240312_101523.jpg"]) == [1, 0]
    # a name without a number, or two names with the same numbers: as attached
    assert ocr.page_order(["sau.jpg", "trang 1.jpg"]) == [0, 1]
    assert ocr.page_order(["anh 1.jpg", "anh-1.jpg"]) == [0, 1]
    assert ocr.page_order([]) == []


def test_looks_like_text_page_rejects_non_images() -> None:
    assert looks_like_text_page(b"not an image") is False
    assert looks_like_text_page(_png(Image.new("L", (40, 40), 255))) is False  # too small


# --- without Tesseract --------------------------------------------------------------------


def test_tesseract_available_checks_binary_and_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    assert tesseract_available("vie") is False
    monkeypatch.setattr(ocr.shutil, "which", lambda name: "/opt/fake/tesseract")
    monkeypatch.setattr(ocr, "_installed_languages", lambda path: frozenset({"eng", "osd"}))
    assert tesseract_available("eng") is True
    assert tesseract_available("vie") is False
    assert tesseract_available("vie+eng") is False


def test_without_tesseract_ocr_raises_needs_ocr(
    monkeypatch: pytest.MonkeyPatch, ctx: ExtractContext
) -> None:
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(NeedsOCR, match=r"tesseract-ocr-vie\) is not installed"):
        ocr_pdf(_image_only_pdf(make_pdf("Tiêu đề", ["Nội dung."])), ctx)
    with pytest.raises(NeedsOCR, match="Tesseract with Vietnamese"):
        ocr_images([(make_jpeg(), "anh.jpg")], ctx)


def _fake_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str) -> None:
    """A ``tesseract`` on PATH that lists vie and then runs ``body``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tesseract"
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = "--list-langs" ]; then echo "List of available languages (1):";'
        f" echo vie; exit 0; fi\n{body}\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(
        ocr.shutil, "which", lambda name: str(fake) if name == "tesseract" else None
    )


def test_ocr_timeout_raises_limit_exceeded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctx: ExtractContext
) -> None:
    _fake_tesseract(monkeypatch, tmp_path, "sleep 60")
    quick = dataclasses.replace(ctx, limits=dataclasses.replace(ctx.limits, ocr_timeout_seconds=1))
    with pytest.raises(LimitExceeded, match=r"longer than 1 s \(ocr_timeout_seconds\)"):
        ocr_images([(_png(_page_image(1)[0]), "trang-1.png")], quick)


def test_unreadable_inputs_are_malformed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctx: ExtractContext
) -> None:
    _fake_tesseract(monkeypatch, tmp_path, "exit 0")
    with pytest.raises(MalformedDocument, match="cannot open PDF"):
        ocr_pdf(b"%PDF-1.4 truncated", ctx, origin="scan.pdf")
    with pytest.raises(MalformedDocument, match="not a readable image"):
        ocr_images([(b"\xff\xd8\xff broken jpeg", "anh.jpg")], ctx)
    with pytest.raises(MalformedDocument, match="OCR found no text"):
        ocr_images([(_png(_page_image(1)[0]), "trang-1.png")], ctx)  # fake prints nothing


# --- with Tesseract (~1.1 s a page) -------------------------------------------------------


@needs_tesseract
def test_ocr_pdf_reads_a_vietnamese_scan(ctx: ExtractContext) -> None:
    title, paras = article_text(11)
    scan = _image_only_pdf(make_pdf(title, paras))
    assert _text_layer(scan).strip() == ""  # really image-only
    [article] = ocr_pdf(scan, ctx, origin="bai-viet-scan.pdf")
    assert (article.source, article.flags, article.status) == (
        "pdf-scan",
        ["ocr"],
        "pending-review",
    )
    assert article.origin == "bai-viet-scan.pdf"
    assert unicodedata.is_normalized("NFC", article.title + article.text)
    assert _recall(title, article.title) >= 0.8
    assert _recall(" ".join(paras), article.text) >= 0.8
    assert len(article.text.split("\n\n")) == len(paras)  # paragraphs re-joined, not lines


@needs_tesseract
def test_ocr_pdf_reads_only_the_first_pages(ctx: ExtractContext) -> None:
    title, paras = article_text(12)
    scan = _image_only_pdf(make_pdf(title, paras * 6))
    pages = len(pdfium.PdfDocument(scan))
    assert pages >= 2
    one = dataclasses.replace(ctx, limits=dataclasses.replace(ctx.limits, ocr_max_pages=1))
    [article] = ocr_pdf(scan, one)
    assert "ocr-partial" in article.flags
    assert f"first 1 of {pages} pages" in article.error
    assert _recall(title, article.title) >= 0.8


@needs_tesseract
def test_photographed_pages_are_turned_upright_deskewed_and_read(ctx: ExtractContext) -> None:
    """Three pages of one article photographed sideways, upside down and the other way
    sideways, each a few degrees crooked and lit from one side, plus a blank sheet. The
    Vietnamese text comes back with a character accuracy of at least 0.97 a page
    (measured: 1.000 on each of the three, tesseract 5.3 with vie, ~5 s a page); the
    blank sheet is refused.
    """
    pages = [printed_page(31 + i, paragraphs=4, title=i == 0, number=i + 1) for i in range(3)]
    shots = [
        (phone_photo(p.image, seed=i, rotate=r, skew=k, light=0.5), f"trang-{i + 1}.jpg")
        for i, (p, r, k) in enumerate(zip(pages, (90, 180, 270), (-4.0, 3.0, 2.0), strict=True))
    ]
    blank = phone_photo(Image.new("L", (1240, 1754), 255), seed=9, light=0.4)
    scan = ocr.ocr_photographed_pages([*shots, (blank, "trang-4.jpg")], ctx)
    assert [(p.outcome, p.rotated) for p in scan.pages] == [
        ("ocr-page", 90),
        ("ocr-page", 180),
        ("ocr-page", 270),
        ("refused", scan.pages[3].rotated),
    ]
    assert scan.pages[3].error == "unreadable: OCR found no text"
    assert [round(p.skew) for p in scan.pages[:3]] == [4, -3, -2]
    article = scan.article
    assert article is not None
    assert (article.source, article.status) == ("image-scan", "pending-review")
    assert "ocr" in article.flags and "ocr-low-confidence" not in article.flags
    got = f"{article.title}\n{article.text}"
    assert unicodedata.is_normalized("NFC", got)
    for page in pages:  # every page, in order
        assert char_accuracy(page.text, _slice_like(page, got)) >= 0.97
    positions = [fold(got).index(fold(p.paragraphs[-1][-30:])) for p in pages]
    assert positions == sorted(positions)


def _slice_like(page: Page, got: str) -> str:
    """The part of the OCR text that belongs to ``page`` (from its first eight words to
    its last five, as OCR wrote them), so that each page's accuracy is its own."""
    words, want = got.split(), page.text.split()
    first, last = want[:8], want[-5:]
    start = next((i for i in range(len(words)) if words[i : i + 8] == first), 0)
    end = next(
        (i + 5 for i in range(len(words) - 5, start - 1, -1) if words[i : i + 5] == last),
        len(words),
    )
    return " ".join(words[start:end])


@needs_tesseract
def test_ocr_images_joins_photographed_pages(ctx: ExtractContext) -> None:
    page, title, paras = _page_image(21)
    photo = _jpeg(_phone_photo(page, 21))
    assert looks_like_text_page(photo)
    [article] = ocr_images([(photo, "trang-1.jpg"), (_png(_page_image(22)[0]), "trang-2.png")], ctx)
    assert (article.source, article.flags[0]) == ("image-scan", "ocr")
    assert article.origin == "trang-1.jpg, trang-2.png"
    assert _recall(title, article.title) >= 0.8
    assert _recall(" ".join(paras), article.text) >= 0.8
    _, title2, paras2 = _page_image(22)
    assert _recall(title2 + " " + " ".join(paras2), article.text) >= 0.8  # page 2 follows
    assert unicodedata.is_normalized("NFC", article.text)
    assert fold(paras[0][:30]) in fold(article.text)


def test_no_images_no_article(ctx: ExtractContext) -> None:
    assert ocr_images([], ctx) == []


def test_tesseract_on_path_matches_availability() -> None:
    # The skip markers above rely on this; a broken install (binary, no vie) must skip.
    if shutil.which("tesseract") is None:
        assert tesseract_available("vie") is False
