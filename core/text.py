"""Vietnamese text helpers.

Display text is always NFC and otherwise untouched. The folding functions here are for
matching and search only: their output is never shown to a person.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_ws", "fold", "nfc", "strip_diacritics"]

_WS = re.compile(r"\s+")

# Old-style tone placement (hoà, khoẻ, thuý) vs new-style (hòa, khỏe, thúy) differ
# in code points even after NFC. Folding removes every diacritic, which also removes
# this difference; callers that need to keep diacritics use nfc() only.


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the only form dienhinh stores."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Remove tone and vowel marks; map đ/Đ to d/D (đ has no decomposition)."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def collapse_ws(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    return _WS.sub(" ", text).strip()


def fold(text: str) -> str:
    """Matching key: no diacritics, case-folded, whitespace collapsed."""
    return collapse_ws(strip_diacritics(text).casefold())
