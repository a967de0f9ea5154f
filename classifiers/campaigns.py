"""Campaign tagger: which emulation campaigns (phong trào thi đua) an article serves.

Two sources of evidence are combined in :class:`CampaignTagger`:

* **rules** (this module): weighted Vietnamese vocabulary per campaign, seeded from the
  ``hints`` of ``campaigns.toml`` and extended with general words of each field, matched on
  whole syllables; a match in the title counts :data:`TITLE_FACTOR` times, one in the lead
  :data:`LEAD_FACTOR` times more than one in the body. What the article is about decides,
  not what it mentions: a campaign *named* (its movement, programme or slogan, wherever the
  article says so) is proposed even when the body dwells on another field; a field known
  only from one paragraph, or only from typical words while another field is named, is the
  story's setting and is not. The sending unit's usual field (Sở Y tế → suc-khoe, Biên
  phòng → quoc-phong-an-ninh) adds a prior. Rules need nothing but the standard library.
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

import bisect
import functools
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from dienhinh.classifiers.base import ClassifyContext, TagSuggestion
from dienhinh.classifiers.scan import (
    WORD,
    Lexicon,
    Words,
    analyse,
    phrase_key,
    text_split,
    toned_syllable,
)
from dienhinh.core.errors import ConfigError
from dienhinh.core.evidence import EvidenceKind as EK
from dienhinh.core.evidence import item
from dienhinh.core.text import collapse_ws, fold, nfc
from dienhinh.core.types import ArticleDraft

if TYPE_CHECKING:
    from dienhinh.classifiers.decision import CampaignDecision
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
# The lead (the first paragraph, or two when the first is a heading shorter than
# LEAD_WORDS) says what the article is about, like the title, a little less tersely.
LEAD_FACTOR = 2.0
LEAD_WORDS = 25
LEAD_PARAGRAPHS = 2
# A sapo is a few sentences: past this many words a first paragraph is the body (a text
# typed without blank lines is one paragraph).
LEAD_MAX_WORDS = 100
# A paragraph counts for a campaign when one of its terms there weighs this much (a
# typical term, not two common words), and in the body's length when it has this many
# words (not a caption, a byline).
PARAGRAPH_WEIGHT = 2.0
SUBSTANTIVE_WORDS = 12
# A campaign found in at most one paragraph of a body this long, and neither named nor in
# the title or lead, is the story's setting (a border commune, the ward's clean streets).
SETTING_PARAGRAPHS = 3
PASSING = 0.3
# Beside a campaign whose field is named, another needs one term of this weight (one
# that names its field): typical words alone describe the setting.
STRONG_WEIGHT = 3.0
# Confidence of a campaign named in the title or lead, and named in the body only.
NAMED_IN_LEAD = 0.9
NAMED_IN_BODY = 0.7
# Most a NAME_REQUIRED campaign reaches without its name.
UNNAMED = 0.3
# Most any campaign's shown confidence reaches unless the article names it (its movement's
# name, :data:`_NAMES`): words typical of a field are evidence of what an article is about,
# never proof (a border-defence phrase in a new-rural story); certainty (0.9 and above)
# is kept for a campaign the article names. Applied to what is shown, after the ranking.
UNNAMED_MAX = 0.85
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

_WORD = WORD  # as scan.analyse splits words
_PARAGRAPH = re.compile(r"\n\s*\n")


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
             "cây trồng", "vật nuôi", "hiến đất", "bê tông hóa",
             "trang trại", "gia trại", "nông sản", "khuyến nông", "thu nhập bình quân",
             "ngân hàng chính sách", "vay vốn", "xã viên", "kinh tế hộ", "dưới tán rừng",
             "xuất chuồng", "giống mới", "cánh đồng", "nước sạch", "nhà tiêu hợp vệ sinh",
             # The programme's works: bridges, canals, the labour villagers give.
             "đường bản", "đường nội đồng", "đường quê", "hỗ trợ xi măng", "ngày công",
             "góp công", "cầu dân sinh", "cầu treo", "kênh mương", "thủy lợi",
             "nhà văn hóa thôn", "đường nội thôn", "đường liên thôn", "đường liên xã",
             "đường thôn", "đường bê tông", "cứng hóa", "kiên cố hóa")),
        # Its roads, built by the State and the villagers together (the programme's
        # transport criterion), named as such: they name the field as "hộ nghèo" does.
        (3, ("giao thông nông thôn", "đường giao thông nông thôn", "hạ tầng nông thôn",
             "nhân dân cùng làm")),
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
        # ĐVTN / ĐTN: the usual short forms of "đoàn viên thanh niên" / "Đoàn thanh niên"
        # (the latter also typed without its Đ); the Youth Union of a commune or ward.
        (3, ("ĐVTN", "DVTN")),
        (2, ("ĐTN", "DTN", "Đoàn xã", "Đoàn phường", "liên chi đoàn",
             "tình nguyện viên", "Tỉnh đoàn", "huyện đoàn", "thành đoàn", "bí thư chi đoàn",
             "xung kích", "mùa hè xanh", "thanh niên xung phong", "9X", "8X", "chàng trai",
             "cô gái", "trẻ tuổi", "người trẻ", "lập nghiệp", "ý tưởng", "startup",
             "hiến máu", "đội hình", "tuổi đôi mươi", "sinh năm 199", "bạn trẻ",
             "công trình thanh niên")),
        (1, ("trẻ", "mạng xã hội", "facebook", "internet", "livestream", "bán hàng online")),
    ],
    "quoc-phong-an-ninh": [
        # "tự quản" alone is any self-managed work (a flower road, a street): only its
        # security forms name this field.
        (3, ("biên giới", "an ninh trật tự", "quốc phòng", "cột mốc", "tự quản đường biên",
             "tổ an ninh tự quản", "tự quản về an ninh trật tự", "biên phòng",
             "đồn biên phòng", "bộ đội biên phòng", "đường biên", "dân quân",
             "bảo vệ an ninh tổ quốc", "an ninh", "công an", "công an xã")),
        (2, ("mốc giới", "tuần tra", "tội phạm", "ma túy", "trộm cắp",
             "buôn bán người", "xuất cảnh trái phép", "di cư tự do", "tà đạo", "tự vệ",
             "quân sự", "bộ đội", "chiến sĩ", "quân hàm xanh", "sĩ quan", "tổ an ninh",
             "camera", "nguồn tin", "trật tự an toàn xã hội", "bình yên",
             "diễn tập", "huấn luyện", "nghĩa vụ quân sự", "tòng quân", "hòa giải",
             "tổ quốc", "kẻ gian", "tố giác", "thiếu tá", "đại úy",
             "trung tá", "thượng úy", "trung úy", "thiếu úy", "đồn", "súng")),
        # A veteran's past is who he is, not what the story is about.
        (1, ("cựu chiến binh", "tự quản", "tranh chấp", "mâu thuẫn", "phạm pháp", "vi phạm",
             "đêm", "gác")),
        # Where a place is ("xã biên giới Bản Lầu", "vùng biên"): these take the syllables of
        # "biên giới" and weigh almost nothing, so a border commune's story is not about defence.
        (0.5, ("xã biên giới", "huyện biên giới", "thôn biên giới", "bản biên giới",
               "vùng biên giới", "vùng cao biên giới", "khu vực biên giới", "địa bàn biên giới",
               "tỉnh biên giới", "vùng biên")),
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
        (1, ("thị trấn", "thị xã", "phố", "thành phố", "đường phố", "hoa", "sạch", "đẹp",
             "vệ sinh")),
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

# The campaign itself named: the plan's words for the movement, its programme or slogan.
# Unit mail names the movement an exemplar belongs to ("điển hình trong học tập và làm
# theo ...", "góp phần vào phong trào xây dựng nông thôn mới", "nhân tố mới trong Năm trật
# tự văn minh đô thị"), mostly in the lead or the commendation that closes the article; a
# field's ordinary words (biên giới, rác, lúa) only describe where the story happens. A
# named campaign is proposed even when the body dwells on another field.
_NAMES: dict[str, tuple[str, ...]] = {
    "nong-thon-moi": ("nông thôn mới", "NTM", "giảm nghèo bền vững"),
    "giao-duc": ("dạy tốt, học tốt", "trường học thân thiện", "học sinh tích cực",
                 "chất lượng giáo dục", "đổi mới giáo dục"),
    "suc-khoe": ("y đức", "sức khỏe nhân dân", "lương y như từ mẫu"),
    "thanh-nien": ("thanh niên làm chủ", "thanh niên khởi nghiệp", "thanh niên tình nguyện"),
    "quoc-phong-an-ninh": ("bảo vệ an ninh Tổ quốc", "quốc phòng toàn dân",
                           "biên phòng toàn dân", "tự quản đường biên"),
    "du-lich": ("Năm Du lịch Quốc gia", "du lịch cộng đồng"),
    "van-minh-do-thi": ("văn minh đô thị", "trật tự đô thị", "đô thị văn minh",
                        "tuyến phố văn minh"),
    # Hồ Chí Minh's example is named by the Directive, the movement's title or a reference
    # to "Bác" and his teaching ("lời Bác dạy", "noi theo tấm gương Bác Hồ"). "Bác" is
    # also how one addresses any elder ("theo lời bác Sáng") and starts "bác sĩ": a term
    # written with "Bác" matches only a capitalised Bác (:func:`_proper_only`).
    "hoc-tap-bac-ho": ("làm theo tư tưởng", "đạo đức phong cách Hồ Chí Minh", "Chỉ thị 05",
                       "05-CT/TW", "học tập và làm theo", "tư tưởng Hồ Chí Minh",
                       "phong cách Hồ Chí Minh", "làm theo lời Bác",
                       "làm theo Bác", "học Bác", "học tập Bác", "theo gương Bác", "gương Bác",
                       "gương của Bác", "Bác Hồ", "Bác Hồ dạy", "lời Bác", "lời Bác dạy",
                       "Bác dạy", "lời dạy của Bác", "điều Bác Hồ dạy"),
}
# Names that quote rather than name the movement: "như Bác Hồ dạy", "lời dạy của Bác" open
# or close many portraits as rhetoric. In the body they name the campaign only when the
# article quotes them twice or more; in the title or lead, always.
_QUOTES: dict[str, frozenset[str]] = {
    "hoc-tap-bac-ho": frozenset(
        ("Bác Hồ", "Bác Hồ dạy", "lời Bác", "lời Bác dạy", "Bác dạy", "lời dạy của Bác",
         "điều Bác Hồ dạy")
    ),
}
QUOTED_NAMES_IN_BODY = 2
# A campaign whose field words fit every exemplar (đạo đức, gương mẫu, tận tụy, đảng
# viên): only its name tells it from an article that merely praises someone.
NAME_REQUIRED = frozenset({"hoc-tap-bac-ho"})
# Field words that count only where the article shows the campaign's setting: clean roads,
# flowers and rubbish collection in a village serve the rural campaign's environment
# criterion; the urban campaign needs a town, a ward or a street.
_ANCHORS: dict[str, frozenset[str]] = {
    "van-minh-do-thi": frozenset(
        ("đô thị", "phường", "tổ dân phố", "thị trấn", "thị xã", "thành phố", "phố",
         "tuyến phố", "khu phố", "đường phố", "vỉa hè", "lòng đường")
    ),
}
# Terms with a word that must be capitalised in the text: term -> that word's offsets.
_PROPER: dict[str, tuple[int, ...]] = {
    t: offs
    for groups in (_VOCABULARY["hoc-tap-bac-ho"], [(3, _NAMES["hoc-tap-bac-ho"])])
    for _, terms in groups
    for t in terms
    if (offs := tuple(i for i, w in enumerate(_WORD.findall(t)) if w == "Bác"))
}
# Names of other movements that contain a campaign's words without being that campaign:
# the Fatherland Front's "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh" is
# neither the rural nor the urban campaign by itself. Their syllables match nothing.
_MASKS: tuple[str, ...] = ("nông thôn mới, đô thị văn minh",)
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
    """Weighted terms per campaign: the built-in list plus the configured hints (weight 3
    when the list does not have them).

    ``names`` are the terms that name a campaign itself (they are terms of weight 3 too);
    ``masks`` are other movements' names whose syllables count for no campaign.
    """

    terms: Mapping[str, tuple[tuple[str, float], ...]]
    names: Mapping[str, frozenset[str]] = field(default_factory=dict)
    masks: tuple[str, ...] = ()

    @classmethod
    def build(cls, campaigns: Iterable[Campaign] = ()) -> Vocabulary:
        merged: dict[str, dict[str, tuple[str, float]]] = {}
        names: dict[str, set[str]] = {}
        for code, groups in _VOCABULARY.items():
            slot = merged.setdefault(code, {})
            for weight, words in groups:
                for w in words:
                    slot.setdefault(_toned_key(w), (w, float(weight)))
        for code, phrases in _NAMES.items():
            slot = merged.setdefault(code, {})
            for n in phrases:
                key = _toned_key(n)
                slot[key] = (slot.get(key, (n, 0.0))[0], 3.0)
                names.setdefault(code, set()).add(key)
        for c in campaigns:
            slot = merged.setdefault(c.code, {})
            for h in c.hints:
                # A hint the built-in list already weighs keeps that weight: the list tells
                # "tự quản" alone (any self-managed work) from "tự quản đường biên".
                slot.setdefault(_toned_key(h), (h, 3.0))
        return cls(
            {code: tuple(words.values()) for code, words in merged.items()},
            {code: frozenset(merged[code][k][0] for k in keys) for code, keys in names.items()},
            _MASKS,
        )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.terms)

    @functools.cached_property
    def lexicon(self) -> Lexicon:
        """Every campaign's terms (and the masks) compiled into one lexicon: one pass finds
        them all (and the subject and kind rules' terms, ``scan.ride``)."""
        return Lexicon(
            [term for terms in self.terms.values() for term, _ in terms] + list(self.masks),
            host=True,
        )

    def names_campaign(self, code: str, term: str) -> bool:
        return term in self.names.get(code, ())

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

    @functools.cached_property
    def owner_sets(self) -> dict[str, frozenset[str]]:
        """Per term, the campaigns that use it (``_owners`` as sets)."""
        return {t: frozenset(c) for t, c in self._owners.items()}

    def campaigns_of(self, terms: Iterable[str]) -> dict[str, list[str]]:
        """The found terms grouped by the campaigns that use them."""
        out: dict[str, list[str]] = {}
        owners = self._owners
        for term in terms:
            for code in owners.get(term, ()):
                out.setdefault(code, []).append(term)
        return out

    @functools.cached_property
    def _rank_of(self) -> dict[str, dict[str, int]]:
        """Per campaign: term -> rank (``_ranks`` without the weight)."""
        return {code: {t: r for t, (r, _) in ranks.items()} for code, ranks in self._ranks.items()}

    def ranked(self, code: str, terms: Iterable[str]) -> list[str]:
        """``terms`` of campaign ``code``, longest first."""
        return sorted(terms, key=self._rank_of[code].__getitem__)

    def weight(self, code: str, term: str) -> float:
        return self._ranks[code][term][1]


@functools.cache
def _default_vocabulary() -> Vocabulary:
    """The built-in vocabulary, built on first use (not at import: a process that never
    tags, the console or the poller, never pays for it)."""
    return Vocabulary.build()


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
    # What the article's structure decided, which a learned model does not overrule:
    # NAMED (the article names the campaign) or SETTING (only passing or setting words).
    held: str = ""
    # Where its words stand, for the fitted decision (decision.py): how many of its terms
    # the title and the lead carry, their count in the rest, where a name of it was found
    # ("lead", "body" or ""), and whether the sending unit usually serves it.
    title_terms: int = 0
    lead_terms: int = 0
    body_count: int = 0
    named: str = ""
    prior: bool = False


NAMED = "named"
SETTING = "setting"


@functools.cache
def _syllables(term: str, toned: bool) -> int:
    """How many syllables a vocabulary term spans in a matching mode (``phrase_key``'s
    length), worked out once per term: the rules ask for each term found in each text."""
    return len(phrase_key(term, toned))


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
            n = _syllables(term, toned)
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


@dataclass(frozen=True)
class _Layout:
    """Where an article's paragraphs lie in its word sequence."""

    starts: tuple[int, ...]  # index of each paragraph's first word
    head: int  # paragraphs [0, head) are the lead ...
    head_end: int  # ... up to this word: a text without blank lines is not all lead
    skipped: frozenset[int]  # paragraphs repeating an earlier one
    body_paragraphs: int  # substantive paragraphs after the lead
    substantive: tuple[bool, ...]  # per paragraph: long enough to count as one


def _layout(text: str) -> _Layout:
    """Split ``text`` into paragraphs (blank lines) and find its lead: the first paragraph,
    with the next one when the first is only a heading (a name, a label) of fewer than
    :data:`LEAD_WORDS` words."""
    starts: list[int] = []
    sizes: list[int] = []
    skipped: set[int] = set()
    text = nfc(text)
    # Each paragraph's words, counted in the text's one split (``analyse`` made it): a run
    # of words never crosses a blank line, so the words starting inside a paragraph are
    # its own.
    split = text_split(text)
    word_starts = split.ends()[::2]
    text_words = split.words
    # Paragraphs with the same words (their spans): two of them are one paragraph handed
    # in twice when their text, spacing apart, is the same too; only those are compared.
    same_words: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    pos = 0
    at = 0
    for i, m in enumerate([*_PARAGRAPH.finditer(text), None]):
        end = m.start() if m is not None else len(text)
        n = bisect.bisect_left(word_starts, end, pos) - pos
        starts.append(pos)
        sizes.append(n)
        if n:
            earlier = same_words.setdefault(text_words[pos : pos + n], [])
            if earlier:
                key = collapse_ws(text[at:end])
                if any(collapse_ws(text[a:b]) == key for a, b in earlier):
                    skipped.add(i)  # the lead handed in twice (its field, then the text)
            earlier.append((at, end))
        pos += n
        at = m.end() if m is not None else end
    head, words, taken, head_end = 0, 0, 0, pos
    rest = list(sizes)  # words of each paragraph outside the lead
    for i, n in enumerate(sizes):
        if taken == LEAD_PARAGRAPHS or (taken and words >= LEAD_WORDS):
            break
        head = i + 1
        if n and i not in skipped:
            if words + n > LEAD_MAX_WORDS and head_end == pos:
                head_end = starts[i] + max(0, LEAD_MAX_WORDS - words)
            rest[i] = max(0, starts[i] + n - head_end) if head_end < pos else 0
            words += n
            taken += 1
    if head_end == pos and head < len(starts):
        head_end = starts[head]
    body = [n for i, n in enumerate(rest) if i not in skipped]
    return _Layout(
        tuple(starts),
        head,
        head_end,
        frozenset(skipped),
        sum(n >= SUBSTANTIVE_WORDS for n in body),
        tuple(n >= SUBSTANTIVE_WORDS for n in rest),
    )


def _proper_only(found: dict[str, list[int]], words: Words) -> dict[str, list[int]]:
    """``found`` without the matches of a term written with "Bác" (Hồ Chí Minh) where the
    text has a lower-case "bác" (an elder, "bác sĩ"). Capitals in a title in capitals, and
    a text typed in lower case throughout, give no clue: those keep their matches."""
    if not any(w[:1].isupper() for w in words.words[:200]) or not any(
        w[:1].islower() for w in words.words[:200]
    ):
        return found
    for term in [t for t in found if t in _PROPER]:
        offsets = _PROPER[term]
        kept = [s for s in found[term] if all(words.words[s + k][:1].isupper() for k in offsets)]
        if kept:
            found[term] = kept
        else:
            del found[term]
    return found


def _unmasked(found: dict[str, list[int]], vocab: Vocabulary, toned: bool) -> dict[str, list[int]]:
    """``found`` without the matches that fall inside another movement's name (masks)."""
    spans = [(s, s + _syllables(m, toned)) for m in vocab.masks for s in found.pop(m, ())]
    if not spans:
        return found
    out: dict[str, list[int]] = {}
    for term, starts in found.items():
        n = _syllables(term, toned)
        kept = [s for s in starts if all(s + n <= a or s >= b for a, b in spans)]
        if kept:
            out[term] = kept
    return out


# A term of this many syllables or more takes its syllables from the shorter terms of
# other campaigns inside it: "học tập và làm theo" (the Hồ Chí Minh movement) is not also
# "học" (education), "an toàn giao thông" not also "an toàn" elsewhere.
CONTAINER_SYLLABLES = 3


def _longest_across(
    found: dict[str, list[int]], vocab: Vocabulary, toned: bool
) -> dict[str, list[int]]:
    """``found`` without the matches that lie inside a longer phrase of another campaign
    (longest match across campaigns; within one campaign ``_consumed`` does the same)."""
    owners = vocab.owner_sets
    # The long phrases by the syllables they cover (few, and short): a match is looked up
    # at its start only.
    cover: dict[int, list[tuple[int, int, frozenset[str]]]] = {}
    for term, starts in found.items():
        n = _syllables(term, toned)
        if n >= CONTAINER_SYLLABLES:
            codes = owners.get(term, frozenset())
            for a in starts:
                for i in range(a, a + n):
                    cover.setdefault(i, []).append((a, a + n, codes))
    if not cover:
        return found
    out: dict[str, list[int]] = {}
    for term, starts in found.items():
        codes = owners.get(term)
        if not codes or cover.keys().isdisjoint(starts):
            out[term] = starts
            continue
        n = _syllables(term, toned)
        kept = [
            s
            for s in starts
            if not any(
                a <= s and s + n <= b and b - a > n and c.isdisjoint(codes)
                for a, b, c in cover.get(s, ())
            )
        ]
        if kept:
            out[term] = kept
    return out


@dataclass
class _Found:
    """One campaign's matches by zone: title, lead and each body paragraph."""

    title: dict[str, int] = field(default_factory=dict)
    lead: dict[str, int] = field(default_factory=dict)
    body: dict[str, int] = field(default_factory=dict)
    paragraphs: int = 0  # substantive body paragraphs where the campaign is more than a word


def _by_zone(
    title_found: dict[str, list[int]],
    text_found: dict[str, list[int]],
    layout: _Layout,
    vocab: Vocabulary,
    toned: tuple[bool, bool],
) -> dict[str, _Found]:
    out: dict[str, _Found] = {}
    for code, counts in _consumed(title_found, vocab, toned[0]).items():
        out.setdefault(code, _Found()).title = counts
    per_paragraph: dict[int, dict[str, list[int]]] = {}
    for term, starts in text_found.items():
        for s in starts:
            i = bisect.bisect_right(layout.starts, s) - 1
            if i not in layout.skipped:
                lead = i < layout.head and s < layout.head_end
                zone = -1 if lead else i  # -1: the lead, as one zone
                per_paragraph.setdefault(zone, {}).setdefault(term, []).append(s)
    for zone, found in per_paragraph.items():
        for code, counts in _consumed(found, vocab, toned[1]).items():
            f = out.setdefault(code, _Found())
            if zone == -1:
                f.lead = counts
                continue
            for term, n in counts.items():
                f.body[term] = f.body.get(term, 0) + n
            weight = max(vocab.weight(code, t) for t in counts)
            if layout.substantive[zone] and weight >= PARAGRAPH_WEIGHT:
                f.paragraphs += 1
    return out


@dataclass
class _Standing:
    """Where a campaign's evidence lies, which decides whether it is a subject."""

    named: str = ""  # "lead" (title or lead), "body" or "": where a name of it was found
    head: float = 0.0  # weight of its terms in the title and lead
    paragraphs: int = 0  # substantive body paragraphs carrying it
    strong: bool = False  # one of its terms of weight 3 (that names its field) was found
    anchored: bool = True  # its setting (_ANCHORS) was found, or it needs none
    title_terms: int = 0  # its terms in the title
    lead_terms: int = 0  # its terms in the lead
    body_count: int = 0  # its terms' count in the rest

    def passing(self, body_paragraphs: int) -> bool:
        """Nothing in the title or lead, at most one paragraph of a longer body."""
        return (
            self.head < PARAGRAPH_WEIGHT
            and body_paragraphs >= SETTING_PARAGRAPHS
            and self.paragraphs <= 1
        )


# A recital: the sentence that frames an article by the programmes it carries out ("Thực
# hiện Chỉ thị 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ
# Chí Minh ...", "Hưởng ứng phong trào ...", "Gắn với cuộc vận động ..."). When it lists
# two campaigns or more, it is the frame every article of a propaganda office opens and
# closes with, not what this one is about: their words there count for nothing. The
# frame's words, up to the sentence's end or RECITAL_WORDS words after its opening verb.
_RECITAL = re.compile(
    r"(?:^|(?<=[.!?;:\n]))[\s\-\u2013\u2022*]*"
    r"(?:Thực hiện|Hưởng ứng|Triển khai|Quán triệt|Tiếp tục đẩy mạnh|Gắn với|Cùng với|"
    r"Trong không khí|Với tinh thần|Thấm nhuần|Thuc hien|Huong ung|Trien khai|Quan triet|"
    r"Tiep tuc day manh|Gan voi|Cung voi|Trong khong khi|Voi tinh than|Tham nhuan)\b"
    r"[^.!?;\n]*",
    re.IGNORECASE,
)
RECITAL_WORDS = 80


def _without_recitals(
    text: str, found: dict[str, list[int]], vocab: Vocabulary
) -> dict[str, list[int]]:
    """``found`` (word offsets in ``text``'s split) without the matches inside recitals
    that name two campaigns or more (a list of programmes is a frame; one programme
    recited is what the article carries out)."""
    if not found:
        return found
    spans: list[tuple[int, int]] = []
    word_starts: list[int] | None = None
    text = nfc(text)
    for m in _RECITAL.finditer(text):
        if word_starts is None:
            word_starts = text_split(text).ends()[::2]
        lo = bisect.bisect_left(word_starts, m.start())
        hi = min(bisect.bisect_left(word_starts, m.end()), lo + RECITAL_WORDS)
        named = {
            code
            for term, starts in found.items()
            if any(lo <= s < hi for s in starts)
            for code in vocab.owner_sets.get(term, ())
            if vocab.names_campaign(code, term)
        }
        if len(named) >= 2:
            spans.append((lo, hi))
    if not spans:
        return found
    out: dict[str, list[int]] = {}
    for term, starts in found.items():
        kept = [s for s in starts if not any(lo <= s < hi for lo, hi in spans)]
        if kept:
            out[term] = kept
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

    What the article is about is said in its title and lead; the body also describes the
    setting. A term's contribution is ``weight * TITLE_FACTOR`` when the title has it,
    ``weight * LEAD_FACTOR`` when the lead (the first paragraph, or two when the first is
    a heading) has it, and ``weight * (1 + ln(count))`` for its count in the rest: repeating
    a word rewards an article that dwells on a subject, with diminishing returns. Within a
    campaign the longest terms match first and consume their syllables ("điểm trường" is
    not also "trường").

    Then, by where the evidence lies:

    * a campaign *named* (:data:`_NAMES`) in the title or lead is proposed
      (:data:`NAMED_IN_LEAD`), named only in the body it still is (:data:`NAMED_IN_BODY`:
      the commendation names the movement an exemplar belongs to);
    * a campaign known only from one paragraph of a longer body, with nothing in the title
      or lead, is a setting, not a subject (:data:`PASSING`), even when it scores best;
    * so is one known only from typical words (no term of :data:`STRONG_WEIGHT`) while
      another campaign's field is named or strongly present;
    * :data:`NAME_REQUIRED` campaigns are never proposed unnamed, nor campaigns whose
      setting (:data:`_ANCHORS`: a town for the urban campaign) the article lacks;
    * ``don-vi`` receives what the others lack: when the best campaign is below
      :data:`CONVINCING`, the fallback's (or the unit's usual field's) confidence rises.
    """
    vocab = vocabulary or _default_vocabulary()
    title_w, body_w = analyse(title, text)
    lexicon = vocab.lexicon
    layout = _layout(text)
    zones = _by_zone(
        _longest_across(
            _unmasked(_proper_only(lexicon.find(title_w), title_w), vocab, title_w.toned),
            vocab,
            title_w.toned,
        ),
        _longest_across(
            _unmasked(
                _without_recitals(text, _proper_only(lexicon.find(body_w), body_w), vocab),
                vocab,
                body_w.toned,
            ),
            vocab,
            body_w.toned,
        ),
        layout,
        vocab,
        (title_w.toned, body_w.toned),
    )
    body_paragraphs = layout.body_paragraphs
    prior = unit_prior(unit_code, unit_group)
    raw: list[tuple[str, float, _Standing, list[dict[str, Any]]]] = []
    for code in vocab.terms:
        f = zones.get(code, _Found())
        score = 0.0
        st = _Standing(paragraphs=f.paragraphs)
        evidence: list[tuple[float, dict[str, Any]]] = []
        found = f.title.keys() | f.lead.keys() | f.body.keys()
        quoted = 0
        quotes = _QUOTES.get(code, frozenset())
        anchors = _ANCHORS.get(code)
        st.anchored = anchors is None or not anchors.isdisjoint(found)
        for term in vocab.ranked(code, found):
            weight = vocab.weight(code, term)
            st.strong = st.strong or weight >= STRONG_WEIGHT
            n_body = f.body.get(term, 0)
            st.title_terms += term in f.title
            st.lead_terms += term in f.lead
            st.body_count += n_body
            top = weight * (TITLE_FACTOR * (term in f.title) + LEAD_FACTOR * (term in f.lead))
            part = top + (weight * (1.0 + math.log(n_body)) if n_body else 0.0)
            score += part
            if top:
                st.head += weight
            names = vocab.names_campaign(code, term)
            if names and (term in f.title or term in f.lead):
                st.named = "lead"
            elif names and term in quotes:
                quoted += n_body
            elif names and not st.named:
                st.named = "body"
            found_item = item(
                EK.TERM,
                term=term,
                in_title=term in f.title,
                in_lead=(term in f.lead) or None,
                count=n_body or None,
                names=names or None,
            )
            evidence.append((part + 100.0 * names, found_item))
        if not st.named and quoted >= QUOTED_NAMES_IN_BODY:
            st.named = "body"
        if prior == code:
            score += PRIOR_SCORE
            evidence.append((PRIOR_SCORE, item(EK.UNIT_PRIOR, unit=unit_code or unit_group)))
        evidence.sort(key=lambda e: -e[0])
        raw.append((code, score, st, [e[1] for e in evidence[:6]]))

    best_score = max((r[1] for r in raw), default=0.0)
    strong = {code for code, _, st, _ in raw if st.strong or st.named}
    scores = {}
    for code, s, st, ev in raw:
        # A campaign far behind the best one is a setting, not a subject: its confidence
        # shrinks with the ratio below DOMINATED (the best keeps its own).
        ratio = s / best_score if best_score else 0.0
        conf = _to_confidence(s) * min(1.0, ratio / DOMINATED)
        held = NAMED if st.named else ""
        if not st.named:
            if code in NAME_REQUIRED or not st.anchored:
                conf, held = min(conf, UNNAMED), SETTING
            elif code != FALLBACK and not st.strong and strong - {code}:
                # Typical words only, while another campaign's field is named: the story's
                # setting, even when its words are many (a training class for the poor).
                conf, held = min(conf, PASSING), SETTING
            elif st.passing(body_paragraphs):
                conf, held = min(conf, PASSING), SETTING
        if st.named == "lead":
            conf = max(conf, NAMED_IN_LEAD)
        elif st.named == "body":
            conf = max(conf, NAMED_IN_BODY)
        scores[code] = CampaignScore(
            code,
            conf,
            s,
            tuple(ev),
            held if s else "",
            st.title_terms,
            st.lead_terms,
            st.body_count,
            st.named,
            prior == code,
        )
    best_other = max((s.confidence for c, s in scores.items() if c != FALLBACK), default=0.0)
    fb = scores.get(FALLBACK, CampaignScore(FALLBACK, 0.0, 0.0))
    if best_other < CONVINCING and prior is not None and prior != FALLBACK and prior in scores:
        # Nothing in the text decides, so the unit's usual field is the best guess.
        p = scores[prior]
        p_ev = (*p.evidence, item(EK.NOTHING_CONVINCING, best=round(best_other, 2)))
        scores[prior] = replace(p, confidence=max(p.confidence, 0.5), evidence=p_ev)
    elif best_other < CONVINCING:
        lifted = max(fb.confidence, 0.5 + (CONVINCING - best_other))
        fb_ev = (*fb.evidence, item(EK.NO_CAMPAIGN_CONVINCING, best=round(best_other, 2)))
        scores[FALLBACK] = replace(fb, confidence=min(lifted, 0.95), evidence=fb_ev, held="")
    return sorted(scores.values(), key=lambda s: (-s.confidence, s.code))


def word_count(text: str) -> int:
    """About how many words ``text`` has (spaces and line breaks, counted in C): the
    campaign decision's ``length`` signal, computed the same way when fitting and tagging."""
    return text.count(" ") + text.count("\n") + 1 if text else 0


def select(
    scores: Sequence[CampaignScore], threshold: float = RULE_THRESHOLD
) -> list[CampaignScore]:
    """The campaigns the rules alone would propose: the best, plus strong runners-up.
    ``don-vi`` (the unit's own movement) is proposed only when no provincial campaign is:
    never as a runner-up, and a best ``don-vi`` gives way to provincial runners-up."""
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
    if len(out) > 1 and best.code == FALLBACK:
        out = out[1:]
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
    ``campaign_decision``
        a loaded :class:`~dienhinh.classifiers.decision.CampaignDecision` (overrides
        ``decision``): weights fitted on labelled mail turn the rules' signals into each
        campaign's probability, which stands for the rules' confidence below.

    With a model, each campaign's score is the mean of the rule confidence and the model
    probability (never below the rules' for a named campaign, never above it for a passing
    one), and every campaign reaching :data:`COMBINED_THRESHOLD` is proposed;
    campaigns the model never learned keep their rule confidence. Without a model the decision
    chooses (every campaign at its threshold, else the most probable), or without one the
    rules (:func:`select`). At least one campaign is always proposed, best first.
    """

    name: ClassVar[str] = "campaign"
    level: ClassVar[str] = "article"

    model: CampaignModel | None = None
    vocabulary: Vocabulary = field(default_factory=_default_vocabulary)
    decision: CampaignDecision | None = None
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
            decision=settings.get("campaign_decision", self.decision),
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
        decision: CampaignDecision | None = None,
    ) -> list[TagSuggestion]:
        scores = rule_scores(
            title,
            text,
            unit_code=unit_code,
            unit_group=unit_group,
            vocabulary=vocabulary or self.vocabulary,
        )
        model = model if model is not None else self.model
        decision = decision if decision is not None else self.decision
        if decision is not None:
            probs = decision.probabilities(scores, word_count(text))
            if model is None:
                evidence = {s.code: s.evidence for s in scores}
                return [
                    TagSuggestion(
                        "campaign", code, round(probs[code], 3), list(evidence[code]), self.name
                    )
                    for code in decision.choose(probs)
                ]
            scores = [replace(s, confidence=probs.get(s.code, s.confidence)) for s in scores]
        if model is None:
            return [
                TagSuggestion(
                    "campaign",
                    s.code,
                    round(_shown(s, s.confidence), 3),
                    list(s.evidence),
                    self.name,
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
                # The model reads words, not where they stand: it cannot drop a campaign
                # the article names, nor raise one the article only passes through.
                if s.held == NAMED:
                    value = max(value, s.confidence)
                elif s.held == SETTING:
                    value = min(value, s.confidence)
            else:
                value = s.confidence
            combined.append((value, s.code, evidence, s))
        combined.sort(key=lambda c: -c[0])
        chosen = [c for c in combined if c[0] >= self.threshold] or combined[:1]
        if len(chosen) > 1:
            chosen = [c for c in chosen if c[1] != FALLBACK] or chosen[:1]
        return [
            TagSuggestion("campaign", code, round(_shown(s, value), 3), evidence, self.name)
            for value, code, evidence, s in chosen
        ]


def _shown(score: CampaignScore, confidence: float) -> float:
    """The confidence shown for a proposed campaign: at most :data:`UNNAMED_MAX` unless
    the article names it."""
    return confidence if score.held == NAMED else min(confidence, UNNAMED_MAX)
