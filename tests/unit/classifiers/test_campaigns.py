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
