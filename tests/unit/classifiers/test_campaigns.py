"""Campaign rules: vocabulary per campaign, diacritics or not, multi-label, unit prior.

The texts here are written for these tests in the plain style of unit reports; none is
taken from a sample mail. Each checks one shape of evidence, so a failure names the rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dienhinh.classifiers.base import ClassifyContext, TagSuggestion, build_registry
from dienhinh.classifiers.campaigns import (
    CAMPAIGN_CODES,
    FALLBACK,
    Campaign,
    CampaignTagger,
    MatchText,
    Vocabulary,
    load_campaigns,
    rule_scores,
    select,
    unit_prior,
)
from dienhinh.core.errors import ConfigError
from dienhinh.core.text import strip_diacritics
from dienhinh.core.types import ArticleDraft, MailHeaders

# One short article per campaign: (code, title, body).
CASES = [
    (
        "nong-thon-moi",
        "Hộ anh Hầu A Chá thoát nghèo nhờ nuôi lợn đen",
        "Được vay vốn ngân hàng chính sách, anh mua lợn giống, làm chuồng trại. Sau ba năm "
        "gia đình thoát nghèo, thu nhập 80 triệu đồng, xã hoàn thành tiêu chí hộ nghèo.",
    ),
    (
        "giao-duc",
        "Cô giáo vùng cao và lớp học ghép",
        "Hằng ngày cô dạy học cho 20 học sinh ở điểm trường, vận động phụ huynh cho các em "
        "đến lớp đều, không có học sinh bỏ học trong năm học.",
    ),
    (
        "suc-khoe",
        "Bác sĩ trạm y tế xã bám bản",
        "Anh khám bệnh, tiêm chủng cho trẻ, vận động phụ nữ mang thai sinh con tại trạm y tế "
        "thay vì sinh con tại nhà.",
    ),
    (
        "thanh-nien",
        "Đoàn viên trẻ khởi nghiệp với nấm linh chi",
        "Sau khi tốt nghiệp, anh cùng các đoàn viên thanh niên trong thôn góp vốn khởi "
        "nghiệp, tham gia đội hình thanh niên tình nguyện của xã.",
    ),
    (
        "quoc-phong-an-ninh",
        "Tổ tự quản đường biên giới của thôn",
        "Tổ phối hợp với đồn biên phòng tuần tra cột mốc, giữ vững an ninh trật tự, không để "
        "xảy ra xuất cảnh trái phép.",
    ),
    (
        "du-lich",
        "Làng văn hóa đón du khách",
        "Các hộ làm homestay, phục vụ khách du lịch trải nghiệm ẩm thực, ngủ nhà sàn; mỗi năm "
        "làng đón hàng nghìn lượt du khách.",
    ),
    (
        "van-minh-do-thi",
        "Tổ dân phố giữ vỉa hè thông thoáng",
        "Các hộ ký cam kết không lấn chiếm vỉa hè, thu gom rác thải đúng giờ, trồng cây xanh, "
        "giữ vệ sinh môi trường đô thị.",
    ),
    (
        "hoc-tap-bac-ho",
        "Người đảng viên làm theo lời Bác",
        "Thực hiện Chỉ thị 05, ông luôn nêu gương, học tập và làm theo tư tưởng, đạo đức, "
        "phong cách Hồ Chí Minh, tận tụy phục vụ nhân dân.",
    ),
    (
        FALLBACK,
        "Sáng kiến cải tiến kỹ thuật làm lợi cho công ty",
        "Trong phong trào thi đua lao động sản xuất, cán bộ công nhân viên đã có 12 sáng kiến "
        "cải tiến kỹ thuật, nâng cao năng suất lao động của đơn vị.",
    ),
]


def _top(title: str, text: str, **kw: str) -> str:
    return rule_scores(title, text, **kw)[0].code


@pytest.mark.parametrize(("code", "title", "text"), CASES, ids=[c[0] for c in CASES])
def test_each_campaign_vocabulary(code: str, title: str, text: str) -> None:
    assert _top(title, text) == code
    assert [s.code for s in select(rule_scores(title, text))] == [code]


@pytest.mark.parametrize(("code", "title", "text"), CASES, ids=[c[0] for c in CASES])
def test_each_campaign_without_diacritics(code: str, title: str, text: str) -> None:
    """Some units type without diacritics: the folded text must reach the same campaign."""
    assert _top(strip_diacritics(title), strip_diacritics(text)) == code


@pytest.mark.parametrize(("code", "title", "text"), CASES, ids=[c[0] for c in CASES])
def test_each_campaign_in_capitals(code: str, title: str, text: str) -> None:
    assert _top(title.upper(), text) == code


def test_evidence_names_the_matched_terms() -> None:
    best = rule_scores(*CASES[5][1:])[0]
    assert best.code == "du-lich"
    assert any(e["kind"] == "term" and "homestay" in e["term"] for e in best.evidence)
    assert any(e.get("in_title") for e in rule_scores(*CASES[1][1:])[0].evidence)


def test_tone_decides_the_word() -> None:
    """GIVEN an article with diacritics about a village chief (trưởng thôn, tổ trưởng)
    THEN "trường" (school) is not matched: folded, both are "truong"."""
    m = MatchText.of("Ông là tổ trưởng, trưởng thôn, rất được bà con tin tưởng.")
    assert m.count("trường") == 0
    assert MatchText.of("Ngôi trường mới của xã khang trang.").count("trường") == 1


def test_old_and_new_tone_placement_match() -> None:
    assert MatchText.of("Chăm lo sức khoẻ cho bà con, hoà giải mâu thuẫn").count("sức khỏe") == 1
    assert MatchText.of("Chăm lo sức khỏe cho bà con, hòa giải mâu thuẫn").count("hoà giải") == 1


def test_folded_text_skips_ambiguous_single_syllables() -> None:
    """Without diacritics "truong" may be trường or trưởng; one-syllable terms are skipped,
    abbreviations and loanwords are kept."""
    m = MatchText.of("to truong to dan pho va cac ho lam homestay, dat chuan NTM")
    assert m.count("trường") == 0
    assert m.count("homestay") == 1
    assert m.count("NTM") == 1
    assert m.count("tổ dân phố") == 1


def test_whole_syllables_only() -> None:
    assert MatchText.of("Anh là người dân tộc Tày, sống ở bản.").count("y tế") == 0
    assert MatchText.of("Anh về quê lập nghiệp").count("nghiệp") == 1


def test_title_counts_more_than_body() -> None:
    title = "Trạm y tế xã Nậm Xé"
    body = "Trạm nằm cạnh điểm trường, các học sinh hay ghé chơi. Trạm có bác sĩ trực."
    scores = {s.code: s for s in rule_scores(title, body)}
    assert scores["suc-khoe"].score > scores["giao-duc"].score
    assert _top(title, body) == "suc-khoe"


def test_multi_label_homestay_out_of_poverty() -> None:
    title = "Gia đình chị Sùng Thị Dợ thoát nghèo nhờ làm homestay"
    text = (
        "Năm 2015 gia đình chị còn là hộ nghèo của xã. Được hỗ trợ vốn, chị sửa nhà đón du "
        "khách, nấu món ăn truyền thống cho khách du lịch. Mỗi năm homestay đón 900 lượt "
        "khách, thu nhập 150 triệu đồng; gia đình đã thoát nghèo, góp phần giảm nghèo bền "
        "vững ở thôn."
    )
    codes = {s.code for s in select(rule_scores(title, text))}
    assert codes == {"du-lich", "nong-thon-moi"}


def test_a_passing_mention_is_not_a_second_campaign() -> None:
    title = "Bác sĩ Lò Thị Hoa tận tụy với bệnh nhân"
    text = (
        "Chị là bác sĩ khoa nội của bệnh viện huyện, ngày đêm chăm sóc người bệnh, khám "
        "chữa bệnh cho đồng bào. Con gái chị là học sinh lớp 5 của trường tiểu học thị trấn."
    )
    assert [s.code for s in select(rule_scores(title, text))] == ["suc-khoe"]


def test_unit_prior_decides_a_vague_article() -> None:
    title = "Người phụ nữ tận tâm"
    text = "Chị luôn đến sớm, về muộn, chu đáo với mọi người, được đồng nghiệp quý mến."
    assert _top(title, text, unit_code="so-y-te") == "suc-khoe"
    assert _top(title, text, unit_group="armed-forces") == "quoc-phong-an-ninh"
    assert _top(title, text, unit_code="so-giao-duc") == "giao-duc"
    best = rule_scores(title, text, unit_code="so-y-te")[0]
    assert {"kind": "unit-prior", "unit": "so-y-te"} in best.evidence


def test_unit_prior_does_not_outvote_the_article() -> None:
    """Sở Y tế may send a tourism story; a clear article keeps its own campaign."""
    code, title, text = CASES[5]
    assert _top(title, text, unit_code="so-y-te") == code


def test_unit_prior_table() -> None:
    assert unit_prior("tinh-doan") == "thanh-nien"
    assert unit_prior("so-du-lich") == "du-lich"
    assert unit_prior("cong-an", "armed-forces") == "quoc-phong-an-ninh"
    assert unit_prior(None, "enterprise") == FALLBACK
    assert unit_prior("bat-xat", "district") is None
    assert unit_prior() is None


def test_nothing_convincing_falls_back_to_the_unit_movement() -> None:
    chosen = select(rule_scores("Tin hoạt động tháng Ba", "Cơ quan đã họp và triển khai kế hoạch."))
    assert [s.code for s in chosen] == [FALLBACK]
    assert chosen[0].evidence[-1]["kind"] == "no-campaign-convincing"


def test_fallback_is_never_a_second_campaign() -> None:
    title = "Kỹ sư điện lực khởi nghiệp cùng đoàn viên thanh niên"
    text = "Anh là đoàn viên thanh niên, cùng công nhân công ty điện lực tình nguyện sửa điện."
    codes = [s.code for s in select(rule_scores(title, text))]
    assert codes[0] == "thanh-nien"
    assert FALLBACK not in codes


def test_every_builtin_code_is_scored() -> None:
    assert {s.code for s in rule_scores("", "")} == set(CAMPAIGN_CODES)


def test_hints_from_the_campaigns_file(tmp_path: Path) -> None:
    f = tmp_path / "campaigns.toml"
    f.write_text(
        '[[campaign]]\ncode = "du-lich"\nname = "Du lịch"\nhints = ["cáp treo Fansipan"]\n'
        '[[campaign]]\ncode = "moi-2021"\nname = "Phong trào mới"\nhints = ["chuyển đổi xanh"]\n',
        encoding="utf-8",
    )
    campaigns = load_campaigns(f)
    assert campaigns[0] == Campaign("du-lich", "Du lịch", ("cáp treo Fansipan",))
    vocab = Vocabulary.build(campaigns)
    assert "moi-2021" in vocab.codes
    assert _top_with(vocab, "Chuyển đổi xanh ở phường", "Các hộ chuyển đổi xanh.") == "moi-2021"


def _top_with(vocab: Vocabulary, title: str, text: str) -> str:
    return rule_scores(title, text, vocabulary=vocab)[0].code


def test_campaigns_file_errors_name_the_key(tmp_path: Path) -> None:
    f = tmp_path / "campaigns.toml"
    f.write_text('[[campaign]]\nname = "no code"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"classifiers\.campaigns_file"):
        load_campaigns(f)
    with pytest.raises(ConfigError, match="cannot read"):
        load_campaigns(tmp_path / "missing.toml")


def _ctx(**settings: object) -> ClassifyContext:
    headers = MailHeaders(
        message_id="t@laocai.gov.vn",
        message_id_generated=False,
        from_addr="vp@laocai.gov.vn",
        from_name="",
        subject="Bài điển hình",
        date=None,
    )
    return ClassifyContext(headers=headers, settings=settings)


def test_tagger_classifies_an_article_draft() -> None:
    code, title, text = CASES[2]
    article = ArticleDraft(title=title, text=text, source="docx")
    out = CampaignTagger().classify(article, _ctx())
    assert out and all(isinstance(s, TagSuggestion) for s in out)
    assert out[0] == TagSuggestion("campaign", code, out[0].confidence, out[0].evidence, "campaign")
    assert 0 < out[0].confidence <= 1
    assert out[0].evidence


def test_tagger_reads_the_unit_from_settings() -> None:
    article = ArticleDraft(
        title="Người phụ nữ tận tâm", text="Chị chu đáo với mọi người.", source="x"
    )
    out = CampaignTagger().classify(article, _ctx(unit_code="tinh-doan"))
    assert out[0].value == "thanh-nien"


def test_tagger_always_proposes_one_campaign() -> None:
    out = CampaignTagger().classify(ArticleDraft(title="", text="", source="x"), _ctx())
    assert [s.value for s in out] == [FALLBACK]


def test_tagger_registers_by_name() -> None:
    (tagger,) = build_registry([CampaignTagger], ["campaign"])
    assert isinstance(tagger, CampaignTagger)


# ---------------------------------------------------------------------------------------
# What the article is about: title, lead and names above passing mentions (issue #14)


def _chosen(title: str, text: str, **kw: str) -> list[str]:
    return sorted(s.code for s in select(rule_scores(title, text, **kw)))


def test_a_named_campaign_in_the_lead_counts_though_the_body_is_another_field() -> None:
    """A teacher's portrait whose lead says she follows Bác's example: the body is all
    school, the lead names the movement."""
    title = "Cô giáo Vàng Thị Mai và lớp học bán trú"
    text = (
        "Noi theo gương Bác, cô Mai coi mỗi học sinh như con mình, mười năm bám điểm trường.\n\n"
        "Cô dạy học cho 25 học sinh lớp ghép, giảng bài bằng tiếng Mông cho các em mới đến "
        "lớp, vận động phụ huynh không cho con bỏ học giữa năm học.\n\n"
        "Buổi tối cô kèm các em ôn bài ở khu nội trú, tự làm đồ dùng dạy học bằng tre, nứa "
        "để giờ học sinh động hơn, lớp cô năm nào cũng đủ số học sinh."
    )
    assert _chosen(title, text) == ["giao-duc", "hoc-tap-bac-ho"]
    best = {s.code: s for s in rule_scores(title, text)}["hoc-tap-bac-ho"]
    assert best.evidence[0]["names"] is True and best.evidence[0]["in_lead"] is True


def test_a_campaign_named_in_the_closing_commendation_counts() -> None:
    """A health article whose commendation names Hồ Chí Minh's example."""
    title = "Nữ hộ sinh của trạm y tế xã"
    text = (
        "Chị Lù Thị Sen là nữ hộ sinh của trạm y tế xã Bản Xèo, mười năm đỡ đẻ cho sản phụ "
        "các thôn xa.\n\n"
        "Chị đến từng nhà thai phụ vận động sinh con tại trạm, tiêm chủng cho trẻ, khám "
        "bệnh cho người già, đêm nào cũng sẵn sàng đi cấp cứu.\n\n"
        "Năm 2019 chị được biểu dương là điển hình trong học tập và làm theo tư tưởng, đạo "
        "đức, phong cách Hồ Chí Minh của huyện."
    )
    assert _chosen(title, text) == ["hoc-tap-bac-ho", "suc-khoe"]


_QUOTING_PORTRAIT = (
    "Cô Mai dạy học cho 25 học sinh lớp ghép, giảng bài bằng tiếng Mông cho các em mới đến "
    "lớp, vận động phụ huynh không cho con bỏ học giữa năm học.\n\n"
    "Buổi tối cô kèm các em ôn bài ở khu nội trú, tự làm đồ dùng dạy học bằng tre, nứa để "
    "giờ học sinh động hơn, lớp cô năm nào cũng đủ số học sinh.\n\n"
    "Như Bác Hồ dạy, vì lợi ích trăm năm phải trồng người, cô coi mỗi em như con mình."
)


def test_a_quote_of_bac_ho_once_in_the_body_is_rhetoric_not_the_campaign() -> None:
    """ "Như Bác Hồ dạy ..." once in a teacher's portrait: how many portraits close, not
    the movement named. Quoted twice, or in the lead, it is the article's example."""
    title = "Cô giáo Vàng Thị Mai và lớp học bán trú"
    assert "hoc-tap-bac-ho" not in _chosen(title, _QUOTING_PORTRAIT)
    twice = _QUOTING_PORTRAIT + "\n\nLời Bác dạy cô chép vào trang đầu giáo án mỗi năm học."
    named = {s.code: s for s in rule_scores(title, twice)}["hoc-tap-bac-ho"]
    assert named.named == "body" and named.held == "named"
    lead = "Như Bác Hồ dạy, cô Mai coi mỗi học sinh như con mình.\n\n" + _QUOTING_PORTRAIT
    assert {s.code: s for s in rule_scores(title, lead)}["hoc-tap-bac-ho"].named == "lead"


def test_moral_words_alone_do_not_make_the_ho_chi_minh_campaign() -> None:
    """Tận tụy, gần dân, đảng viên describe every exemplar: without a reference to Hồ Chí
    Minh's example they do not tag his campaign."""
    title = "Người cán bộ tư pháp tận tụy"
    text = (
        "Chị là đảng viên, cán bộ tư pháp xã, tận tụy, gần dân, hết lòng phục vụ nhân dân, "
        "luôn gương mẫu trong công việc, giản dị, khiêm tốn."
    )
    assert "hoc-tap-bac-ho" not in _chosen(title, text)


def test_a_border_paragraph_in_a_new_rural_story_is_a_setting() -> None:
    """Border guards helping once, in one paragraph of a long story of a commune's roads
    and poverty, is where the story happens, not what it is about."""
    title = "Thôn Na Pao thoát nghèo nhờ cây chuối"
    text = (
        "Thôn Na Pao ở xã biên giới Pha Long có 90 hộ, trước đây hơn nửa là hộ nghèo.\n\n"
        "Từ năm 2017, bà con chuyển đổi cơ cấu cây trồng, trồng chuối theo liên kết sản xuất "
        "với hợp tác xã, thu nhập bình quân tăng gấp ba.\n\n"
        "Hộ nghèo của thôn giảm từ 46 hộ xuống còn 7 hộ, nhiều gia đình làm nhà mới, mua xe "
        "máy, cho con đi học.\n\n"
        "Cán bộ, chiến sĩ đồn biên phòng Pha Long cũng giúp bà con làm đường giao thông "
        "nông thôn, tuần tra cột mốc cùng dân quân.\n\n"
        "Thôn đã góp phần để xã về đích nông thôn mới năm 2019."
    )
    assert _chosen(title, text) == ["nong-thon-moi"]


def test_village_roads_built_together_are_the_rural_campaign() -> None:
    """The programme's transport criterion: a village road concreted with the State's
    cement and the villagers' labour days is a new-rural story, though it never names the
    programme (the unit's own movement is what is left when nothing fits)."""
    title = "Xã Nậm Chày: xi măng của Nhà nước, công của dân"
    text = (
        "Đầu năm 2020 xã Nậm Chày mới có 2 km đường thôn được cứng hóa, mùa mưa xe máy "
        "không vào được các thôn xa.\n\n"
        "Theo cơ chế hỗ trợ xi măng làm đường giao thông nông thôn, thôn nào họp dân thống "
        "nhất, tự lo cát đá và ngày công thì được cấp xi măng trước.\n\n"
        "Sau 6 tháng, bốn thôn làm xong 5,2 km đường bê tông rộng 3 m, 14 hộ tự nguyện hiến "
        "đất mở rộng khúc cua, nhân dân góp hơn 3.000 ngày công.\n\n"
        "Cách làm Nhà nước và nhân dân cùng làm đang được huyện nhân rộng ra các xã khác."
    )
    assert _chosen(title, text) == ["nong-thon-moi"]


def test_a_border_commune_in_the_lead_is_a_place_not_a_subject() -> None:
    def defence(text: str) -> float:
        return {s.code: s.score for s in rule_scores("Bếp ăn bán trú", text)}["quoc-phong-an-ninh"]

    assert defence("Trường ở xã biên giới A Mú Sung.") <= 1.0
    assert defence("Trường giữ vững biên giới A Mú Sung.") >= 6.0


def test_typical_words_beside_a_named_field_are_the_setting() -> None:
    """A young man's startup on a farm: chè, nương, hợp tác are the setting; the youth
    movement is named."""
    title = "Chàng trai 9X khởi nghiệp từ nương chè cổ thụ"
    text = (
        "Anh Chảo Văn Lìn vay vốn hỗ trợ thanh niên khởi nghiệp, cùng hai đoàn viên mở "
        "xưởng sao chè.\n\n"
        "Xưởng thu mua chè của bà con trong thôn, hái chè trên nương, chế biến chè xanh "
        "đóng túi, bán qua mạng xã hội.\n\n"
        "Mỗi năm xưởng lãi hơn 200 triệu đồng, tạo việc làm cho 6 thanh niên."
    )
    assert _chosen(title, text) == ["thanh-nien"]


def test_village_cleanliness_is_not_the_urban_campaign() -> None:
    """Flowers, rubbish collection and clean roads in a village serve the rural campaign's
    environment criterion; the urban campaign needs a town, a ward or a street."""
    title = "Con đường hoa của chi hội phụ nữ thôn"
    text = (
        "Chi hội phụ nữ thôn Tả Chải nhận quét dọn, trồng hoa dọc 3 km đường thôn.\n\n"
        "Mỗi tuần chị em thu gom rác, phân loại rác tại nhà, giữ vệ sinh môi trường.\n\n"
        "Mô hình giúp xã hoàn thành tiêu chí môi trường trong xây dựng nông thôn mới."
    )
    assert _chosen(title, text) == ["nong-thon-moi"]
    ward = title.replace("thôn", "tổ dân phố"), text.replace("thôn Tả Chải", "phường Pom Hán")
    assert "van-minh-do-thi" in _chosen(*ward)


def test_a_movement_containing_two_fields_names_neither() -> None:
    """The Front's "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh" is not the
    urban campaign in a village story."""
    title = "Khu dân cư thôn Bản Lếch"
    text = (
        "Điển hình trong cuộc vận động Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn "
        "minh.\n\n"
        "Bà con hiến đất làm đường bê tông, giúp hộ nghèo cây giống, con giống; thôn đạt "
        "chuẩn nông thôn mới năm 2018."
    )
    assert _chosen(title, text) == ["nong-thon-moi"]


def test_short_forms_of_the_youth_union() -> None:
    title = "bai mo hinh DTN xa Coc San"
    text = (
        "ĐVTN xã Cốc San nhận chăm sóc 2 km đường thanh niên, Đoàn xã tổ chức ngày chủ nhật "
        "xanh mỗi tháng."
    )
    assert "thanh-nien" in _chosen(title, text)


def test_the_unit_movement_never_beside_a_provincial_campaign() -> None:
    """A broadcaster's technician (the unit's own field) commended under Hồ Chí Minh's
    example: only the provincial campaign is proposed."""
    title = "Kỹ thuật viên trạm phát sóng"
    text = (
        "Anh là kỹ thuật viên của đài phát thanh truyền hình, ca trực nào cũng kiểm tra "
        "lưới điện, phần mềm, cải tiến kỹ thuật để giữ sóng.\n\n"
        "Anh được biểu dương trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí "
        "Minh."
    )
    assert _chosen(title, text, unit_group="media") == ["hoc-tap-bac-ho"]


def test_a_configured_hint_keeps_the_builtin_weight(tmp_path: Path) -> None:
    """campaigns.toml hints "tự quản"; the built-in list knows that alone it is any
    self-managed work, so a self-managed flower road is not about defence."""
    vocab = Vocabulary.build([Campaign("quoc-phong-an-ninh", "", ("tự quản", "chốt dân quân"))])
    weights = dict(vocab.terms["quoc-phong-an-ninh"])
    assert weights["tự quản"] == 1.0
    assert weights["chốt dân quân"] == 3.0


def test_the_lead_handed_twice_counts_once() -> None:
    """The tagger reads the lead field and then the text that starts with it again."""
    lead = "Thôn có 40 hộ làm homestay đón du khách."
    once = rule_scores("Bản du lịch", f"{lead}\n\nKhách đến ngày một đông.")
    twice = rule_scores("Bản du lịch", f"{lead}\n\n{lead}\n\nKhách đến ngày một đông.")
    assert [(s.code, s.score) for s in once] == [(s.code, s.score) for s in twice]


def test_the_best_campaign_in_one_paragraph_only_is_not_convincing() -> None:
    """A journalist's story that ends on a schoolgirl's lost books: the school is one
    paragraph, nothing in the title or lead, so the unit's own movement is proposed."""
    title = "Nữ phóng viên ở vùng lũ"
    text = (
        "Chị là phóng viên của đài, có mặt sớm nhất ở vùng lũ cuối tháng Sáu, cùng tổ công "
        "tác đi bộ vào các thôn bị cô lập, gửi tin bài về ngay trong đêm cho bạn đọc.\n\n"
        "Ba ngày liền chị lội bùn, ghi lại từng nhà bị thiệt hại, leo lên đồi tìm sóng "
        "điện thoại để gửi ảnh về tòa soạn.\n\n"
        "Loạt bài của chị kêu gọi được hơn 300 triệu đồng ủng hộ bà con, trao tận tay "
        "các gia đình bị thiệt hại.\n\n"
        "Chị nhớ nhất một em học sinh lớp 3 mất hết sách vở, nay đã được bạn đọc giúp "
        "tiếp tục đến trường học."
    )
    assert _chosen(title, text, unit_group="media") == [FALLBACK]
    assert _chosen(title, text) == [FALLBACK]


class _FixedModel:
    """A stand-in for the learned model: the same probabilities for every text."""

    def __init__(self, probs: dict[str, float]) -> None:
        self.probs = probs

    def predict(self, text: str) -> dict[str, float]:
        return dict(self.probs)


def test_the_model_cannot_drop_a_named_campaign_nor_raise_a_passing_one() -> None:
    title = "Thôn Na Pao thoát nghèo nhờ cây chuối"
    text = (
        "Thôn Na Pao ở xã Pha Long có 90 hộ, trước đây hơn nửa là hộ nghèo.\n\n"
        "Bà con chuyển đổi cơ cấu cây trồng, trồng chuối theo liên kết sản xuất với hợp "
        "tác xã, thu nhập bình quân tăng gấp ba.\n\n"
        "Hộ nghèo của thôn giảm từ 46 hộ xuống còn 7 hộ, nhiều gia đình làm nhà mới.\n\n"
        "Cán bộ, chiến sĩ đồn biên phòng cũng giúp bà con làm đường, tuần tra cột mốc.\n\n"
        "Trưởng thôn luôn làm theo lời Bác dạy: việc gì có lợi cho dân thì hết sức làm."
    )
    model = _FixedModel({"nong-thon-moi": 0.9, "quoc-phong-an-ninh": 0.9, "hoc-tap-bac-ho": 0.0})
    out = CampaignTagger(model=model).suggest(title, text)  # type: ignore[arg-type]
    assert sorted(s.value for s in out) == ["hoc-tap-bac-ho", "nong-thon-moi"]


def test_a_text_without_blank_lines_is_not_all_lead() -> None:
    """Typed as one block, a long article's first words are its lead, not the whole: a
    border mention near its end stays a mention."""
    story = (
        "Chị Hoa mở lớp dạy học cho trẻ em trong bản, vận động phụ huynh cho con đến lớp, "
        "tự làm đồ dùng dạy học cho học sinh. "
    ) * 8
    text = story + "Bản nằm gần biên giới."
    lead = {s.code: s for s in rule_scores("Cô giáo bản Mù", text)}["quoc-phong-an-ninh"]
    assert not any(e.get("in_lead") for e in lead.evidence)
    short = {s.code: s for s in rule_scores("Cô giáo bản Mù", "Bản nằm gần biên giới.")}
    assert short["quoc-phong-an-ninh"].evidence[0]["in_lead"] is True


def test_an_elder_or_a_doctor_is_not_bac_ho() -> None:
    """A "bác" addresses any elder and starts "bác sĩ": only a capitalised Bác is Bác Hồ."""
    title = "Y sĩ trạm y tế xã đi học bác sĩ"
    text = (
        "Theo lời bác Sáng, trưởng thôn, chị Lan là y sĩ tận tụy của trạm y tế xã. Năm "
        "2015 chị được cử đi học bác sĩ, về trạm khám bệnh, tiêm chủng cho trẻ em."
    )
    assert _chosen(title, text) == ["suc-khoe"]
    named = text + " Chị luôn làm theo lời Bác dạy."
    assert _chosen(title, named) == ["hoc-tap-bac-ho", "suc-khoe"]


def test_only_a_campaign_the_article_names_is_shown_as_certain() -> None:
    """Typical words of a field are evidence, not proof: unnamed, a campaign is shown at
    most UNNAMED_MAX however many of its words the article has; named, it may be certain."""
    from dienhinh.classifiers.campaigns import UNNAMED_MAX

    tagger = CampaignTagger()
    words = (
        "Đồn Biên phòng phối hợp tuần tra biên giới, bảo vệ cột mốc, giữ gìn an ninh trật "
        "tự; bộ đội biên phòng cùng dân quân tuần tra đường biên, cột mốc."
    )
    unnamed = tagger.suggest("Bộ đội biên phòng tuần tra biên giới", words)
    assert unnamed and all(t.confidence <= UNNAMED_MAX for t in unnamed)
    scores = rule_scores("Bộ đội biên phòng tuần tra biên giới", words)
    assert max(s.confidence for s in scores) > UNNAMED_MAX  # the rules' own score is higher


RECITED = (
    "Thực hiện Chỉ thị 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong "
    "cách Hồ Chí Minh, cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn "
    "minh” và phong trào “Lào Cai chung tay vì người nghèo”, những năm qua bà con thôn đã "
    "đổi thay.\n\n"
    "Bếp ăn bán trú của nhà trường phục vụ 240 học sinh nội trú. Các thầy cô giáo chia ca "
    "nấu ăn, học sinh được ăn ba bữa đủ chất; năm học vừa qua tỷ lệ chuyên cần đạt 99%, "
    "không có học sinh bỏ học. Điểm trường được phụ huynh góp công sửa lại lớp học."
)


def test_a_recital_of_several_campaigns_is_the_frame_not_the_subject() -> None:
    """GIVEN a lead that recites several programmes ("Thực hiện Chỉ thị 05 ..., cuộc vận
    động ... và phong trào ...") over an article about a school's kitchen THEN education,
    not Hồ Chí Minh's example; one programme recited ("Thực hiện Chỉ thị 05 ...") is what
    the article carries out, and counts."""
    title = "Bếp ăn bán trú “ba sạch” của Trường PTDTBT Tiểu học Nậm Xé"
    assert [s.code for s in select(rule_scores(title, RECITED))] == ["giao-duc"]
    one = (
        "Thực hiện Chỉ thị 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
        "phong cách Hồ Chí Minh, chi bộ thôn đăng ký việc làm theo Bác.\n\n"
        "Mỗi đảng viên nhận giúp một hộ nghèo, làm theo lời Bác dạy: nói đi đôi với làm."
    )
    assert "hoc-tap-bac-ho" in {s.code for s in select(rule_scores("Chi bộ thôn Ná Lùng", one))}
