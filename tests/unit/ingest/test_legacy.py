"""Legacy font encodings (TCVN3/ABC, VNI) in unit mail.

Why: old templates and documents from district offices are typed in .VnTime or VNI-Times
fonts. Without the font the text reads "Lµo Cai" / "Laøo Cai"; the editor must see
"Lào Cai". The expected strings here are written out literally, and the encoders below are
built independently of ``ingest/legacy_tables.py`` (TCVN3 from a literal code string, VNI
from its base + mark rules), so the round trips check the generated tables too.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest

from dienhinh.ingest.legacy import (
    decode,
    decode_tcvn3,
    decode_vni,
    detect_legacy,
    font_encoding,
    is_upper_font,
    repair,
)
from dienhinh.ingest.legacy_tables import TCVN3_DECODE, VNI_DECODE
from factory import TO_TCVN3, to_tcvn3, to_vni

REPO = Path(__file__).resolve().parents[3]

# --------------------------------------------------------------------------- encoders
# tests/factory.py encodes from the code charts and the VNI base + mark rules, written
# independently of ingest/legacy_tables.py, so round trips check the generated tables.

_TONES = {"": 0, "\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}


def all_letters() -> str:
    lower = [
        unicodedata.normalize("NFC", vowel + tone) for vowel in "aăâeêioôơuưy" for tone in _TONES
    ]
    lower = [ch for ch in lower if not ch.isascii()] + ["đ"]
    return "".join(lower) + "".join(ch.upper() for ch in lower)


SENTENCES = [
    "Đảng bộ tỉnh Lào Cai phát động phong trào thi đua yêu nước, khen thưởng những tập thể "
    "và cá nhân điển hình tiên tiến năm 2024.",
    "Trường Phổ thông Dân tộc nội trú huyện Bát Xát tổ chức lễ tuyên dương học sinh giỏi; "
    "các em đã được nhận giấy khen của Chủ tịch UBND huyện.",
    "Ông Nguyễn Văn Hùng, Bí thư Huyện ủy Mường Khương, cho biết: “Phong trào đã lan tỏa "
    "sâu rộng, người dân đồng thuận, tích cực hưởng ứng.”",
    "Chi đoàn xã Trịnh Tường quyên góp được 12 triệu đồng, giúp đỡ gia đình khó khăn "
    "ở thôn Séo Phìn; khuya nay, ngoài trời rét buốt, nghiêng ngả khoẻ khoắn quý giá.",
]
ENGLISH = "The committee met on Tuesday to review the annual report and approve the budget."
FRENCH = "Le garçon a mangé une crème brûlée à la fête de Noël. Où est la tête ? Ça va très bien."
GERMAN = "Die Größe der Straße ist übermäßig, schön und groß. Müller grüßt."


# --------------------------------------------------------------------------- tables


def test_tables_are_complete():
    letters = all_letters()
    assert len(letters) == 134
    lower_and_bases = {ch for ch in letters if ch.islower()} | set("ĂÂÊÔƠƯĐ")
    assert set(TCVN3_DECODE.values()) == lower_and_bases
    assert len(TCVN3_DECODE) == 74
    assert set(VNI_DECODE.values()) == set(letters)
    assert len(VNI_DECODE) == 134
    assert all(unicodedata.is_normalized("NFC", v) for v in VNI_DECODE.values())
    for code in (*TCVN3_DECODE, *VNI_DECODE):
        code.encode("cp1252")  # every code is text Word could have stored


def test_literal_tcvn3_codes_match_generated_table():
    assert {code: letter for letter, code in TO_TCVN3.items()} == TCVN3_DECODE


def test_generator_reproduces_committed_tables_and_rejects_gaps(tmp_path):
    """GIVEN the generator and TSVs rebuilt from the committed tables
    WHEN it renders them, or a table misses one row
    THEN the output has the same tables, and an incomplete or inconsistent table is refused."""
    spec = importlib.util.spec_from_file_location(
        "gen_legacy_tables", REPO / "scripts" / "gen_legacy_tables.py"
    )
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    header = "# test\nunicode\tlegacy\tnote\n"
    tcvn3_rows = [
        (letter, to_tcvn3(letter.lower()) if letter not in "ĂÂÊÔƠƯĐ" else to_tcvn3(letter))
        for letter in all_letters()
    ]
    vni_rows = [(letter, to_vni(letter)) for letter in all_letters()]
    (tmp_path / "tcvn3.tsv").write_text(
        header + "".join(f"{u}\t{c}\tx\n" for u, c in tcvn3_rows), encoding="utf-8"
    )
    (tmp_path / "vni.tsv").write_text(
        header + "".join(f"{u}\t{c}\tx\n" for u, c in vni_rows), encoding="utf-8"
    )
    namespace: dict[str, object] = {}
    exec(gen.generate(tmp_path), namespace)  # our own generated code
    assert namespace["TCVN3_DECODE"] == TCVN3_DECODE
    assert namespace["VNI_DECODE"] == VNI_DECODE
    with pytest.raises(gen.TableError, match="134 rows"):
        gen.build_vni(vni_rows[:-1])
    broken = [(u, "x\u00f8" if u == "à" else c) for u, c in vni_rows]
    with pytest.raises(gen.TableError, match="base letter"):
        gen.build_vni(broken)
    broken = [(u, "A\u00b5" if u == "À" else c) for u, c in tcvn3_rows]  # duydev's spelling
    with pytest.raises(gen.TableError, match="VnTimeH convention"):
        gen.build_tcvn3(broken)


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Lµo Cai", "Lào Cai"),
        ("§¶ng", "Đảng"),
        ("Ph¸t", "Phát"),
        ("ViÖt Nam", "Việt Nam"),
        ("n\u00adíc", "nước"),
        ("®iÓn h×nh", "điển hình"),
        ("Sè: 123/Q§-UBND", "Số: 123/QĐ-UBND"),
    ],
)
def test_decode_tcvn3_examples(legacy, expected):
    assert decode_tcvn3(legacy) == expected


def test_decode_tcvn3_h_font_upper_cases():
    assert decode_tcvn3("së y tÕ", upper=True) == "SỞ Y TẾ"
    assert decode_tcvn3("Së Y TÕ", upper=True) == "SỞ Y TẾ"
    assert decode_tcvn3("ubnd tØnh lµo cai", upper=True) == "UBND TỈNH LÀO CAI"
    assert decode_tcvn3("céng hoµ x· héi chñ nghÜa viÖt nam", upper=True) == (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Laøo Cai", "Lào Cai"),
        ("Ñaûng", "Đảng"),
        ("Phaùt", "Phát"),
        ("Vieät Nam", "Việt Nam"),
        ("ñöôïc ngöôøi", "được người"),
        ("tænh", "tỉnh"),
        ("Ô nhieãm", "Ơ nhiễm"),
        ("THÔØI KYØ", "THỜI KỲ"),
        ("Sôû Y teá", "Sở Y tế"),
    ],
)
def test_decode_vni_examples(legacy, expected):
    assert decode_vni(legacy) == expected


def test_vni_is_greedy():
    assert decode_vni("oâ") == "ô"  # pair first
    assert decode_vni("ô") == "ơ"  # single code alone
    assert decode_vni("ôù") == "ớ"  # single code as the base of a pair
    assert decode_vni("ooâ") == "oô"


def test_every_letter_round_trips():
    letters = all_letters()
    assert decode_vni(to_vni(letters)) == letters
    lower_and_bases = "".join(ch for ch in letters if ch.islower()) + "ĂÂÊÔƠƯĐ"
    assert decode_tcvn3(to_tcvn3(lower_and_bases)) == lower_and_bases


@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentences_round_trip(sentence):
    assert unicodedata.is_normalized("NFC", sentence)
    assert decode_tcvn3(to_tcvn3(sentence)) == sentence
    assert decode_vni(to_vni(sentence)) == sentence
    assert decode(to_vni(sentence), "vni") == sentence
    assert decode(to_tcvn3(sentence), "tcvn3") == sentence


def test_h_font_round_trip_of_a_heading():
    heading = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    stored = to_tcvn3(heading.lower())  # .VnTimeH runs hold lower-case codes
    assert decode_tcvn3(stored, upper=True) == heading


def test_ascii_and_unknown_characters_pass_through():
    assert decode_tcvn3("UBND 2024 - V/v") == "UBND 2024 - V/v"
    assert decode_vni("UBND 2024 - V/v") == "UBND 2024 - V/v"
    assert decode_tcvn3("“a” – €") == "“a” – €"


def test_decoded_output_is_nfc():
    decomposed = unicodedata.normalize("NFD", "Lào ") + "Lµo"
    assert decode_tcvn3(decomposed) == "Lào Lào"


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize("sentence", SENTENCES)
def test_detects_legacy_sentences(sentence):
    assert detect_legacy(to_tcvn3(sentence)) == "tcvn3"
    assert detect_legacy(to_vni(sentence)) == "vni"


def test_detects_the_tell_tale_examples():
    assert detect_legacy("§¶ng bé tØnh Lµo Cai") == "tcvn3"
    assert detect_legacy("Ph¸t ®éng phong trµo thi ®ua") == "tcvn3"
    assert detect_legacy("Ñaûng boä tænh Laøo Cai") == "vni"
    assert detect_legacy("Phaùt ñoäng phong traøo thi ñua") == "vni"


@pytest.mark.parametrize(
    "text",
    [
        *SENTENCES,
        *(unicodedata.normalize("NFD", s) for s in SENTENCES),
        "Sở Y tế tỉnh Lào Cai",
        ENGLISH,
        "café crème",
        FRENCH,
        "Größe",
        GERMAN,
        "El niño y la señora comen piña en la montaña.",
        "Particles of 10 µm and 20 µm; © 2024 « bonjour » « au revoir »",
        "São Paulo é uma cidade. Ação, não, pão, irmã.",
        "Em gửi bài viết về gương điển hình của Vinamilk® và Samsung© tại Lào Cai.",
        "",
        "Lµo Cai",  # one word of evidence is too little without a font
        "§¶ng",
        "Laøo",
        "Phaùt",
    ],
)
def test_does_not_detect(text):
    assert detect_legacy(text) is None
    assert repair(text) == (text, None)


def test_utf8_read_as_cp1252_is_not_taken_for_legacy():
    double = SENTENCES[0].encode("utf-8").decode("cp1252", errors="replace")
    assert detect_legacy(double) is None


# --------------------------------------------------------------------------- repair


def test_repair_whole_text():
    text = "\n".join(to_tcvn3(s) for s in SENTENCES)
    assert repair(text) == ("\n".join(SENTENCES), "tcvn3")
    text = "\n".join(to_vni(s) for s in SENTENCES)
    assert repair(text) == ("\n".join(SENTENCES), "vni")


def test_repair_restores_capitals_of_an_h_font_heading():
    text = "CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM\n§éc lËp - Tù do - H¹nh phóc"
    assert repair(text) == (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        "tcvn3",
    )


def test_repair_mixed_text_decodes_only_the_letterhead():
    """GIVEN a Unicode body under a TCVN3 letterhead copied from an old template
    WHEN the text is repaired without font information
    THEN the letterhead lines (and the number line under them) are decoded, with the
    capitals an H font would have drawn, and the Unicode body is unchanged."""
    text = (
        "UBND TØNH LµO CAI\n"
        "Së Y TÕ\n"
        "Sè: 45/SYT-VP\n"
        "\n"
        "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai.\n"
        "Sở Y tế gửi bài viết về điển hình tiên tiến năm 2024.\n"
        "Trân trọng."
    )
    expected = (
        "UBND TỈNH LÀO CAI\n"
        "SỞ Y TẾ\n"
        "Số: 45/SYT-VP\n"
        "\n"
        "Kính gửi: Ban Thi đua - Khen thưởng tỉnh Lào Cai.\n"
        "Sở Y tế gửi bài viết về điển hình tiên tiến năm 2024.\n"
        "Trân trọng."
    )
    assert detect_legacy(text) == "tcvn3"
    assert repair(text) == (expected, "tcvn3")


def test_repair_mixed_vni_signature_under_unicode_body():
    text = "Báo cáo điển hình tiên tiến của huyện Bát Xát.\nNgöôøi vieát: Nguyeãn Vaên Huøng"
    assert repair(text) == (
        "Báo cáo điển hình tiên tiến của huyện Bát Xát.\nNgười viết: Nguyễn Văn Hùng",
        "vni",
    )


def test_repair_normalises_decomposed_unicode_lines_it_keeps():
    body = unicodedata.normalize("NFD", "Kính gửi: Sở Nội vụ tỉnh Lào Cai.")
    text = "UBND TØNH LµO CAI\n" + body
    assert repair(text) == ("UBND TỈNH LÀO CAI\nKính gửi: Sở Nội vụ tỉnh Lào Cai.", "tcvn3")


def test_repair_decodes_only_legacy_words_in_a_mixed_line():
    text = "Kính gửi: Së Néi vô tØnh Lµo Cai"
    assert repair(text) == ("Kính gửi: Sở Nội vụ tỉnh Lào Cai", "tcvn3")


# --------------------------------------------------------------------------- font names


@pytest.mark.parametrize(
    ("name", "encoding", "upper"),
    [
        (".VnTime", "tcvn3", False),
        (".VnTimeH", "tcvn3", True),
        (".VnArial", "tcvn3", False),
        (".VnArialH", "tcvn3", True),
        (".VnArial Narrow", "tcvn3", False),
        (".VnArial NarrowH", "tcvn3", True),
        (".VnCentury Schoolbook", "tcvn3", False),
        (".VnBook-Antiqua", "tcvn3", False),
        (".VNTIMEH", "tcvn3", True),
        (".vntime", "tcvn3", False),
        ("VnTimeH", "tcvn3", True),  # PDF PostScript name without the dot
        ("ABCDEF+.VnTime-Bold", "tcvn3", False),
        ("ABCDEF+VnTimeH,Bold", "tcvn3", True),
        ("VNI-Times", "vni", False),
        ("VNI-Helve", "vni", False),
        ("VNI-Helve-Condense", "vni", False),
        ("VNI Times", "vni", False),
        ("vni-times", "vni", False),
        ("VNtimes new roman", "vni", False),
        ("VNtimes new roman Bold", "vni", False),
        ("Times New Roman", None, False),
        ("Arial", None, False),
        ("VNF-Futura", None, False),
        ("UVN Bai Sau", None, False),
        ("SVN-Gilroy", None, False),
        ("VN Arial", None, False),
        ("VNI", None, False),
        (".Vn", None, False),
        ("", None, False),
    ],
)
def test_font_names(name, encoding, upper):
    assert font_encoding(name) == encoding
    assert is_upper_font(name) is upper


# ------------------------------------------------------------------ long documents
# (their speed is measured by the benchmarks, not asserted here)


def test_decoding_5000_words_round_trips():
    words = " ".join(SENTENCES).split()
    unicode_doc = " ".join(words[i % len(words)] for i in range(5000))
    tcvn3_doc, vni_doc = to_tcvn3(unicode_doc), to_vni(unicode_doc)
    assert decode_tcvn3(tcvn3_doc) == unicode_doc and decode_vni(vni_doc) == unicode_doc
