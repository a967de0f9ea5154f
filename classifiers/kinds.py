"""Subject type and kind taggers: who the article is about, and what sort of example it is.

``subject_type``: ``ca-nhan`` (one person), ``ho-gia-dinh`` (a household, a couple),
``tap-the`` (a collective: cooperative, school, team, post, village, company).
``kind``: ``mo-hinh-moi`` (a new model: a way of working or producing), ``nhan-to-moi``
(a new factor: a young or novel actor or initiative), ``dien-hinh-tien-tien`` (an
exemplary person or collective: the default).

Both are rules. The title says whom the article is about most reliably, usually in its
first words ("Cô giáo Đặng Thị Huyền ...", "Gia đình anh ...", "Hợp tác xã ...", "Mô hình
..."), so the title's head weighs most, then the rest of the title, then the body, where
one name repeated ("anh Sành ... anh Sành") marks a portrait. Names are found by their
capitals after a title word (anh, bà, bác sĩ, Thiếu tá ...); a title in capitals still
has its words, only not its names. Matching goes through :mod:`~.scan` (one tokenisation
shared with the other taggers, one pass per vocabulary), so text typed without diacritics
works too.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from dienhinh.classifiers.base import ClassifyContext, TagSuggestion
from dienhinh.classifiers.scan import Lexicon, Words, analyse, ride, text_split
from dienhinh.core.evidence import EvidenceKind as EK
from dienhinh.core.evidence import item
from dienhinh.core.names import FOLDED_SURNAMES, SURNAMES
from dienhinh.core.text import fold, fold_in_place, nfc, strip_diacritics
from dienhinh.core.types import ArticleDraft

__all__ = [
    "KIND_VALUES",
    "SUBJECT_VALUES",
    "KindTagger",
    "SubjectTypeTagger",
    "headline",
    "kind",
    "kind_parts",
    "learn_weights",
    "subject_parts",
    "subject_type",
]

SUBJECT_VALUES = ("ca-nhan", "tap-the", "ho-gia-dinh")
Evidence = dict[str, Any]  # a core.evidence item
KIND_VALUES = ("dien-hinh-tien-tien", "mo-hinh-moi", "nhan-to-moi")

# Who an exemplar article is about, and what kind of example it is, is settled in its
# opening: the rules read the title and this many words of the text (about 3,000
# characters; the rest of a long article only costs time).
OPENING_WORDS = 550
OPENING_CHARS = 3000

# fmt: off
# Words that stand before one person's name, or name one person on their own.
_PERSON = (
    "anh", "chị", "ông", "bà", "cô", "thầy", "em", "cụ", "chú", "bác", "đồng chí",
    "cô giáo", "thầy giáo", "nhà giáo", "bác sĩ", "y sĩ", "y tá", "điều dưỡng", "dược sĩ",
    "lương y", "nghệ nhân", "kỹ sư", "kỹ thuật viên", "thiếu úy", "trung úy", "thượng úy",
    "đại úy", "thiếu tá", "trung tá", "thượng tá", "đại tá", "chiến sĩ", "cựu chiến binh",
    "già làng", "trưởng thôn", "trưởng bản", "bí thư", "chủ tịch", "phó chủ tịch",
    "phóng viên", "công nhân", "dân quân", "nông dân", "giám đốc", "hiệu trưởng",
    "tổ trưởng", "cô đỡ", "cán bộ", "công chức", "kế toán", "lễ tân", "hướng dẫn viên",
    "đoàn viên", "hội viên", "đảng viên", "học sinh", "sinh viên", "thợ", "người thợ",
    "nữ", "chàng trai", "cô gái", "chàng", "nàng", "lão nông", "người mẹ", "người cha",
    "người phụ nữ", "người đàn ông", "người thầy", "người lính", "người", "9X", "8X",
    "doanh nhân", "nhà báo", "thủ lĩnh", "nữ sinh", "nam sinh", "trung đội trưởng",
    "tiểu đội trưởng", "thôn đội trưởng", "trưởng công an", "chỉ huy trưởng",
    "già", "giảng viên", "giáo viên", "thạc sĩ", "tiến sĩ", "nhân viên", "y sỹ", "nghệ sĩ",
    "thượng sĩ", "trung sĩ", "hạ sĩ", "chủ nhiệm", "kiến trúc sư", "luật sư",
    "trợ giúp viên", "hòa giải viên", "kiểm lâm viên", "công an viên", "chuyên viên",
    "thanh tra viên", "công chứng viên", "nhà khoa học", "kiểm soát viên",
)
# Words a title opens with when it is about a household.
_HOUSEHOLD = (
    "gia đình", "hộ gia đình", "hộ", "vợ chồng", "hai vợ chồng", "nhà anh", "nhà chị",
    "nhà ông", "nhà bà", "ba thế hệ", "cả nhà", "hai anh em", "mẹ con", "bố con", "cha con",
)
# A household named after its head: "gia đình anh Chảo Láo Sành".
_HOUSEHOLD_NAMED = tuple(
    f"{lead} {who}"
    for lead in ("gia đình", "hộ", "hộ gia đình", "vợ chồng", "nhà", "hai vợ chồng")
    for who in ("anh", "chị", "ông", "bà", "cô", "thầy", "thầy giáo", "cô giáo", "chú", "bác",
                "anh chị", "ông bà")
)
# Organisation head nouns.
_COLLECTIVE = (
    "hợp tác xã", "HTX", "tổ hợp tác", "tổ dân phố", "tổ", "chi đoàn", "chi hội", "chi bộ",
    "đoàn thanh niên", "đoàn", "trường", "đồn biên phòng", "đồn", "câu lạc bộ", "CLB",
    "đội", "công an xã", "công an", "trạm y tế", "trạm", "bệnh viện", "trung tâm y tế",
    "khoa", "phòng", "ban", "thôn", "bản", "xã", "phường", "thị trấn", "hội", "công ty",
    "điện lực", "trung tâm", "tập thể", "nhóm", "cơ quan", "lực lượng", "ngành", "chi cục",
    "công đoàn", "làng", "khu dân cư", "ban quản lý", "đảng bộ", "tiểu đội", "trung đội",
    "lớp", "thư viện", "tuyến phố", "cánh đồng", "doanh nghiệp", "nhà máy", "người dân",
    "bà con", "nhân dân", "phụ nữ", "thanh niên", "các hộ", "những người", "những hộ",
    "chợ", "dòng họ", "bộ phận", "xưởng",
    # Offices, crews and firms: "Hạt Quản lý đường bộ số 3", "Thanh tra Sở Xây dựng",
    # "Khách sạn Sương Sớm", "Kíp vận hành", "Đại đội 2".
    "hạt", "thanh tra", "khách sạn", "nhà hàng", "kho bạc", "chi nhánh", "ngân hàng",
    "bưu điện", "viện", "tòa án", "viện kiểm sát", "ban quản lý dự án", "BQLDA", "xí nghiệp",
    "tập đoàn", "đài", "đại đội", "tiểu đoàn", "trung đoàn", "kíp", "ê kíp", "liên đội",
    "đơn vị", "văn phòng", "ủy ban", "UBND", "đảng ủy", "huyện đoàn", "tỉnh đoàn",
    "thành đoàn", "hợp tác",
)
# Plural heads: "Cán bộ, chiến sĩ Đồn ...", "Thầy và trò ..." (a title's head only; "Những"
# alone says nothing: "Những mùa thảo quả của người nông dân" is one farmer's).
_PLURAL_HEADS = (
    "cán bộ, chiến sĩ", "cán bộ chiến sĩ", "thầy và trò", "thầy trò", "chị em", "các chị",
    "các anh", "anh chị em",
    # "Những đoàn viên thanh niên ở chốt ...", "Các cô giáo bản ...": people, in the plural.
    *(f"{many} {who}" for many in ("những", "các") for who in _PERSON if who != "người"),
)  # fmt: skip
_COLLECTIVE_BODY = (
    "tập thể", "các thành viên", "thành viên", "tổ viên", "xã viên", "hội viên",
    "cán bộ chiến sĩ", "cán bộ, chiến sĩ", "các hộ", "người lao động", "các đoàn viên",
    "các chị em", "bà con",
)
_HOUSEHOLD_BODY = (
    "gia đình anh", "gia đình chị", "gia đình ông", "gia đình bà", "gia đình tôi",
    "vợ chồng", "hai vợ chồng", "anh chị", "ông bà", "cả nhà", "cả gia đình", "hộ gia đình",
    "ba thế hệ", "con trai", "con gái", "các con", "con cháu",
)
# The fields of an achievement report's form ("báo cáo thành tích" of a person, a
# collective or a household), as units fill them in: "Họ và tên: ...", "Tên tập thể: ...",
# "Chủ hộ: ...". A form says outright whom it is about.
_FORM_FIELDS = (
    ("họ và tên", "ca-nhan"), ("họ tên", "ca-nhan"), ("ngày sinh", "ca-nhan"),
    ("năm sinh", "ca-nhan"), ("sinh năm", "ca-nhan"), ("thành tích cá nhân", "ca-nhan"),
    ("tên tập thể", "tap-the"), ("tên đơn vị", "tap-the"), ("số thành viên", "tap-the"),
    ("thành tích tập thể", "tap-the"), ("tổng số cán bộ", "tap-the"),
    ("chủ hộ", "ho-gia-dinh"), ("thành tích hộ gia đình", "ho-gia-dinh"),
)
# fmt: on


def _all_caps(text: str) -> bool:
    letters = list(filter(str.isalpha, text))
    return bool(letters) and sum(map(str.isupper, letters)) > 0.8 * len(letters)


def _decide(
    scores: dict[str, float], evidence: dict[str, list[Evidence]], default: str
) -> tuple[str, float, list[Evidence]]:
    total = sum(max(s, 0.0) for s in scores.values())
    best = max(scores, key=lambda k: (scores[k], k == default))
    if scores[best] <= 0:
        return default, 0.4, [item(EK.DEFAULT)]
    share = scores[best] / total
    strength = min(1.0, scores[best] / 6.0)
    confidence = round(0.3 + 0.65 * share * (0.5 + 0.5 * strength), 3)
    return best, confidence, evidence[best][:6]


# One cue's points for one value: (value, points, evidence shown, or None, cue). Rules
# return their parts; the decision sums them, each times its learned weight (1.0 unless
# editors' corrections moved it, see :func:`learn_weights`).
Part = tuple[str, float, "Evidence | None", str]
Weights = Mapping[str, float]


def cue_of(why: Evidence) -> str:
    """The cue an evidence item stands for: its kind, and its phrase when that is a word
    of the vocabulary (not a year, an age or a name)."""
    phrase = str(why.get("phrase") or "")
    if phrase and not any(map(str.isdigit, phrase)):
        return f"{why['kind']}:{phrase}"
    return str(why["kind"])


def _part(value: str, points: float, why: Evidence) -> Part:
    return (value, points, why, cue_of(why))


def _weighed(
    parts: Iterable[Part], values: tuple[str, ...], weights: Weights | None
) -> tuple[dict[str, float], dict[str, list[Evidence]]]:
    scores = dict.fromkeys(values, 0.0)
    ev: dict[str, list[Evidence]] = {k: [] for k in values}
    for value, points, why, cue in parts:
        scores[value] += points * (weights.get(f"{value}|{cue}", 1.0) if weights else 1.0)
        if why is not None:
            ev[value].append(dict(why))
    return scores, ev


def learn_weights(
    examples: Iterable[tuple[tuple[Part, ...], str]],
    values: tuple[str, ...],
    default: str,
    *,
    epochs: int = 8,
    rate: float = 0.15,
    bounds: tuple[float, float] = (0.3, 3.0),
) -> dict[str, float]:
    """Per-cue weights from examples an editor confirmed: (the rule's parts, the right
    value). A perceptron over the cues: when the weighed rule picks a wrong value, each
    cue that spoke for the right one grows by ``rate`` and each that spoke for the wrong
    one shrinks, within ``bounds``. Only weights that moved are returned (key
    "value|cue"). Cheap: the rules run once per example, the epochs only re-add."""
    data = list(examples)
    w: dict[str, float] = {}
    low, high = bounds
    for _ in range(epochs):
        wrong = 0
        for parts, truth in data:
            scores, _ = _weighed(parts, values, w)
            got = max(scores, key=lambda k: (scores[k], k == default))
            if got == truth:
                continue
            wrong += 1
            for value, points, _why, cue in parts:
                key = f"{value}|{cue}"
                if points > 0 and value == truth:
                    w[key] = min(high, w.get(key, 1.0) * (1 + rate))
                elif points > 0 and value == got:
                    w[key] = max(low, w.get(key, 1.0) * (1 - rate))
        if not wrong:
            break
    return {k: round(v, 4) for k, v in w.items() if abs(v - 1.0) > 1e-9}


# ---------------------------------------------------------------------------------------
# Subject type


# A title that is the mail's subject line, not the article's headline: "Gửi bài viết điển
# hình quý II/2020", "bai nhan to moi thang 9", "V/v gửi bài", "Báo X gửi bài giới thiệu
# ...". It says little about whom the article is about; the article's own headline, when
# the text opens with one, is read as the title instead (see :func:`headline`).
_MAIL_SUBJECT = re.compile(
    r"^(?:(?:fw|fwd|tr|re)\s*:\s*)*(?:v/v\b|ve viec\b|bai\b|tin bai\b|gui\b)"
    r"|\bgui (?:bai|tin)\b|\bbai viet\b"
    r"|\bgioi thieu (?:guong |bai |tin )?(?:dien hinh|nhan to|mo hinh|guong)"
    # A periodic submission: "điển hình tiên tiến quý III/2021", "nhân tố mới tháng 5".
    r"|\b(?:dien hinh|tien tien|nhan to moi|mo hinh moi) (?:quy|thang|nam|dot)\b"
    r"|^\W*(?:tin|bai)\W"
)
# A headline is a short line with no closing punctuation among the text's first lines.
_HEADLINE_LINES = 4
_HEADLINE_WORDS = (4, 32)


@functools.lru_cache(maxsize=64)
def headline(title: str, text: str) -> str:
    """The title the rules read: ``title``, unless it is a mail subject line and the text
    opens with a headline of its own (a short line without closing punctuation within
    its first lines; a chat header "[08:41] X:" or a masthead "BÁO · mục · ngày" is
    skipped). Cached: both rules ask for it, the kind rule twice."""
    if not _MAIL_SUBJECT.search(fold(title)):
        return title
    seen = 0
    for raw in text[:OPENING_CHARS].split("\n"):
        line = raw.strip()
        if not line:
            continue
        seen += 1
        if seen > _HEADLINE_LINES:
            break
        if line.endswith((".", ":", ";", ",", "!", "?")) or any(c in line for c in "·|[]"):
            continue
        low, high = _HEADLINE_WORDS
        if low <= len(line.split()) <= high and line[0].isalpha():
            return line
    return title


_TOKEN = re.compile(r"\w+|[^\w\s]")
_fold_word = functools.lru_cache(maxsize=16384)(fold)


def _full_names(text: str) -> Counter[str]:
    """Mentions of people named without a title word, by given name: a run of three or
    four capitalised words (punctuation ends a run) from a family name on ("Giàng A Chư",
    "Anh Chu Xá Phứ" from "Chu"), then the given name on its own ("Chư vay vốn ..."),
    unless the word is also an ordinary word of the text, written in lower case elsewhere
    ("Sinh", "Năm").

    Read where it can be: the runs of three or more words holding a capital
    (``_CAPITALISED_RUN``, one regular-expression pass) are the only places a name of
    three words can be, and each name found is then looked for on its own. Every token
    is read (:func:`_full_names_of_tokens`) when the text holds a character past U+1FFF
    that is a word character or has a case ("Ⓐ": a capitalised token of its own)."""
    if _WIDE.search(text) and any(map(_odd_wide, set(_WIDE.findall(text)))):
        return _full_names_of_tokens(text)
    given: Counter[str] = Counter()
    for m in _CAPITALISED_RUN.finditer(text):
        start = m.start()  # a capital: the word may open with word characters of no case
        while start and _word_char(text[start - 1]):
            start -= 1
        if _place_before(text[max(0, start - 12) : start].split()[-1:]):
            continue  # "thôn Lả Dì Thàng", "suối Nậm Chăn": a place, not a person
        w = text[start : m.end()].split()
        cap = list(map(str.istitle, w))
        _names_in_runs(w, cap, [False, *map(operator.and_, cap, cap[1:]), False], given)
    if not given:
        return given
    for name in list(given):
        for at in _token_starts(name, text):
            if not _capitalised_before(text, at) and not _capitalised_after(text, at + len(name)):
                given[name] += 1
    # A name also written in lower case is an ordinary word: its lower case is a token
    # of the text (a word: the lower case of a word is never a punctuation mark), and is
    # lower case.
    return Counter(
        {
            g: c
            for g, c in given.items()
            if not ((low := g.lower()).islower() and _is_token(low, text))
            and fold(g) not in _PEOPLES
        }
    )


# Peoples' names that end a capitalised run ("Tả Van Giáy", "bản Hà Nhì"): a village or a
# people, not a person's given name (the ambiguous ones, "Thái", "Hoa", are names too).
_PEOPLES = frozenset(fold(n) for n in ("Mông", "Hmông", "Dao", "Tày", "Nùng", "Giáy", "Nhì"))


def _full_names_of_tokens(text: str) -> Counter[str]:
    """:func:`_full_names`, every token of the text read."""
    w = _TOKEN.findall(text)
    cap = list(map(str.istitle, w))  # a capital then lower case (names.capitalised), in C
    given: Counter[str] = Counter()
    # Consecutive tokens both capitalised (a punctuation token of the first U+2000
    # characters never is).
    link = [False, *map(operator.and_, cap, cap[1:]), False]
    _names_in_runs(w, cap, link, given)
    if not given:
        return given
    for k in list(itertools.compress(range(len(w)), map(given.__contains__, w))):
        if not link[k] and not link[k + 1]:
            given[w[k]] += 1
    tokens = set(w)
    return Counter(
        {
            g: c
            for g, c in given.items()
            if not ((low := g.lower()) in tokens and low.islower()) and fold(g) not in _PEOPLES
        }
    )


def _names_in_runs(
    w: Sequence[str], cap: list[bool], link: list[bool], given: Counter[str]
) -> None:
    """Count in ``given`` the given name of each run of capitalised words ``w`` holding a
    full name: ``cap`` tells the capitalised words, ``link[i]`` whether words ``i - 1``
    and ``i`` are both capitalised and adjacent (``link[0]``, ``link[len(w)]`` False)."""
    n = len(w)
    # The runs of capitalised words: each starts at one not linked to the one before
    # (cap > link: True after False) and ends before one not linked to it, found in C. A
    # run of one or two words (most: a sentence's first word) holds no name of three.
    runs = zip(
        itertools.compress(range(n), map(operator.gt, cap, link)),
        itertools.compress(range(1, n + 1), map(operator.gt, cap, link[1:])),
        strict=True,
    )
    for i, j in runs:
        if j - i < 3:
            continue
        start = next((k for k in range(i, j) if _fold_word(w[k]) in FOLDED_SURNAMES), j)
        if 3 <= j - start <= 4 and not (start and _place_before(w[start - 1 : start])):
            given[w[j - 1]] += 1


# Words before a place's name: a run of capitalised words after them names a village, a
# stream, a pass, not a person ("thôn Lả Dì Thàng", "đèo Khau Co").
_PLACE_WORDS = frozenset(
    (
        "thôn", "bản", "xã", "làng", "suối", "sông", "núi", "đèo", "đồi", "dốc", "phường",
        "huyện", "tỉnh", "phố", "chợ", "cầu", "khe", "động", "hồ", "thác", "cửa", "đỉnh",
    )
)  # fmt: skip


def _place_before(word: Sequence[str]) -> bool:
    """Whether the one word in ``word`` (an empty list: none) stands before a place."""
    return bool(word) and word[0].lower() in _PLACE_WORDS


# A capitalised word (str.istitle) holds an upper-case or title-case letter; below U+2000
# these are the characters of _CAPITALS.
_CAPITALS = "".join(c for c in map(chr, range(0x2000)) if c.isupper() or c.istitle())
_CAP_WORD = rf"[^\W{_CAPITALS}]*[{_CAPITALS}]\w*"
# Three or more words holding a capital, with only spaces between them: where a run of
# capitalised words of three or more (a full name) can be. It opens with a capital (the
# search then skips to the next one in C); no capital stands before it in its first word,
# or the match would open there.
_CAPITALISED_RUN = re.compile(rf"[{_CAPITALS}]\w*(?:\s+{_CAP_WORD}){{2,}}")
# Characters past U+1FFF, but for the General Punctuation and Currency Symbols blocks
# (dashes, quotes, ellipses, "₫"), which hold no word character and nothing with a case.
_WIDE = re.compile(r"[^\x00-\u206f\u20a0-\u20cf]")
_WORD_ONLY = re.compile(r"\w+")


@functools.lru_cache(maxsize=1024)
def _odd_wide(ch: str) -> bool:
    """A character past U+1FFF that _CAPITALISED_RUN cannot read as _TOKEN does: a word
    character, or one with a case (a punctuation token that is capitalised)."""
    return ch.isalnum() or ch == "_" or ch.istitle()


def _capitalised_before(text: str, at: int) -> bool:
    """Whether the token before position ``at`` (a word's start) is a capitalised word."""
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    if i < 0 or not _word_char(text[i]):
        return False  # nothing, or a punctuation token
    j = i
    while j > 0 and _word_char(text[j - 1]):
        j -= 1
    return text[j : i + 1].istitle()


def _capitalised_after(text: str, at: int) -> bool:
    """Whether the token after position ``at`` (a word's end) is a capitalised word."""
    n = len(text)
    i = at
    while i < n and text[i].isspace():
        i += 1
    if i == n or not _word_char(text[i]):
        return False
    j = i
    while j < n and _word_char(text[j]):
        j += 1
    return text[i:j].istitle()


def _token_starts(word: str, text: str) -> Iterator[int]:
    """Where ``word`` (word characters) stands in ``text`` as a token of its own."""
    n, end = len(word), len(text)
    at = text.find(word)
    while at >= 0:
        after = at + n
        if (at == 0 or not _word_char(text[at - 1])) and (
            after == end or not _word_char(text[after])
        ):
            yield at
        at = text.find(word, at + 1)


def _is_token(word: str, text: str) -> bool:
    """Whether ``word`` is one of the text's tokens (a whole run of word characters)."""
    return bool(_WORD_ONLY.fullmatch(word)) and next(_token_starts(word, text), None) is not None


_CAPS_HEAD = re.compile(r"^\W*((?:\w+ ){2,3}\w+)\s*[,:\-–(]")


# Middle names that follow a family name in a full name ("CHU THỊ SÉ", "LÒ VĂN THƯỢNG",
# "VÀNG SEO LỬ", "GIÀNG A CHƯ"): in a title in capitals, where case cannot show a name.
_MIDDLE_LIST = ("Thị", "Văn", "Seo", "A", "Mí", "Sao", "Đình", "Đức", "Hữu", "Ngọc", "Xuân")
# Compared with their tone marks when the title has them ("TỔ CÔNG AN" is a team, "TÔ
# CÔNG ..." a name), folded when it is typed without.
_TONED_NAMES = (
    frozenset(nfc(n).lower() for n in SURNAMES),
    frozenset(nfc(n).lower() for n in _MIDDLE_LIST),
)
_FOLDED_NAMES = (FOLDED_SURNAMES, frozenset(fold(n) for n in _MIDDLE_LIST))


def _inner_name(title: str) -> tuple[str, int]:
    """A full name inside a title, read without help from case (a title in capitals: "NHÂN
    TỐ MỚI: ĐOÀN VIÊN CHU THỊ SÉ - ..."):
    a family name, a middle name and one more word; (the name, how many words come before
    it) or ("", -1)."""
    title = nfc(title)
    marked = fold(title) != title.lower()
    (surnames, middles), key = (_TONED_NAMES, str.lower) if marked else (_FOLDED_NAMES, fold)
    toks = _TOKEN.findall(title)
    words = 0
    for i in range(len(toks) - 2):
        if not toks[i][0].isalnum():
            continue
        if key(toks[i]) in surnames and key(toks[i + 1]) in middles and toks[i + 2][0].isalpha():
            return " ".join(toks[i : i + 3]).title(), words
        words += 1
    return "", -1


def _caps_name(title: str) -> str:
    """The full name a title in capitals opens with, before a comma, colon or dash
    ("GIÀNG A CHƯ - ..."): three or four words from a family name; else ""."""
    m = _CAPS_HEAD.match(title)
    if m and fold(m.group(1).split()[0]) in FOLDED_SURNAMES:
        return m.group(1).title()
    return ""


# Names without a title word are looked for in this much of the text (a portrait
# repeats its subject's name from the first paragraphs on).
NAMES_CHARS = 2000
# What the lead (the text's first words) says the article is about: a model run by a
# collective ("Đồn Biên phòng X triển khai mô hình ...", "42 chị em ... lập tổ hợp tác"),
# or a household named by its head ("vợ chồng ông X").
LEAD_WORDS = 70
_LEAD_COLLECTIVE = Lexicon(
    (
        "mô hình", "cách làm mới", "tổ hợp tác", "tự quản", "các hộ", "hộ dân", "mỗi hộ",
        "chị em", "cả thôn", "cả bản", "người dân", "tiểu thương",
    )
)  # fmt: skip


# "người Hà Nhì", "người Mông" in a title name a people, not a person.
_TITLE_PERSON = tuple(x for x in _PERSON if x != "người")
# Collective head nouns that are also plain place names ("xã Bản Lầu").
_PLACES = ("xã", "thôn", "bản", "phường", "thị trấn", "làng")


def _title_words(title: str) -> Words:
    """The title's words in its own writing mode: a subject typed without diacritics
    over a body with them is matched folded (each on its own keys)."""
    return analyse(title, "")[0]


def subject_type(
    title: str, text: str, weights: Weights | None = None
) -> tuple[str, float, list[Evidence]]:
    """(value, confidence, evidence) for who the article is about; ``weights`` are cue
    weights learned from editors' corrections (:func:`learn_weights`)."""
    scores, ev = _weighed(subject_parts(title, text), SUBJECT_VALUES, weights)
    return _decide(scores, ev, "tap-the")


@functools.lru_cache(maxsize=32)
def _subject_type(title: str, text: str) -> tuple[str, float, list[Evidence]]:
    """The unweighed subject, cached: the kind rule asks for it again."""
    return subject_type(title, text)


@functools.lru_cache(maxsize=32)
def subject_parts(title: str, text: str) -> tuple[Part, ...]:
    """What each subject cue of the article gives each value."""
    # The body's words are keyed on the mail's own title, as the campaign tagger reads
    # them (one tokenisation per article), whatever title the rules read.
    b = analyse(title, text)[1].opening(OPENING_WORDS)
    _, body_counts = _counts(title, text)
    title = headline(title, text)
    t = _title_words(title)
    lead = b.opening(LEAD_WORDS)
    parts: list[Part] = []

    def add(value: str, points: float, why: Evidence) -> None:
        parts.append(_part(value, points, why))

    caps = _all_caps(title)
    inner, before = _inner_name(title)
    if caps and _caps_name(title):
        # "THÀO THỊ SÚ, CÔ GÁI MÔNG ...": a headline in capitals opening with a full name.
        add("ca-nhan", 5, item(EK.TITLE_NAMES, phrase="", name=_caps_name(title)))
    elif caps and inner:
        # "NHÂN TỐ MỚI: ĐOÀN VIÊN CHU THỊ SÉ - ...", "THANH NIÊN VÀNG SEO LỬ KHỞI NGHIỆP".
        add("ca-nhan", 5, item(EK.TITLE_NAMES, phrase="", name=inner))
    # The title's head.
    head_household = t.starts_with(_HOUSEHOLD)
    head_person = t.starts_with(_PERSON)
    head_org = t.starts_with(_COLLECTIVE) or t.starts_with(_PLURAL_HEADS)
    if head_org and 0 <= before - len(head_org.split()) <= 1:
        # "THANH NIÊN VÀNG SEO LỬ", "Thanh niên Mông Giàng A Lử": a person's role (and
        # people) right before the name
        head_org = None
    if head_household:
        add("ho-gia-dinh", 8, item(EK.TITLE_OPENS, phrase=head_household))
    elif head_person and (not head_org or len(head_person) >= len(head_org)):
        add("ca-nhan", 7, item(EK.TITLE_OPENS, phrase=head_person))
    elif head_org:
        add("tap-the", 6, item(EK.TITLE_OPENS, phrase=head_org))
    elif t.starts_with(("mô hình", "cách làm", "phong trào")):
        add("tap-the", 3, item(EK.TITLE_OPENS_MODEL))
    titled_person = bool(head_person or head_household or inner or (caps and _caps_name(title)))

    # Names and organisations elsewhere in the title.
    if not caps:
        for p, name in t.names_after(_HOUSEHOLD_NAMED):
            add("ho-gia-dinh", 4, item(EK.TITLE_NAMES, phrase=p, name=name))
            break
        if not head_household:
            # "người Hà Nhì", "người Mông" name a people, not a person.
            named = t.names_after(_TITLE_PERSON)[:1] or [("", n) for n in _full_names(title)]
            # A title word and a name ("bà Nhung"), or a full name without a title word
            # ("Thào Thị Sú, cô gái Mông ..."), once.
            for p, name in named[:1]:
                add("ca-nhan", 3, item(EK.TITLE_NAMES, phrase=p, name=name))
                titled_person = True
        for p, name in t.names_after(_COLLECTIVE, acronyms=True):
            if p not in _PLACES:
                add("tap-the", 2, item(EK.TITLE_NAMES, phrase=p, name=name))
                break

    # The lead: a household named by its head, a model run by a collective.
    for p, name in lead.names_after(_HOUSEHOLD_NAMED):
        add("ho-gia-dinh", 3, item(EK.TITLE_NAMES, phrase=p, name=name))
        break
    for p, name in lead.names_after(_COLLECTIVE, acronyms=True):
        if p not in _PLACES:
            add("tap-the", 1.5, item(EK.TITLE_NAMES, phrase=p, name=name))
            break
    lead_org = _LEAD_COLLECTIVE.count(lead)
    if lead_org:
        add("tap-the", min(len(lead_org), 3) * 1.5, item(EK.PHRASE, phrase=min(lead_org), count=1))

    # The body: one name repeated is a portrait; household and collective vocabulary.
    people = Counter(name for p, name in b.names_after(_PERSON) if p not in ("người",))
    people.update(_full_names(text[:NAMES_CHARS]))
    # The name of a household's head ("gia đình ông Thiện", "vợ chồng ông Thiện" more
    # than once) repeated is the household's portrait, not one person's.
    if people:
        name, count = people.most_common(1)[0]
        if count >= 2:
            value = "ca-nhan"
            if any(body_counts.get(p) for p in _HOUSEHOLD_BODY[:6]):  # any household said
                heads = Counter(n for _, n in b.names_after(_HOUSEHOLD_NAMED))
                value = "ho-gia-dinh" if heads[name] >= 2 else "ca-nhan"
            # Under a title that names no one (a model, a programme, a street), a name
            # met a few times is one of the people the story quotes; met throughout, the
            # story is still that person's.
            per = 0.6 if titled_person or value != "ca-nhan" or count >= 6 else 0.3
            add(value, min(count, 8) * per, item(EK.NAME_REPEATED, name=name, count=count))
    for phrase in _HOUSEHOLD_BODY:
        c = body_counts.get(phrase, 0)
        if c:
            add(
                "ho-gia-dinh",
                min(c, 4) * (1.2 if phrase.startswith(("gia đình", "vợ")) else 0.4),
                item(EK.PHRASE, phrase=phrase, count=c),
            )
    for phrase in _COLLECTIVE_BODY:
        c = body_counts.get(phrase, 0)
        if c:
            add("tap-the", min(c, 4) * 0.5, item(EK.PHRASE, phrase=phrase, count=c))
    form_value = _form_name_value(text)
    for phrase, value in _FORM_FIELDS:
        if body_counts.get(phrase) and not (form_value and phrase in _SHARED_NAME_FIELD):
            add(value, 2.5, item(EK.PHRASE, phrase=phrase, count=body_counts[phrase]))
    if form_value:
        # "Họ và tên / Tên tập thể: Sần Văn Pủ": a form's name field serving both; what
        # is written in it says which.
        value, written = form_value
        add(value, 4, item(EK.PHRASE, phrase=f"Họ và tên / Tên tập thể: {written}", count=1))
    speaker = _first_person(text)
    if speaker:
        # "Tôi tên là Thào A Chư, sinh năm 1994": a speech (tham luận) in the first person
        # of one speaker; "Tập thể chúng tôi ..." is a collective's.
        value, written = speaker
        add(value, 4, item(EK.PHRASE, phrase=written, count=1))
    return tuple(parts)


def _folded_opening(text: str, chars: int) -> tuple[str, str, bool]:
    """(opening, its fold, aligned): the first ``chars`` characters of ``text`` in NFC and
    their lower case without marks, one character for each when ``aligned``
    (``core.text.fold_in_place``), else as near as folding gets."""
    opening = nfc(text[:chars])
    folded = fold_in_place(opening)
    if folded is None:
        return opening, strip_diacritics(opening).lower(), False
    return opening, folded, True


# The form's name field shared by a person and a collective (its label words are read
# with the value written in it instead).
_SHARED_NAME_FIELD = frozenset(("họ và tên", "họ tên", "tên tập thể", "tên đơn vị"))
_FORM_NAME = re.compile(r"(?:ho va ten|ho ten)\s*/\s*ten (?:tap the|don vi)[^:\n]{0,12}:")
_FORM_VALUE = re.compile(r"[\s|]*([^\n|;:]{2,80})(?=[\n|;]|$)")
_FORM_CHARS = 600


def _form_name_value(text: str) -> tuple[str, str] | None:
    """(subject, what is written) for a form's "Họ và tên / Tên tập thể:" field that holds
    a person's full name (ca-nhan) or an organisation's (tap-the); None otherwise."""
    opening, folded, aligned = _folded_opening(text, _FORM_CHARS)
    if not aligned:
        return None
    # the first field that says (a lead repeated above the text has the label twice)
    for label in _FORM_NAME.finditer(folded):
        m = _FORM_VALUE.match(folded, label.end())
        if not m:
            continue
        written = opening[m.start(1) : m.end(1)].strip(" .,")
        words = written.split()
        if not words:
            continue
        head = _title_words(written)
        if head.starts_with(_COLLECTIVE) or head.starts_with(_PLURAL_HEADS):
            return "tap-the", written
        person = 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words)
        if person and fold(words[0]) in FOLDED_SURNAMES:
            return "ca-nhan", written
    return None


# "Tôi tên là X", "Tôi là X, sinh năm ..." opening a speech; "Tập thể chúng tôi", "Chúng
# tôi là tập thể ..." (folded).
_FIRST_PERSON = re.compile(r"(?:^|[\s.!?;:,])toi (?:ten )?la ((?:\w+ ){1,3}\w+)")
_FIRST_PERSON_COLLECTIVE = re.compile(r"\b(?:tap the chung toi|chung toi la tap the)\b")
_SPEECH_CHARS = 700


def _first_person(text: str) -> tuple[str, str] | None:
    opening, folded, aligned = _folded_opening(text, _SPEECH_CHARS)
    m = _FIRST_PERSON_COLLECTIVE.search(folded)
    if m:
        return "tap-the", opening[m.start() : m.end()] if aligned else m[0]
    m = _FIRST_PERSON.search(folded)
    if not m or not aligned:
        return None
    name = opening[m.start(1) : m.end(1)].split()
    # a person's name, capitalised, from a family name on ("Thào A Chư"; not "Tôi là cán
    # bộ ...", "tôi là người ...")
    if fold(name[0]) not in FOLDED_SURNAMES or not all(w[:1].isupper() for w in name[:2]):
        return None
    return "ca-nhan", opening[m.start() : m.end()].strip().strip(".!?;:,").strip()


# ---------------------------------------------------------------------------------------
# Kind

# fmt: off
_MODEL_TERMS = (("mô hình", 2.0), ("cách làm mới", 2.0), ("thí điểm", 1.2),
                ("nhân rộng", 0.8),
                ("quy trình", 0.3), ("hợp tác xã", 0.4), ("tổ hợp tác", 0.6),
                ("liên kết", 0.4), ("câu lạc bộ", 0.4), ("tự quản", 0.6), ("quy ước", 0.8),
                ("cam kết", 0.5), ("thành lập", 0.5), ("triển khai", 0.4), ("luân phiên", 0.4),
                ("phân công", 0.4), ("mỗi hộ", 0.4), ("đổi mới", 0.4), ("sáng tạo", 0.4),
                ("cách làm", 0.6), ("hiệu quả", 0.2))
_NEW_FACTOR_TERMS = (("nhân tố mới", 4.0), ("khởi nghiệp", 1.2), ("lập nghiệp", 1.0),
                     ("người trẻ", 0.8), ("trẻ tuổi", 0.8), ("9X", 1.5), ("8X", 1.0),
                     ("lần đầu", 1.0), ("đầu tiên", 0.8), ("tiên phong", 0.8),
                     ("ý tưởng", 0.8), ("công nghệ", 0.4), ("thương mại điện tử", 1.0),
                     ("mạng xã hội", 0.6), ("bỏ phố về quê", 2.0), ("về quê", 0.6),
                     ("chàng trai", 1.0), ("cô gái", 1.0), ("kỹ thuật mới", 1.2),
                     # Newly arrived, newly started, first results.
                     ("trẻ nhất", 1.0), ("mới thành lập", 1.2), ("vừa thành lập", 1.2),
                     ("được điều động", 0.8), ("mới được", 0.6), ("vừa được", 0.6),
                     ("bước đầu", 0.6), ("vụ đầu", 0.8), ("gần một năm", 0.8),
                     ("chưa đầy một năm", 0.8), ("sáng kiến", 0.6))
# One deed that stood out lately: a rescue, money given back, a citizen's thank-you
# letter. A good deed is news (a new factor), unless the doer has a record of years.
_DEED_TERMS = (("thư cảm ơn", 1.5), ("cảm ơn", 0.4), ("trả lại", 0.8), ("nhặt được", 1.2),
               ("để quên", 1.0), ("đánh rơi", 1.0), ("cứu sống", 1.0), ("kịp thời", 0.4),
               ("dũng cảm", 0.8), ("hành động đẹp", 1.5), ("việc làm đẹp", 1.2),
               ("nghĩa cử", 1.0), ("người tốt việc tốt", 1.5))
_DEED_MAX = 2.5
_DEED_MIN = 0.8
_EXEMPLAR_TERMS = (("điển hình tiên tiến", 3.0), ("tấm gương", 1.2), ("gương sáng", 1.2),
                   ("nhiều năm liền", 1.0), ("chiến sĩ thi đua", 1.0), ("danh hiệu", 0.5),
                   ("bằng khen", 0.5), ("gương mẫu", 0.6), ("tận tụy", 0.6),
                   ("tiêu biểu", 0.5), ("gắn bó", 0.5), ("hoàn thành xuất sắc", 0.6),
                   # A record of years: "những năm qua", "ba năm liền", "giấy khen".
                   ("những năm qua", 0.8), ("nhiều năm", 0.6), ("năm liền", 0.8),
                   ("giấy khen", 0.5), ("liên tục", 0.3))
# fmt: on
_YOUNG_TITLE = ("trẻ", "nữ sinh", "sinh viên")
# The subject's body phrases and the kind terms, found in one pass over the opening.
_OPENING_TERMS = Lexicon(
    (
        *_HOUSEHOLD_BODY,
        *_COLLECTIVE_BODY,
        *(t for t, _ in (*_MODEL_TERMS, *_NEW_FACTOR_TERMS, *_EXEMPLAR_TERMS, *_DEED_TERMS)),
        *_YOUNG_TITLE,
        *(f for f, _ in _FORM_FIELDS),
    )
)


# Found along with the campaign vocabulary's pass over an article's text, which comes
# first: what the rules find in its opening and lead is read from it.
ride(_OPENING_TERMS)
ride(_LEAD_COLLECTIVE)


@functools.lru_cache(maxsize=32)
def _counts(title: str, text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Phrase counts in the title (the headline the rules read, under a mail subject)
    and in the opening of the text, shared by both rules."""
    in_title = _OPENING_TERMS.count(_title_words(headline(title, text)))
    return in_title, _OPENING_TERMS.count(analyse(title, text)[1].opening(OPENING_WORDS))


# What an article starts with for being an exemplar: one mention of "mô hình" (2.0) is not
# enough to make it a model article, one mention plus a word of practice is.
_EXEMPLAR_BASE = 2.2
_BORN = re.compile(r"sinh nam (19[89]\d|20[01]\d)|\b(\d\d) tuoi")
_BORN_YEAR = re.compile(r"sinh nam (19[89]\d|20[01]\d)")  # its first alternative
_SERVICE = re.compile(r"\b(\d{2}|muoi|hai muoi|ba muoi|bon muoi)( \w+)? nam\b")
# The same, read from its literal end: " nam", then what must stand before it, looked for
# in the few characters that can hold it (a pattern opening with a word boundary and an
# alternation is tried at every position of the 3,000 characters, four times slower).
_SERVICE_NAM = re.compile(r" nam\b")
_SERVICE_BEFORE = re.compile(r"\b(?:\d{2}|muoi|hai muoi|ba muoi|bon muoi)(?: \w+)?\Z")


def _long_service(folded: str) -> bool:
    """Whether ``_SERVICE`` matches in ``folded`` ("20 năm", "hai mươi năm công tác")."""
    for m in _SERVICE_NAM.finditer(folded):
        end = m.start()
        # The word right before " nam" starts here; a match is a number ending at ``end``
        # or a number, a space and that word: it starts at most nine characters before.
        lo = end
        while lo and (folded[lo - 1].isalnum() or folded[lo - 1] == "_"):
            lo -= 1
        if _SERVICE_BEFORE.search(folded, max(0, lo - 10), end):
            return True
    return False


def kind(
    title: str, text: str, weights: Weights | None = None, *, sent: str = ""
) -> tuple[str, float, list[Evidence]]:
    """(value, confidence, evidence) for what sort of example the article is; ``weights``
    are cue weights learned from editors' corrections (:func:`learn_weights`); ``sent`` is
    the kind the sender says it sends (:func:`sent_as`)."""
    parts = kind_parts(title, text)
    if sent in KIND_VALUES:
        words = next(w for v, w, _ in _SENT_AS if v == sent)
        parts = (_part(sent, SENT_AS_POINTS, item(EK.SENT_AS, phrase=words)), *parts)
    scores, ev = _weighed(parts, KIND_VALUES, weights)
    return _decide(scores, ev, "dien-hinh-tien-tien")


@functools.lru_cache(maxsize=32)
def kind_parts(title: str, text: str) -> tuple[Part, ...]:
    """What each kind cue of the article gives each value; title cues first (they are
    the evidence an editor reads first)."""
    subject_title = title
    in_title, in_body = _counts(title, text)
    lead = _OPENING_TERMS.count(analyse(title, text)[1].opening(LEAD_WORDS))
    title = headline(title, text)
    first_parts: list[Part] = []
    parts: list[Part] = [_part("dien-hinh-tien-tien", _EXEMPLAR_BASE, item(EK.DEFAULT))]
    organisation = 0.0  # what the words of an organisation gave the model

    def weigh(value: str, terms: Iterable[tuple[str, float]], title_factor: float) -> None:
        nonlocal organisation
        # Only the terms found (a count is at least 1) give anything.
        for term, w in terms:
            if term not in in_title and term not in in_body:
                continue
            n_title, n_body = in_title.get(term, 0), in_body.get(term, 0)
            if n_title:
                first_parts.append(_part(value, w * title_factor, item(EK.TITLE_TERM, phrase=term)))
            if n_body:
                parts.append(
                    _part(value, w * min(n_body, 4), item(EK.PHRASE, phrase=term, count=n_body))
                )
            if term in _ORGANISATION_TERMS:
                organisation += w * (title_factor if n_title else 0) + w * min(n_body, 4)

    # A form's own name for a title ("PHIẾU GIỚI THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN", "Mẫu
    # thông tin điển hình"): the template's words, the same on every form, say no kind.
    form = _FORM_TITLE.match(fold(title)) is not None
    weigh("mo-hinh-moi", _MODEL_TERMS, 1.0 if form else 5.0)
    weigh("nhan-to-moi", _NEW_FACTOR_TERMS, 1.0 if form else 3.0)
    weigh("dien-hinh-tien-tien", _EXEMPLAR_TERMS, 0.5 if form else 2.0)
    if any(in_title.get(w) for w in _YOUNG_TITLE):
        first_parts.append(_part("nhan-to-moi", 1.5, item(EK.YOUNG_TITLE)))
    # The lead weighs again: it says what the article is about.
    parts.extend(_lead_parts(lead))
    folded = _fold_opening(title, text)
    young = _young(folded)
    if young:
        parts.append(_part("nhan-to-moi", 1.5, item(EK.YOUNG, phrase=young)))
    # Long service is the mark of an exemplar, not of a newcomer.
    if _long_service(folded):
        parts.append(_part("dien-hinh-tien-tien", 0.8, item(EK.YEARS_OF_SERVICE)))
    # The years the text runs over: a record of many years is an exemplar's; a start
    # only a few years back (or a young subject) is something new, a new model when the
    # article is about a collective, a new factor when about a person or household.
    first, last = _year_span(folded)
    span = last - first
    record = span >= _LONG_RECORD or _long_service(folded)
    deed = 0.0 if record else _deed(in_title, in_body)
    if deed:
        top = max(
            (t for t, _ in _DEED_TERMS if in_title.get(t) or in_body.get(t)),
            key=lambda t: in_title.get(t, 0) + in_body.get(t, 0),
        )
        parts.append(
            _part("nhan-to-moi", deed, item(EK.PHRASE, phrase=top, count=in_body.get(top, 0)))
        )
    event = "" if record else _event(text)
    if event:
        # The lead tells of one event, dated ("Đêm 21/9/2019, ...", "Đầu tháng 5/2019,
        # Công an huyện nhận được thư ..."): what stood out lately, not a record of years;
        # a deed (a new factor, whoever did it), or else a collective's new way of working.
        who = "" if deed else _subject_type(subject_title, text)[0]
        value = "mo-hinh-moi" if who == "tap-the" else "nhan-to-moi"
        parts.append(_part(value, 1.2, item(EK.EVENT, phrase=event)))
    if span >= _LONG_RECORD:
        points = 2.5 if span >= _LONG_RECORD + 3 else 1.2
        why = item(EK.YEARS_OF_SERVICE, phrase=f"{first}-{last}")
        parts.append(("dien-hinh-tien-tien", points, why, "long-record"))
        # An established collective is not a new model for being a collective: its
        # founding and organisation words ("thành lập từ năm 2009", "tổ tự quản") count
        # for nothing once its record runs many years.
        parts.append(("mo-hinh-moi", -organisation, None, "established"))
    elif (first and span <= _RECENT) or young:
        who = _subject_type(subject_title, text)[0]
        value = "mo-hinh-moi" if who == "tap-the" else "nhan-to-moi"
        why = item(EK.PHRASE, phrase=f"{first}-{last}" if first else young, count=1)
        parts.append((value, 1.2, why, "recent"))
    return (*first_parts[::-1], *parts)


_FORM_TITLE = re.compile(r"(?:phieu|mau|bieu mau)\b")


# Model terms that only say an organisation exists (a cooperative, a club, a
# self-managed team, its founding), not that its way of working is new.
_ORGANISATION_TERMS = frozenset(
    ("hợp tác xã", "tổ hợp tác", "câu lạc bộ", "tự quản", "thành lập", "liên kết")
)
# Years of a record ("từ năm 2009 ... năm 2020"): this many years or more is a long one.
_LONG_RECORD = 5
# A start this many years or fewer before the latest year the text names is recent.
_RECENT = 3
# "năm 2017", "năm học 2018-2019", "từ năm 2009" (folded); not a birth year ("sinh năm
# 1990") nor a decade of the background ("từ những năm 1990").
# The word first, what may not precede it after (the same matches: a pattern opening with
# a literal is searched for it, one opening with look-behinds is tried at every position,
# twenty times slower).
_YEAR = re.compile(
    r"nam(?<!\wnam)(?<!sinh nam)(?<!nhung nam)(?<!cac nam) (?:hoc )?(19[5-9]\d|20[0-4]\d)\b"
)


# Folded words and the folded runs between them (their spaces collapsed), kept: the
# language has a few thousand syllables, and the runs between words are few.
_WORD_FOLDS: dict[str, str] = {}
_GAP_FOLDS: dict[str, str] = {}
_FOLDS_MAX = 100_000


def _folded_gap(gap: str) -> str:
    """``gap`` (what stands between two words) folded, each run of spaces one space."""
    found = _GAP_FOLDS.get(gap)
    if found is None:
        bare = strip_diacritics(gap).casefold()
        inner = bare.split()
        found = " ".join(inner)
        if bare[:1].isspace():
            found = " " + found
        if inner and bare[-1:].isspace():
            found += " "
        if len(_GAP_FOLDS) >= _FOLDS_MAX:
            _GAP_FOLDS.clear()
        _GAP_FOLDS[gap] = found
    return found


def _folded_word(word: str) -> str:
    found = _WORD_FOLDS.get(word)
    if found is None:
        if len(_WORD_FOLDS) >= _FOLDS_MAX:
            _WORD_FOLDS.clear()
        found = _WORD_FOLDS[word] = strip_diacritics(word).casefold()
    return found


def _fold_opening(title: str, text: str) -> str:
    """``fold(f"{title}\\n{text[:OPENING_CHARS]}")``, the opening folded word by word from
    the text's one split (``scan.text_split``) and the folds of words kept: folding is
    one character at a time (marks stripped, case folded) but for the spaces, which
    collapse, and those stand only between words. (Folded whole when the opening holds
    an underscore, which the split reads as a space, a word that folds to nothing, a
    lone combining mark, or is not NFC.)"""
    opening = text[:OPENING_CHARS]
    head = fold(title)
    if "_" in opening or not unicodedata.is_normalized("NFC", opening):
        return fold(f"{title}\n{opening}")
    split = text_split(text)
    words = split.words
    if len(text) <= OPENING_CHARS:
        parts = list(split.parts)
    else:
        # The words starting in the opening, the last one (or what follows it) cut there.
        ends = split.ends()  # word i spans ends[2 i] to ends[2 i + 1]
        n = bisect.bisect_left(ends[0::2], OPENING_CHARS, 0, len(words))
        parts = split.parts[: 2 * n + 1]
        if not n:
            parts = [opening]
        elif ends[2 * n - 1] > OPENING_CHARS:
            parts[-2:] = [text[ends[2 * n - 2] : OPENING_CHARS], ""]
        else:
            parts[-1] = text[ends[2 * n - 1] : OPENING_CHARS]
    folded_words = list(map(_WORD_FOLDS.get, parts[1::2]))
    if not all(folded_words):  # a word seen for the first time (None), or a lone mark ("")
        folded_words = [
            f or _folded_word(w) for f, w in zip(folded_words, parts[1::2], strict=True)
        ]
        if not all(folded_words):  # a lone mark: the spaces around it collapse into one
            return fold(f"{title}\n{opening}")
    # What stands between two words is never empty, nor is its fold; the runs before the
    # first word and after the last may be, and lose their spaces at the text's ends.
    inner = list(map(_GAP_FOLDS.get, parts[2:-1:2]))
    if not all(inner):
        inner = [g or _folded_gap(p) for g, p in zip(inner, parts[2:-1:2], strict=True)]
    parts[2:-1:2] = inner
    parts[1::2] = folded_words
    if len(parts) == 1:
        parts[0] = _folded_gap(parts[0]).strip(" ")
    else:
        parts[0] = _folded_gap(parts[0]).lstrip(" ")
        parts[-1] = _folded_gap(parts[-1]).rstrip(" ")
    body = "".join(parts)
    return f"{head} {body}" if head and body else head or body


# A dated event in the text's first words (folded): "đêm 21/9/2019", "ngày 3/5/2020",
# "(đầu|giữa|cuối) tháng 5/2019", "tháng 12/2018" - a day or a month of a year, not a period.
_EVENT = re.compile(
    r"\b(?:(?:dem|ngay|sang|chieu|toi|trua)\s+\d{1,2}/\d{1,2}(?:/\d{4})?"
    r"|(?:(?:dau|giua|cuoi)\s+)?thang\s+\d{1,2}/\d{4})\b"
)
_EVENT_CHARS = 160


def _deed(in_title: Mapping[str, int], in_body: Mapping[str, int]) -> float:
    """What the deed words of the title and opening give, at most ``_DEED_MAX``."""
    points = sum(
        w * (2 * bool(in_title.get(t)) + min(in_body.get(t, 0), 2)) for t, w in _DEED_TERMS
    )
    # one weak word ("kịp thời") is no story of a deed
    return min(points, _DEED_MAX) if points >= _DEED_MIN else 0.0


def _event(text: str) -> str:
    """The dated event the text opens with ("Đêm 21/9/2019"), or ""."""
    opening, folded, aligned = _folded_opening(text, _EVENT_CHARS)
    m = _EVENT.search(folded)
    if not m:
        return ""
    # as written, where folding kept one character for each
    return opening[m.start() : m.end()] if aligned else m.group(0)


def _year_span(folded: str) -> tuple[int, int]:
    """(first, last) year the text names as a time of events, (0, 0) without two."""
    years = sorted({int(m) for m in _YEAR.findall(folded)})
    return (years[0], years[-1]) if len(years) >= 2 else (0, 0)


def _lead_parts(lead: dict[str, int]) -> list[Part]:
    """Kind terms in the lead (the text's first words, counted) count once more."""
    if not lead:
        return []
    # (a count is at least 1: a term counted is a term found)
    return [(value, w, None, f"lead:{term}") for value, term, w in _KIND_TERMS if term in lead]


# The kind terms with the value each speaks for, in the order they are weighed.
_KIND_TERMS = tuple(
    (value, term, w)
    for value, terms in (
        ("mo-hinh-moi", _MODEL_TERMS),
        ("nhan-to-moi", _NEW_FACTOR_TERMS),
        ("dien-hinh-tien-tien", _EXEMPLAR_TERMS),
    )
    for term, w in terms
)


def _young(folded: str) -> str:
    """A phrase showing the subject is young (born 1988 or later, or aged under 31), in a
    folded text."""
    # Each alternative of _BORN holds its words, and their matches never overlap (one
    # opens with "sinh", the other with two digits after a word boundary): _BORN's
    # matches are those of its first alternative (a pattern opening with words is
    # searched for them, fifty times faster) and the ages before each " tuoi", in order.
    if " tuoi" not in folded and "sinh nam " not in folded:
        return ""
    found = [(m.start(), m.group(0), m.group(1), "") for m in _BORN_YEAR.finditer(folded)]
    if " tuoi" in folded:
        found += _ages(folded)
        found.sort()
    for _, phrase, year, age in found:
        if year and int(year) >= 1988:
            return phrase
        if age and 16 <= int(age) <= 30:
            return phrase
    return ""


_AGE_WORD = re.compile(r" tuoi")


def _word_char(ch: str) -> bool:
    r"""A character of ``\w``."""
    return ch.isalnum() or ch == "_"


def _ages(folded: str) -> list[tuple[int, str, str, str]]:
    r"""The matches of _BORN's second alternative (``\b(\d\d) tuoi``), as (start, the
    match, "", the age)."""
    out = []
    for m in _AGE_WORD.finditer(folded):
        at = m.start() - 2
        if (
            at >= 0
            and folded[at].isdecimal()
            and folded[at + 1].isdecimal()
            and (at == 0 or not _word_char(folded[at - 1]))
        ):
            out.append((at, folded[at : m.end()], "", folded[at : at + 2]))
    return out


# ---------------------------------------------------------------------------------------
# Taggers


def _article_text(article: ArticleDraft) -> str:
    """The lead and the text, as the campaign tagger reads them (one tokenisation serves
    all three rules)."""
    return "\n\n".join(p for p in (article.lead, article.text) if p)


def _learned(ctx: ClassifyContext, field: str) -> Weights | None:
    """The cue weights editors' corrections taught for ``field``, when the caller loaded
    them into ``ctx.settings["cue_weights"]`` (learning.editors.load_cue_weights)."""
    learned = ctx.settings.get("cue_weights") or {}
    return learned.get(field) or None


class SubjectTypeTagger:
    """``subject_type`` tag from :func:`subject_type`."""

    name: ClassVar[str] = "subject_type"
    level: ClassVar[str] = "article"

    def classify(self, article: ArticleDraft, ctx: ClassifyContext) -> list[TagSuggestion]:
        value, confidence, evidence = subject_type(
            article.title, _article_text(article), _learned(ctx, "subject_type")
        )
        return [TagSuggestion("subject_type", value, confidence, evidence, self.name)]


# The sender naming the kind it sends ("gửi bài nhân tố mới quý IV", "V/v gửi bài viết mô
# hình mới"): the plan's own words, in the subject, the cover note or the dispatch's V/v
# line. Only the two specific kinds, and only when one of them is named: "gương điển hình
# tiên tiến" is also how every unit names the plan as a whole ("Kế hoạch tuyên truyền gương
# điển hình tiên tiến"), and the plan's full title names all three.
_SENT_AS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("nhan-to-moi", "nhân tố mới", re.compile(r"\bnhan to moi\b")),
    ("mo-hinh-moi", "mô hình mới", re.compile(r"\bmo hinh moi\b")),
)
SENT_AS_POINTS = 3.0


def sent_as(subject: str, cover_note: str, header_lines: Sequence[str] = ()) -> str:
    """The one kind the sender says it sends, or ""."""
    texts = [subject, *cover_note.splitlines()[:6], *(h for h in header_lines if h)]
    folded = [fold(text) for text in texts]
    found = {value for value, _, pattern in _SENT_AS if any(pattern.search(t) for t in folded)}
    return found.pop() if len(found) == 1 else ""


class KindTagger:
    """``kind`` tag from :func:`kind`, with the kind the sender says it sends."""

    name: ClassVar[str] = "kind"
    level: ClassVar[str] = "article"

    def classify(self, article: ArticleDraft, ctx: ClassifyContext) -> list[TagSuggestion]:
        stated = sent_as(
            ctx.headers.subject if ctx.headers else "", ctx.cover_note or "", article.header_lines
        )
        value, confidence, evidence = kind(
            article.title, _article_text(article), _learned(ctx, "kind"), sent=stated
        )
        return [TagSuggestion("kind", value, confidence, evidence, self.name)]


# --- weights learned from editors' corrections (learning/editors.py writes them) -------

CUE_WEIGHT_FIELDS = ("subject_type", "kind")


@functools.lru_cache(maxsize=16)
def cue_weights_path(model_file: Path) -> Path:
    """Where the learned cue weights live: beside the campaign model (asked for each
    message, to see whether the file changed)."""
    return model_file.with_name("cue-weights.json")


def load_cue_weights(path: Path) -> dict[str, dict[str, float]]:
    """{"subject_type": {...}, "kind": {...}}; empty when there is no usable file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        f: {str(c): float(w) for c, w in (data.get(f) or {}).items()}
        for f in CUE_WEIGHT_FIELDS
        if isinstance(data.get(f), dict)
    }
