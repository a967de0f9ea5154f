"""Phone photographs of printed Vietnamese pages, made in code for the OCR tests.

What a unit sends when it photographs a typed article instead of attaching the file:
the page lies on a desk, the phone is held a little crooked and often sideways (the JPEG
is stored rotated by 90/180/270 degrees, with no EXIF to say so), the light falls from
one side, the sensor adds noise and the camera compresses. Every step is seeded, so a
test sees the same bytes on every run.
"""

from __future__ import annotations

import io
import random
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from factory import DEJAVU, DEJAVU_BOLD, article_text

SERIF = DEJAVU.with_name("DejaVuSerif.ttf")
SERIF_BOLD = DEJAVU.with_name("DejaVuSerif-Bold.ttf")


@dataclass(frozen=True)
class Page:
    image: Image.Image  # grayscale, black type on white paper
    title: str
    paragraphs: list[str]

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.paragraphs] if self.title else self.paragraphs)


def printed_page(
    seed: int,
    *,
    paragraphs: int = 3,
    title: bool = True,
    width: int = 1240,
    font_px: int = 30,
    serif: bool = False,
    number: int | None = None,
) -> Page:
    """An A4 page of a printed article: an optional bold title, paragraphs with the
    first line indented, and the page number at the foot when ``number`` is given."""
    head_text, paras = article_text(seed, paragraphs)
    img = Image.new("L", (width, int(width * 1.414)), 255)
    draw = ImageDraw.Draw(img)
    body = ImageFont.truetype(str(SERIF if serif else DEJAVU), font_px)
    head = ImageFont.truetype(str(SERIF_BOLD if serif else DEJAVU_BOLD), int(font_px * 1.3))
    margin = width // 10
    chars = int((width - 2 * margin) / (font_px * 0.56))
    y = margin
    if title:
        for line in textwrap.wrap(head_text, int(chars / 1.3)):
            draw.text((margin, y), line, font=head, fill=0)
            y += int(font_px * 1.8)
        y += font_px
    kept: list[str] = []
    for para in paras:
        lines = textwrap.wrap(para, chars, initial_indent="    ")
        if y + len(lines) * font_px * 1.45 > img.height - margin:
            break
        for line in lines:
            draw.text((margin, y), line, font=body, fill=0)
            y += int(font_px * 1.45)
        y += font_px // 2
        kept.append(para)
    if number is not None:
        draw.text((width // 2, img.height - margin // 2), str(number), font=body, fill=0)
    return Page(img, head_text if title else "", kept)


def phone_photo(
    page: Image.Image,
    *,
    seed: int,
    rotate: int = 0,
    skew: float = 0.0,
    light: float = 0.35,
    desk: bool = True,
    noise: float = 6.0,
    quality: int = 82,
    scale: float = 1.0,
) -> bytes:
    """``page`` photographed: laid on a desk (``desk``) at ``skew`` degrees, lit
    unevenly (the far side ``light`` darker), blurred and noisy like a phone sensor, then
    stored sideways or upside down (``rotate``: 0, 90, 180, 270, counter-clockwise) as a
    JPEG without EXIF orientation."""
    rnd = random.Random(seed)
    paper = page.convert("L").point(lambda v: int(v * 0.92) + 12)  # off-white paper, grey ink
    if desk:
        w, h = paper.size
        pad_x, pad_y = int(w * rnd.uniform(0.04, 0.1)), int(h * rnd.uniform(0.03, 0.08))
        base = rnd.randrange(60, 130)
        canvas = Image.effect_noise((w + 2 * pad_x, h + 2 * pad_y), 40).point(
            lambda v: max(0, min(255, base + (v - 128) // 3))
        )
        canvas = canvas.filter(ImageFilter.GaussianBlur(3))  # wood grain, tablecloth
        mask = Image.new("L", paper.size, 255)
        paper_r = paper.rotate(skew, expand=True, fillcolor=0, resample=Image.Resampling.BICUBIC)
        mask_r = mask.rotate(skew, expand=True, fillcolor=0)
        ox = (canvas.width - paper_r.width) // 2 + rnd.randint(-pad_x // 3, pad_x // 3)
        oy = (canvas.height - paper_r.height) // 2 + rnd.randint(-pad_y // 3, pad_y // 3)
        canvas.paste(paper_r, (ox, oy), mask_r)
        img = canvas
    else:
        img = paper.rotate(skew, expand=True, fillcolor=235, resample=Image.Resampling.BICUBIC)
    # Light from one side: a gradient across the frame at a random angle, and a vignette.
    w, h = img.size
    side = 2 * max(w, h)
    ramp = Image.linear_gradient("L").resize((side, side)).rotate(rnd.uniform(0, 360))
    ramp = ramp.crop((side // 4, side // 4, side * 3 // 4, side * 3 // 4)).resize((w, h))
    ramp = ramp.point(lambda v: int(255 - light * v))
    vignette = Image.radial_gradient("L").resize((w, h)).point(lambda v: int(255 - 0.25 * v))
    img = ImageChops.multiply(ImageChops.multiply(img, ramp), vignette)
    img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.6, 1.1)))
    if noise:
        grain = Image.effect_noise((w, h), noise * 4).point(lambda v: v // 4 + 96)
        img = ImageChops.add(img, grain, scale=1.0, offset=-128)
    if scale != 1.0:
        img = img.resize((int(w * scale), int(h * scale)), Image.Resampling.LANCZOS)
    warm = Image.merge("RGB", (img, img, img.point(lambda v: int(v * 0.93))))  # indoor light
    if rotate:
        warm = warm.rotate(rotate, expand=True)
    buf = io.BytesIO()
    warm.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def photographed_article(
    seed: int, pages: int = 2, *, rotations: Sequence[int] = (0,), skew: float = 2.0
) -> tuple[list[bytes], list[Page]]:
    """An article of ``pages`` printed pages, each photographed; the title on page 1."""
    shots, printed = [], []
    for i in range(pages):
        page = printed_page(seed * 100 + i, title=i == 0, number=i + 1)
        printed.append(page)
        shots.append(
            phone_photo(
                page.image,
                seed=seed * 100 + i,
                rotate=rotations[i % len(rotations)],
                skew=skew if i % 2 == 0 else -skew,
            )
        )
    return shots, printed


def char_accuracy(expected: str, got: str) -> float:
    """1 - (edit distance / length of ``expected``) over the whitespace-normalised NFC
    texts: the usual OCR character accuracy."""
    import unicodedata

    a = " ".join(unicodedata.normalize("NFC", expected).split())
    b = " ".join(unicodedata.normalize("NFC", got).split())
    if not a:
        return 1.0 if not b else 0.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        prev = cur
    return max(0.0, 1 - prev[-1] / len(a))


def scene_photo(seed: int, width: int = 1600, height: int = 1200) -> bytes:
    """An illustrative photo of the kind sent with articles: people in front of
    terraced fields under a sky, as a noisy phone JPEG. Not a page."""
    import math

    rnd = random.Random(seed)
    sky = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    img = Image.blend(sky, Image.new("RGB", (width, height), (120, 170, 230)), 0.5)
    draw = ImageDraw.Draw(img)
    for i in range(5):  # terraces
        base = int(height * (0.35 + 0.12 * i))
        phase = rnd.random() * 6
        pts = [
            (x, base + int(35 * math.sin(x / (90 + 25 * i) + phase)))
            for x in range(0, width + 20, 20)
        ]
        draw.polygon([*pts, (width, height), (0, height)], fill=(50 + 18 * i, 110 + 20 * i, 45))
    for _ in range(rnd.randint(3, 7)):  # people
        cx, top = rnd.randrange(100, width - 100), rnd.randrange(height // 2, height * 3 // 4)
        colour = (rnd.randrange(20, 200), rnd.randrange(20, 120), rnd.randrange(20, 160))
        draw.rectangle((cx - 60, top, cx + 60, height), fill=colour)
        draw.ellipse((cx - 40, top - 100, cx + 40, top), fill=(215, 170, 135))
        draw.chord((cx - 42, top - 106, cx + 42, top - 30), 180, 360, fill=(25, 20, 20))
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    img = Image.blend(img, grain, 0.12).filter(ImageFilter.GaussianBlur(1.2))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()
