"""The words a search matched, marked in the queue's results, and a body excerpt around them.

The search compares folded words (``core.text.fold``: no diacritics, case-folded, đ -> d),
so "lao cai" and "Lào Cai" both find "LÀO CAI"; the marking does the same, word by word, on
the text as stored (diacritics kept), with the same rule as the search: whole words, and the
last word of the query also as a prefix from three letters on ("lung phi" marks "Phình").

Everything here is sender's text. :func:`highlight` escapes every piece of it itself and
adds no markup but ``<mark>``: the result is safe to put in a page as it is (it is a
``Markup``), whatever the text holds (``<script>``, ``&``, quotes).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from dienhinh.core.text import fold

__all__ = ["excerpt", "highlight"]

# A word of the stored (NFC) text: letters and digits, with any combining marks a
# decomposed character left behind (so "Lào" stays one word even in NFD).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_MIN_PREFIX = 3  # as dienhinh.review.search


# The folded form of a word, remembered: a page of 50 results tests some 10,000 words (the
# excerpts are cut around the first match, the titles, senders and subjects are marked), and
# Vietnamese text is made of a few thousand distinct syllables, so folding each occurrence
# again was most of a common search's time (about 100 ms a page at 100,000 articles).
_fold_word = functools.lru_cache(maxsize=65_536)(fold)


def _matcher(terms: Sequence[str]) -> Callable[[str], bool]:
    whole = set(terms)
    last = terms[-1] if terms else ""
    prefix = last if len(last) >= _MIN_PREFIX else ""

    def matches(word: str) -> bool:
        folded = _fold_word(word) if len(word) <= 64 else fold(word)
        return folded in whole or bool(prefix and folded.startswith(prefix))

    return matches


def highlight(text: str | None, terms: Sequence[str]) -> Markup:
    """``text`` escaped, the words matching ``terms`` (folded query words, as
    ``search.query_terms`` gives them) each inside ``<mark>``; neighbouring matched words
    share one mark ("<mark>Lào Cai</mark>")."""
    text = text or ""
    if not terms:
        return escape(text)
    matches = _matcher(terms)
    out: list[str] = []
    pos = 0
    open_mark = False
    for m in _WORD.finditer(text):
        if not matches(m.group()):
            continue
        between = text[pos : m.start()]
        if open_mark and between.strip() == "" and between:
            out.append(str(escape(between)))  # "Lào Cai": one mark over the space
        else:
            if open_mark:
                out.append("</mark>")
            out.append(str(escape(between)))
            out.append("<mark>")
            open_mark = True
        out.append(str(escape(m.group())))
        pos = m.end()
    if open_mark:
        out.append("</mark>")
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))  # noqa: S704 - every piece escaped above


def excerpt(text: str | None, terms: Sequence[str], width: int = 200) -> str:
    """About ``width`` characters of ``text`` around its first matched word (a word before
    it kept for context, cut at word boundaries, "…" where text was left out); "" when no
    word matches. Plain text: the caller highlights and escapes it."""
    text = " ".join((text or "").split())
    if not text or not terms:
        return ""
    matches = _matcher(terms)
    first = next((m for m in _WORD.finditer(text) if matches(m.group())), None)
    if first is None:
        return ""
    start = max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else first.start()
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > 0 else end
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
