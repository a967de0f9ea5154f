"""A text/plain mail body → its cleaned text as one draft (the assembly decides whether
it is an article or a cover note).

windows-1258 bodies decode to base letters + combining tones; ``decode_text`` composes
them to NFC. Quoted lines (">"), the quoted message of a reply and the signature are
removed.
"""

from __future__ import annotations

from typing import ClassVar

from dienhinh.core.text import collapse_ws
from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.article import clean_body_lines
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.mime import decode_text

__all__ = ["TextExtractor", "plain_paragraphs"]

_WRAP_WIDTH = 60  # lines at least this long are hard-wrapped prose, not a list or address


def _join(lines: list[str]) -> str:
    lines = [collapse_ws(ln) for ln in lines]
    # A hard-wrapped paragraph (every line but the last near the wrap width) is one
    # paragraph; short lines (addresses, lists) keep their line breaks.
    if len(lines) > 1 and all(len(ln) >= _WRAP_WIDTH for ln in lines[:-1]):
        return " ".join(lines)
    return "\n".join(lines)


def plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain-text body after removing quotes and the signature."""
    lines = clean_body_lines(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(_join(current))
            current = []
    return paragraphs


class TextExtractor:
    name: ClassVar[str] = "text"

    def score(self, part: Part) -> int | None:
        if part.content_type == "text/plain":
            return 10
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        paragraphs = plain_paragraphs(decode_text(part.payload, part.charset))
        return [
            ArticleDraft(
                title="", text="\n\n".join(paragraphs), source="text-body", origin=part.path
            )
        ]
