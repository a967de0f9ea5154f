"""Campaign tagger: which emulation campaigns (phong trào thi đua) an article serves.

Two sources of evidence are combined in :class:`CampaignTagger`:

* **rules** (this module): weighted Vietnamese vocabulary per campaign, seeded from the
  ``hints`` of ``campaigns.toml`` and extended with general words of each field, matched on
  whole syllables; a match in the title counts :data:`TITLE_FACTOR` times more than one in
  the body. The sending unit's usual field (Sở Y tế → suc-khoe, Biên phòng →
  quoc-phong-an-ninh) adds a prior. Rules need nothing but the standard library.
* **a learned model** (``model.py``, optional): a linear classifier trained on articles the
  editors confirmed. When it is absent (no model file yet, scikit-learn not installed) the
  rules decide alone.

Matching. Most articles carry full diacritics, and there the tone decides the word:
*trường* (school) is not *trưởng* (chief), *bản* (village) is not *bán* (sell). So an
article written with diacritics is matched with tones kept (placed canonically, so the old
*hoà* and the new *hòa* agree); an article typed without diacritics is matched on the folded
form, where one-syllable Vietnamese terms are skipped because folding makes them ambiguous.

``don-vi`` (the unit's own movement) has a little vocabulary of its own (staff, company,
administrative reform), but mostly it is what is left when no other campaign is convincing.
"""

from __future__ import annotations

import functools
import logging
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dienhinh.classifiers.base import ClassifyContext, TagSuggestion
from dienhinh.classifiers.scan import Lexicon, Words, analyse, phrase_key, toned_syllable
from dienhinh.core.errors import ConfigError
from dienhinh.core.evidence import EvidenceKind as EK
from dienhinh.core.evidence import item
from dienhinh.core.text import fold
from dienhinh.core.types import ArticleDraft

if TYPE_CHECKING:
    from dienhinh.classifiers.model import CampaignModel

__all__ = [
    "CAMPAIGN_CODES",
    "COMBINED_THRESHOLD",
    "FALLBACK",
    "RULE_THRESHOLD",
    "TITLE_FACTOR",
    "UNIT_PRIORS",
    "Campaign",
    "CampaignScore",
    "CampaignTagger",
    "MatchText",
    "Vocabulary",
    "load_campaigns",
    "rule_scores",
    "select",
    "unit_prior",
]

log = logging.getLogger(__name__)

FALLBACK = "don-vi"
CAMPAIGN_CODES: tuple[str, ...] = (
    "nong-thon-moi",
    "giao-duc",
    "suc-khoe",
    "thanh-nien",
    "quoc-phong-an-ninh",
    "du-lich",
    "van-minh-do-thi",
    "hoc-tap-bac-ho",
    FALLBACK,
)

# A title names what the article is about; the body also mentions the setting.
TITLE_FACTOR = 3.0
# Raw score that reaches confidence 1 - 1/e (0.63). One strong term (weight 3) in the body
# gives 0.22, the same term in the title too gives 0.63; an article about the campaign
# typically scores 15-40.
SCORE_SCALE = 12.0
# A campaign scoring less than this fraction of the best one loses confidence in proportion.
DOMINATED = 0.5
# Raw score the sending unit's usual field adds: about one strong term in the body, enough
# to decide between weak candidates, never enough to outvote a title.
PRIOR_SCORE = 2.5
# Rules alone: a campaign besides the best one is kept when its confidence reaches this.
RULE_THRESHOLD = 0.6
# Rules + model: a campaign is kept when (rule confidence + model probability) / 2 reaches
# this. Chosen on a held-out part of the seed set; see tests/unit/classifiers.
COMBINED_THRESHOLD = 0.45
# Below this best confidence nothing is convincing and don-vi is proposed.
CONVINCING = 0.35

# ---------------------------------------------------------------------------------------
# Matching keys


def _toned_key(text: str) -> str:
    """The toned syllable keys of a text, joined: two spellings of one term (hoà/hòa)
    have the same key, so the vocabulary keeps one of them."""
    return " ".join(phrase_key(text, True))


@dataclass(frozen=True)
class MatchText:
    """A text prepared for whole-syllable phrase counting, with or without tones (a thin
    view of :func:`~.scan.analyse`, for one-off questions; the taggers use lexicons).

    ``MatchText.of(title)`` decides from the text itself; pass ``toned`` to force the mode
    of a longer text (a title in capitals is judged with its body).
    """

    words: Words

    @property
    def toned(self) -> bool:
        return self.words.toned

    @classmethod
    def of(cls, text: str, *, toned: bool | None = None) -> MatchText:
        _, words = analyse("", text)
        if toned is not None and toned != words.toned:
            words = _rekey(words, toned)
        return cls(words)

    def count(self, term: str) -> int:
        """Whole-syllable occurrences of ``term``; 0 for a one-syllable Vietnamese term in
        a text without tones (ambiguous there)."""
        return Lexicon([term]).count(self.words).get(term, 0)


def _rekey(words: Words, toned: bool) -> Words:
    key = toned_syllable if toned else fold
    return Words(words.words, tuple(key(w) for w in words.words), toned)


# ---------------------------------------------------------------------------------------
# Vocabulary

# (weight, terms). 3: names the campaign; 2: typical of it; 1: common in it, seen elsewhere.
# fmt: off
_VOCABULARY: dict[str, list[tuple[float, tuple[str, ...]]]] = {
    "nong-thon-moi": [
        (3, ("nông thôn mới", "NTM", "giảm nghèo bền vững", "thoát nghèo", "hộ nghèo",
             "hộ cận nghèo", "làm giàu", "vươn lên khá giả")),
        (2, ("giảm nghèo", "tiêu chí", "hợp tác xã", "HTX", "tổ hợp tác", "phát triển kinh tế",
             "sản xuất kinh doanh giỏi", "OCOP", "liên kết sản xuất", "chuyển đổi cơ cấu",
             "cây trồng", "vật nuôi", "hiến đất", "đường giao thông nông thôn", "bê tông hóa",
             "trang trại", "gia trại", "nông sản", "khuyến nông", "thu nhập bình quân",
             "ngân hàng chính sách", "vay vốn", "xã viên", "kinh tế hộ", "dưới tán rừng",
             "xuất chuồng", "giống mới", "cánh đồng", "nước sạch", "nhà tiêu hợp vệ sinh")),
        (1, ("chăn nuôi", "trồng trọt", "nông nghiệp", "nông dân", "thu hoạch", "năng suất",
             "sản lượng", "thương lái", "tiêu thụ", "ruộng", "nương", "lúa", "ngô", "chè",
             "thảo quả", "quế", "chuối", "dứa", "mận", "lợn", "trâu", "bò", "gà", "cá",
             "dê", "ong", "ao", "rừng", "nấm", "dược liệu", "sào", "hécta", "tấn",
             "kilôgam", "thu nhập", "lãi", "việc làm", "nhà văn hóa", "bà con")),
    ],
    "giao-duc": [
        (3, ("giáo viên", "học sinh", "điểm trường", "dạy học", "giáo dục", "dạy tốt học tốt",
             "trường học thân thiện", "học sinh tích cực")),
        (2, ("trường", "nhà trường", "trường học", "trường tiểu học", "trường mầm non",
             "trường THCS", "trường THPT", "trường phổ thông", "PTDTBT", "PTDTNT", "bán trú",
             "nội trú", "lớp học", "tiết học", "bài giảng", "giáo án", "học trò", "cô giáo",
             "thầy giáo", "năm học", "sinh viên", "học viên", "đến lớp", "bỏ học",
             "học sinh giỏi", "phổ cập", "thư viện", "tiếng Việt", "mầm non", "tiểu học",
             "THCS", "THPT", "hiệu trưởng", "phụ huynh", "giảng dạy", "đào tạo", "đi học")),
        (1, ("lớp", "chữ", "đọc", "viết", "sách", "vở", "học", "thầy", "trò", "kiến thức")),
    ],
    "suc-khoe": [
        (3, ("y tế", "bác sĩ", "bệnh viện", "gương sáng y đức", "y đức", "khám chữa bệnh",
             "trạm y tế", "sức khỏe nhân dân", "chăm sóc sức khỏe")),
        (2, ("khám bệnh", "chữa bệnh", "bệnh nhân", "người bệnh", "y sĩ", "điều dưỡng",
             "nữ hộ sinh", "cô đỡ", "y tế thôn bản", "sinh con tại trạm", "sinh con tại nhà",
             "thai phụ", "mang thai", "sản phụ", "tiêm chủng", "vắc xin", "suy dinh dưỡng",
             "dinh dưỡng", "sức khỏe", "phòng bệnh", "dịch bệnh", "thuốc nam", "cấp cứu",
             "phẫu thuật", "ca mổ", "bảo hiểm y tế", "y học cổ truyền", "lương y",
             "kế hoạch hóa gia đình", "an toàn thực phẩm", "trẻ sơ sinh", "sơ cứu", "điều trị",
             "bệnh", "khám")),
        (1, ("thuốc", "sốt", "đau", "ốm", "chữa", "nằm viện", "sinh nở")),
    ],
    "thanh-nien": [
        (3, ("đoàn viên", "thanh niên", "khởi nghiệp", "tình nguyện", "Đoàn thanh niên",
             "chi đoàn", "tuổi trẻ", "thanh niên làm chủ")),
        (2, ("tình nguyện viên", "Tỉnh đoàn", "huyện đoàn", "thành đoàn", "bí thư chi đoàn",
             "xung kích", "mùa hè xanh", "thanh niên xung phong", "9X", "8X", "chàng trai",
             "cô gái", "trẻ tuổi", "người trẻ", "lập nghiệp", "ý tưởng", "startup",
             "hiến máu", "đội hình", "tuổi đôi mươi", "sinh năm 199", "bạn trẻ",
             "công trình thanh niên")),
        (1, ("trẻ", "mạng xã hội", "facebook", "internet", "livestream", "bán hàng online")),
    ],
    "quoc-phong-an-ninh": [
        (3, ("biên giới", "an ninh trật tự", "quốc phòng", "cột mốc", "tự quản", "biên phòng",
             "đồn biên phòng", "bộ đội biên phòng", "đường biên", "dân quân",
             "bảo vệ an ninh tổ quốc", "an ninh")),
        (2, ("mốc giới", "tuần tra", "công an", "công an xã", "tội phạm", "ma túy", "trộm cắp",
             "buôn bán người", "xuất cảnh trái phép", "di cư tự do", "tà đạo", "tự vệ",
             "quân sự", "bộ đội", "chiến sĩ", "quân hàm xanh", "sĩ quan", "tổ an ninh",
             "camera", "nguồn tin", "trật tự an toàn xã hội", "vùng biên", "bình yên",
             "diễn tập", "huấn luyện", "nghĩa vụ quân sự", "tòng quân", "hòa giải",
             "tổ quốc", "cựu chiến binh", "kẻ gian", "tố giác", "thiếu tá", "đại úy",
             "trung tá", "thượng úy", "trung úy", "đồn", "súng")),
        (1, ("tranh chấp", "mâu thuẫn", "phạm pháp", "vi phạm", "đêm", "gác")),
    ],
    "du-lich": [
        (3, ("du lịch", "homestay", "du khách", "lữ hành", "khách du lịch",
             "du lịch cộng đồng", "Năm Du lịch Quốc gia")),
        (2, ("khách quốc tế", "khách Tây", "khách nước ngoài", "hướng dẫn viên", "tour",
             "nhà nghỉ", "khách sạn", "lưu trú", "điểm đến", "trải nghiệm", "ẩm thực",
             "đặc sản", "cảnh quan", "danh thắng", "lễ hội", "nhà trình tường", "thổ cẩm",
             "quà lưu niệm", "lưu niệm", "đón khách", "phục vụ khách", "phòng nghỉ",
             "trekking", "leo núi", "chợ phiên", "chợ tình", "văn hóa truyền thống",
             "bản sắc", "nghệ nhân", "biểu diễn", "văn nghệ", "đoàn khách", "lượt khách")),
        (1, ("khách", "văn hóa", "múa", "khèn", "hát", "trang phục", "ngắm", "tham quan",
             "check in")),
    ],
    "van-minh-do-thi": [
        (3, ("văn minh đô thị", "trật tự đô thị", "vỉa hè", "vệ sinh môi trường", "tổ dân phố",
             "đô thị", "rác thải", "nếp sống văn minh")),
        (2, ("lòng đường", "lấn chiếm", "tuyến phố", "khu phố", "phường", "thu gom rác",
             "phân loại rác", "rác", "đổ rác", "chỉnh trang", "cây xanh", "đường hoa",
             "tuyến đường hoa", "trồng hoa", "công viên", "mỹ quan", "an toàn giao thông",
             "quảng cáo", "xanh sạch đẹp", "nơi công cộng", "bãi rác", "công nhân môi trường",
             "quét dọn", "dọn vệ sinh", "môi trường", "văn minh", "thùng rác", "cống rãnh",
             "tuyến phố văn minh", "khu dân cư")),
        (1, ("thị trấn", "phố", "thành phố", "đường phố", "hoa", "sạch", "đẹp", "vệ sinh")),
    ],
    "hoc-tap-bac-ho": [
        (3, ("làm theo tư tưởng", "đạo đức phong cách Hồ Chí Minh", "Chỉ thị 05",
             "học tập và làm theo", "làm theo lời Bác", "tư tưởng Hồ Chí Minh",
             "phong cách Hồ Chí Minh", "tấm gương đạo đức", "05-CT/TW", "làm theo Bác",
             "học Bác", "theo gương Bác", "Bác Hồ dạy", "lời Bác dạy", "điều Bác Hồ dạy")),
        (2, ("Bác Hồ", "lời Bác", "Bác dạy", "Chủ tịch Hồ Chí Minh", "Hồ Chí Minh",
             "nêu gương", "gương mẫu", "cần kiệm liêm chính", "chí công vô tư",
             "phục vụ nhân dân", "đi đôi với làm", "làm gương", "dân vận khéo", "đạo đức",
             "tận tụy", "hết lòng", "đảng viên", "bí thư chi bộ", "liêm chính", "trọn đời",
             "người đảng viên", "cán bộ đảng viên")),
        (1, ("chi bộ", "cán bộ", "trách nhiệm", "tiết kiệm", "giản dị", "khiêm tốn", "gần dân",
             "tận tâm", "lặng lẽ", "cống hiến")),
    ],
    FALLBACK: [
        (2, ("phong trào thi đua của đơn vị", "cán bộ công nhân viên", "CBCNV", "người lao động",
             "công nhân", "công ty", "doanh nghiệp", "sáng kiến cải tiến", "cải tiến kỹ thuật",
             "cải cách hành chính", "một cửa", "thủ tục hành chính", "năng suất lao động",
             "an toàn lao động", "khách hàng", "điện lực", "lưới điện", "ngành điện",
             "viễn thông", "công chức", "viên chức", "hành chính công", "làm lợi",
             "kỹ thuật viên", "ca trực", "phát thanh", "truyền hình", "phóng viên",
             "thi đua lao động sản xuất", "ngân sách", "thuế", "hồ sơ", "sản xuất kinh doanh",
             "nhà máy", "dây chuyền", "mỏ", "công đoàn", "trực tuyến", "phần mềm",
             "chuyển đổi số", "tiết kiệm điện")),
        (1, ("đơn vị", "ngành", "cơ quan", "dịch vụ", "kỹ thuật", "sáng kiến", "chi phí")),
    ],
}
# fmt: on


@dataclass(frozen=True)
class Campaign:
    """One campaign of ``campaigns.toml``."""

    code: str
    name: str = ""
    hints: tuple[str, ...] = ()


def load_campaigns(path: str | Path) -> list[Campaign]:
    """Read ``campaigns.toml``; an entry without a code is a :class:`ConfigError`."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError("classifiers.campaigns_file", f"cannot read {p}: {err}") from err
    out = []
    for i, entry in enumerate(data.get("campaign", [])):
        code = str(entry.get("code", "")).strip()
        if not code:
            raise ConfigError("classifiers.campaigns_file", f"{p}: campaign #{i + 1} has no code")
        out.append(
            Campaign(
                code, str(entry.get("name", "")), tuple(str(h) for h in entry.get("hints", ()))
            )
        )
    return out


@dataclass(frozen=True)
class Vocabulary:
    """Weighted terms per campaign: the built-in list plus the configured hints (weight 3)."""

    terms: Mapping[str, tuple[tuple[str, float], ...]]

    @classmethod
    def build(cls, campaigns: Iterable[Campaign] = ()) -> Vocabulary:
        merged: dict[str, dict[str, tuple[str, float]]] = {}
        for code, groups in _VOCABULARY.items():
            slot = merged.setdefault(code, {})
            for weight, words in groups:
                for w in words:
                    slot.setdefault(_toned_key(w), (w, float(weight)))
        for c in campaigns:
            slot = merged.setdefault(c.code, {})
            for h in c.hints:
                slot[_toned_key(h)] = (h, max(3.0, slot.get(_toned_key(h), (h, 0.0))[1]))
        return cls({code: tuple(words.values()) for code, words in merged.items()})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.terms)

    @functools.cached_property
    def lexicon(self) -> Lexicon:
        """Every campaign's terms compiled into one lexicon: one pass finds them all."""
        return Lexicon(term for terms in self.terms.values() for term, _ in terms)

    @functools.cached_property
    def _ranks(self) -> dict[str, dict[str, tuple[int, float]]]:
        """Per campaign: term -> (rank, weight), rank 0 for its longest term."""
        out: dict[str, dict[str, tuple[int, float]]] = {}
        for code, terms in self.terms.items():
            longest_first = sorted(terms, key=lambda tw: -len(tw[0]))
            out[code] = {t: (i, w) for i, (t, w) in enumerate(longest_first)}
        return out

    @functools.cached_property
    def _owners(self) -> dict[str, tuple[str, ...]]:
        owners: dict[str, list[str]] = {}
        for code, terms in self.terms.items():
            for term, _ in terms:
                owners.setdefault(term, []).append(code)
        return {t: tuple(c) for t, c in owners.items()}

    def campaigns_of(self, terms: Iterable[str]) -> dict[str, list[str]]:
        """The found terms grouped by the campaigns that use them."""
        out: dict[str, list[str]] = {}
        owners = self._owners
        for term in terms:
            for code in owners.get(term, ()):
                out.setdefault(code, []).append(term)
        return out

    def ranked(self, code: str, terms: Iterable[str]) -> list[str]:
        """``terms`` of campaign ``code``, longest first."""
        ranks = self._ranks[code]
        return sorted(terms, key=lambda t: ranks[t][0])

    def weight(self, code: str, term: str) -> float:
        return self._ranks[code][term][1]


_DEFAULT_VOCABULARY = Vocabulary.build()

# ---------------------------------------------------------------------------------------
# Unit priors

# The field a unit usually writes about. Units not listed fall back to their group; a
# district writes about everything, so it has no prior.
UNIT_PRIORS: dict[str, str] = {
    "so-giao-duc": "giao-duc",
    "so-y-te": "suc-khoe",
    "so-nong-nghiep": "nong-thon-moi",
    "so-lao-dong": "nong-thon-moi",
    "ban-dan-toc": "nong-thon-moi",
    "hoi-nong-dan": "nong-thon-moi",
    "mttq": "nong-thon-moi",
    "so-du-lich": "du-lich",
    "so-van-hoa": "du-lich",
    "so-xay-dung": "van-minh-do-thi",
    "so-tai-nguyen": "van-minh-do-thi",
    "tinh-doan": "thanh-nien",
    "hoi-cuu-chien-binh": "quoc-phong-an-ninh",
    "truong-chinh-tri": "hoc-tap-bac-ho",
}
GROUP_PRIORS: dict[str, str] = {
    "armed-forces": "quoc-phong-an-ninh",
    "school": "giao-duc",
    "enterprise": FALLBACK,
    "media": FALLBACK,
    "department": FALLBACK,
}


def unit_prior(unit_code: str | None = None, unit_group: str | None = None) -> str | None:
    """The campaign the sending unit usually serves, or None (districts, unknown units)."""
    if unit_code and unit_code in UNIT_PRIORS:
        return UNIT_PRIORS[unit_code]
    if unit_group:
        return GROUP_PRIORS.get(unit_group)
    return None


# ---------------------------------------------------------------------------------------
# Rule scoring


@dataclass(frozen=True)
class CampaignScore:
    """A campaign with the rules' confidence (0..1), raw score and the terms that matched."""

    code: str
    confidence: float
    score: float
    evidence: tuple[dict[str, Any], ...] = ()  # core.evidence items


def _to_confidence(score: float) -> float:
    return 1.0 - math.exp(-score / SCORE_SCALE)


def _consumed(
    found: Mapping[str, list[int]], vocab: Vocabulary, toned: bool
) -> dict[str, dict[str, int]]:
    """Per campaign, how often each of its terms matched once longer terms of the same
    campaign have taken their syllables (a campaign's own terms never double count)."""
    out: dict[str, dict[str, int]] = {}
    for code, terms in vocab.campaigns_of(found.keys()).items():
        taken: set[int] = set()
        counts: dict[str, int] = {}
        for term in vocab.ranked(code, terms):
            n = len(phrase_key(term, toned))
            c = 0
            for start in found[term]:
                span = range(start, start + n)
                if taken.isdisjoint(span):
                    taken.update(span)
                    c += 1
            if c:
                counts[term] = c
        out[code] = counts
    return out


def rule_scores(
    title: str,
    text: str,
    *,
    unit_code: str | None = None,
    unit_group: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[CampaignScore]:
    """Score every campaign, best first.

    A term's contribution is ``weight * (1 + ln(count))`` in the body, plus
    ``weight * TITLE_FACTOR`` when the title has it: repeating a word rewards an article
    that dwells on a subject, with diminishing returns. Within a campaign the longest terms
    match first and consume their syllables ("điểm trường" is not also "trường").
    ``don-vi`` also receives what the others lack: when the best campaign is below
    :data:`CONVINCING`, the fallback's confidence rises to meet it.
    """
    vocab = vocabulary or _DEFAULT_VOCABULARY
    title_w, body_w = analyse(title, text)
    lexicon = vocab.lexicon
    in_title = _consumed(lexicon.find(title_w), vocab, title_w.toned)
    in_body = _consumed(lexicon.find(body_w), vocab, body_w.toned)
    prior = unit_prior(unit_code, unit_group)
    raw: list[tuple[str, float, list[dict[str, Any]]]] = []
    for code in vocab.terms:
        score = 0.0
        evidence: list[tuple[float, dict[str, Any]]] = []
        t_counts, b_counts = in_title.get(code, {}), in_body.get(code, {})

        for term in vocab.ranked(code, t_counts.keys() | b_counts.keys()):
            weight = vocab.weight(code, term)
            n_title, n_body = t_counts.get(term, 0), b_counts.get(term, 0)
            part = 0.0
            if n_title:
                part += weight * TITLE_FACTOR
            if n_body:
                part += weight * (1.0 + math.log(n_body))
            score += part
            found = item(EK.TERM, term=term, in_title=bool(n_title), count=n_body or None)
            evidence.append((part, found))
        if prior == code:
            score += PRIOR_SCORE
            evidence.append((PRIOR_SCORE, item(EK.UNIT_PRIOR, unit=unit_code or unit_group)))
        evidence.sort(key=lambda e: -e[0])
        raw.append((code, score, [e[1] for e in evidence[:6]]))

    best_score = max((s for _, s, _ in raw), default=0.0)
    scores = {}
    for code, s, ev in raw:
        # A campaign far behind the best one is a setting, not a subject: its confidence
        # shrinks with the ratio below DOMINATED (the best keeps its own).
        ratio = s / best_score if best_score else 0.0
        conf = _to_confidence(s) * min(1.0, ratio / DOMINATED)
        scores[code] = CampaignScore(code, conf, s, tuple(ev))
    best_other = max((s.confidence for c, s in scores.items() if c != FALLBACK), default=0.0)
    fb = scores.get(FALLBACK, CampaignScore(FALLBACK, 0.0, 0.0))
    if best_other < CONVINCING and prior is not None and prior != FALLBACK and prior in scores:
        # Nothing in the text decides, so the unit's usual field is the best guess.
        p = scores[prior]
        p_ev = (*p.evidence, item(EK.NOTHING_CONVINCING, best=round(best_other, 2)))
        scores[prior] = CampaignScore(prior, max(p.confidence, 0.5), p.score, p_ev)
    elif best_other < CONVINCING:
        lifted = max(fb.confidence, 0.5 + (CONVINCING - best_other))
        fb_ev = (*fb.evidence, item(EK.NO_CAMPAIGN_CONVINCING, best=round(best_other, 2)))
        scores[FALLBACK] = CampaignScore(FALLBACK, min(lifted, 0.95), fb.score, fb_ev)
    return sorted(scores.values(), key=lambda s: (-s.confidence, s.code))


def select(
    scores: Sequence[CampaignScore], threshold: float = RULE_THRESHOLD
) -> list[CampaignScore]:
    """The campaigns the rules alone would propose: the best, plus strong runners-up."""
    ranked = sorted(scores, key=lambda s: -s.confidence)
    if not ranked:
        return [CampaignScore(FALLBACK, 0.5, 0.0, (item(EK.NO_VOCABULARY),))]
    best = ranked[0]
    out = [best]
    for s in ranked[1:]:
        if s.code == FALLBACK:
            continue  # the fallback is never a second campaign
        if s.confidence >= threshold:
            out.append(s)
    return out


# ---------------------------------------------------------------------------------------
# The tagger


@dataclass
class CampaignTagger:
    """Campaign tags from rules, plus the learned model when one is given.

    Settings read from ``ClassifyContext.settings`` (all optional):

    ``unit_code`` / ``unit_group``
        the sending unit, as the unit tagger found it: adds the unit's usual field as prior.
    ``campaign_vocabulary``
        a :class:`Vocabulary` built from the configured campaigns (overrides ``vocabulary``).
    ``campaign_model``
        a loaded :class:`~dienhinh.classifiers.model.CampaignModel` (overrides ``model``).

    With a model, each campaign's score is the mean of the rule confidence and the model
    probability, and every campaign reaching :data:`COMBINED_THRESHOLD` is proposed;
    campaigns the model never learned keep their rule confidence. Without a model the rules
    decide (:func:`select`). At least one campaign is always proposed, best first.
    """

    name: ClassVar[str] = "campaign"
    level: ClassVar[str] = "article"

    model: CampaignModel | None = None
    vocabulary: Vocabulary = field(default_factory=lambda: _DEFAULT_VOCABULARY)
    threshold: float = COMBINED_THRESHOLD

    @classmethod
    def from_campaigns(
        cls, campaigns: Iterable[Campaign], model: CampaignModel | None = None
    ) -> CampaignTagger:
        return cls(model=model, vocabulary=Vocabulary.build(campaigns))

    def classify(self, article: ArticleDraft, ctx: ClassifyContext) -> list[TagSuggestion]:
        settings: Mapping[str, Any] = ctx.settings
        return self.suggest(
            article.title,
            "\n\n".join(p for p in (article.lead, article.text) if p),
            unit_code=settings.get("unit_code"),
            unit_group=settings.get("unit_group"),
            model=settings.get("campaign_model", self.model),
            vocabulary=settings.get("campaign_vocabulary"),
        )

    def suggest(
        self,
        title: str,
        text: str,
        *,
        unit_code: str | None = None,
        unit_group: str | None = None,
        model: CampaignModel | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> list[TagSuggestion]:
        scores = rule_scores(
            title,
            text,
            unit_code=unit_code,
            unit_group=unit_group,
            vocabulary=vocabulary or self.vocabulary,
        )
        model = model if model is not None else self.model
        if model is None:
            return [
                TagSuggestion(
                    "campaign", s.code, round(s.confidence, 3), list(s.evidence), self.name
                )
                for s in select(scores)
            ]
        probs = model.predict(f"{title}\n\n{text}")
        combined: list[tuple[float, str, list[dict[str, Any]]]] = []
        for s in scores:
            evidence = list(s.evidence)
            if s.code in probs:
                p = probs[s.code]
                value = (s.confidence + p) / 2
                evidence.append(item(EK.MODEL, p=round(p, 2)))
            else:
                value = s.confidence
            combined.append((value, s.code, evidence))
        combined.sort(key=lambda c: -c[0])
        chosen = [c for c in combined if c[0] >= self.threshold] or combined[:1]
        if len(chosen) > 1:
            chosen = [c for c in chosen if c[1] != FALLBACK] or chosen[:1]
        return [
            TagSuggestion("campaign", code, round(value, 3), evidence, self.name)
            for value, code, evidence in chosen
        ]
