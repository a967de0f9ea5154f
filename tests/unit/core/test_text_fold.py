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
