"""A text/plain mail body → its cleaned text as drafts (the assembly decides whether it
is an article or a cover note).

windows-1258 bodies decode to base letters + combining tones; ``decode_text`` composes
them to NFC. Quoted lines (">"), the quoted message of a reply and the signature are
removed. A body typed in a legacy font encoding (TCVN3/VNI, pasted from an old document)
is repaired when detection says so.

The first draft is the sender's own text; a message forwarded inline in the body follows
as one more draft per forward (outermost first), each carrying the forward chain in
``forwarded_from`` (see ``ingest/forward.py``).
"""

from __future__ import annotations

from typing import ClassVar

from dienhinh.core.text import collapse_ws
from dienhinh.core.types import ArticleDraft, ForwardOrigin, Part
from dienhinh.ingest.article import clean_body_lines, repair_legacy_text
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.forward import split_sections
from dienhinh.ingest.mime import decode_text

__all__ = ["TextExtractor", "plain_paragraphs", "plain_sections"]

_WRAP_WIDTH = 60  # lines at least this long are hard-wrapped prose, not a list or address


def _join(lines: list[str]) -> str:
    lines = [collapse_ws(ln) for ln in lines]
    # A hard-wrapped paragraph (every line but the last near the wrap width) is one
    # paragraph; short lines (addresses, lists) keep their line breaks.
    if len(lines) > 1 and all(len(ln) >= _WRAP_WIDTH for ln in lines[:-1]):
        return " ".join(lines)
    return "\n".join(lines)


def _paragraphs(raw_lines: list[str]) -> list[str]:
    lines = clean_body_lines(raw_lines)
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(_join(current))
            current = []
    return paragraphs


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain-text body after removing quotes and the signature."""
    return _paragraphs(_lines(text))


def plain_sections(text: str, *, max_depth: int) -> list[tuple[list[ForwardOrigin], list[str]]]:
    """(forward chain, paragraphs) of the sender's own text and of each inline forward."""
    out: list[tuple[list[ForwardOrigin], list[str]]] = []
    chain: list[ForwardOrigin] = []
    for section in split_sections(_lines(text), max_depth=max_depth):
        if section.origin is not None:
            chain = [*chain, section.origin]
        out.append((chain, _paragraphs(section.lines)))
    return out


class TextExtractor:
    name: ClassVar[str] = "text"

    def score(self, part: Part) -> int | None:
        if part.content_type == "text/plain":
            return 10
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        text, encoding = repair_legacy_text(decode_text(part.payload, part.charset))
        flags = [f"legacy-encoding:{encoding}"] if encoding else []
        return [
            ArticleDraft(
                title="",
                text="\n\n".join(paragraphs),
                source="text-body",
                origin=part.path,
                flags=list(flags),
                forwarded_from=chain,
            )
            for chain, paragraphs in plain_sections(text, max_depth=ctx.limits.max_forward_depth)
        ]
