"""core.text's folding: the fast forms give what their definitions give."""

from __future__ import annotations

import re
import sys
import unicodedata

from dienhinh.core import text

# Every whitespace character, and a few that are not.
SPACES = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if re.match(r"\s", chr(cp)))


def test_collapse_ws_knows_the_whitespace_of_a_regular_expression() -> None:
    assert len(SPACES) > 20
    samples = [
        "",
        SPACES,
        f"{SPACES}a{SPACES}b c\u200bd\ufeffe{SPACES}",
        "  Hội  Nông\tdân\n\n huyện\u00a0Bảo\u3000Yên \u2028",
        *(f"x{c}y{c}" for c in SPACES),
    ]
    for s in samples:
        assert text.collapse_ws(s) == re.sub(r"\s+", " ", s).strip()


def test_strip_diacritics_maps_every_character_as_its_table_says() -> None:
    chars = [chr(cp) for cp in (*range(0x2200), *range(0xAC00, 0xAC10), 0x1F600, 0x10FFFF)]
    chars = [c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF]
    whole = "".join(chars)
    by_dict = unicodedata.normalize("NFC", whole).translate(text._STRIP_TABLE)
    assert text.strip_diacritics(whole) == by_dict
    for c in chars:  # one by one too: composition across neighbours aside
        assert text.strip_diacritics(f"Đà{c}ở") == unicodedata.normalize(
            "NFC", f"Đà{c}ở"
        ).translate(text._STRIP_TABLE)
    folded = text.fold("  Hội Liên hiệp Phụ nữ\n\nhuyện ĐIỆN BIÊN ")
    assert folded == "hoi lien hiep phu nu huyen dien bien"


_WORD_CHAR = re.compile(r"[^\W_]")


def test_fold_in_place_keeps_every_character_where_it_was() -> None:
    """The highlighter's fast path (review/highlight.py) finds the words of a search in
    the text folded in place: each character that folds alone to one character folds in
    place, is a word character exactly when its fold is, and a text with any other
    character is refused (None), never folded out of place."""
    kept = refused = 0
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        alone = text.fold(f"a{c}b")
        got = text.fold_in_place(f"a{c}b")
        if got is None:
            refused += 1
            continue
        kept += 1
        assert len(got) == 3, hex(cp)
        assert got[0] == "a" and got[2] == "b", hex(cp)
        assert bool(_WORD_CHAR.match(c)) == bool(_WORD_CHAR.match(got[1])), hex(cp)
        if not c.isspace():  # fold collapses whitespace, in place it is kept
            assert got == alone, hex(cp)
    assert kept > 1_000_000 and refused > 500
    # Vietnamese text, words at the same places; marks, NFD, "ß" refused.
    s = "TỈNH Lào Cai: Đồng bào Hà Nhì, xã Y Tý (2024)."
    folded = text.fold_in_place(s)
    assert folded == "tinh lao cai: dong bao ha nhi, xa y ty (2024)."
    for m in re.finditer(r"[^\W_]+", s):
        assert text.fold(m.group()) == folded[m.start() : m.end()]
    for bad in ("La\u0300o", unicodedata.normalize("NFD", "Lào"), "Straße", "ﬁle"):
        assert text.fold_in_place(bad) is None, bad
