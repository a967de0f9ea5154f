"""The unit directory: loading units.toml, address lookups, and finding units in text.

Mail reaches the Board written every way a person can write a unit's name: with and
without diacritics, in letterhead capitals, abbreviated ("UBND TP. LAO CAI", "So GD&DT",
"H. Bát Xát"), with old or new tone placement. The matcher must find all of these and
still never take "Bảo Yên" for "Bảo Thắng", the province for the city, or everyday words
("văn bản", "cả tỉnh") for a unit. The directory here is built in code.
"""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path

import pytest

from dienhinh.classifiers.directory import Unit, UnitDirectory, domain_of
from dienhinh.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]

TOML = """
[[unit]]
code = "tp-lao-cai"
name = "UBND thành phố Lào Cai"
aliases = ["thành phố Lào Cai", "TP Lào Cai"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-tplaocai@laocai.gov.vn"]

[[unit]]
code = "bat-xat"
name = "UBND huyện Bát Xát"
aliases = ["huyện Bát Xát", "Bát Xát"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-batxat@laocai.gov.vn"]
places = ["Y Tý", "A Mú Sung", "Tân Tiến"]

[[unit]]
code = "bao-yen"
name = "UBND huyện Bảo Yên"
aliases = ["huyện Bảo Yên", "Bảo Yên"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-baoyen@laocai.gov.vn"]
places = ["Phố Ràng", "Nghĩa Đô", "Tân Tiến"]

[[unit]]
code = "bao-thang"
name = "UBND huyện Bảo Thắng"
aliases = ["huyện Bảo Thắng", "Bảo Thắng"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-baothang@laocai.gov.vn"]
places = ["Phố Lu"]

[[unit]]
code = "bac-ha"
name = "UBND huyện Bắc Hà"
aliases = ["huyện Bắc Hà", "Bắc Hà"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-bacha@laocai.gov.vn"]

[[unit]]
code = "van-ban"
name = "UBND huyện Văn Bàn"
aliases = ["huyện Văn Bàn", "Văn Bàn"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-vanban@laocai.gov.vn"]

[[unit]]
code = "si-ma-cai"
name = "UBND huyện Si Ma Cai"
aliases = ["huyện Si Ma Cai", "Si Ma Cai"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-simacai@laocai.gov.vn"]

[[unit]]
code = "sa-pa"
name = "UBND huyện Sa Pa"
aliases = ["thị xã Sa Pa", "Sa Pa", "Sapa"]
group = "district"
cadence = "monthly"
addresses = ["ubnd-sapa@laocai.gov.vn"]

[[unit]]
code = "so-y-te"
name = "Sở Y tế"
aliases = ["Sở Y tế tỉnh Lào Cai"]
group = "department"
cadence = "quarterly"
addresses = ["syt@laocai.gov.vn"]

[[unit]]
code = "so-giao-duc"
name = "Sở Giáo dục và Đào tạo"
aliases = ["Sở GD&ĐT", "Sở Giáo dục"]
group = "department"
cadence = "quarterly"
addresses = ["sgddt@laocai.gov.vn"]

[[unit]]
code = "so-lao-dong"
name = "Sở Lao động - Thương binh và Xã hội"
aliases = ["Sở LĐ-TB&XH"]
group = "department"
cadence = "quarterly"
addresses = ["sldtbxh@laocai.gov.vn"]

[[unit]]
code = "so-van-hoa"
name = "Sở Văn hóa và Thể thao"
aliases = ["Sở Văn hóa"]
group = "department"
cadence = "quarterly"
addresses = ["svhtt@laocai.gov.vn"]

[[unit]]
code = "hoi-nong-dan"
name = "Hội Nông dân tỉnh"
aliases = ["Hội ND tỉnh"]
group = "mass-org"
cadence = "quarterly"
addresses = ["hoinongdan@laocai.gov.vn"]

[[unit]]
code = "mttq"
name = "Ủy ban MTTQ Việt Nam tỉnh"
aliases = ["Ủy ban Mặt trận Tổ quốc tỉnh", "UBMTTQ tỉnh"]
group = "mass-org"
cadence = "quarterly"
addresses = ["mttq@laocai.gov.vn"]

[[unit]]
code = "cong-an"
name = "Công an tỉnh"
aliases = ["Công an tỉnh Lào Cai", "CA tỉnh"]
group = "armed-forces"
cadence = "quarterly"
addresses = ["congan@laocai.gov.vn"]

[[unit]]
code = "apatit"
name = "Công ty TNHH MTV Apatit Việt Nam"
aliases = ["Apatit Việt Nam"]
group = "enterprise"
cadence = "quarterly"
addresses = ["vanphong@apatit.vn"]
"""


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> UnitDirectory:
    path = tmp_path_factory.mktemp("units") / "units.toml"
    path.write_text(TOML, encoding="utf-8")
    return UnitDirectory.load(path)


def codes(directory: UnitDirectory, text: str) -> list[str]:
    return [m.unit_code for m in directory.find_mentions(text)]


# --- loading ------------------------------------------------------------------------------


def test_load_reads_every_field_and_places_are_optional(directory):
    assert len(directory) == 16
    bx = directory.get("bat-xat")
    assert bx == Unit(
        code="bat-xat",
        name="UBND huyện Bát Xát",
        aliases=("huyện Bát Xát", "Bát Xát"),
        group="district",
        cadence="monthly",
        addresses=("ubnd-batxat@laocai.gov.vn",),
        places=("Y Tý", "A Mú Sung", "Tân Tiến"),
    )
    assert directory.get("so-y-te").places == ()
    assert "so-y-te" in directory and "nope" not in directory


def test_shipped_directory_loads_and_every_unit_matches_its_own_names():
    """GIVEN the units.toml shipped with dienhinh WHEN each name and alias is searched
    THEN it names its own unit (a collision between units would show up here)."""
    shipped = UnitDirectory.load(REPO / "units.toml")
    assert len(shipped) == 42
    for unit in shipped:
        for text in (unit.name, *unit.aliases):
            found = shipped.find_mentions(text)
            assert found and found[0].unit_code == unit.code, (unit.code, text, found)
            upper = shipped.find_mentions(text.upper())
            assert upper and upper[0].unit_code == unit.code, (unit.code, text.upper())


def _load_text(tmp_path: Path, text: str) -> UnitDirectory:
    path = tmp_path / "units.toml"
    path.write_text(text, encoding="utf-8")
    return UnitDirectory.load(path)


UNIT = """
[[unit]]
code = "{code}"
name = "Sở Y tế"
group = "department"
cadence = "quarterly"
addresses = ["syt@laocai.gov.vn"]
"""


@pytest.mark.parametrize(
    ("text", "key_part", "problem_part"),
    [
        (
            UNIT.format(code="so-y-te").replace('name = "Sở Y tế"\n', ""),
            "(so-y-te).name",
            "non-empty",
        ),
        (
            UNIT.format(code="so-y-te").replace("department", "ministry"),
            "(so-y-te).group",
            "ministry",
        ),
        (UNIT.format(code="so-y-te").replace("quarterly", "weekly"), "(so-y-te).cadence", "weekly"),
        (UNIT.format(code="So Y Te"), "unit[0].code", "lower-case"),
        (UNIT.format(code="so-y-te") + 'aliases = "Sở Y tế"\n', "(so-y-te).aliases", "list"),
        (UNIT.format(code="so-y-te") + "places = [1]\n", "(so-y-te).places", "list"),
        (UNIT.format(code="so-y-te") + 'alias = ["x"]\n', "(so-y-te).alias", "unknown key"),
        (UNIT.format(code="so-y-te").replace("syt@laocai.gov.vn", "syt"), "addresses", "e-mail"),
        (UNIT.format(code="a") + UNIT.format(code="a"), "unit a", "two units"),
        (UNIT.format(code="a") + UNIT.format(code="b"), "unit b.addresses", "also listed by a"),
        ("[[units]]\ncode = 'x'\n", "units", "unknown key"),
        ("", "unit", "no [[unit]]"),
        ("[[unit]\n", "units.toml", "not valid TOML"),
    ],
)
def test_malformed_file_names_the_unit_and_key(tmp_path, text, key_part, problem_part):
    with pytest.raises(ConfigError) as err:
        _load_text(tmp_path, text)
    assert key_part in err.value.key
    assert problem_part in err.value.problem


def test_two_units_claiming_the_same_alias_is_an_error(tmp_path):
    text = UNIT.format(code="a") + UNIT.format(code="b").replace("syt@", "other@")
    with pytest.raises(ConfigError) as err:
        _load_text(tmp_path, text)
    assert "also names a" in err.value.problem


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        UnitDirectory.load(tmp_path / "absent.toml")


# --- addresses ----------------------------------------------------------------------------


def test_lookup_by_address_and_domain(directory):
    assert directory.by_address("UBND-BatXat@LaoCai.gov.vn").code == "bat-xat"
    assert directory.by_address("<syt@laocai.gov.vn>").code == "so-y-te"
    assert directory.by_address("nobody@laocai.gov.vn") is None
    assert [u.code for u in directory.by_domain("apatit.vn")] == ["apatit"]
    assert len(directory.by_domain("laocai.gov.vn")) == 15
    assert domain_of("A@Mail.Example.VN") == "mail.example.vn" and domain_of("nobody") == ""


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("vanphong.bacha@laocai.gov.vn", "bac-ha"),
        ("ubnd@baoyen.laocai.gov.vn", "bao-yen"),
        ("pnv-simacai2019@laocai.gov.vn", "si-ma-cai"),
        ("vp.tplaocai@laocai.gov.vn", "tp-lao-cai"),
        ("sgddt.vanphong@laocai.gov.vn", "so-giao-duc"),
        ("info@laocai.gov.vn", None),  # "laocai" is the province, not the city
        ("baoyen.baothang@laocai.gov.vn", None),  # two units: no hint
    ],
)
def test_address_words_hint_at_a_unit(directory, address, code):
    hint = directory.address_hint(address)
    assert (hint.code if hint else None) == code


# --- mentions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # full names, abbreviations and letterhead capitals
        ("UBND TP. LAO CAI", ["tp-lao-cai"]),
        ("Ủy ban nhân dân Thành phố Lào Cai", ["tp-lao-cai"]),
        ("Tp. Lào Cai", ["tp-lao-cai"]),
        ("Uỷ ban nhân dân huyện Bát Xát", ["bat-xat"]),
        ("H. Bát Xát", ["bat-xat"]),
        ("huyen Bao Yen", ["bao-yen"]),
        ("HUYỆN BẢO YÊN", ["bao-yen"]),
        ("So GD&DT", ["so-giao-duc"]),
        ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", ["so-giao-duc"]),
        ("Sở Giáo dục - Đào tạo", ["so-giao-duc"]),
        ("Sở GD-ĐT", ["so-giao-duc"]),
        ("Sở GDĐT", ["so-giao-duc"]),
        ("so lđ-tb&xh", ["so-lao-dong"]),
        ("Sở LĐTBXH Lào Cai", ["so-lao-dong"]),
        ("Sở Lao động, Thương binh và Xã hội", ["so-lao-dong"]),
        ("Sở Văn hoá và Thể thao", ["so-van-hoa"]),  # old tone placement
        ("Sở Văn hóa, Thể thao", ["so-van-hoa"]),
        ("SỞ Y TẾ", ["so-y-te"]),
        ("So Y te tinh Lao Cai", ["so-y-te"]),
        ("Hội Nông dân Lào Cai", ["hoi-nong-dan"]),  # "tỉnh" implied by the province
        ("Ủy ban Mặt trận Tổ quốc tỉnh", ["mttq"]),
        ("UBMTTQ tỉnh", ["mttq"]),
        ("CA tỉnh Lào Cai", ["cong-an"]),
        ("thi xa Sapa", ["sa-pa"]),
        ("thị xã  Sa   Pa", ["sa-pa"]),
        # sub-units count for their district
        ("Phòng Nội vụ huyện Bảo Yên", ["bao-yen"]),
        ("Văn phòng HĐND-UBND huyện Bắc Hà", ["bac-ha"]),
        ("Văn phòng HĐND và UBND huyện Bắc Hà", ["bac-ha"]),
        ("Trường THCS Sán Chải, huyện Si Ma Cai", ["si-ma-cai"]),
        ("Hội Nông dân huyện Văn Bàn", ["van-ban"]),
        ("UBND xã Y Tý", ["bat-xat"]),
        ("X. A Mú Sung", ["bat-xat"]),
        ("thị trấn Phố Lu", ["bao-thang"]),
        ("TT Phố Ràng", ["bao-yen"]),
        ("xã Tân Tiến", []),  # listed by two districts: ambiguous, names neither
        # never confused, never generic
        ("Bảo Thắng", ["bao-thang"]),
        ("Bảo Yên và Bảo Thắng", ["bao-yen", "bao-thang"]),
        ("Lào Cai", []),
        ("UBND TỈNH LÀO CAI", []),
        ("tỉnh Lào Cai", []),
        ("Sở", []),
        ("huyện", []),
        ("UBND huyện", []),
        ("thành phố", []),
        ("Sở Tài chính", []),  # not in this directory
        ("Bảo Yênh", []),
        ("xBát Xát", []),
        # everyday words that fold to a unit's letters
        ("văn bản số 125/UBND-NV", []),
        ("VĂN BẢN", []),
        ("cây bạc hà", []),
        ("cả tỉnh có 12 mô hình", []),
        ("Ca tinh co 12 mo hinh", []),  # a lone two-letter acronym needs capitals
        ("số y tế", []),
    ],
)
def test_find_mentions(directory, text, expected):
    assert codes(directory, text) == expected


def test_mentions_carry_position_text_and_strength(directory):
    text = "Kính gửi Ban, Phòng Nội vụ huyện Bảo Yên gửi bài về xã Nghĩa Đô."
    found = directory.find_mentions(text)
    assert [(m.unit_code, m.matched_text) for m in found] == [
        ("bao-yen", "huyện Bảo Yên"),
        ("bao-yen", "xã Nghĩa Đô"),
    ]
    for m in found:
        assert text[m.start : m.end] == m.matched_text
    assert found[0].strength > found[1].strength


def test_strength_grows_with_how_official_the_name_is(directory):
    def strength(text: str) -> float:
        (m,) = directory.find_mentions(text)
        return m.strength

    assert strength("UBND huyện Bát Xát") > strength("huyện Bát Xát") > strength("Bát Xát")
    assert strength("UBND xã Y Tý") > strength("xã Y Tý") > strength("Y Tý")
    assert strength("Bát Xát") >= strength("xã Y Tý")
    assert strength("Sở Y tế") == 1.0


def test_decomposed_text_matches_and_offsets_index_its_nfc_form(directory):
    text = unicodedata.normalize("NFD", "Văn phòng UBND huyện Mường Khương, huyện Bảo Yên")
    (m,) = directory.find_mentions(text)
    assert m.unit_code == "bao-yen"
    assert unicodedata.normalize("NFC", text)[m.start : m.end] == "huyện Bảo Yên"


def test_longest_match_wins(directory):
    (m,) = directory.find_mentions("Sở Y tế tỉnh Lào Cai thông báo")
    assert m.matched_text == "Sở Y tế tỉnh Lào Cai"


def test_directory_built_in_code_without_a_file():
    d = UnitDirectory(
        [Unit("x-a", "UBND huyện A Lù", ("A Lù",), "district", "monthly", ("a@x.vn",))]
    )
    assert codes(d, "UBND H. A LU") == ["x-a"]
    assert codes(d, "Nguyễn Văn A") == []


# --- the shipped directory's places ----------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> UnitDirectory:
    from pathlib import Path

    import dienhinh

    return UnitDirectory.load(Path(dienhinh.__file__).parent / "units.toml")


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("UBND xã Y Tý gửi bài", "bat-xat"),
        ("Trường PTDTBT THCS xã Tả Van", "sa-pa"),
        ("Đảng ủy thị trấn Phố Lu", "bao-thang"),
        ("phường Cốc Lếu", "tp-lao-cai"),
        ("UBND xa Nghia Do", "bao-yen"),
        ("Trạm y tế Bản Phiệt", "bao-thang"),
    ],
)
def test_a_commune_or_town_counts_for_its_district(
    shipped: UnitDirectory, text: str, unit: str
) -> None:
    assert {m.unit_code for m in shipped.find_mentions(text)} == {unit}


@pytest.mark.parametrize(
    "text",
    [
        "Anh Nguyễn Văn Sơn là cán bộ địa chính",  # a person, not the commune Văn Sơn
        "Chị Hoàng Thị Xuân Hòa",
        "bình minh trên bản, liên minh hợp tác xã",  # ordinary words
        "thôn Thanh Bình",  # a commune name in two districts: ambiguous
    ],
)
def test_place_names_that_are_people_or_words_or_ambiguous_name_no_unit(
    shipped: UnitDirectory, text: str
) -> None:
    assert shipped.find_mentions(text) == []


# --- short forms generated from the names ---------------------------------------------------

_NAMED_ONLY = UnitDirectory(
    [
        Unit("hlhpn", "Hội Liên hiệp Phụ nữ tỉnh", group="mass-org"),
        Unit("bchqs", "Bộ Chỉ huy Quân sự tỉnh", group="armed-forces"),
        Unit("ldld", "Liên đoàn Lao động tỉnh", group="mass-org"),
        Unit("snn", "Sở Nông nghiệp và Phát triển nông thôn"),
        Unit("sld", "Sở Lao động - Thương binh và Xã hội"),
        Unit("dai", "Đài Phát thanh và Truyền hình tỉnh", group="media"),
        Unit("cd", "Trường Cao đẳng Lào Cai", group="school"),
        Unit("ttx", "UBND thị xã Sa Pa", ("Sa Pa",), group="district"),
    ]
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hội LHPN tỉnh", "hlhpn"),
        ("HLHPN tỉnh Lào Cai", "hlhpn"),
        ("hoi lhpn tinh lao cai", "hlhpn"),  # typed in lower case without diacritics
        ("Bộ CHQS tỉnh", "bchqs"),
        ("BCHQS TINH", "bchqs"),
        ("LĐLĐ tỉnh LC", "ldld"),
        ("LDLD tinh", "ldld"),
        ("Sở NN&PTNT", "snn"),
        ("SO NN-PTNT", "snn"),
        ("Sở LĐ-TB&XH", "sld"),
        ("Sở LĐTBXH", "sld"),
        ("Đài PT&TH tỉnh", "dai"),
        ("Đài PTTH tỉnh", "dai"),
        ("Trường CĐ Lào Cai", "cd"),
        ("TX. Sa Pa", "ttx"),
        ("UBND TX SA PA", "ttx"),
    ],
)
def test_short_forms_are_generated_from_the_names(text: str, code: str | None):
    """None of these forms is listed: each comes by rule from the official name (the head
    word kept, the rest as initials, "và" as "&", the level and province kept or shortened)."""
    found = [m.unit_code for m in _NAMED_ONLY.find_mentions(f"Văn phòng {text} gửi bài")]
    assert found == ([code] if code else []), found


def test_generated_short_forms_do_not_take_everyday_words():
    text = "cả tỉnh có hội nông dân xã, sở thích, bộ chỉ huy mới và đài phát thanh xã"
    assert _NAMED_ONLY.find_mentions(text) == []


def test_address_hint_of_the_local_part_only():
    d = UnitDirectory.from_mapping(tomllib.loads(TOML))
    hit = d.address_hint("vanthu.pnvbaoyen@gmail.com", local_only=True)
    assert hit is not None and hit.code == "bao-yen"
    assert d.address_hint("lan.nguyen@baoyen.gmail.com", local_only=True) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("BCHQS gửi bài tháng 5", "quan-su"),
        ("Bộ CHQS - bài điển hình", "quan-su"),
        ("Hội LHPN gửi bài", "hoi-phu-nu"),
        ("Hoi CCB gui bai", "hoi-cuu-chien-binh"),
        ("Sở LĐTB&XH gửi bài", "so-lao-dong"),
        ("Sở LĐ-TBXH", "so-lao-dong"),
        ("Sở Lao động gửi bài", "so-lao-dong"),
    ],
)
def test_shipped_units_by_their_hurried_short_forms(text: str, code: str):
    """Short forms made from the names (not listed in units.toml): an acronym form without
    its level word, "Sở <first field>", an acronym's separators solid or not."""
    shipped = UnitDirectory.load(REPO / "units.toml")
    assert [m.unit_code for m in shipped.find_mentions(text)] == [code]


@pytest.mark.parametrize(
    "text",
    ["Hội LHPN huyện Bắc Hà", "Hội CCB xã Y Tý", "Bộ CHQS huyện Bảo Yên", "Hội LHPN các xã"],
)
def test_a_short_form_before_a_lower_level_is_that_level_s_body(text: str):
    shipped = UnitDirectory.load(REPO / "units.toml")
    codes = [m.unit_code for m in shipped.find_mentions(text)]
    assert not {"hoi-phu-nu", "hoi-cuu-chien-binh", "quan-su"} & set(codes), codes


def test_a_short_form_before_an_ordinary_word_still_names_the_unit():
    shipped = UnitDirectory.load(REPO / "units.toml")
    found = shipped.find_mentions("Hội LHPN có 500 hội viên tham gia")
    assert [m.unit_code for m in found] == ["hoi-phu-nu"]


# --- members, shortened names, words that only look like a name (issue 14) -------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a member organisation, then the place that locates it: the member's unit only
        ("Trường THPT số 1 Si Ma Cai", ["so-giao-duc"]),
        ("TRƯỜNG PTDT NỘI TRÚ THCS&THPT HUYỆN SI MA CAI", ["so-giao-duc"]),
        ("Trung tâm Y tế huyện Bát Xát", ["so-y-te"]),
        ("TTYT Bảo Yên", ["so-y-te"]),
        ("Đồn Biên phòng Bản Vược", ["bien-phong"]),
        ("Công an huyện Bảo Thắng", ["cong-an"]),
        # the short forms schools and police write their names in
        ("THPT so 1 Bao Thang gui bai", ["so-giao-duc"]),
        ("TRƯỜNG PTDTNT THCS HUYỆN MƯỜNG KHƯƠNG", ["so-giao-duc"]),
        ("CA huyen Si Ma Cai - bai mo hinh", ["cong-an"]),
        # a place after a comma is the text's own again
        ("Trung tâm Y tế huyện Bát Xát, xã Quang Kim", ["so-y-te", "bat-xat"]),
        # a school of the district's own level stays the district's
        ("Trường THCS xã Bản Lầu, huyện Mường Khương", ["muong-khuong", "muong-khuong"]),
        # "Ủy ban" as "UB", "Việt Nam" as "VN", "Lào Cai" as "LC"/"LCI"
        ("Ban Tuyen giao - UB MTTQ VN tinh Lao Cai", ["mttq"]),
        ("[VNPT LCI] Gui bai", ["vnpt"]),
        ("UBND TP LC", ["tp-lao-cai"]),
        # "cơ sở y tế" is a clinic, "cơ sở, xây dựng" two words apart: no department
        ("đến cơ sở y tế gần nhất", []),
        ("cơ sở, xây dựng nhà văn hóa", []),
        ("Sở Y tế (Lào Cai)", ["so-y-te"]),
    ],
)
def test_members_and_shortened_names(shipped, text, expected):
    assert [m.unit_code for m in shipped.find_mentions(text)] == expected


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Trạm y tế xã Y Tý", "xã Y Tý"),
        ("Dieu duong - Tram y te xa Y Ty", "xa Y Ty"),
        ("HTX xã Bản Lầu", "xã Bản Lầu"),
        ("CLB xã Y Tý", "xã Y Tý"),
    ],
)
def test_a_place_after_an_organisation_that_is_no_unit_is_weak(shipped, text, place):
    """A commune health station, cooperative or club is located at the commune, which is
    no sign that the commune's district sent the mail: the place stays, weaker."""
    (m,) = shipped.find_mentions(text)
    (alone,) = shipped.find_mentions(place)
    assert m.via == "place" and m.unit_code == alone.unit_code
    assert m.strength < 0.5 * alone.strength


def test_a_member_is_named_as_a_member(shipped):
    (m,) = shipped.find_mentions("Trường THPT số 1 Si Ma Cai")
    assert m.via == "member" and m.matched_text == "Trường THPT"


def test_members_key_is_read_and_checked(tmp_path):
    d = _load_text(
        tmp_path,
        '[[unit]]\ncode = "so-y-te"\nname = "Sở Y tế"\ngroup = "department"\n'
        'cadence = "quarterly"\nmembers = ["Bệnh viện Đa khoa tỉnh"]\n',
    )
    assert d.get("so-y-te").members == ("Bệnh viện Đa khoa tỉnh",)
    with pytest.raises(ConfigError, match="members"):
        _load_text(
            tmp_path,
            '[[unit]]\ncode = "x"\nname = "X"\ngroup = "department"\n'
            'cadence = "quarterly"\nmembers = "Bệnh viện"\n',
        )


# --- the lines of a text read once (a mail body repeating its article, issue 14) ----------

# An article whose lines open and close with words that name a unit only with their
# neighbours' help (a place that must stand alone, a short form before a level, "cơ"
# before "sở", a rewrite cut by a line break, an organisation before a place), and plain
# lines between them.
_ARTICLE = (
    "Trạm y tế\nxã Y Tý đã triển khai mô hình mới.\n\n"
    "  Hội LHPN\nhuyện Bắc Hà phối hợp tổ chức.\n"
    "Người dân ở Tả Van\nNguyễn Văn Sơn kể lại.\n\n"
    "Ủy ban\nnhân dân huyện Sa Pa đã khen thưởng, cơ\nsở y tế được nâng cấp.\n"
    "UBND huyện Bát Xát biểu dương Trường THPT số 1 Si Ma Cai.\r\n"
    "Năm 2020, Sở Y tế tỉnh Lào Cai tổ chức hội nghị tại TP Lào Cai cho các xã.\n"
    "Đoàn công tác của Bộ CHQS tỉnh đã đến thăm.\n"
    "Ban Dân tộc tỉnh tổ chức hội nghị.\n"
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "before",
    [
        [],
        ["Kính gửi Ban Thi đua tỉnh,", "Em gửi bài của huyện Bảo Yên"],
        ["Hội Nông dân", "Sở"],  # words that would join the article's first line
        ["Kính gửi Ủy"],  # "Ủy Ban" (the rewrite "Ủy ban") across the line break
    ],
)
@pytest.mark.parametrize("after", [[], ["xã Quang Kim", "Trân trọng"], ["Bảo Yên"]])
def test_lines_of_a_known_text_name_what_the_whole_text_names(shipped, before, after):
    """``find_mentions_in_lines`` gives what ``find_mentions`` gives for the lines joined,
    with the article's lines taken from its reading wherever they stand."""
    lines = before + _lines(_ARTICLE)[::-1] + after
    fresh = UnitDirectory.load(REPO / "units.toml")
    assert shipped.find_mentions_in_lines(lines, [_ARTICLE]) == fresh.find_mentions(
        "\n".join(lines)
    )
    shuffled = lines[::-1]
    assert shipped.find_mentions_in_lines(shuffled, [_ARTICLE]) == fresh.find_mentions(
        "\n".join(shuffled)
    )


def test_only_lines_that_their_neighbours_cannot_change_are_reused(shipped):
    reused = shipped._reading(_ARTICLE).lines()
    for line in (
        "Trạm y tế",  # names nothing, whatever follows
        "Đoàn công tác của Bộ CHQS tỉnh đã đến thăm.",
        "UBND huyện Bát Xát biểu dương Trường THPT số 1 Si Ma Cai.",
    ):
        assert line in reused, line
    for line in (
        "xã Y Tý đã triển khai mô hình mới.",  # a place after an organisation
        "Hội LHPN",  # a short form before a level
        "Người dân ở Tả Van",  # a place alone before a capitalised word
        "Ủy ban",  # the rewrite "Ủy ban nhân dân" across the line break
        "cơ",
        "sở y tế được nâng cấp.",  # "cơ sở" across the line break
    ):
        assert line not in reused, line
    # The offsets are the line's own; a line opening with a word that may end a rewrite
    # ("đoàn" of "Huyện đoàn") is marked.
    (m,), opens = reused["Đoàn công tác của Bộ CHQS tỉnh đã đến thăm."]
    assert m.unit_code == "quan-su" and m.start == len("Đoàn công tác của ") and opens
