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
from dataclasses import dataclass, field
from typing import ClassVar

from bs4 import BeautifulSoup, NavigableString, Tag

from dienhinh.core.text import collapse_ws
from dienhinh.core.types import ArticleDraft, Asset, ForwardOrigin, Part
from dienhinh.ingest.article import clean_body_lines, repair_legacy_text
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.forward import (
    QUOTE_SENTINEL,
    SIGNATURE_END,
    SIGNATURE_START,
    header_field,
    is_forward_marker,
    separator_kind,
    split_sections,
)
from dienhinh.ingest.mime import decode_text

__all__ = [
    "HtmlExtractor",
    "HtmlSection",
    "SignatureFacts",
    "html_paragraphs",
    "html_sections",
    "signature_facts",
]

_DROP = frozenset(
    {
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
    }
)
# Quoted replies, by the markers webmail clients put on them (Yahoo prefixes its class:
# "ydp3f2a1yahoo_quoted"). A quote that holds or follows a forward marker is kept.
# Matched by _is_quote, a walk of the tree that does what the CSS selector
# "blockquote, .gmail_quote, .gmail_extra, .moz-cite-prefix, .yahoo_quoted,
# [class*=yahoo_quoted], .OutlookMessageHeader" does (soupsieve's select cost about 2 ms a
# body, more than the rest of the cleaning; tests/unit/ingest/test_html_quotes.py holds
# the two to the same answers).
_QUOTE_CLASSES = frozenset(
    {"gmail_quote", "gmail_extra", "moz-cite-prefix", "yahoo_quoted", "OutlookMessageHeader"}
)
# Signatures: kept between sentinel lines, so the text cleaners drop them from the text
# while forward.py reads a forwarded message's signature as its sender's.
_SIGNATURE_CLASSES = ["gmail_signature", "signature", "moz-signature"]
_HEADER_CELL_MAX = 30  # "Trả lời Tới:" and the like: a header name cell is short
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
_BLOCK_SET = frozenset(_BLOCKS)
_TITLE_MARK = "\x01"  # control characters never survive into text, so a safe sentinel
_LEVEL_MARK = "\x02"  # "\x02<n>" after the title mark: an <hn> heading
_LEVEL = re.compile("^\x01\x02([1-4])")
_LEVEL_MARKS = re.compile("\x02[1-4]")
_IMG_MARK = "\x03"  # "\x03<n>\x03" stands where the n-th cid image was shown
_IMG_REF = re.compile(r"\x03(\d+)\x03")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
# A line break in the flattened text (<br>, block edges, <pre> lines). Line breaks of the
# HTML source are spaces, as a browser shows them; this mark, never typed in mail text,
# tells the two apart without rewriting every text node.
_BR = "\x1f"
_LINES = re.compile("[\n\x1f]")
_WS = re.compile(r"[ \t\r\f\v\xa0\u200b]+")


def _named(root: Tag, names: frozenset[str]) -> list[Tag]:
    """The tags of these names under ``root``, in document order: what
    ``root.find_all(list(names))`` returns, by one walk of the tree (bs4 builds a filter
    object for each find_all and tests every node through it: about a third of the
    cleaning of a body went there)."""
    return [t for t in root.descendants if isinstance(t, Tag) and t.name in names]


def _parent_named(tag: Tag, names: frozenset[str]) -> Tag | None:
    """``tag.find_parent(list(names))``: the nearest enclosing tag of these names."""
    return next((p for p in tag.parents if p.name in names), None)


_TITLE_BLOCKS = frozenset({"p", "div", "td", "li", "center"})


def _mark_titles(soup: BeautifulSoup) -> None:
    for h in _named(soup, _HEADINGS):
        h.insert(0, f"{_TITLE_MARK}{_LEVEL_MARK}{h.name[1]}")
    for b in _named(soup, frozenset({"b", "strong"})):
        block = _parent_named(b, _TITLE_BLOCKS)
        if block is None or getattr(block, "_marked", False):
            continue
        text = collapse_ws(block.get_text())
        if text and text == collapse_ws(b.get_text()):
            block.insert(0, _TITLE_MARK)
            block._marked = True  # type: ignore[attr-defined]


@dataclass
class HtmlSection:
    """The sender's own text (``forwarded_from == []``) or one message forwarded inline."""

    forwarded_from: list[ForwardOrigin]
    paragraphs: list[str]
    title: str
    images: list[Part]
    headings: list[tuple[int, str]] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)  # per image: the text beside it


def _forwarding(tag: Tag) -> bool:
    """A quote container that holds a forwarded message (Gmail puts forwards in a
    ``gmail_quote`` div, Yahoo in ``yahoo_quoted``), or follows the marker of one (Apple
    Mail: "Begin forwarded message:" then ``<blockquote type="cite">``): kept, its
    marker opens a section."""
    head = tag.get_text("\n")[:600]
    lines = [ln for ln in _LINES.split(head) if ln.strip()]
    if any(is_forward_marker(ln) for ln in lines):
        return True
    # Outlook's "-----Original Message-----" opening the container (a Gmail forward of
    # mail that came from Outlook): a forward or a reply's quotation, which only the
    # subjects tell apart. Kept, so that forward.forwards_kept decides as it does for a
    # plain-text body (a reply's block is dropped there); removing it here lost articles.
    if any(separator_kind(ln) == "quoted" for ln in lines[:3]):
        return True
    for text in tag.find_all_previous(string=True, limit=12):
        if type(text) is not NavigableString or not text.strip():
            continue
        return is_forward_marker(text)
    return False


def _quote_lines(tag: Tag) -> list[str]:
    """The non-blank lines a quote container shows (block edges and ``<br>`` break
    lines), before the body is flattened."""
    out = [""]
    for node in tag.descendants:
        if type(node) is NavigableString:
            parts = str(node).split(_BR)
            out[-1] += parts[0]
            out += parts[1:]
        elif isinstance(node, Tag) and (node.name == "br" or node.name in _BLOCKS):
            out.append("")
    return [x for x in (collapse_ws(x) for x in out) if x]


def _headers_only(tag: Tag) -> bool:
    """A quote that holds a forward's header lines and nothing after them: the iPhone's
    Mail writes "Begin forwarded message:", a ``<blockquote type="cite">`` with From,
    Subject, Date and To, then the forwarded body in a second blockquote beside it."""
    names: set[str] = set()
    empty = False  # the last header line had no value: its value may be the next line
    for line in _quote_lines(tag):
        head = header_field(line)
        if head is not None:
            names.add(head[0])
            empty = not head[1]
        elif is_forward_marker(line) or (empty and len(line) <= 200):
            empty = False
        else:
            return False
    return "from" in names and bool(names & {"date", "subject"})


def _previous_element(tag: Tag) -> Tag | None:
    """The element just before ``tag`` among its siblings, blank text and ``<br>``
    skipped."""
    for node in tag.previous_siblings:
        if isinstance(node, Tag):
            if node.name != "br":
                return node
        elif str(node).strip():
            return None
    return None


def _follows_headers(tag: Tag, headers: list[Tag]) -> bool:
    """The forwarded body in a sibling of its header block: a quote right after an
    element that holds a forward's header lines and nothing else (Gmail's ``gmail_attr``
    with a forward marker, an Outlook header div), or whose nearest text lies in a kept
    quote that held only a forward's headers (the iPhone's two blockquotes)."""
    before = _previous_element(tag)
    if before is not None and _headers_only(before):
        block = _quote_lines(before)
        if block and (is_forward_marker(block[0]) or before in headers):
            return True
    if not headers:
        return False
    for text in tag.find_all_previous(string=True, limit=40):
        if type(text) is not NavigableString or not text.strip():
            continue
        return any(p is h for p in text.parents for h in headers)
    return False


def _is_quote(tag: Tag) -> bool:
    """Whether ``tag`` is a quoted reply's container (the markers in _QUOTE_CLASSES)."""
    if tag.name == "blockquote":
        return True
    classes = tag.attrs.get("class")
    if not classes:
        return False
    if isinstance(classes, str):
        classes = classes.split()
    return not _QUOTE_CLASSES.isdisjoint(classes) or "yahoo_quoted" in " ".join(classes)


def _drop_quotes(soup: BeautifulSoup) -> None:
    """Remove quoted replies; keep the containers of forwarded messages (see
    :func:`_forwarding`) and a forwarded body that sits beside its header block."""
    headers: list[Tag] = []
    for tag in [t for t in soup.descendants if type(t) is Tag and _is_quote(t)]:
        if tag.decomposed:
            continue
        if _forwarding(tag):
            if _headers_only(tag):
                headers.append(tag)
        elif not _follows_headers(tag, headers):
            tag.decompose()


@dataclass
class _Walk:
    """What one pass over the tree found (one walk instead of a search per feature)."""

    pre: list[NavigableString]  # text inside <pre> holding line breaks, which count
    rows: list[Tag]  # table rows, for header tables
    signatures: list[Tag]  # outermost signature containers


def _walk(soup: BeautifulSoup) -> _Walk:
    found = _Walk([], [], [])
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name == "pre":
                found.pre += [
                    t
                    for t in node.descendants
                    if type(t) is NavigableString and ("\n" in t or "\r" in t)
                ]
            if node.name == "tr":
                found.rows.append(node)
            classes = node.get("class") or ()
            if (
                any(c in _SIGNATURE_CLASSES for c in classes)
                or node.get("data-smartmail") == "gmail_signature"
            ):
                found.signatures.append(node)
    inner = set()
    for tag in found.signatures:
        inner.update(id(d) for d in tag.descendants)
    found.signatures = [t for t in found.signatures if id(t) not in inner]
    return found


def _keep_pre_lines(found: _Walk) -> None:
    """Line breaks in the HTML source are spaces (Outlook's Word HTML wraps its source
    mid-sentence: "Sent: Friday, June 27, 2014 12:06\nPM"), except inside ``<pre>``:
    those become the line-break mark like ``<br>`` (see :data:`_BR`)."""
    for text in found.pre:
        text.replace_with(text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _BR))


def _header_rows(found: _Walk) -> None:
    """A table row "Subject: | Bài viết" (Thunderbird's forward header table, Apple
    Mail's) becomes one line "Subject: Bài viết", as plain-text forwards write it."""
    for tr in found.rows:
        if tr.decomposed or tr.parent is None:
            continue
        cells = [c for c in tr.children if isinstance(c, Tag) and c.name in ("th", "td")]
        if len(cells) != 2:
            continue
        name = collapse_ws(cells[0].get_text())
        if not name.endswith(":") or len(name) > _HEADER_CELL_MAX:
            continue
        line = f"{name} {collapse_ws(cells[1].get_text())}"
        if header_field(line) is not None:
            tr.replace_with(f"{_BR}{line}{_BR}")


def _mark_signatures(found: _Walk) -> None:
    for tag in found.signatures:
        if tag.parent is not None:
            tag.insert_before(f"{_BR}{_BR}{SIGNATURE_START}{_BR}")
            tag.insert_after(f"{_BR}{SIGNATURE_END}{_BR}{_BR}")


def _section_paragraphs(lines: list[str]) -> tuple[list[str], str, list[tuple[int, str]]]:
    """(paragraphs, title candidate, (level, text) of the <hn> headings)."""
    paragraphs: list[str] = []
    headings: list[tuple[int, str]] = []
    current: list[str] = []
    title = ""
    for line in [*clean_body_lines(lines), ""]:
        if line:
            current.append(line)
            continue
        if current:
            para = "\n".join(current)
            level = _LEVEL.match(para)
            if _LEVEL_MARK in para:
                para = _LEVEL_MARKS.sub("", para)
            if para.startswith(_TITLE_MARK) and not title and len(paragraphs) < 6:
                title = collapse_ws(para.replace(_TITLE_MARK, ""))
            para = para.replace(_TITLE_MARK, "").strip()
            if para:
                paragraphs.append(para)
                if level is not None:
                    headings.append((int(level.group(1)), collapse_ws(para)))
            current = []
    return paragraphs, title, headings


# Signature blocks of an HTML body, as the CSS selectors ".gmail_signature,
# [data-smartmail=gmail_signature], .signature" (_main_signature_block) and those plus
# "#Signature, .moz-signature, #signature, .yahoo-signature" (_any_signature_block) find
# them: a function of the tag, tested in a plain walk (soupsieve's select parsed and
# matched the selector at ~2 ms a body).
_MAIN_SIGNATURE_CLASSES = frozenset({"gmail_signature", "signature"})
_ANY_SIGNATURE_CLASSES = _MAIN_SIGNATURE_CLASSES | {"moz-signature", "yahoo-signature"}


def _classes(tag: Tag) -> list[str]:
    classes = tag.attrs.get("class") or []
    return classes.split() if isinstance(classes, str) else list(classes)


def _main_signature_block(tag: Tag) -> bool:
    return tag.attrs.get("data-smartmail") == "gmail_signature" or not (
        _MAIN_SIGNATURE_CLASSES.isdisjoint(_classes(tag))
    )


def _any_signature_block(tag: Tag) -> bool:
    return (
        tag.attrs.get("data-smartmail") == "gmail_signature"
        or tag.attrs.get("id") in ("Signature", "signature")
        or not _ANY_SIGNATURE_CLASSES.isdisjoint(_classes(tag))
    )


@dataclass(frozen=True)
class SignatureFacts:
    """What the assembly reads from an HTML body as it was sent, before html_sections
    cleans the tree: the text of the first signature block a mailer marked (None when
    none is marked), the whole body's text (strings joined by line breaks), and the
    ``cid:`` images shown inside any signature block."""

    block_text: str | None
    text: str
    cids: frozenset[str]


def _signature_facts_of(soup: BeautifulSoup, html: str) -> SignatureFacts:
    tags = [t for t in soup.descendants if isinstance(t, Tag)]
    block = next((t for t in tags if _main_signature_block(t)), None)
    cids: set[str] = set()
    if "cid:" in html:
        for sig in (t for t in tags if _any_signature_block(t)):
            for img in _named(sig, frozenset({"img"})):
                src = str(img.get("src") or "")
                if src.lower().startswith("cid:"):
                    cids.add(src[4:].strip().strip("<>"))
    return SignatureFacts(
        None if block is None else block.get_text("\n"), soup.get_text("\n"), frozenset(cids)
    )


# The facts of the last few bodies html_sections parsed, by their text: the assembly asks
# for the same body's right after (ingest/extract.py), and parsing it again cost about a
# third of its cleaning.
_FACTS: dict[str, SignatureFacts] = {}
_FACTS_KEPT = 8


def signature_facts(html: str) -> SignatureFacts:
    """The :class:`SignatureFacts` of ``html`` (kept from html_sections, else parsed)."""
    found = _FACTS.get(html)
    if found is None:
        found = _signature_facts_of(BeautifulSoup(html, "lxml"), html)
    return found


def _keep_facts(html: str, facts: SignatureFacts) -> None:
    while len(_FACTS) >= _FACTS_KEPT:
        _FACTS.pop(next(iter(_FACTS)), None)
    _FACTS[html] = facts


def html_sections(html: str, related: list[Part], *, max_depth: int = 5) -> list[HtmlSection]:
    """The body's own text, then each message forwarded inline, each with its paragraphs,
    title candidate and the cid parts it shows, in order."""
    soup = BeautifulSoup(html, "lxml")
    _keep_facts(html, _signature_facts_of(soup, html))
    for tag in _named(soup, _DROP):
        tag.decompose()
    found = _walk(soup)
    _keep_pre_lines(found)
    # Outlook puts the quoted or forwarded message after these markers, as siblings: a
    # sentinel line marks where it starts (a forward or a reply's quote; forward.py and
    # the assembly decide which).
    # The first tag with each id (what ``soup.find(id=...)`` gives), found in one walk.
    reply_header: Tag | None = None
    append_mark: Tag | None = None
    for t in soup.descendants:
        if isinstance(t, Tag):
            ident = t.get("id")
            if ident == "divRplyFwdMsg" and reply_header is None:
                reply_header = t
            elif ident == "appendonsend" and append_mark is None:
                append_mark = t
    start = reply_header or append_mark
    if isinstance(start, Tag):
        start.insert_before(soup.new_string(f"{_BR}{_BR}{QUOTE_SENTINEL}{_BR}{_BR}"))
    if isinstance(append_mark, Tag):
        append_mark.decompose()
    _header_rows(found)
    _mark_signatures(found)
    _drop_quotes(soup)
    by_cid = {p.content_id: p for p in related if p.content_id}
    images: list[Part] = []
    for img in _named(soup, frozenset({"img"})):
        src = str(img.get("src") or "").strip()
        found = by_cid.get(src[4:].strip("<>")) if src.lower().startswith("cid:") else None
        if found is not None and found not in images:
            images.append(found)
            img.replace_with(f"{_IMG_MARK}{len(images) - 1}{_IMG_MARK}")
        else:
            img.decompose()
    _mark_titles(soup)
    for br in _named(soup, frozenset({"br"})):
        br.replace_with(_BR)
    for tag in _named(soup, _BLOCK_SET):
        if isinstance(tag, Tag):
            tag.insert_before(_BR + _BR)
            tag.append(_BR + _BR)
    root = soup.body or soup
    text = root.get_text().replace("\r", " ").replace("\n", " ")
    lines = [_WS.sub(" ", ln).strip() for ln in text.split(_BR)]
    out: list[HtmlSection] = []
    chain: list[ForwardOrigin] = []
    for section in split_sections(lines, max_depth=max_depth):
        if section.origin is not None:
            chain = [*chain, section.origin]
        shown = dict.fromkeys(int(i) for ln in section.lines for i in _IMG_REF.findall(ln))
        clean = [_IMG_REF.sub("", ln).strip() for ln in section.lines]
        paragraphs, title, headings = _section_paragraphs(clean)
        anchors = _anchors(section.lines, clean, shown) if len(shown) > 1 else [""] * len(shown)
        out.append(
            HtmlSection(chain, paragraphs, title, [images[i] for i in shown], headings, anchors)
        )
    return out


def _anchors(lines: list[str], clean: list[str], shown: dict[int, None]) -> list[str]:
    """Per image shown (in ``shown``'s order): the first text line after its mark (a
    caption, or the text it illustrates), else the last one before it."""
    at: dict[int, int] = {}
    for n, ln in enumerate(lines):
        for i in _IMG_REF.findall(ln):
            at.setdefault(int(i), n)
    out: list[str] = []
    for i in shown:
        n = at[i]
        after = next((c for c in clean[n:] if c), "")
        before = next((c for c in reversed(clean[:n]) if c), "")
        out.append(after or before)
    return out


def html_paragraphs(html: str, related: list[Part]) -> tuple[list[str], str, list[Part]]:
    """(paragraphs, title candidate or "", referenced cid parts in order) of the sender's
    own text: quoted and forwarded messages left out."""
    own = html_sections(html, related)[0]
    return own.paragraphs, own.title, own.images


class HtmlExtractor:
    name: ClassVar[str] = "html"

    def score(self, part: Part) -> int | None:
        if part.content_type in ("text/html", "application/xhtml+xml"):
            return 10
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        html = decode_text(part.payload, part.charset)
        store = ctx.blob_store()
        drafts: list[ArticleDraft] = []
        for section in html_sections(html, part.related, max_depth=ctx.limits.max_forward_depth):
            images = [
                Asset(
                    sha256=store.put(p.payload),
                    size=p.size,
                    content_type=p.content_type,
                    filename=p.filename,
                    role="inline-image",
                    position=i,
                    part_path=p.path,
                    anchor=section.anchors[i] if i < len(section.anchors) else "",
                )
                for i, p in enumerate(section.images)
            ]
            text = "\n\n".join(section.paragraphs)
            title = section.title
            text, encoding = repair_legacy_text(f"{title}\n\x1e\n{text}" if title else text)
            if title:
                title, _, text = text.partition("\n\x1e\n")
            drafts.append(
                ArticleDraft(
                    title=title,
                    text=text,
                    source="html-body",
                    origin=part.path,
                    images=images,
                    flags=[f"legacy-encoding:{encoding}"] if encoding else [],
                    forwarded_from=section.forwarded_from,
                    headings=section.headings,
                )
            )
        return drafts
