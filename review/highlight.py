"""The words a search matched, marked in the queue's results, and a body excerpt around them.

The search compares folded words (``core.text.fold``: no diacritics, case-folded, đ -> d),
so "lao cai" and "Lào Cai" both find "LÀO CAI"; the marking does the same on the text as
stored (diacritics kept), with the same rule as the search: whole words, and the last word
of the query also as a prefix from three letters on ("lung phi" marks "Phình"). Where the
text folds character by character in place (``core.text.fold_in_place``: Vietnamese text in
NFC does) one regular expression finds the words in the folded copy, in C; otherwise each
distinct word is folded and tested. An excerpt folds and collapses only the part of the
text it needs (the article is 3-5 kB, the excerpt 200 characters).

Everything here is sender's text. :func:`highlight` escapes every piece of it itself and
adds no markup but ``<mark>``: the result is safe to put in a page as it is (it is a
``Markup``), whatever the text holds (``<script>``, ``&``, quotes).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from dienhinh.core.text import fold, fold_in_place

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
# The same words as _WORD, kept by re.split between the pieces around them: split runs in C,
# and a page's texts are then tested one distinct word at a time (a set), not word by word.
_SPLIT = re.compile(f"({_WORD.pattern})")
# A matcher remembers each distinct word it was asked about, up to this many.
_MEMO = 50_000
# An excerpt looks for its first match in this much of the text first (then the rest): a
# common word is found there, and a 5 kB text is not split whole for it.
_FIRST_CHUNK = 1200


class _Matcher:
    """Whether a word of the stored text matches the search's folded ``terms``: its folded
    form is one of them, or starts with the last from three letters on. Each distinct word
    is tested once (a page of results repeats the same few thousand syllables)."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.whole = frozenset(terms)
        last = terms[-1] if terms else ""
        self.prefix = last if len(last) >= _MIN_PREFIX else ""
        self.seen: dict[str, bool] = {}
        # The same rule as a pattern over text folded in place (core.text.fold_in_place),
        # whose word characters are where the stored text's are: a word that is one of the
        # terms, or that starts with the prefix. Longest first, as an alternation is tried
        # in order (its lookahead then backtracks to the longer term anyway).
        words = "|".join(re.escape(t) for t in sorted(self.whole, key=len, reverse=True))
        either = f"(?:{words})(?![^\\W_])"
        if self.prefix:
            either += f"|{re.escape(self.prefix)}[^\\W_]*"
        self.pattern = re.compile(f"(?<![^\\W_])(?:{either})")

    def test(self, word: str) -> bool:
        found = self.seen.get(word)
        if found is None:
            folded = _fold_word(word) if len(word) <= 64 else fold(word)
            found = folded in self.whole or bool(self.prefix and folded.startswith(self.prefix))
            if len(self.seen) >= _MEMO:
                self.seen.clear()
            self.seen[word] = found
        return found

    def hits(self, words: Sequence[str]) -> set[str]:
        """The distinct words of ``words`` that match."""
        return {w for w in set(words) if self.test(w)}


@functools.lru_cache(maxsize=64)
def _matcher(terms: tuple[str, ...]) -> _Matcher:
    return _Matcher(terms)


def _spans(text: str, matcher: _Matcher) -> list[tuple[int, int]]:
    """Start and end of each word of ``text`` that ``matcher`` matches, in order: found by
    the matcher's pattern in the text folded in place (in C), or, where the text cannot be
    folded in place, word by word."""
    folded = fold_in_place(text)
    if folded is not None:
        return [m.span() for m in matcher.pattern.finditer(folded)]
    # parts: text between words at even indexes, the words at odd ones.
    parts = _SPLIT.split(text)
    hits = matcher.hits(parts[1::2])
    out = []
    at = 0
    for i, part in enumerate(parts):
        if i % 2 and part in hits:
            out.append((at, at + len(part)))
        at += len(part)
    return out


def highlight(text: str | None, terms: Sequence[str]) -> Markup:
    """``text`` escaped, the words matching ``terms`` (folded query words, as
    ``search.query_terms`` gives them) each inside ``<mark>``; neighbouring matched words
    share one mark ("<mark>Lào Cai</mark>")."""
    text = text or ""
    if not terms:
        return escape(text)
    spans = _spans(text, _matcher(tuple(terms)))
    if not spans:
        return escape(text)
    out: list[str] = []
    pos = 0
    open_mark = False
    for start, end in spans:
        between = text[pos:start]
        if open_mark and between.strip() == "" and between:
            out.append(str(escape(between)))  # "Lào Cai": one mark over the space
        else:
            if open_mark:
                out.append("</mark>")
            out.append(str(escape(between)))
            out.append("<mark>")
            open_mark = True
        out.append(str(escape(text[start:end])))
        pos = end
    if open_mark:
        out.append("</mark>")
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))  # noqa: S704 - every piece escaped above


def _first_match(text: str, matcher: _Matcher) -> tuple[int, int] | None:
    """Start and end of the first word of ``text`` that ``matcher`` matches, or None. The
    text is split a chunk at a time, each cut at a space (no word holds one)."""
    done = 0
    size = _FIRST_CHUNK
    while done < len(text):
        cut = text.find(" ", done + size)
        end = len(text) if cut < 0 else cut
        chunk = text[done:end]
        folded = fold_in_place(chunk)
        if folded is not None:
            found = matcher.pattern.search(folded)
            if found:
                return done + found.start(), done + found.end()
        else:
            spans = _spans(chunk, matcher)
            if spans:
                return done + spans[0][0], done + spans[0][1]
        done = end
        size *= 4
    return None


def _collapsed_before(text: str, at: int, need: int) -> tuple[str, bool]:
    """The whitespace-collapsed end of ``text[:at]``, at least ``need`` characters of it
    where there are, and whether more text comes before it: only the part an excerpt can
    show is collapsed, not the whole article. Cut at a whitespace character, so the
    collapsed piece is exactly the end of the whole text collapsed."""
    back = need * 2 + 64
    while True:
        cut = max(0, at - back)
        while cut > 0 and not text[cut].isspace():
            cut -= 1
        piece = " ".join(text[cut:at].split())
        more = cut > 0 and not text[:cut].isspace()
        if cut == 0 or len(piece) >= need or not more:
            return piece, more
        back *= 4


def _collapsed_after(text: str, at: int, need: int) -> tuple[str, bool]:
    """The whitespace-collapsed start of ``text[at:]`` (``at`` a word's start), at least
    ``need`` characters of it where there are, and whether more text comes after it."""
    ahead = need * 2 + 64
    while True:
        cut = min(len(text), at + ahead)
        while cut < len(text) and not text[cut].isspace():
            cut += 1
        piece = " ".join(text[at:cut].split())
        more = cut < len(text) and not text[cut:].isspace()
        if cut == len(text) or len(piece) >= need or not more:
            return piece, more
        ahead *= 4


def excerpt(text: str | None, terms: Sequence[str], width: int = 200) -> str:
    """About ``width`` characters of ``text`` around its first matched word (a word before
    it kept for context, cut at word boundaries, "…" where text was left out), the text's
    whitespace collapsed; "" when no word matches. Plain text: the caller highlights and
    escapes it."""
    text = text or ""
    if not text or not terms:
        return ""
    first = _first_match(text, _matcher(tuple(terms)))
    if first is None:
        return ""
    # The collapsed text around the match: what " ".join(text.split()) would hold there.
    before, earlier = _collapsed_before(text, first[0], width // 3 + 1)
    after, later = _collapsed_after(text, first[0], width + 1)
    gap = " " if before and text[first[0] - 1].isspace() else ""
    near = before + gap + after
    first_start = len(before) + len(gap)
    first_end = first_start + first[1] - first[0]
    start = max(0, first_start - width // 3)
    if start or earlier:
        space = near.find(" ", start)
        start = space + 1 if 0 <= space < first_start else first_start
    end = min(len(near), start + width)
    if end < len(near) or later:
        space = near.rfind(" ", first_end, end)
        end = space if space > 0 else end
    cut_before = earlier or start > 0
    cut_after = later or end < len(near)
    return ("…" if cut_before else "") + near[start:end] + ("…" if cut_after else "")
