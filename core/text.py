"""Vietnamese text helpers.

Display text is always NFC and otherwise untouched. The folding functions here are for
matching and search only: their output is never shown to a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

__all__ = [
    "body_without_lead",
    "collapse_ws",
    "fold",
    "fold_in_place",
    "has_diacritics",
    "lead_and_body",
    "nfc",
    "scrub",
    "strip_diacritics",
]

# Old-style tone placement (hoà, khoẻ, thuý) vs new-style (hòa, khỏe, thúy) differ
# in code points even after NFC. Folding removes every diacritic, which also removes
# this difference; callers that need to keep diacritics use nfc() only.


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the only form dienhinh stores."""
    return unicodedata.normalize("NFC", text)


def _strip_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Every precomposed Latin letter (Latin-1 Supplement to Latin Extended Additional, which
# holds all 134 Vietnamese letters) mapped to its bare form, plus the combining marks
# mapped to nothing: str.translate then does in C what NFD + filtering does per character.
_STRIP_TABLE: dict[int, str] = {
    cp: _strip_slow(chr(cp)) for cp in range(0x00C0, 0x1F00) if _strip_slow(chr(cp)) != chr(cp)
}
_STRIP_TABLE.update({cp: "" for cp in range(0x0300, 0x0370)})
_STRIP_TABLE.update({ord("đ"): "d", ord("Đ"): "D"})
# The same table as a list indexed by code point (every other character below U+1F00
# mapped to itself): ``str.translate`` reads a list item about four times faster than it
# looks up a dict key. A character past its end raises IndexError, a LookupError, which
# ``str.translate`` reads as "unchanged", as a missing dict key.
_STRIP_LIST: list[str] = [_STRIP_TABLE.get(cp, chr(cp)) for cp in range(0x1F00)]


def _memoized(fn: Callable[[str], str]) -> Callable[[str], str]:
    """``fn`` with its results kept for texts seen recently. Folding costs about 30 ns a
    character (``str.translate`` reads each one in a table), and one message's texts are folded
    again and again: its lines by the official-document and noise rules, its article by
    duplicate detection, then by every tagger (about 20,000 characters folded per message
    for 8,000 distinct ones). Bounded: at most 4,096 short texts and 16 long ones (a few
    MB at worst); longer texts and str subclasses (bs4's strings) are not kept."""
    short = lru_cache(maxsize=4096)(fn)
    long = lru_cache(maxsize=16)(fn)

    def cached(text: str) -> str:
        if type(text) is not str:
            return fn(text)
        n = len(text)
        if n <= 1000:
            return short(text)
        return long(text) if n <= 200_000 else fn(text)

    # The module-level name it replaces, so pickle finds it by reference (the campaign
    # model's vectorizer keeps ``fold`` as its preprocessor).
    cached.__doc__ = fn.__doc__
    cached.__name__ = fn.__name__
    cached.__qualname__ = fn.__qualname__
    cached.__module__ = fn.__module__
    return cached


@_memoized
def strip_diacritics(text: str) -> str:
    """Remove tone and vowel marks; map đ/Đ to d/D (đ has no decomposition)."""
    if text.isascii():
        return text
    # Compose first so NFD input ("e" + U+0323 + U+0302) meets the precomposed table.
    return unicodedata.normalize("NFC", text).translate(_STRIP_LIST)


def has_diacritics(text: str) -> bool:
    """Whether ``text`` carries any mark (or đ): a sender who typed none is matched on
    folded words, one who did on the words as written ("hỏi" is not "hội")."""
    return strip_diacritics(text) != text


def collapse_ws(text: str) -> str:
    """Collapse runs of whitespace to one space and trim. (``str.split`` knows the
    whitespace of a regular expression's ``\\s``, and is about four times faster than
    ``re.sub(r"\\s+", " ", text).strip()``.)"""
    return " ".join(text.split())


@_memoized
def fold(text: str) -> str:
    """Matching key: no diacritics, case-folded, whitespace collapsed."""
    return collapse_ws(strip_diacritics(text).casefold())


# _STRIP_LIST where a character strips to exactly one character; the others (combining marks,
# which strip to nothing, and the few letters that decompose to two) map to two NULs, so
# that the length of the result tells whether every character stayed in place.
_IN_PLACE_LIST: list[str] = [v if len(v) == 1 else "\0\0" for v in _STRIP_LIST]


def fold_in_place(text: str) -> str | None:
    """``text`` folded character by character, its length kept: the character at each
    position is the fold of the one at that position in ``text``, so a word of ``text``
    folds (:func:`fold`) to the same span of the result, and the result's word characters
    are where ``text``'s are (tests/unit/core check it for every character). None when
    folding cannot keep every character in place: a text not in NFC, a combining mark (it
    strips to nothing), a character that strips or case-folds to two ("ß"). Whitespace is
    kept as it is. Costs about 25 ns a character (one ``str.translate``)."""
    if not unicodedata.is_normalized("NFC", text):
        return None
    bare = text.translate(_IN_PLACE_LIST)
    if len(bare) != len(text):
        return None
    folded = bare.casefold()
    return folded if len(folded) == len(text) else None


# C0 and C1 control characters except tab, line feed and carriage return; also the
# Unicode "noncharacters" U+FFFE/U+FFFF. Mail and documents carry them by accident (or
# on purpose); PostgreSQL refuses NUL, and none of them means anything in an article.
_CONTROLS = {
    cp: None
    for cp in [
        *range(0x00, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        0xFFFE,
        0xFFFF,
    ]
}


# The same characters as a class: searching for one costs about 4 ns a character, where
# ``str.translate`` with the dict above costs about 70 (a text with line breaks is never
# ``isprintable``, so every article paid the translation).
_CONTROL_CHAR = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_CONTROLS)) + "]")


def scrub(text: str) -> str:
    """``text`` without control characters (tab and line breaks kept)."""
    if text.isprintable():
        return text
    if type(text) is str and _CONTROL_CHAR.search(text) is None:
        return text
    return text.translate(_CONTROLS)


# --- the lead (sapo) and the body ----------------------------------------------------------
# An article's lead is a field of its own and its body never repeats it: every publisher
# sends the lead once, then the body. Extraction finds the lead as the text's first
# paragraph, so that paragraph leaves the body when the article is stored; an editor's body
# that starts with the lead loses that copy when saved. Paragraphs are separated by a blank
# line (as publish.render.paragraphs reads them).


def body_without_lead(lead: str, text: str) -> str:
    """``text`` without a first paragraph that repeats ``lead`` (spacing aside); ``text``
    itself when it does not start with the lead."""
    key = collapse_ws(lead)
    if not key:
        return text
    chunks = text.split("\n\n")
    for i, chunk in enumerate(chunks):
        if chunk.strip():
            if collapse_ws(chunk) != key:
                return text
            return "\n\n".join(chunks[i + 1 :]).lstrip("\n")
    return text


def lead_and_body(lead: str, body: str) -> str:
    """The whole text as the sender wrote it: the lead, then the body. What duplicate
    detection and learning read, so that a text's match does not depend on where its first
    paragraph is kept."""
    return "\n\n".join(p for p in (lead.strip(), body.strip()) if p)
