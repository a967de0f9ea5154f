"""Subject type and kind rules, on varied phrasings written for these tests."""

from __future__ import annotations

import pytest

from dienhinh.classifiers.base import ClassifyContext, build_registry
from dienhinh.classifiers.kinds import (
    KindTagger,
    SubjectTypeTagger,
    _full_names,
    _year_span,
    headline,
    kind,
    subject_parts,
    subject_type,
)
from dienhinh.core.text import fold, strip_diacritics
from dienhinh.core.types import ArticleDraft, MailHeaders

PERSON_BODY = (
    "Năm nay 45 tuổi, anh Hảng A Dế vẫn ngày ngày lên nương. Anh Dế nói làm ruộng phải chịu "
    "khó. Bà con trong thôn quý anh Dế vì anh hay giúp đỡ mọi người."
)

SUBJECTS = [
    (
        "ca-nhan",
        "Cô giáo Hoàng Thị Lan với học trò vùng cao",
        "Cô Lan dạy lớp ghép. Cô Lan thương học trò.",
    ),
    ("ca-nhan", "Đại úy Sầm Văn Tình, người chiến sĩ biên phòng", "Anh Tình tuần tra biên giới."),
    ("ca-nhan", "Bác sĩ Phan Văn Nam tận tụy", "Anh Nam trực cấp cứu nhiều đêm liền."),
    ("ca-nhan", "Chàng trai Giáy nuôi dê trên núi đá", "Anh Lò Văn Dũng sinh năm 1995 ..."),
    ("ca-nhan", "Những mùa thảo quả của người nông dân", PERSON_BODY),
    # a full name inside a title in capitals, after a role the head would call a group
    ("ca-nhan", "NHÂN TỐ MỚI: ĐOÀN VIÊN CHU THỊ SÉ - NGƯỜI BÁN GẠO QUA MẠNG", "Sé sinh năm 1996."),
    ("ca-nhan", "THANH NIÊN VÀNG SEO LỬ KHỞI NGHIỆP SẢN XUẤT KHOAI TÂY GIỐNG", "Lử năm nay 27."),
    ("ca-nhan", "Thanh niên Mông Giàng A Lử và đội dẫn đường ở Lao Chải", "Lử dẫn khách."),
    # "TỔ CÔNG AN" is a team, not a Mr Tô; officers and soldiers are a collective
    ("tap-the", "MÔ HÌNH “TỔ CÔNG AN HỖ TRỢ DU KHÁCH” Ở THỊ TRẤN SA PA", "Tổ có 12 đồng chí."),
    ("tap-the", "CÁN BỘ, CHIẾN SĨ TRUNG ĐOÀN 254 NƠI TUYẾN ĐẦU CHỐNG DỊCH", "Đơn vị có 300 người."),
    (
        "ca-nhan",
        "Người thợ mộc khuyết tật dạy nghề cho thanh niên",
        "Ông Vũ Văn Hải năm nay 60 tuổi.",
    ),
    ("ho-gia-dinh", "Gia đình anh Vàng A Chu làm giàu từ cây quế", "Hai vợ chồng anh trồng quế."),
    ("ho-gia-dinh", "Vợ chồng chị Lý Thị Mai mở xưởng chế biến măng", "Vợ chồng chị Mai vay vốn."),
    ("ho-gia-dinh", "Hộ ông Phàn Văn Tả hiến đất xây nhà văn hóa", "Gia đình ông Tả có 6 người."),
    (
        "ho-gia-dinh",
        "Chuyện làm kinh tế của gia đình ông Lù Seo Páo",
        "Gia đình ông Páo nuôi bò. Cả nhà cùng làm.",
    ),
    ("tap-the", "Hợp tác xã Dịch vụ nông nghiệp Tân An", "Các thành viên hợp tác xã góp vốn."),
    ("tap-the", "Chi đoàn thôn Làng Chưng ra quân làm đường", "Các đoàn viên góp ngày công."),
    ("tap-the", "Đồn Biên phòng Y Tý với bà con vùng biên", "Cán bộ, chiến sĩ đồn giúp dân."),
    ("tap-the", "Trường Tiểu học số 2 Bản Qua đạt chuẩn quốc gia", "Tập thể giáo viên đoàn kết."),
    ("tap-the", "Câu lạc bộ dân ca Mông xã Lùng Vai", "Câu lạc bộ có 30 thành viên."),
    ("tap-the", "Đội xung kích phòng chống thiên tai xã Cốc Mỳ", "Đội có 40 thành viên."),
    ("tap-the", "Tổ dân phố 9 với tuyến phố sạch", "Các hộ trong tổ cùng quét dọn."),
    ("tap-the", "Người dân xã Nậm Chạc chung tay làm đường", "Bà con góp công, góp đất."),
    # people in the plural ("những"/"các" before a person word), a section, a workshop
    (
        "tap-the",
        "Những cô giáo cắm bản ở Sín Chéng",
        "Cô Vàng Thị Dua kể chuyện đến lớp. Cô Dua đi bộ hai giờ.",
    ),
    ("tap-the", "Các chiến sĩ dân quân giữ chốt Bản Vược", "Anh Lò Văn Dịu gác đêm. Anh Dịu kể."),
    ("tap-the", "Bộ phận tiếp dân huyện Bắc Hà: nghe dân nói", "Chị Hà Thị Mến trực. Chị Mến ghi."),
    ("tap-the", "Xưởng may của học viên Trung tâm Giáo dục nghề nghiệp", "Các học viên may áo."),
    # a school named with its acronym, in a title whose head names nothing
    (
        "tap-the",
        "Sân chơi của các em ở Trường PTDTBT THCS Nàn Sán",
        "Các con ra chơi. Các con trồng rau. Các con tưới cây.",
    ),
]


@pytest.mark.parametrize(("want", "title", "text"), SUBJECTS, ids=[s[1][:30] for s in SUBJECTS])
def test_subject_type(want: str, title: str, text: str) -> None:
    value, confidence, evidence = subject_type(title, text)
    assert value == want
    assert 0 < confidence <= 1
    assert evidence


@pytest.mark.parametrize(("want", "title", "text"), SUBJECTS, ids=[s[1][:30] for s in SUBJECTS])
def test_subject_type_without_diacritics(want: str, title: str, text: str) -> None:
    assert subject_type(strip_diacritics(title), strip_diacritics(text))[0] == want


@pytest.mark.parametrize(
    ("want", "title"),
    [
        ("tap-the", "HỢP TÁC XÃ CHÈ SHAN TUYẾT"),
        ("ho-gia-dinh", "GIA ĐÌNH ANH TRÁNG A PAO"),
        ("ca-nhan", "CÔ GIÁO VÀ ĐIỂM TRƯỜNG"),
    ],
)
def test_subject_type_title_in_capitals(want: str, title: str) -> None:
    assert subject_type(title, "")[0] == want


def test_title_outweighs_the_people_in_the_body() -> None:
    """A cooperative article quotes its chairman many times; it is still about the
    cooperative, because the title says so."""
    text = (
        "Anh Lồ Văn Pao là giám đốc. Anh Pao cho biết các thành viên đều có lãi. Anh Pao "
        "dự định mở rộng. Theo anh Pao, hợp tác xã cần thêm vốn."
    )
    assert subject_type("Hợp tác xã rau sạch Bản Phiệt", text)[0] == "tap-the"
    assert subject_type("Gương mặt tiêu biểu", text)[0] == "ca-nhan"


def test_no_marker_defaults_to_a_collective_with_low_confidence() -> None:
    value, confidence, _ = subject_type("Tin tháng Ba", "Đã tổ chức hội nghị.")
    assert value == "tap-the"
    assert confidence < 0.5


KINDS = [
    ("mo-hinh-moi", "Mô hình nuôi gà đồi của thôn Cốc Ly", "Thôn có 20 hộ tham gia."),
    (
        "mo-hinh-moi",
        "Hiệu quả từ mô hình trồng rau trong nhà lưới",
        "Các hộ liên kết theo mô hình mới, được nhân rộng ra toàn xã.",
    ),
    (
        "mo-hinh-moi",
        "Cách làm mới của phường Pom Hán trong thu gom rác",
        "Phường thí điểm thu gom rác theo giờ, nay nhân rộng.",
    ),
    (
        "mo-hinh-moi",
        "Xã Bản Mế với tổ tự quản",
        "Xã xây dựng mô hình tổ tự quản: mỗi hộ cam kết, các tổ luân phiên trực. Mô hình đang "
        "được nhân rộng.",
    ),
    (
        "nhan-to-moi",
        "Chàng trai 9X khởi nghiệp từ mật ong bạc hà",
        "Anh sinh năm 1996, là người đầu tiên trong xã bán mật ong qua mạng xã hội.",
    ),
    ("nhan-to-moi", "Nhân tố mới trong phong trào thanh niên", "Bạn trẻ có ý tưởng mới."),
    (
        "nhan-to-moi",
        "Cô gái trẻ đưa thổ cẩm lên thương mại điện tử",
        "Chị 24 tuổi, lần đầu đưa sản phẩm của bản ra thị trường.",
    ),
    (
        "dien-hinh-tien-tien",
        "Cô giáo Hoàng Thị Lan 20 năm bám bản",
        "Cô là tấm gương tận tụy, nhiều năm liền đạt danh hiệu chiến sĩ thi đua.",
    ),
    (
        "dien-hinh-tien-tien",
        "Ông trưởng thôn gương mẫu",
        "Ông luôn đi đầu trong mọi việc của thôn.",
    ),
    (
        "dien-hinh-tien-tien",
        "Đồn Biên phòng Bản Lầu giúp dân",
        "Đồn được tặng bằng khen vì thành tích tiêu biểu.",
    ),
]


@pytest.mark.parametrize(("want", "title", "text"), KINDS, ids=[k[1][:30] for k in KINDS])
def test_kind(want: str, title: str, text: str) -> None:
    value, confidence, evidence = kind(title, text)
    assert value == want
    assert 0 < confidence <= 1
    assert evidence


@pytest.mark.parametrize(("want", "title", "text"), KINDS, ids=[k[1][:30] for k in KINDS])
def test_kind_without_diacritics(want: str, title: str, text: str) -> None:
    assert kind(strip_diacritics(title), strip_diacritics(text))[0] == want


def test_kind_title_counts_more_than_body() -> None:
    """One "first time" in the body of a long-service portrait does not make it new."""
    text = (
        "Ba mươi năm gắn bó với nghề, ông là tấm gương sáng. Lần đầu đến bản năm 1988, ông "
        "đã quyết định ở lại. Nhiều năm liền ông được khen thưởng."
    )
    assert kind("Thầy giáo già của bản Khoang", text)[0] == "dien-hinh-tien-tien"
    assert (
        kind("Lần đầu tiên bản Khoang có người trẻ làm kỹ sư", "Anh 25 tuổi.")[0] == "nhan-to-moi"
    )


def test_taggers_return_suggestions() -> None:
    headers = MailHeaders("m@x", False, "a@laocai.gov.vn", "", "Bài", None)
    ctx = ClassifyContext(headers=headers)
    article = ArticleDraft(
        title="Mô hình Câu lạc bộ nông dân sản xuất giỏi xã Phong Hải",
        text="Câu lạc bộ có 25 thành viên, thí điểm mô hình trồng dứa theo hướng hữu cơ.",
        source="docx",
    )
    subject_tagger, kind_tagger = build_registry([SubjectTypeTagger, KindTagger])
    (s,) = subject_tagger.classify(article, ctx)
    (k,) = kind_tagger.classify(article, ctx)
    assert (s.field, s.value, s.tagger) == ("subject_type", "tap-the", "subject_type")
    assert (k.field, k.value, k.tagger) == ("kind", "mo-hinh-moi", "kind")
    assert s.evidence and k.evidence


# --- issue 14: subject type on other writers' mail ------------------------------------


@pytest.mark.parametrize(
    ("title", "want"),
    [
        ("Gửi bài viết điển hình quý III/2021", True),
        ("gui bai nhan to moi thang 4", True),
        ("V/v gửi bài tuyên truyền", True),
        ("Huyện đoàn Mường Khương gửi bài giới thiệu", True),
        ("GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN", True),
        ("Bác sĩ Lý Văn Phúc và trạm y tế vùng cao", False),
    ],
)
def test_headline_replaces_a_mail_subject(title: str, want: bool) -> None:
    text = "Chiến sĩ trẻ trên đồi chè Tân Uyên\n\nAnh Sùng A Lử sinh năm 1997 ..."
    assert (headline(title, text) == "Chiến sĩ trẻ trên đồi chè Tân Uyên") is want


def test_headline_skips_a_greeting_and_a_masthead() -> None:
    text = (
        "Dạ em gửi anh chị bài ạ.\n\nBÁO NÔNG THÔN · Chân dung · 3/4/2021\n\n"
        "Người giữ rừng ở Nậm Cang\n\nÔng Lò Văn Bình đã 20 năm giữ rừng."
    )
    assert headline("Gui bai", text) == "Người giữ rừng ở Nậm Cang"
    # A text that opens with its lead has no headline: the title stays.
    assert headline("Gui bai", "Ông Lò Văn Bình đã 20 năm giữ rừng.") == "Gui bai"


def test_a_bare_full_name_and_its_given_name_make_a_portrait() -> None:
    """No title word before the name ("Sùng A Lử sinh năm 1997"), then the given name
    alone; the villagers he helps do not make the article a collective's."""
    text = (
        "Sùng A Lử sinh năm 1997, người Mông ở thôn Sín Chải. Năm 2019 Lử vay vốn nuôi dê. "
        "Bà con trong thôn học theo Lử. Nay Lử còn dạy bà con làm chuồng, bà con quý Lử."
    )
    assert subject_type("gui bai thang 5", text)[0] == "ca-nhan"
    # A run of capitals that is a place ("Sín Chải"), or a word written in lower case
    # elsewhere, is not a person.
    assert _full_names("Thôn Sín Chải có 40 hộ. Năm nay thôn làm đường, năm sau làm cầu.") == {}


def test_a_named_household_head_repeated_is_the_household() -> None:
    """The title opens on a person, but the lead and body keep naming "vợ chồng ông
    Khang", "gia đình ông Khang": the article is the household's."""
    text = (
        "Vợ chồng ông Lục Văn Khang ở xã Bảo Hà có trang trại 5 ha. Gia đình ông Khang "
        "nuôi cá, trồng quế. Ông Khang nói cả nhà cùng làm. Ông Khang thuê 6 lao động; "
        "vợ chồng ông Khang còn cho hộ nghèo vay giống."
    )
    assert subject_type("Lão nông làm giàu bên sông Hồng", text)[0] == "ho-gia-dinh"


def test_a_model_in_the_lead_is_the_collective_article() -> None:
    """No collective in the title; the lead says a post runs a model, and one officer is
    quoted many times."""
    text = (
        "Từ năm 2020, Đồn Biên phòng Mường Khương triển khai mô hình “Mái ấm biên cương”, "
        "các hộ nghèo được giúp sửa nhà.\n\nĐại úy Trần Văn Hòa kể anh Hòa đi từng nhà. "
        "Anh Hòa nói: “Bà con vui lắm”. Anh Hòa mong mô hình được nhân rộng."
    )
    assert subject_type("Những mái nhà mới ở vùng biên", text)[0] == "tap-the"


def test_a_people_named_in_the_title_is_not_a_person() -> None:
    text = "Bản có 30 hộ cùng làm du lịch cộng đồng, mỗi hộ đón khách theo lượt."
    assert subject_type("Về bản ngủ nhà người Dao", text)[0] == "tap-the"


def test_a_title_without_diacritics_over_a_body_with_them() -> None:
    """The subject typed on a phone without marks still counts as a title."""
    value, _, _ = kind("bai nhan to moi xa Ban Xen", "Chị làm nghề dệt ở xã Bản Xen.")
    assert value == "nhan-to-moi"


def test_a_full_name_heading_a_title_in_capitals() -> None:
    text = "Chị sinh năm 1999, dạy múa cho các em trong bản. Các em gọi chị là cô giáo."
    assert subject_type("LÙ THỊ HOA, CÔ GÁI DẠY MÚA Ở BẢN HỒ", text)[0] == "ca-nhan"


# --- issue 14: kind from time and novelty --------------------------------------------


def test_an_established_collective_is_not_a_new_model() -> None:
    """A self-managed team founded in 2008 with a record to 2021: its founding and its
    organisation words do not make it a new model."""
    text = (
        "Tổ tự quản an ninh thôn Na Lo được thành lập từ năm 2008, có 9 thành viên. "
        "Từ năm 2012 đến nay, tổ tự quản đã hòa giải 40 vụ việc; năm 2021 tổ được "
        "UBND huyện tặng giấy khen."
    )
    assert kind("Tổ tự quản an ninh thôn Na Lo", text)[0] == "dien-hinh-tien-tien"


def test_a_recent_start_is_new_by_who_the_article_is_about() -> None:
    """Started in 2020, results in 2021: a collective's is a new model, a person's a new
    factor. (The same texts without their years stay exemplars: recency decides.)"""
    group = (
        "Năm 2020, các hộ trong thôn Cốc Ly góp vốn lập tổ hợp tác làm miến; năm 2021 các "
        "hộ đã bán 20 tấn miến."
    )
    assert kind("Các hộ thôn Cốc Ly làm miến", group)[0] == "mo-hinh-moi"
    person = (
        "Năm 2020, anh Vàng Seo Dín về quê mở xưởng miến. Năm 2021 anh Dín bán 20 tấn "
        "miến, anh Dín thuê 5 lao động."
    )
    assert kind("Anh Vàng Seo Dín làm miến", person)[0] == "nhan-to-moi"
    undated = person.replace("Năm 2020, ", "").replace("Năm 2021 ", "")
    assert kind("Anh Vàng Seo Dín làm miến", undated)[0] == "dien-hinh-tien-tien"


def test_a_background_decade_and_a_birth_year_are_not_a_record() -> None:
    text = (
        "Ông sinh năm 1962. Bà con trồng chè từ những năm 1980. Năm 2019 ông được chọn làm "
        "tổ trưởng, năm 2021 ông mở xưởng chè."
    )
    folded = fold(text)
    assert _year_span(folded) == (2019, 2021)
    assert _year_span(fold("Năm 2020 anh mở xưởng.")) == (0, 0)


def test_a_long_record_of_years_is_an_exemplar() -> None:
    text = (
        "Từ năm 2006, chị Lò Thị Nga làm y tá ở trạm. Năm 2014 chị học thêm nghề hộ sinh; "
        "năm 2020 chị được tặng bằng khen."
    )
    value, _, evidence = kind("Chị Lò Thị Nga ở trạm y tế xã", text)
    assert value == "dien-hinh-tien-tien"
    assert any(e.get("phrase") == "2006-2020" for e in evidence)


@pytest.mark.parametrize(
    ("want", "form"),
    [
        ("ca-nhan", "Họ và tên: Sùng Thị Mỷ\nNăm sinh: 1985\nChức vụ: Chi hội trưởng"),
        ("tap-the", "Tên tập thể: Tổ hợp tác chè Phìn Hồ\nSố thành viên: 14"),
        ("ho-gia-dinh", "Chủ hộ: Lý Văn Sài\nĐịa chỉ: thôn Nậm Mả"),
    ],
)
def test_an_achievement_report_form_says_whom_it_is_about(want: str, form: str) -> None:
    """The fields of a "báo cáo thành tích" form, under a mail subject that says nothing."""
    text = f"{form}\n\nThành tích: năm 2020 hoàn thành xuất sắc nhiệm vụ."
    assert subject_type("Báo cáo thành tích", text)[0] == want


def test_year_pattern_finds_what_its_plain_form_finds():
    """_YEAR opens with its word for speed; the plain form opens with the look-behinds."""
    import re

    from dienhinh.classifiers import kinds

    plain = re.compile(r"(?<!sinh )(?<!nhung )(?<!cac )\bnam (?:hoc )?(19[5-9]\d|20[0-4]\d)\b")
    texts = [
        "nam 2019",
        "tu nam 2009 den nam 2020, nam hoc 2018-2019",
        "sinh nam 1990, nhung nam 1995 va cac nam 2001; thanh nam 2003",
        "xnam 2019 _nam 2018 9nam 2017 ănam 2016 nam 20191 nam 1949",
        "nam  2019 nam hoc  2019 nam nam 2015",
    ]
    for text in texts:
        assert kinds._YEAR.findall(text) == plain.findall(text)
    assert kinds._year_span(texts[1]) == (2009, 2020)


def test_young_finds_what_the_whole_born_pattern_finds():
    from dienhinh.classifiers import kinds

    def plain(folded: str) -> str:
        for m in kinds._BORN.finditer(folded):
            if m.group(1) and int(m.group(1)) >= 1988:
                return m.group(0)
            if m.group(2) and 16 <= int(m.group(2)) <= 30:
                return m.group(0)
        return ""

    texts = [
        "anh sinh nam 1985, nam nay 25 tuoi",
        "chi sinh nam 1985 va em sinh nam 1992",
        "sinh nam 1985",
        "ong 45 tuoi, con trai 19 tuoi",
        "125 tuoi 18tuoi x18 tuoi sinh nam 2001",
        "khong co gi",
    ]
    for text in texts:
        assert kinds._young(text) == plain(text)
    assert kinds._young(texts[1]) == "sinh nam 1992"
    assert kinds._young(texts[0]) == "25 tuoi"


def test_a_title_naming_no_one_is_a_collective_although_the_story_quotes_someone() -> None:
    """A programme or a street in the title, a resident quoted a few times: the collective's
    story; a name met throughout is still a portrait."""
    title = "“Mái ấm Công đoàn” - điểm tựa của đoàn viên khó khăn về nhà ở"
    quoted = (
        "Năm nay chương trình hỗ trợ xây mười hai căn nhà. Công nhân Lò Thị Hoa kể trước "
        "đây phải ở trọ, nay chị Hoa đã có chỗ ở ổn định. Công đoàn các cấp vận động tập "
        "thể người lao động góp ngày công, các doanh nghiệp ủng hộ vật liệu. Mỗi căn nhà do "
        "tập thể người lao động trong đơn vị cùng góp sức."
    )
    assert subject_type(title, quoted)[0] == "tap-the"
    portrait = " ".join(f"Chị Hoa làm việc thứ {i}." for i in range(8))
    assert subject_type(title, f"{quoted} {portrait}")[0] == "ca-nhan"


def test_the_kind_the_sender_says_it_sends() -> None:
    """ "gửi bài nhân tố mới", "V/v gửi bài viết mô hình mới": the plan's own words for one
    kind count; the plan's name ("gương điển hình tiên tiến") and its full title do not."""
    from dienhinh.classifiers.kinds import sent_as

    assert sent_as("So KH va DT gui bai gioi thieu nhan to moi quy IV/2019", "") == "nhan-to-moi"
    assert sent_as("", "", ["V/v gửi bài viết mô hình mới tháng 8/2020"]) == "mo-hinh-moi"
    assert sent_as("Gửi bài", "Huyện gửi bài tuyên truyền gương điển hình tiên tiến tháng 9") == ""
    full = "Kế hoạch tuyên truyền gương điển hình tiên tiến, mô hình mới, nhân tố mới"
    assert sent_as(full, "") == ""
    title = "Cô giáo Lò Thị Mai với lớp học cắm bản"
    text = "Chị dạy học ở điểm trường, được phụ huynh quý mến."
    assert kind(title, text)[0] == "dien-hinh-tien-tien"
    value, _, evidence = kind(title, text, sent="nhan-to-moi")
    assert value == "nhan-to-moi"
    assert {"kind": "sent-as", "phrase": "nhân tố mới"} in evidence


def test_full_names_read_from_runs_of_capitals_as_from_every_token():
    """_full_names looks only where three words with a capital stand in a row, then for
    each name on its own; it finds what reading every token finds."""
    import random

    from dienhinh.classifiers import kinds

    pieces = [
        "Giàng", "A", "Chư", "Nguyễn", "Văn", "Sơn", "Thị", "Sú", "Lò", "_", "\u0301",
        " ", "  ", ", ", ".", "\n", "\n\n", "sinh", "Sinh", "năm", "Năm", "Chu", "Xá", "Phứ",
        "– ", "“", "”", "(", "Hà", "Nhì", "1990", "HTX", "İ", "ǅ", "Chư_", "Chưa", "aChư",
        "chư", "1A", "\t", "\u00a0", "Ⓐ", "Ａ", "Ⅳ", "中",
    ]  # fmt: skip
    texts = [
        "Giàng A Chư sinh năm 1995. Chư vay vốn, chư Chư. Anh Chu Xá Phứ và Phứ, Chư.",
        "Nguyễn Văn Sinh, Sinh nói; sinh hoạt. Lò Thị Sú - Sú (Sú) Sú Hà.",
        "Ⓐ Nguyễn Văn Sơn, Sơn.",  # a capitalised punctuation token: every token read
    ]
    rng = random.Random(14)
    texts += [
        "".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(rng.randint(0, 80)))
        for _ in range(3000)
    ]
    for text in texts:
        assert list(kinds._full_names(text).items()) == list(
            kinds._full_names_of_tokens(text).items()
        ), text
    assert kinds._full_names(texts[0]) == {"Phứ": 2}


def test_what_full_names_reads_past_u2000_has_no_case_and_no_word():
    """The characters _CAPITALISED_RUN reads as it does those of punctuation (below U+2000
    it knows every capital; the blocks _WIDE skips hold no letter, digit or capital)."""
    import re

    from dienhinh.classifiers import kinds

    word = re.compile(r"\w")
    for cp in range(0x2000, 0x20D0):
        ch = chr(cp)
        if not kinds._WIDE.match(ch):
            assert not word.match(ch) and not (ch.isupper() or ch.islower() or ch.istitle())


def test_the_opening_folded_word_by_word_is_the_opening_folded():
    """The kind rule folds its opening from the text's split; it is fold() of it."""
    import random

    from dienhinh.classifiers import kinds
    from dienhinh.core.text import fold

    rng = random.Random(6)
    pieces = [
        "Anh", "Đặng", "THỊ", "huyền", "sinh năm 1992", " ", "  ", "\n\n", "\t", "\u00a0",
        ", ", "“", "”", "–", "…", "\u0301", "_", "ß", "İ", "Ａ", "😀", "\u3000", "x̣",
    ]  # fmt: skip
    cases = [("Tiêu đề", "Năm 2019,  anh  Chư\n\nsinh năm 1995."), ("", ""), (" ", " a ")]
    cases += [
        (
            rng.choice(["", "Gương sáng", " TIÊU  ĐỀ "]),
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 900))),
        )
        for _ in range(400)
    ]
    for title, text in cases:
        for cut in (0, 1, 7):  # the opening ending inside a word or between words
            assert kinds._fold_opening(title, text[cut:]) == fold(
                f"{title}\n{text[cut:][: kinds.OPENING_CHARS]}"
            )


def test_a_kind_of_school_after_a_person_word_is_no_name() -> None:
    """ "sinh viên Cao đẳng Lào Cai" names no one (the editor saw "name: Cao"); a school
    named after its kind reads on to its own name; a person called Cao stays one."""
    student = subject_parts("Nữ sinh viên Cao đẳng Lào Cai vượt khó học giỏi", "Em học giỏi.")
    assert not [p for p in student if p[2].get("name")]
    school = subject_parts("Trường Cao đẳng Lào Cai 50 năm xây dựng", "Trường có 2.000 học sinh.")
    assert [p[2]["name"] for p in school if p[2].get("name")] == ["Cai"]
    person = subject_parts("Anh Cao Văn Hùng làm giàu", "Anh Hùng nuôi 30 con bò.")
    assert [p[2]["name"] for p in person if p[2].get("name")] == ["Hùng"]


def test_a_village_named_like_a_person_is_a_place() -> None:
    """ "thôn Lả Dì Thàng", "suối Nậm Chăn": a run of capitalised words after a place
    word names the place; its last word repeated is not a portrait's given name."""
    text = (
        "Suối Lả Dì Thàng chảy qua giữa thôn Lả Dì Thàng. Trước đây học sinh thôn Lả Dì "
        "Thàng phải lội suối. Ông Vàng A Lừ, trưởng thôn, vận động bà con góp ngày công."
    )
    assert "Thàng" not in _full_names(text)
    assert _full_names(text)["Lừ"] >= 1
    names = [p[2].get("name") for p in subject_parts("Cây cầu ở thôn Lả Dì Thàng", text)]
    assert "Thàng" not in names


@pytest.mark.parametrize(
    "title",
    [
        "Hạt Quản lý đường bộ số 3 - những người gác tỉnh lộ 158 mùa mưa lũ",
        "Thanh tra Sở Xây dựng với Năm trật tự văn minh đô thị",
        "Khách sạn Sương Sớm: khách sạn xanh giữa lòng Sa Pa",
        "Kíp vận hành trạm biến áp 110 kV Bảo Thắng",
    ],
)
def test_offices_crews_and_firms_open_a_collective_title(title: str) -> None:
    text = "Anh Lò Văn Thắng kể lại. Anh Thắng nói mùa mưa năm nào cũng vậy."
    assert subject_type(title, text)[0] == "tap-the"


def test_a_role_naming_one_person_outranks_the_office_it_opens_with() -> None:
    text = "Anh Chiến sinh năm 1985. Anh Chiến đã 12 năm làm thanh tra viên."
    assert subject_type("Thanh tra viên Lò Văn Chiến: 12 năm nói không", text)[0] == "ca-nhan"


DEED = (
    "Tháng 10/2019, Công an huyện nhận được thư cảm ơn của gia đình anh Sử. Anh Dũng, "
    "công an xã, đã nhặt được chiếc ví có 12 triệu đồng và trả lại cho người đánh rơi."
)


def test_a_good_deed_lately_is_a_new_factor() -> None:
    """GIVEN a story of one deed (a thank-you letter, money found and given back), dated in
    its lead THEN a new factor (nhân tố mới), with the deed and the date as evidence; typed
    without diacritics too."""
    value, _, evidence = kind("Người chiến sĩ công an xã và chiếc ví", DEED)
    assert value == "nhan-to-moi"
    assert {"kind": "event", "phrase": "Tháng 10/2019"} in evidence
    assert kind(strip_diacritics("Người chiến sĩ và chiếc ví"), strip_diacritics(DEED))[0] == (
        "nhan-to-moi"
    )


def test_a_deed_of_someone_with_a_record_of_years_stays_an_exemplar() -> None:
    """The same deed by a street sweeper of seventeen years: an established exemplar."""
    text = (
        "Chị Hoa đã có 17 năm làm công nhân môi trường. Nhiều năm liền chị nhặt được tài sản "
        "và trả lại cho người đánh rơi; năm 2005 rồi năm 2019 chị được tặng giấy khen."
    )
    assert kind("Chị Hoa giữ phố sạch", text)[0] == "dien-hinh-tien-tien"


def test_a_dated_start_of_a_collective_is_a_new_model() -> None:
    """A collective's story opening on the month it began (no deed): a new model."""
    text = (
        "Tháng 3/2019, xã Bản Vược thành lập tổ một cửa điện tử làm thí điểm. Thành viên tổ "
        "hướng dẫn người dân nộp hồ sơ trên mạng."
    )
    value, _, evidence = kind("Tổ một cửa điện tử xã Bản Vược", text)
    assert value == "mo-hinh-moi"
    assert any(e.get("kind") == "event" for e in evidence)


SPEECH = (
    "Kính thưa các đồng chí lãnh đạo huyện, lãnh đạo Huyện đoàn! Thưa các bạn đoàn viên!\n\n"
    "Tôi tên là Thào A Chư, sinh năm 1994, dân tộc Mông, hiện là Bí thư Chi đoàn thôn Cốc "
    "Phà. Tôi xin phép được chia sẻ về đàn gà đen của gia đình và của các bạn trong thôn."
)


def test_a_speech_in_the_first_person_is_its_speakers_portrait() -> None:
    """GIVEN a tham luận whose speaker introduces himself ("Tôi tên là Thào A Chư") under a
    title naming a collective word ("Thanh niên ...") and a greeting to the Huyện đoàn
    THEN ca-nhan; the greeting's "Thưa" is no one's name; without diacritics too."""
    title = "Tham luận: Thanh niên Mông về bản lập nghiệp"
    value, _, evidence = subject_type(title, SPEECH)
    assert value == "ca-nhan"
    assert {"kind": "phrase", "phrase": "Tôi tên là Thào A Chư", "count": 1} in evidence
    assert not [e for e in evidence if e.get("name") in ("Thưa", "Kính", "Tôi")]
    assert subject_type(strip_diacritics(title), strip_diacritics(SPEECH))[0] == "ca-nhan"
    ours = SPEECH.replace("Tôi tên là Thào A Chư, sinh năm 1994", "Tập thể chúng tôi gồm 12 hộ")
    assert subject_type("Tham luận của tổ hợp tác", ours)[0] == "tap-the"


@pytest.mark.parametrize(
    ("written", "want"),
    [
        ("Sần Văn Pủ", "ca-nhan"),
        ("Trường Phổ thông dân tộc bán trú THCS Tả Gia Khâu", "tap-the"),
    ],
)
def test_a_forms_shared_name_field_is_read_by_what_is_written_in_it(written, want) -> None:
    """ "Họ và tên / Tên tập thể:" serves a person and a collective alike: the name written
    in it decides, on its line or the next, though the field's label is repeated above."""
    form = (
        "1. Họ và tên / Tên tập thể:\n\n1. Họ và tên / Tên tập thể:\n\n"
        f"{written}\n\n2. Năm sinh:\n\n1966\n\n3. Dân tộc: Nùng\n\n"
        "6. Tóm tắt thành tích: vận động bà con hiến đất làm đường, các hộ cùng góp công."
    )
    assert subject_type("PHIẾU GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN", form)[0] == want
