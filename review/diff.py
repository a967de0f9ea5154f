"""Two versions of a text side by side, the differences marked word by word.

The console's comparison of an article and its revision ("bản sửa"): the old side shows
the words the revision removed in ``<del>``, the new side the words it added in ``<ins>``.
Paragraphs are matched first (an unchanged paragraph costs nothing) and only the
paragraphs that differ are compared word by word, so a long article with a few edits is
compared in milliseconds. Every piece of text is escaped; the result is plain text with
line breaks, shown with ``white-space: pre-wrap``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from html import escape

from markupsafe import Markup

__all__ = ["TextDiff", "diff_texts"]

# A word with the spaces and line breaks after it (leading spaces form a token of their own).
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class TextDiff:
    old: Markup  # the old text, removed words in <del>
    new: Markup  # the new text, added words in <ins>
    removed: int  # words
    added: int

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _words(text: str) -> int:
    return len(text.split())


def _marked(tokens: list[str], tag: str) -> str:
    """``tokens`` inside ``<tag>``, the trailing white space left outside."""
    text = "".join(tokens)
    core = text.rstrip()
    if not core:
        return escape(text)
    return f"<{tag}>{escape(core)}</{tag}>{escape(text[len(core) :])}"


def _word_diff(old: str, new: str) -> tuple[str, str, int, int]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    # Compared by the word alone: a changed space or line break is not a changed word.
    matcher = SequenceMatcher(None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False)
    left: list[str] = []
    right: list[str] = []
    removed = added = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape("".join(a[i1:i2])))
            right.append(escape("".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(_marked(a[i1:i2], "del"))
            removed += _words("".join(a[i1:i2]))
        if j2 > j1:
            right.append(_marked(b[j1:j2], "ins"))
            added += _words("".join(b[j1:j2]))
    return "".join(left), "".join(right), removed, added


def diff_texts(old: str, new: str) -> TextDiff:
    """``old`` and ``new`` as HTML with their differences marked (see the module)."""
    pa, pb = _paragraphs(old), _paragraphs(new)
    matcher = SequenceMatcher(None, pa, pb, autojunk=False)
    left: list[str] = []
    right: list[str] = []
    removed = added = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.extend(escape(p) for p in pa[i1:i2])
            right.extend(escape(p) for p in pb[j1:j2])
        elif op == "delete":
            left.extend(_marked([p], "del") for p in pa[i1:i2])
            removed += sum(_words(p) for p in pa[i1:i2])
        elif op == "insert":
            right.extend(_marked([p], "ins") for p in pb[j1:j2])
            added += sum(_words(p) for p in pb[j1:j2])
        else:  # replace: these paragraphs word by word
            lo, ro, r, ad = _word_diff("\n\n".join(pa[i1:i2]), "\n\n".join(pb[j1:j2]))
            left.append(lo)
            right.append(ro)
            removed += r
            added += ad
    # Built from escaped pieces and our own <ins>/<del> only.
    return TextDiff(
        old=Markup("\n\n".join(left)),  # noqa: S704 - every piece escaped above
        new=Markup("\n\n".join(right)),  # noqa: S704 - every piece escaped above
        removed=removed,
        added=added,
    )
