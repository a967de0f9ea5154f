"""Official documents (giấy mời, công văn, quyết định, kế hoạch, báo cáo, thông báo, tờ
trình) told apart from articles by their administrative form.

Departments send the Board's mailbox invitations and dispatches as .docx/.pdf files just
as units send articles; counted as articles they inflate a unit's quota. An official
document is recognised by its structure (Decree 30/2020/ND-CP lays it out), never by its
file name or a phrase of one sample:

- the letterhead: the issuing body, the national motto ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
  NAM" / "Độc lập - Tự do - Hạnh phúc"), "Số: 12/GM-UBND" (the code before the issuer
  names the kind: GM, QĐ, KH, BC, TB, TTr), the place and date;
- the document-type heading, alone on its line in capitals ("GIẤY MỜI", "QUYẾT ĐỊNH"),
  or for a công văn the "V/v ..." subject line;
- the administrative body: "Kính mời"/"Kính gửi", "Căn cứ ..." recitals, "Điều 1.",
  the meeting's time and place ("Thời gian:", "Địa điểm:"), "Nơi nhận:", the signer's
  capacity ("TM. UỶ BAN NHÂN DÂN", "KT. GIÁM ĐỐC").

Units' real articles often carry a letterhead with the motto and a "Số:" line too, and
stay articles: the letterhead alone weighs little. What makes an official document is the
type heading (or the V/v line) *with* an administrative body, and for a công văn, which has
no heading, also the absence of article prose (a dispatch "gửi kèm bài viết" followed by the
article in the same file is the article). All matching is on folded text
(:func:`dienhinh.core.text.fold`: no diacritics, lower case), line by line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from dienhinh.core.official_kinds import ANNEXES, KINDS
from dienhinh.core.text import collapse_ws, fold, strip_diacritics
from dienhinh.core.types import ArticleDraft

__all__ = ["OfficialVerdict", "classify_drafts", "classify_lines"]

_BY_HEADING = {v[2]: k for k, v in KINDS.items()}
_BY_CODE = {code: k for k, v in KINDS.items() for code in v[3]}

_MOTTO = re.compile(
    r"cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–—]\s*tu do\s*[-–—]\s*hanh phuc"
)
# "Số: 12/GM-UBND", "Số 125 /QĐ-UBND", "Số: 1234/UBND-VX" (a công văn: no kind code).
_NUMBER = re.compile(
    r"(?:^|\s)so\s*:?\s*(\d{1,5})\s*/\s*([a-z0-9.]{1,8})(?:\s*-\s*([a-z0-9.-]{1,30}))?"
)
_HEADING = re.compile(r"^(" + "|".join(re.escape(h) for h in _BY_HEADING) + r")\b\s*[:.]?\s*(.*)$")
# A heading inside a line: PDF text joins short lines ("Lào Cai, ngày 5 tháng 6 năm 2024
# GIẤY MỜI"). Matched case-sensitively on text without diacritics: the heading is capitals.
_HEADING_INSIDE = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(h.upper()) for h in _BY_HEADING) + r")(?![A-Za-z])"
)
# Units whose names hold a type heading: "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", a district's "PHÒNG TÀI
# CHÍNH - KẾ HOẠCH". Their letterhead names the issuer, not the document's type.
_NAMED_UNIT = re.compile(
    r"ke hoach\s*(?:va|&)\s*dau tu|tai chinh\s*(?:[-–—&,]|va)?\s*ke hoach", re.IGNORECASE
)
# "Nghị định số 78/2015/NĐ-CP", "theo Kế hoạch số 12/KH-UBND": a document the text cites,
# not this document's own number.
_CITED = re.compile(
    r"(?:nghi dinh|quyet dinh|thong tu|chi thi|nghi quyet|luat|ke hoach|cong van|thong bao|"
    r"huong dan|van ban|bao cao|to trinh|giay moi|ket luan)\s*$"
)
_VV = re.compile(r"(?:^|\s)(v/v|ve viec)\s")
# Markers of the administrative body. PDF text may join them to the previous line, so
# they are searched inside lines where their form (a colon, a number) makes them safe.
_KINH_MOI = re.compile(r"(?:^|\s)kinh moi\b")
_KINH_GUI = re.compile(r"(?:^|\s)kinh gui\s*:")
_CAN_CU = re.compile(r"^can cu\b|[;.]\s*can cu\s")
_DIEU = re.compile(r"(?:^|[.;:]\s*)dieu\s+\d+\s*[.:]")
_NOI_NHAN = re.compile(r"(?:^|\s)noi nhan\s*:")
_MEETING = re.compile(r"(?:^|\s)(thoi gian|dia diem|thanh phan)\s*:")
_SIGNER = re.compile(
    r"^(tm\.|kt\.|tl\.|q\.|ttl\.)\s*\S|^(chu tich|pho chu tich|giam doc|pho giam doc|"
    r"truong ban|pho truong ban|bi thu|pho bi thu|truong phong|chanh van phong)$"
)


def closes_the_form(line: str) -> bool:
    """A line of an official paper's closing: "Nơi nhận:" or the signer's capacity ("TM.
    ỦY BAN NHÂN DÂN", "KT. GIÁM ĐỐC", "PHÓ CHỦ TỊCH"), on folded text."""
    return bool(_NOI_NHAN.search(line) or _SIGNER.search(line))


_DECIDES = re.compile(r"^(quyet dinh|thong bao|ket luan)\s*:$")
# The cover letter of an article: a dispatch whose subject is sending one ("V/v gửi bài
# viết", "gửi kèm tin bài"), not one that merely mentions articles.
_ABOUT_ARTICLE = re.compile(r"\bgui\b.{0,40}\b(bai|tin bai)\b|\bgui kem\b|\bde nghi dang\b")


def sends_an_article(text: str) -> bool:
    """Whether a dispatch's folded text says it sends an article ("gửi bài viết", "gửi
    kèm"): a cover letter, not an invitation or a decision."""
    return bool(_ABOUT_ARTICLE.search(text))


PROSE_MIN_CHARS = 120  # a paragraph this long, not an administrative line, is prose
ARTICLE_PROSE_CHARS = 1200  # this much prose (and no strong form): an article
TAIL_ARTICLE_CHARS = 400  # this much prose after the signature: an article follows the form


@dataclass
class OfficialVerdict:
    """Why a document is an official document (or not: ``official`` False)."""

    official: bool
    kind: str = ""  # a KINDS key
    number: str = ""  # "12/GM-UBND" as written (folded case restored from the text)
    score: int = 0
    signals: list[str] = field(default_factory=list)
    prose_chars: int = 0
    about_article: bool = False  # a dispatch sending an article (a cover letter)

    @property
    def name(self) -> str:
        """The kind in Vietnamese ("giấy mời")."""
        return KINDS[self.kind][0] if self.kind else ""

    @property
    def english(self) -> str:
        return KINDS[self.kind][1] if self.kind else ""

    def reason(self, code: str = "official-document") -> str:
        """ "official-document: giấy mời, Số 12/GM-UBND"."""
        number = f", Số {self.number}" if self.number else ""
        return f"{code}: {self.name}{number}"


def _lines(texts: Sequence[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        for line in re.split(r"\n| \| ", text):
            line = collapse_ws(line)
            if line:
                out.append(line)
    return out


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _heading_upper(line: str, heading: str) -> bool:
    """The heading's own words are in capitals ("KẾ HOẠCH Tổ chức ..." counts; "Kế hoạch
    nhỏ của em" does not)."""
    words = line.split()[: len(heading.split())]
    return _is_upper(" ".join(words))


def _heading(line: str, key: str, *, inside: bool = True) -> str:
    """The kind a type heading on this line names, or "" (a unit's name holding one, "SỞ KẾ
    HOẠCH VÀ ĐẦU TƯ", is none). ``inside`` False: the folded line holds no heading's words,
    so none can be inside it (a heading in capitals without diacritics folds to its words
    in lower case)."""
    if _NAMED_UNIT.search(key):
        key = _NAMED_UNIT.sub(lambda m: " " * len(m.group()), key)
        line = _NAMED_UNIT.sub(lambda m: " " * len(m.group()), strip_diacritics(line))
    h = _HEADING.match(key)
    if h is not None and _heading_upper(line, h.group(1)) and len(key.split()) <= 14:
        return _BY_HEADING[h.group(1)]
    found = _HEADING_INSIDE.search(strip_diacritics(line)) if inside else None
    if found is not None:
        return _BY_HEADING[found.group(1).lower()]
    return ""


def _is_prose(line: str, key: str) -> bool:
    return (
        len(line) >= PROSE_MIN_CHARS
        and not _CAN_CU.match(key)
        and not _DIEU.match(key)
        and not _MEETING.match(key)
    )


# The body's markers, tried on every line: (pattern, signal, weight, the words a match needs).
_CHECKS = (
    (_KINH_MOI, "kinh-moi", 2, ("kinh moi",)),
    (_CAN_CU, "can-cu", 2, ("can cu",)),
    (_DIEU, "dieu", 2, ("dieu",)),
    (_DECIDES, "decides", 1, ("quyet dinh", "thong bao", "ket luan")),
    (_NOI_NHAN, "noi-nhan", 2, ("noi nhan",)),
    (_MEETING, "meeting", 1, ("thoi gian", "dia diem", "thanh phan")),
)
# The same for the patterns tried on the first lines only.
_NEEDS = {
    "motto": ("cong hoa xa hoi chu nghia viet nam", "doc lap"),
    "v/v": ("v/v", "ve viec"),
    "kinh-gui": ("kinh gui",),
    **{signal: words for _p, signal, _w, words in _CHECKS},
}


def _present(doc: str) -> dict[str, bool]:
    """For each pattern of classify_lines, whether the folded document holds the words
    any match of it must contain."""
    return {signal: any(w in doc for w in words) for signal, words in _NEEDS.items()}


def classify_lines(lines: Sequence[str], *, head_lines: int = 20) -> OfficialVerdict:
    """Judge a document from its lines in reading order (letterhead first)."""
    lines = _lines(lines)
    folded = [fold(line) for line in lines]
    v = OfficialVerdict(official=False)
    score = 0
    heading_kind = ""
    heading_at = -1
    code_kind = ""
    admin: set[str] = set()
    closing_at = -1  # the last "Nơi nhận:" or signer line: the end of the document's form
    subject: list[str] = []  # the V/v line and the line after the heading

    def hit(signal: str, weight: int) -> None:
        nonlocal score
        if signal not in v.signals:
            v.signals.append(signal)
            score += weight

    # What each pattern needs to match, looked up once in the whole folded document (a
    # substring test in C): a pattern whose words the document lacks is never tried on
    # its lines. The tests below are the same; only searches that cannot match are left
    # out (each pattern was tried at every character of every line: about 0.5 ms of
    # regular-expression work per document, most of classify_lines).
    doc = "\n".join(folded)
    has = _present(doc)
    headings = [h for h in _BY_HEADING if h in doc]
    checks = [check for check in _CHECKS if has[check[1]]]
    for i, (line, key) in enumerate(zip(lines, folded, strict=True)):
        early = i < head_lines
        if early and has["motto"] and _MOTTO.search(key):
            hit("motto", 1)
        m = _NUMBER.search(key) if early and not v.number and "/" in key else None
        if m is not None and _CITED.search(key[: m.start()]):
            m = None  # a cited document's number
        if m is not None:
            v.number = _number_as_written(line, m.group(1))
            hit("number", 1)
            code = m.group(2).replace(".", "")
            if code in _BY_CODE:
                code_kind = _BY_CODE[code]
                hit("kind-code", 2)
        if early and not heading_kind:
            heading_kind = _heading(line, key, inside=any(h in key for h in headings))
            if heading_kind:
                heading_at = i
                hit("heading", 3)
        elif heading_at >= 0 and i == heading_at + 1:
            subject.append(key)
        if early and has["v/v"] and _VV.search(key):
            hit("v/v", 1)
            admin.add("v/v")
            subject.append(key)
        for pattern, signal, weight, _words in checks:
            if pattern.search(key):
                hit(signal, weight)
                admin.add(signal)
        if early and has["kinh-gui"] and _KINH_GUI.search(key):
            hit("kinh-gui", 1)
            admin.add("kinh-gui")
        signer = _SIGNER.match(key)
        if (has["noi-nhan"] and _NOI_NHAN.search(key)) or (signer and len(key) <= 60):
            closing_at = i
            if signer:
                hit("signer", 1)
                admin.add("signer")
        if _is_prose(line, key):
            v.prose_chars += len(line)
    v.score = score
    v.about_article = any(sends_an_article(k) for k in subject)
    # Article prose after the closing block: a cover page with the article behind it.
    tail = (
        sum(
            len(line)
            for line, key in zip(lines[closing_at + 1 :], folded[closing_at + 1 :], strict=True)
            if _is_prose(line, key)
        )
        if closing_at >= 0
        else 0
    )
    kind = heading_kind or code_kind
    body = admin - {"kinh-gui", "signer"}  # what an article's cover page may also have
    strong = admin & {"can-cu", "dieu", "kinh-moi", "meeting", "decides"}
    if tail >= TAIL_ARTICLE_CHARS:
        v.official = False
    elif heading_kind in ANNEXES:
        # "BIỂU TỔNG HỢP ... (Kèm theo Báo cáo số 405/BC-UBND)": a table of figures or a
        # list, under a heading, with next to no prose; a list of exemplars each with a
        # paragraph ("DANH SÁCH gương điển hình ...") is prose, and an article. A list
        # says what it is attached to ("Kèm theo ...").
        attached = any("kem theo" in k for k in folded[heading_at : heading_at + 4])
        v.official = v.prose_chars < TAIL_ARTICLE_CHARS and (
            attached or heading_kind != "danh-sach"
        )
    elif heading_kind:
        # A type heading with an administrative body: recitals, articles of a decision, an
        # invitation, a meeting's time and place make it one whatever its length; with only
        # recipients and a signer, article prose means an article laid out as a report
        # (units do send "BÁO CÁO gương điển hình ..."): counting it is the lesser harm.
        v.official = score >= 6 and (
            bool(strong)
            or (
                v.prose_chars < ARTICLE_PROSE_CHARS
                and bool(body or {"kinh-gui", "signer"} <= admin)
            )
        )
    elif code_kind:
        # "Số: 12/GM-UBND" names the kind even when the heading is drawn as an image. As
        # with a heading, article prose under a report's number and recipients ("Số:
        # 41/BC-NV", then "BÀI VIẾT GIỚI THIỆU GƯƠNG ĐIỂN HÌNH ...") is an article.
        v.official = (
            score >= 7 and bool(body) and (bool(strong) or v.prose_chars < ARTICLE_PROSE_CHARS)
        )
    elif "v/v" in admin and "number" in v.signals:
        # A công văn: no heading, a V/v line. Its prose is a few paragraphs; more than
        # that and the file carries an article after its cover page.
        kind = "cong-van"
        v.official = (
            # its four marks together (number, V/v, "Kính gửi", a signer's "KT. GIÁM ĐỐC")
            # are one whatever the rest: a PDF print often loses the motto's column
            (score >= 5 or {"v/v", "kinh-gui", "signer"} <= admin)
            and bool(admin & {"kinh-gui", "noi-nhan", "signer"})
            and v.prose_chars < ARTICLE_PROSE_CHARS
        )
    v.kind = kind if v.official else ""
    return v


def _number_as_written(line: str, digits: str) -> str:
    """ "12/GM-UBND" as the line writes it (with its diacritics: "125/QĐ-UBND")."""
    at = line.find(digits)
    if at < 0:
        return digits
    rest = line[at:]
    m = re.match(r"\d+\s*/\s*[^\s,;]+", rest)
    return re.sub(r"\s+", "", m.group(0))[:40] if m else digits


def classify_drafts(drafts: Sequence[ArticleDraft]) -> OfficialVerdict:
    """Judge one document from the drafts its extractor produced (letterhead lines,
    title and text of each, in order)."""
    texts: list[str] = []
    for d in drafts:
        texts.extend(d.header_lines)
        if d.title:
            texts.append(d.title)
        texts.extend(p for p in d.text.split("\n\n") if p)
    return classify_lines(texts)
