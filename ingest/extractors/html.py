"""A text/html mail body → its cleaned text as one draft, with the ``cid:`` images it
shows (the assembly decides whether it is an article or a cover note).

BeautifulSoup (the design card's dependency) with the lxml tree builder: ~1.1 ms per
body against ~1.5 ms with ``html.parser`` (parsing-costs.md), and lxml is already a
dependency for the .docx fast path. Only text is kept, so no script, event handler or
remote URL can reach the article: scripts/styles are removed, attributes are never read
except ``src="cid:..."`` of images, which is resolved to a part of the same message.
"""

from __future__ import annotations

import re
from typing import ClassVar

from bs4 import BeautifulSoup, Tag
from dienhinh.core.text import collapse_ws
from dienhinh.core.types import ArticleDraft, Asset, Part
from dienhinh.ingest.article import clean_body_lines
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.mime import decode_text
from dienhinh.store.blobs import BlobStore

__all__ = ["HtmlExtractor", "html_paragraphs"]

_DROP = [
    "script",
    "style",
    "head",
    "title",
    "noscript",
    "iframe",
    "frame",
    "object",
    "embed",
    "template",
    "svg",
    "math",
    "form",
    "button",
    "select",
    "textarea",
    "applet",
    "audio",
    "video",
    "canvas",
    "meta",
    "link",
]
# Quoted replies and signatures, by the markers webmail clients put on them.
_QUOTES = (
    "blockquote, .gmail_quote, .gmail_extra, .moz-cite-prefix, .yahoo_quoted, "
    ".OutlookMessageHeader, .gmail_signature, .signature, .moz-signature, "
    "[data-smartmail=gmail_signature]"
)
# Outlook puts the quoted message *after* these markers, as siblings.
_QUOTE_STARTS = "#divRplyFwdMsg, #appendonsend"
_BLOCKS = [
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "address",
    "center",
    "dd",
    "dt",
    "figcaption",
    "figure",
    "hr",
    "td",
    "th",
]
_TITLE_MARK = "\x01"  # control characters never survive into text, so a safe sentinel
_HEADINGS = ("h1", "h2", "h3", "h4")
_WS = re.compile(r"[ \t\r\f\v\xa0\u200b]+")


def _mark_titles(soup: BeautifulSoup) -> None:
    for h in soup.find_all(_HEADINGS):
        h.insert(0, _TITLE_MARK)
    for b in soup.find_all(["b", "strong"]):
        block = b.find_parent(["p", "div", "td", "li", "center"])
        if block is None or getattr(block, "_marked", False):
            continue
        text = collapse_ws(block.get_text())
        if text and text == collapse_ws(b.get_text()):
            block.insert(0, _TITLE_MARK)
            block._marked = True  # type: ignore[attr-defined]


def html_paragraphs(html: str, related: list[Part]) -> tuple[list[str], str, list[Part]]:
    """(paragraphs, title candidate or "", referenced cid parts in order)."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.select(_QUOTE_STARTS):
        for sib in list(tag.find_next_siblings()):
            sib.decompose()
        tag.decompose()
    for tag in soup.select(_QUOTES):
        tag.decompose()
    by_cid = {p.content_id: p for p in related if p.content_id}
    images: list[Part] = []
    for img in soup.find_all("img"):
        src = str(img.get("src") or "").strip()
        if src.lower().startswith("cid:"):
            found = by_cid.get(src[4:].strip("<>"))
            if found is not None and found not in images:
                images.append(found)
        img.decompose()
    _mark_titles(soup)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_BLOCKS):
        if isinstance(tag, Tag):
            tag.insert_before("\n\n")
            tag.append("\n\n")
    root = soup.body or soup
    lines = [_WS.sub(" ", ln).strip() for ln in root.get_text().split("\n")]
    lines = clean_body_lines(lines)
    paragraphs: list[str] = []
    current: list[str] = []
    title = ""
    for line in [*lines, ""]:
        if line:
            current.append(line)
            continue
        if current:
            para = "\n".join(current)
            if para.startswith(_TITLE_MARK) and not title and len(paragraphs) < 6:
                title = collapse_ws(para.replace(_TITLE_MARK, ""))
            para = para.replace(_TITLE_MARK, "").strip()
            if para:
                paragraphs.append(para)
            current = []
    return paragraphs, title, images


class HtmlExtractor:
    name: ClassVar[str] = "html"

    def score(self, part: Part) -> int | None:
        if part.content_type in ("text/html", "application/xhtml+xml"):
            return 10
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        html = decode_text(part.payload, part.charset)
        paragraphs, title, parts = html_paragraphs(html, part.related)
        store = BlobStore(ctx.blob_root)
        images = [
            Asset(
                sha256=store.put(p.payload),
                size=p.size,
                content_type=p.content_type,
                filename=p.filename,
                role="inline-image",
                position=i,
                part_path=p.path,
            )
            for i, p in enumerate(parts)
        ]
        return [
            ArticleDraft(
                title=title,
                text="\n\n".join(paragraphs),
                source="html-body",
                origin=part.path,
                images=images,
            )
        ]
