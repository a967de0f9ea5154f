"""Find code and English in text an editor reads (issue 13: "no internal code or English
reaches an editor"). Used by the browser test on every page's visible text and by the unit
test of core/labels.py on every label.

A token is flagged when it is
* a code: ASCII words joined by "-" or "_" ("ca-nhan", "subject_type", "feed:queued"
  splits into "feed", "queued", each then checked as a word), or
* an ASCII word of two letters or more that is neither a Vietnamese syllable written
  without tone marks ("Cai", "Ban", "xem", "tin", "thanh": Vietnamese is full of them, so
  "ASCII-only" alone cannot mean English) nor in the short allow-list below.

Vietnamese syllables follow a strict shape (onset + rhyme); written without any diacritic,
only a few dozen rhymes remain, and a stop-final rhyme (-p, -t, -c, -ch) always carries a
tone mark, so "ok", "feed", "queued", "state", "body", "address", "merge", "import",
"unit", "display", "name" all fail it. What this cannot catch: an English word that is
also a toneless Vietnamese syllable ("to", "can", "long"); a few such words that never
occur in the console's Vietnamese are in ``_ENGLISH``.

Allowed, besides Vietnamese: numbers, dates and times, e-mail addresses, URLs, file names
and paths, single letters (keyboard shortcuts), the words of the configured units' and
campaigns' names (their official abbreviations: UBND, MTTQ, TNHH, ...), and ``ALLOWED``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["ALLOWED", "is_vietnamese_syllable", "offending_tokens"]

# Each word, and why an editor reads it as it is.
ALLOWED: Final[dict[str, str]] = {
    "WordPress": "the portal's software: a proper noun",
    "Atom": "the feed's format, named in the menu (Nguồn tin Atom)",
    "Word": "the file format editors know by name (tài liệu Word)",
    "PDF": "the file format editors know by name (tài liệu PDF)",
    "Excel": "the file format of the compliance workbook (Tải Excel, bảng tính Excel)",
    "KB": "the unit of an attachment's size",
    "IP": "'địa chỉ IP' is how Vietnamese says it",
    "STT": "số thứ tự: the Vietnamese column heading of administrative tables",
    "TCVN3": "the Vietnamese legacy encoding's own name",
    "VNI": "the Vietnamese legacy encoding's own name",
    "Sapo": "the newsroom's Vietnamese word for an article's lead (sa-pô, from chapeau)",
    "sapo": "the same word inside a sentence ('tiêu đề, sapo hoặc nội dung')",
    "Enter": "a key cap, in the keyboard shortcuts",
    "Esc": "a key cap, in the keyboard shortcuts",
}
# English words that fit a toneless Vietnamese syllable but are no Vietnamese word here.
_ENGLISH: Final = frozenset({"the", "by", "my", "on", "via", "then"})

_ONSETS: Final = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "th", "tr", "ch", "qu",
    "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
# Rhymes written without any diacritic (no ă â ê ô ơ ư, no tone): open or nasal-final.
_RHYMES: Final = frozenset((
    "a", "ai", "ao", "au", "ay", "am", "an", "ang", "anh", "e", "em", "en", "eng", "eo",
    "i", "ia", "iu", "im", "in", "inh", "o", "oa", "oai", "oay", "oam", "oan", "oang",
    "oanh", "oe", "oen", "oeo", "oi", "om", "on", "ong", "oong", "u", "ua", "ui", "um",
    "un", "ung", "uy", "uya", "uyu", "uyn", "uynh", "y",
))  # fmt: skip
_ROMAN: Final = re.compile(r"^(?:I{1,3}|IV|VI{0,3}|IX|XI{0,2})$")
_EMAIL: Final = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_URL: Final = re.compile(r"^(?:https?://|/)\S*$")
_FILE: Final = re.compile(r"^\S*\.[A-Za-z][A-Za-z0-9]{1,4}$")
_NUMBER: Final = re.compile(r"^[#+-]?\d[\d.,:/%x×-]*(?:KB)?$")
_MONTH: Final = re.compile(r"^T\d{1,2}$")
_CODE: Final = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+$")
_PUNCT: Final = "()[]{}«»“”\"'‘’,.;:!?…·—–|*<>="


def is_vietnamese_syllable(word: str) -> bool:
    """A Vietnamese syllable written without diacritics ("thanh", "Cai", "xem")."""
    w = word.lower()
    if w in _ENGLISH:
        return False
    for onset in _ONSETS:
        if w.startswith(onset) and w[len(onset) :] in _RHYMES:
            rest = w[len(onset) :]
            if onset == "qu" and rest.startswith("u"):
                continue
            return True
    return False


def _word_ok(word: str, names: frozenset[str]) -> bool:
    if len(word) < 2 or not word.isascii() or not word.isalpha():
        return True  # a single letter, or Vietnamese with diacritics
    return (
        word in ALLOWED
        or word in names
        or bool(_ROMAN.match(word))
        or (is_vietnamese_syllable(word))
    )


def offending_tokens(text: str, names: Iterable[str] = ()) -> list[str]:
    """The tokens of ``text`` that are code or English. ``names``: the configured units'
    and campaigns' names, whose words are allowed (their official abbreviations)."""
    allowed_names = frozenset(w.strip(_PUNCT) for n in names for w in n.split())
    bad: list[str] = []
    for raw in text.split():
        # Punctuation around a word goes, but a leading dot stays: ".eml" is an extension.
        token = raw.lstrip(_PUNCT.replace(".", "")).rstrip(_PUNCT)
        if not token or not any(c.isascii() and c.isalpha() for c in token):
            continue
        if _EMAIL.match(token) or _URL.match(token) or _NUMBER.match(token):
            continue
        if _MONTH.match(token) or token in ALLOWED or token in allowed_names:
            continue
        if _FILE.match(token):
            continue  # a file name ("bai-viet.docx") or an extension (".eml")
        if _CODE.match(token) and any(c.isalpha() for c in token):
            bad.append(token)
            continue
        for word in re.split(r"[^A-Za-z0-9\u00c0-\u1ef9]+", token):
            if word and not _NUMBER.match(word) and not _word_ok(word, allowed_names):
                bad.append(word if word == token else f"{word} (in {token})")
    return bad
