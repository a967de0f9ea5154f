"""Clean HTML of an article, and safe slugs, shared by every publisher.

Article text is stored as plain text (paragraphs separated by a blank line, lines by a
line break), so the HTML is *built* here, with every piece of text escaped: nothing the
sender wrote can become markup, and no sanitiser is needed. Images are referenced through
a function the publisher gives (a file in the export folder, a media URL of the feed,
an uploaded WordPress media URL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from dienhinh.core.text import strip_diacritics
from dienhinh.publish.base import ImageItem, PublicationItem

__all__ = ["article_html", "html_document", "paragraphs", "slugify"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_len: int = 60, default: str = "bai-viet") -> str:
    """ASCII slug of a Vietnamese title ("Gương sáng Y đức" -> "guong-sang-y-duc").

    Only ``[a-z0-9-]`` survive, so a title such as "../../etc" can never name a path
    outside the export folder; cut at a word boundary within ``max_len``.
    """
    slug = _NON_SLUG.sub("-", strip_diacritics(text).lower()).strip("-")
    if len(slug) > max_len:
        cut = slug[:max_len]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-") or default


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _para(text: str, css: str = "") -> str:
    body = "<br>\n".join(escape(line) for line in text.split("\n") if line.strip())
    cls = f' class="{css}"' if css else ""
    return f"<p{cls}>{body}</p>"


def _figure(img: ImageItem, src: str, title: str) -> str:
    alt = img.caption or title
    out = f'<figure><img src="{escape(src)}" alt="{escape(alt)}">'
    if img.caption:
        out += f"<figcaption>{escape(img.caption)}</figcaption>"
    return out + "</figure>"


def article_html(
    item: PublicationItem,
    image_src: Callable[[ImageItem], str],
    *,
    include_cover: bool = True,
) -> str:
    """The article body as an HTML fragment: the lead (once), the body's paragraphs, then
    the photos with their captions (the cover first). ``include_cover=False`` leaves the
    cover out, for targets that show it themselves (WordPress's featured image).

    The lead and the body are separate fields and the body never repeats the lead
    (``core.text.body_without_lead`` at every write), so both are sent as they are: the
    editor's body is never cut here, and what the console's preview shows (this very
    function) is what goes out."""
    parts: list[str] = []
    lead = item.lead.strip()
    if lead:
        parts.append(_para(lead, "lead"))
    parts.extend(_para(p) for p in paragraphs(item.text))
    cover = item.cover
    ordered = ([cover] if cover else []) + [i for i in item.images if i is not cover]
    for img in ordered:
        if img is cover and not include_cover:
            continue
        parts.append(_figure(img, image_src(img), item.title))
    return "\n".join(parts)


_STYLE = (
    "body{font-family:'Times New Roman',serif;max-width:46em;margin:2em auto;padding:0 1em;"
    "line-height:1.5;color:#222}h1{font-size:1.6em;line-height:1.25}.meta{color:#666;"
    "font-size:.9em}.lead{font-weight:bold}figure{margin:1.5em 0}img{max-width:100%;"
    "height:auto}figcaption{font-style:italic;color:#555;font-size:.9em}"
)


def html_document(
    item: PublicationItem,
    image_src: Callable[[ImageItem], str],
    *,
    timezone: str,
) -> str:
    """A complete, self-contained UTF-8 page (no script, no remote resource)."""
    received = item.received_at.astimezone(ZoneInfo(timezone))
    meta = [m for m in (item.unit_name, _date_vi(received)) if m]
    campaigns = ", ".join(c.label for c in item.campaigns)
    if campaigns:
        meta.append(campaigns)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(item.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<article>\n<h1>{escape(item.title)}</h1>\n"
        f'<p class="meta">{escape(" · ".join(meta))}</p>\n'
        f"{article_html(item, image_src)}\n</article>\n</body>\n</html>\n"
    )


def _date_vi(when: datetime) -> str:
    return f"ngày {when.day:02d}/{when.month:02d}/{when.year}"
