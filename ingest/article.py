"""Turning extracted paragraphs into an article: letterhead, title, captions, lead, and
telling a cover note ("Kính gửi Ban Thi đua... gửi kèm bài viết") from an article.

Every extractor produces a list of :class:`Block` in reading order; the rules for what
is a title or a letterhead live here once, so docx, PDF and mail bodies agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from dienhinh.core.text import collapse_ws, fold, nfc
from dienhinh.core.types import ArticleDraft, Asset
from dienhinh.ingest import legacy
from dienhinh.ingest.forward import (
    SIGNATURE_END,
    SIGNATURE_START,
    header_field,
    may_be_marker,
    reply_line_end,
    separator_kind,
)
from dienhinh.ingest.legacy_tables import TCVN3_DECODE, VNI_DECODE
from dienhinh.ingest.official import TAIL_ARTICLE_CHARS, closes_the_form, sends_an_article

__all__ = [
    "Block",
    "build_article",
    "clean_body_lines",
    "clean_subject",
    "is_cover_paragraph",
    "is_letterhead_line",
    "is_letterhead_table",
    "is_signature_marker",
    "lead_of",
    "letterhead_flags",
    "looks_like_caption",
    "repair_legacy_blocks",
    "repair_legacy_text",
    "split_body_article",
    "suspect_legacy",
]

LEAD_MAX_CHARS = 400
TITLE_MAX_CHARS = 250
CAPTION_MAX_CHARS = 160
_TITLE_WINDOW = 3  # a title is among the first few paragraphs after the letterhead
_LINE_SPLIT = re.compile(r"\n| \| ")  # lines of a paragraph, cells of a table row


@dataclass
class Block:
    """One paragraph (or table row, or picture) of a document, in reading order."""

    text: str = ""
    heading: bool = False  # Title/Heading style, <h1>-<h4>
    level: int = 0  # 1 = Title/Heading 1, 2 = Heading 2 ...; 0 = unknown or not a heading
    bold: bool = False  # every visible run is bold (or the whole HTML block is <b>)
    italic: bool = False
    image: Asset | None = None  # a picture block; text is ""
    table: bool = False
    # Which table of the document a row belongs to (two tables may follow each other with
    # nothing between them but an empty paragraph); 0 when the extractor does not say.
    table_id: int = 0
    # A page break stands before it (Word's "page break", "page break before"): where a
    # document that holds several pieces starts the next one (ingest/split.py).
    page_break: bool = False


# --- legacy encodings in text without font information -------------------------------------


def _legacy_hint() -> re.Pattern[str]:
    # detect_legacy counts a word as evidence only if it holds a character no Vietnamese
    # word has and decodes to a syllable; such a character is a legacy code outside the
    # Vietnamese alphabet. Text without one cannot be legacy, so this class lets the
    # common (Unicode) case skip detection with one regex scan.
    letters = set(TCVN3_DECODE.values()) | set(VNI_DECODE.values())
    letters |= {c.upper() for c in letters} | {c.lower() for c in letters}
    codes = {c for k, v in (*TCVN3_DECODE.items(), *VNI_DECODE.items()) if k != v for c in k}
    hint = sorted(c for c in codes if not c.isascii() and c not in letters)
    return re.compile("[" + re.escape("".join(hint)) + "]")


_LEGACY_HINT = _legacy_hint()
_BLOCK_SEP = "\n\x1e\n"  # a line with no word: repair() keeps it and decodes around it


def repair_legacy_text(text: str) -> tuple[str, legacy.Encoding | None]:
    """``legacy.repair`` for text with no font information (mail bodies, PDF text), run
    only when the text holds a legacy code at all."""
    if not _LEGACY_HINT.search(text):
        return text, None
    return legacy.repair(text)


def suspect_legacy(blocks: Sequence[Block]) -> legacy.Encoding | None:
    """One cheap check over a document's text: is some of it TCVN3/VNI?"""
    text = _BLOCK_SEP.join(b.text for b in blocks if b.text)
    if not _LEGACY_HINT.search(text):
        return None
    return legacy.detect_legacy(text)


def repair_legacy_blocks(blocks: Sequence[Block]) -> legacy.Encoding | None:
    """Decode, in place, the blocks of a document whose text is (partly) legacy-encoded.
    The whole text is judged at once, so a one-line title that would be too little
    evidence alone is decoded with the body around it."""
    texts = [b for b in blocks if b.text]
    joined = _BLOCK_SEP.join(b.text for b in texts)
    if not _LEGACY_HINT.search(joined):
        return None
    fixed, enc = legacy.repair(joined)
    if enc is None:
        return None
    parts = fixed.split(_BLOCK_SEP)
    if len(parts) != len(texts):  # pragma: no cover - repair keeps lines one to one
        return None
    for block, text in zip(texts, parts, strict=True):
        block.text = text
    return enc


# --- letterhead ---------------------------------------------------------------------------

# Official documents open with the issuing body (left) and the national motto (right),
# a number and a place/date line. Matched on folded text (no diacritics, lower case) so
# "UỶ BAN"/"ỦY BAN" and unaccented letterheads agree.
_LETTERHEAD_PATTERNS = [
    re.compile(p)
    for p in (
        r"^(ubnd|hdnd|ubmttq|uy ban|hoi dong|so |phong |ban |huyen |tinh |thanh pho |thi xa |"
        r"xa |dang uy|dang bo|tinh uy|huyen uy|thanh uy|bo chi huy|bo chqs|bo ch |bch |bdbp|"
        r"cong an|"
        r"chi bo |chi doan |"
        r"cong ty|dien luc|truong |trung tam|benh vien|hoi |lien doan|ldld|doan |"
        r"tinh doan|mat tran|chi cuc|cuc |kho bac|ngan hang|dai |bao |vien |tong cong ty|"
        r"cong doan|nha may|xi nghiep|chi nhanh|"
        # offices, inspectorates, project boards, border posts, groups, newspapers' mastheads
        r"van phong|thanh tra|bqlda|ban qlda|bql |don bien phong|don bp |tap doan|vnpt|"
        r"viettel|co quan cua|hat kiem lam|hat quan ly)",
        r"^cong hoa xa hoi chu nghia viet nam",
        r"^doc lap\s*[-–—]\s*tu do\s*[-–—]\s*hanh phuc",
        r"^so\s*:",
        r"^s[o]\s*\d+\s*/",
        r"^[^,]{0,60},\s*ngay\s+[\d.]+\s+thang\s+[\d.]+\s+nam\s+[\d.]+",
        r"^ngay\s+[\d.]+\s+thang\s+[\d.]+\s+nam\s+[\d.]+",
        r"^v/v\b",
        r"^[-_*=~.\s\u2013\u2014\u2015\u2500]{3,}$",
    )
]


# A page number line: "Trang 1", "Trang 1/4", "Page 2", "- 1 -", "1".
_PAGE_MARK = re.compile(
    r"^(?:(?:trang|page)\s*\d{1,3}(?:\s*/\s*\d{1,3})?|[-\u2013\s]*\d{1,3}[-\u2013\s]*)$"
)


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_HEADLINE_COLON = re.compile(r":\s*\w+\W+\w+")  # "...: HỒ SƠ ĐI ...": two words after a colon


def is_letterhead_line(text: str) -> bool:
    """True for an official letterhead line. Organisation names count only when short and
    upper-case (a title such as "Sở Y tế ..." in sentence case is not a letterhead), and
    not followed by a colon and words: "PHÒNG ĐĂNG KÝ KINH DOANH: HỒ SƠ ĐI TRÊN MẠNG" is a
    headline naming its subject."""
    text = collapse_ws(text)
    if not text:
        return False
    key = fold(text)
    if not _LETTERHEAD_PATTERNS[0].match(key):
        return any(p.match(key) for p in _LETTERHEAD_PATTERNS[1:])
    return _is_upper(text) and len(text) <= 80 and not _HEADLINE_COLON.search(text)


# A letterhead laid out as a table (issuing body left, national motto right; number and
# date beneath) is a few short rows in two columns. A table with more rows, more columns,
# a number in a cell or more text is a table of data ("TT | ĐƠN VỊ | SỐ BÀI" and thirty
# units in capitals), and belongs to the article.
LETTERHEAD_TABLE_MAX_ROWS = 5
LETTERHEAD_TABLE_MAX_COLUMNS = 3
LETTERHEAD_TABLE_MAX_CHARS = 600
_RULE = re.compile(r"^[\W_]{2,40}$")


def _block_lines(block: Block) -> list[str]:
    return [ln for ln in (collapse_ws(x) for x in _LINE_SPLIT.split(block.text)) if ln]


def is_letterhead_table(rows: Sequence[Block]) -> bool:
    """True when the rows of one table (consecutive table blocks) are a letterhead: a few
    short rows of letterhead lines or capitals, in at most three columns."""
    if not rows or len(rows) > LETTERHEAD_TABLE_MAX_ROWS:
        return False
    chars = 0
    for row in rows:
        if len(row.text.split(" | ")) > LETTERHEAD_TABLE_MAX_COLUMNS:
            return False
        for line in _block_lines(row):
            if not (
                is_letterhead_line(line)
                or (_is_upper(line) and len(line) <= 80)
                or _RULE.match(line)  # the short rule under the body's name or the motto
            ):
                return False
            chars += len(line)
    return chars <= LETTERHEAD_TABLE_MAX_CHARS


def _table_end(blocks: Sequence[Block], start: int) -> int:
    """The index after the run of table rows that starts at ``start``."""
    end = start
    table_id = blocks[start].table_id
    while (
        end < len(blocks)
        and blocks[end].table
        and blocks[end].image is None
        and blocks[end].table_id == table_id
    ):
        end += 1
    return end


def letterhead_flags(blocks: Sequence[Block]) -> list[bool]:
    """For each block: is it part of a letterhead? A paragraph when each of its lines is
    a letterhead line; a table row when its whole table is a letterhead table."""
    flags = [False] * len(blocks)
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.table and b.image is None:
            end = _table_end(blocks, i)
            flags[i:end] = [is_letterhead_table(blocks[i:end])] * (end - i)
            i = end
            continue
        lines = _block_lines(b) if b.image is None else []
        flags[i] = bool(lines) and all(is_letterhead_line(ln) for ln in lines)
        i += 1
    return flags


# --- titles, captions, leads --------------------------------------------------------------

_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|tl|tb|tr|aw|sv|vs)\s*(?:\[\d+\])?\s*:\s*|"
    r"\[[^\]]{0,40}\]\s*)+",
    re.IGNORECASE,
)


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes (Fwd:, FW:, TL:, Re:, TB:, Tr:)."""
    return collapse_ws(_SUBJECT_PREFIX.sub("", subject))


def _pictograph(ch: str) -> bool:
    """An emoji or symbol (🎥, 🌸, ✅, ★), or what joins and varies one."""
    return (
        unicodedata.category(ch) in ("So", "Sk")
        or ch in "\ufe0f\ufe0e\u200d\u20e3"
        or 0x1F3FB <= ord(ch) <= 0x1F3FF  # skin tones
    )


def tidy_title(title: str) -> str:
    """``title`` without the emoji and symbols a fanpage post frames its headline with
    ("🎥 CÔ GÁI MÔNG ... 🎥"), nor the spaces around them; those inside stay."""
    start, end = 0, len(title)
    while start < end and (title[start].isspace() or _pictograph(title[start])):
        start += 1
    while end > start and (title[end - 1].isspace() or _pictograph(title[end - 1])):
        end -= 1
    return title[start:end]


def _has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _title_like(block: Block) -> bool:
    text = block.text
    return (
        0 < len(text) <= TITLE_MAX_CHARS
        and _has_letters(text)  # "*", "***", "---": an ornament, not a title
        and "\n" not in text
        and not is_cover_paragraph(text)
        and not text.rstrip().endswith((":", ","))
    )


def looks_like_caption(text: str, *, italic: bool) -> bool:
    text = text.strip()
    if not text or len(text) > CAPTION_MAX_CHARS * 2:
        return False
    if italic and len(text) <= CAPTION_MAX_CHARS * 2:
        return True
    key = fold(text)
    if key.startswith(("anh:", "anh ", "hinh:", "hinh ", "anh minh hoa", "(anh")):
        return True
    return len(text) <= CAPTION_MAX_CHARS


def lead_of(paragraphs: Sequence[str]) -> str:
    """The first paragraph when it is short enough to stand as a lead, else ""."""
    if paragraphs and len(paragraphs[0]) < LEAD_MAX_CHARS:
        return paragraphs[0]
    return ""


@dataclass
class _Doc:
    header_lines: list[str] = field(default_factory=list)
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    images: list[Asset] = field(default_factory=list)


_LABEL_MAX_WORDS = 4


def _is_label(block: Block) -> bool:
    """A short line before the title that labels the document ("BÀI VIẾT", "Tin bài",
    "Bài tham dự cuộc thi"), as opposed to a sentence of the article."""
    text = collapse_ws(block.text)
    if not text or block.table or block.image is not None:
        return False
    return (
        _is_upper(text)
        or _doc_label(text)  # "Tin bài:"
        or is_letterhead_line(text)
        or is_cover_paragraph(text)  # "Kính gửi: Ban Thi đua ...": the cover's, not the text's
        or (len(text.split()) <= _LABEL_MAX_WORDS and not text.endswith((".", ":", "?", "!")))
    )


_COVER_LETTER_BLOCKS = 16  # a dispatch sending the article fits in this many blocks
_CLOSING_LINE_MAX = 60  # a recipient, signer or name line of the closing


def _cover_letter_end(blocks: list[Block]) -> int:
    """Where the article starts in a document that opens with its cover letter: a
    dispatch ("Kính gửi: Ban Thi đua ...", "... gửi 02 bài viết, gồm: ...") closed by
    "Nơi nhận:" and its signer, then the article with its own title. 0 when the document
    does not open that way. The letter is not the article's text (the document itself is
    kept whole); its letterhead stays the article's letterhead."""
    texts = [i for i, b in enumerate(blocks) if b.text.strip()][:_COVER_LETTER_BLOCKS]
    if not texts or not fold(collapse_ws(blocks[texts[0]].text)).startswith(
        ("kinh gui", "kinh trinh")
    ):
        return 0
    for i in texts[1:]:
        lines = [fold(collapse_ws(ln)) for ln in _LINE_SPLIT.split(blocks[i].text)]
        if not any(closes_the_form(ln) for ln in lines):
            continue
        end = i + 1
        # The closing goes on over short lines: recipients, capacity, "(đã ký)", the name.
        while end < len(blocks) and _closing_line(blocks[end]):
            end += 1
        letter = " ".join(fold(collapse_ws(blocks[j].text)) for j in texts if j < i)
        tail = sum(len(b.text) for b in blocks[end:])
        return end if tail >= TAIL_ARTICLE_CHARS and sends_an_article(letter) else 0
    return 0


def _closing_line(block: Block) -> bool:
    """A block that still belongs to a dispatch's closing: empty, or a short line that is
    no title (a recipient, the signer's capacity, "(đã ký)", the name)."""
    text = collapse_ws(block.text)
    if not text and block.image is None:
        return True
    return (
        len(text) <= _CLOSING_LINE_MAX
        and not (block.bold or block.heading)
        and (
            closes_the_form(fold(text))
            or text.startswith(("-", "+", "(", "Lưu"))
            or _is_upper(block.text)
            or len(block.text.split()) <= _LABEL_MAX_WORDS
        )
    )


_ORNAMENT_MAX = 40


def _ornament(text: str) -> bool:
    """A short line of symbols only: "*", "* * *", "-----" (not "~o0o~": it has letters)."""
    text = text.strip()
    return 0 < len(text) <= _ORNAMENT_MAX and not any(c.isalnum() for c in text)


# What kind of piece the document is, said on a line of its own above the title ("BÀI
# VIẾT", "KỊCH BẢN PHÓNG SỰ", "Tin bài", "BÀI PHÁT THANH"): a label, never the title.
_DOC_LABEL = re.compile(
    r"^(?:bai viet|bai|tin bai|tin|bai bao|phong su|ky su|ghi chep|bai du thi"
    r"|kich ban(?: (?:phong su|phat thanh|truyen hinh|chuyen muc|tin))?"
    r"|(?:phong su|tin bai|bai) (?:phat thanh|truyen hinh))[\s.:]*$"
)


# A longer label says only what the piece is for, in the plan's own words: "BÀI VIẾT GIỚI
# THIỆU GƯƠNG ĐIỂN HÌNH TIÊN TIẾN (QUÝ IV/2017)", "Bài tuyên truyền mô hình mới": every word
# one of these (folded), or a number, a period or a Roman numeral. A title names someone or
# something ("Bài học từ ...", "Tin vui ở bản ...").
_LABEL_WORDS = frozenset(
    {
        "bai", "viet", "tin", "gioi", "thieu", "tuyen", "truyen", "guong", "dien", "hinh",
        "tien", "mo", "moi", "nhan", "to", "nguoi", "tot", "viec", "quy", "thang", "nam",
        "ve", "cac", "cua", "va", "ca", "tap", "the", "dot", "thi", "dua", "phong", "trao",
    }
)  # fmt: skip
_LABEL_TOKEN = re.compile(r"[^\W_]+")


# What programme or release the piece is from ("CHƯƠNG TRÌNH PHÁT THANH - PHÁT SÓNG
# 05/3/2020", "CHUYÊN MỤC GƯƠNG SÁNG ĐỜI THƯỜNG", "THÔNG CÁO BÁO CHÍ | PRESS RELEASE"), and
# the headings of a report's sections ("1. Bối cảnh", "I. SƠ LƯỢC LÝ LỊCH", "(Tiếp theo)"):
# never the title.
_PROGRAMME_LABEL = re.compile(
    r"^(?:chuong trinh (?:phat thanh|truyen hinh)|chuyen muc|thong cao bao chi|press release"
    r"|kich ban (?:phong su|phat thanh|truyen hinh)|ban tin)\b"
)
_SECTION_HEADING = re.compile(
    r"^\(?(?:(?:\d{1,2}|[ivx]{1,4})[.)]\s*)?(?:boi canh|dat van de|mo dau|tiep theo|"
    r"so luoc (?:ly lich|thanh tich)|dac diem(?: tinh hinh)?|thanh tich dat duoc|"
    r"qua trinh cong tac|tom tat thanh tich)\b[\s.:)]*$"
)


def is_section_heading(text: str) -> bool:
    """A report's section heading ("1. Bối cảnh", "I. SƠ LƯỢC LÝ LỊCH", "Thành tích đạt
    được"), numbered or not."""
    return bool(_SECTION_HEADING.match(fold(text)))


# A label may also open with the plan's words themselves: "GƯƠNG ĐIỂN HÌNH TIÊN TIẾN THÁNG
# 11/2019", "GIỚI THIỆU MÔ HÌNH MỚI".
_LABEL_OPENINGS = ("bai ", "tin ", "gioi thieu ", "guong dien hinh", "mo hinh moi", "nhan to moi")


def _doc_label(text: str) -> bool:
    key = fold(text)  # fold collapses whitespace too
    if _DOC_LABEL.match(key) or _PROGRAMME_LABEL.match(key) or _SECTION_HEADING.match(key):
        return True
    if not key.startswith(_LABEL_OPENINGS):
        return False
    words = _LABEL_TOKEN.findall(key)
    return 3 <= len(words) <= 14 and all(
        w in _LABEL_WORDS or w.isdigit() or _ROMAN_NUMERAL.fullmatch(w) for w in words
    )


_ROMAN_NUMERAL = re.compile(r"[ivx]{1,4}")


def _pick_title(blocks: list[Block]) -> int:
    """Index of the title block among the first few text blocks, or -1. A line saying
    what kind of piece follows ("KỊCH BẢN PHÓNG SỰ") is passed over."""
    window = [i for i, b in enumerate(blocks) if b.text and not b.table][:_TITLE_WINDOW]
    window = [i for i in window if not _doc_label(blocks[i].text)]
    for test in (lambda b: b.heading, lambda b: b.bold, lambda b: _is_upper(b.text)):
        for i in window:
            if test(blocks[i]) and _title_like(blocks[i]):
                return i
    # A title in plain type: the first line, short and without a closing stop, over a
    # paragraph of prose (a document typed without styles; a mail subject such as "e gửi
    # a" is not what the Board should see when the piece names itself).
    if window and _plain_title(blocks, window[0]):
        return window[0]
    return -1


PLAIN_TITLE_MAX_WORDS = 25
_PROSE_AFTER_WORDS = 30


def _plain_title(blocks: list[Block], i: int) -> bool:
    text = collapse_ws(blocks[i].text)
    if not _title_like(blocks[i]) or text.endswith((".", "!", "?", ";", "…")):
        return False
    if len(text.split()) > PLAIN_TITLE_MAX_WORDS or _doc_label(text):
        return False
    nxt = next((b for b in blocks[i + 1 :] if b.text.strip() and not b.table), None)
    return nxt is not None and len(nxt.text.split()) >= _PROSE_AFTER_WORDS


def build_article(
    blocks: Sequence[Block], *, source: str, origin: str, document_sha256: str = ""
) -> ArticleDraft:
    """Letterhead → ``header_lines``, title, captions on pictures, text, lead."""
    doc = _Doc()
    items = list(blocks)
    start = 0
    while start < len(items):
        b = items[start]
        if b.image is None and not b.text:
            start += 1
            continue
        if b.table and b.image is None:
            # A table is the letterhead as a whole or not at all (a table of data at the
            # top of a document is content, however many unit names in capitals it lists).
            end = _table_end(items, start)
            if not is_letterhead_table(items[start:end]):
                break
            for row in items[start:end]:
                doc.header_lines.extend(_block_lines(row))
            start = end
            continue
        lines = _block_lines(b)
        if b.image is None and lines and all(is_letterhead_line(ln) for ln in lines):
            doc.header_lines.extend(lines)
            start += 1
            continue
        if b.image is None and _PAGE_MARK.match(fold(collapse_ws(b.text))):
            start += 1  # a page number above the letterhead (a PDF's running header)
            continue
        if b.image is None and doc.header_lines and _ornament(b.text):
            # the star or rule under a letterhead's name (a Party body's "*")
            doc.header_lines.append(collapse_ws(b.text))
            start += 1
            continue
        break
    rest = items[start:]
    # A cover letter opening the document is not the article's text; its pictures (a photo
    # placed right after the signer, a scanned seal) stay with the article all the same:
    # the editor removes a seal, a photo dropped here would be lost without a trace.
    cut = _cover_letter_end(rest)
    rest = [b for b in rest[:cut] if b.image is not None] + rest[cut:]
    t = _pick_title(rest)
    seam = -1  # where the blocks before the title meet those after it (no caption across)
    if t >= 0:
        doc.title = collapse_ws(rest[t].text)
        # Labels before the title (document-type labels such as "BÀI VIẾT") are kept with
        # the letterhead, not in the text; a sentence before the title, or a table (the
        # title window passes over tables), is content and stays in the text, in its place.
        before = rest[:t]
        doc.header_lines.extend(collapse_ws(b.text) for b in before if _is_label(b))
        kept = [b for b in before if not _is_label(b) and (b.text or b.image)]
        seam = len(kept)
        rest = kept + rest[t + 1 :]
    i = 0
    while i < len(rest):
        b = rest[i]
        if b.image is not None:
            asset = b.image
            asset.position = len(doc.images)
            nxt = rest[i + 1] if i + 1 < len(rest) else None
            if (
                nxt is not None
                and i + 1 != seam
                and nxt.image is None
                and not nxt.heading
                and not nxt.table
                and looks_like_caption(nxt.text, italic=nxt.italic)
            ):
                asset.caption = collapse_ws(nxt.text)
                i += 1
            doc.images.append(asset)
        elif b.text.strip():
            doc.paragraphs.append(b.text.strip())
        i += 1
    return ArticleDraft(
        title=doc.title,
        text="\n\n".join(doc.paragraphs),
        source=source,
        origin=origin,
        lead=lead_of(doc.paragraphs),
        images=doc.images,
        header_lines=doc.header_lines,
        document_sha256=document_sha256,
    )


# --- cover notes and body articles ---------------------------------------------------------

_COVER = re.compile(
    r"^(kinh gui|kinh thua|dong kinh gui|chao |xin chao|gui ban|gui anh|gui chi)|"
    r"(gui kem|dinh kem|gui bai|gui lai bai|xin gui|gui den ban|gui toi ban|nhu duoi day|"
    r"gui (?:quy )?ban (?:bai|tin)|"
    r"nhu sau|file dinh kem|tep dinh kem|noi dung ngay duoi|gui \d+ bai|dan (?:ben )?duoi)|"
    r"^da,? (?:em|e|chi|anh|toi) (?:xin )?gui|"
    r"^(tran trong|tran thanh cam on|xin cam on|cam on|tran trong cam on|thank)"
)


def is_cover_paragraph(text: str) -> bool:
    """A short paragraph of the kind a cover note is made of: greeting, "gửi kèm bài
    viết", "trân trọng"."""
    return len(text) < 300 and bool(_COVER.search(fold(text)))


_CLOSING = re.compile(r"^(tran trong|tran thanh cam on|xin cam on|cam on|kinh thu|thank)")


def _without_closing(body: list[str]) -> list[str]:
    """The article's paragraphs without the cover note's end: trailing cover paragraphs,
    and a closing formula followed only by short lines ("Trân trọng!", a name, an office,
    a telephone number: the signature, which the unit tagger reads separately)."""
    body = list(body)
    while body and is_cover_paragraph(body[-1]):
        body.pop()
    for i in range(len(body) - 1, max(-1, len(body) - 9), -1):
        if _CLOSING.match(fold(body[i])) and all(len(p) <= 120 for p in body[i:]):
            return body[:i]
    return body


# A company's or an office's legal notice under every mail ("THÔNG BÁO BẢO MẬT: Thư điện
# tử này và các tệp đính kèm ...", "CONFIDENTIALITY NOTICE: This e-mail ..."): often longer
# than a cover note, and no article. Matched on folded text; a notice opens with its
# heading, or says at least two of these things.
_NOTICE_HEAD = re.compile(
    r"^(?:thong bao bao mat|bao mat thong tin|tuyen bo mien tru|mien tru trach nhiem|"
    r"confidentiality notice|confidentiality|disclaimer|important notice|legal notice|"
    r"luu y|chu y|note)\s*[:.\-]\s*"
)
_NOTICE_WORDS = re.compile(
    r"thu dien tu nay|email nay|thu nay|cac tep dinh kem|tep tin dinh kem|bao mat|"
    r"nguoi nhan|nham lan|sao chep|phat tan|tiet lo|"
    r"this e-?mail|this message|attachments?|confidential|privileged|intended (?:solely|only)|"
    r"addressee|in error|recipient|disclos|unauthori[sz]ed|virus"
)
_NOTICE_MAX_CHARS = 1500


def _is_notice(paragraph: str) -> bool:
    """A mail's legal notice (confidentiality, disclaimer), in Vietnamese or English."""
    if len(paragraph) > _NOTICE_MAX_CHARS:
        return False
    key = fold(collapse_ws(paragraph))
    found = set(_NOTICE_WORDS.findall(key))
    if _NOTICE_HEAD.match(key):
        return len(found) >= 2
    return len(found) >= 4


def _without_mail_furniture(paragraphs: list[str]) -> list[str]:
    """A body's paragraphs without legal notices and without runs of two or more mail
    header lines ("Từ: ...", "Đã gửi: ...", "Chủ đề: ...", the clients' header words of
    ingest/forward.py): what the mail client adds is no article, however long."""
    header = [
        len(p) <= 300 and "\n" not in p.strip() and header_field(p) is not None for p in paragraphs
    ]
    out: list[str] = []
    for i, p in enumerate(paragraphs):
        in_run = header[i] and (
            (i > 0 and header[i - 1]) or (i + 1 < len(header) and header[i + 1])
        )
        if in_run or _is_notice(p):
            continue
        if "\n" in p:  # a notice may stand as lines of a paragraph (Vietnamese, then English)
            p = "\n".join(ln for ln in p.split("\n") if not _is_notice(ln))
        if p:
            out.append(p)
    return out


_NOTE_MAX_WORDS = 40


def _note_over_title(paragraphs: Sequence[str], i: int) -> bool:
    """Whether paragraph ``i`` is a sender's line above a pasted piece ("e gui a", "Ngọc
    gửi Ban Thi đua giúp phòng bài nhân tố mới quý I nhé."): short, written as a message
    (a small letter first, or a sentence's end), over a title line and the prose under it.
    A title opens with a capital and has no closing stop."""
    if i + 2 >= len(paragraphs):
        return False
    note, head, prose = paragraphs[i].strip(), paragraphs[i + 1], paragraphs[i + 2]
    if not note or len(note.split()) > _NOTE_MAX_WORDS:
        return False
    as_message = note[0].islower() or note.endswith((".", "!", "ạ", "ạ.", "...", "…"))
    return (
        as_message
        and _body_title(head)
        and not head.rstrip().endswith(".")
        and head.strip()[:1].isupper()
        and len(prose.split()) >= _PROSE_AFTER_WORDS
    )


BODY_TITLE_MAX_CHARS = 160


def _body_title(paragraph: str) -> bool:
    """Whether a mail body's paragraph reads as a title: a title-like line of at most
    ``BODY_TITLE_MAX_CHARS`` without a full stop at its end."""
    return (
        _title_like(Block(text=paragraph))
        and len(paragraph) <= BODY_TITLE_MAX_CHARS
        and not paragraph.endswith(".")
    )


def split_body_article(
    draft: ArticleDraft, *, subject: str, min_chars: int
) -> tuple[ArticleDraft | None, str]:
    """Decide whether a mail body carries an article.

    Returns ``(article, reason)``: the article (cover paragraphs before the title moved
    out of the text) or None with the reason the body is not one.
    """
    paragraphs = _without_mail_furniture([p for p in draft.text.split("\n\n") if p.strip()])
    title = draft.title
    start = 0
    if title and title in paragraphs[:6] and not is_cover_paragraph(title):
        # (a greeting set in bold, "Kính gửi Ban Thi đua ...!", is the cover's, not a title)
        start = paragraphs.index(title) + 1
    else:
        while start < len(paragraphs) and (
            is_cover_paragraph(paragraphs[start]) or _note_over_title(paragraphs, start)
        ):
            start += 1
        title = ""
        if start < len(paragraphs) and _body_title(paragraphs[start]):
            title = paragraphs[start]
            start += 1
    body = _without_closing(paragraphs[start:])
    text = "\n\n".join(body)
    if len(text) < min_chars:
        return None, "no article: body too short and no document attached"
    before_title = paragraphs[: start - 1] if title else paragraphs[:start]
    article = ArticleDraft(
        title=nfc(title or clean_subject(subject)),
        text=text,
        source=draft.source,
        origin=draft.origin,
        lead=lead_of(body),
        images=draft.images,
        flags=draft.flags,
        forwarded_from=draft.forwarded_from,
        headings=draft.headings,
        cover="\n\n".join(before_title),
    )
    return article, ""


# --- replies, signatures, forwards in mail bodies -----------------------------------------

# The Outlook header block flattened to one line ("Từ: X Đã gửi: Y Đến: Z").
_ONE_LINE_HEADER = re.compile(r"^(from|tu):\s.{0,200}\s(sent|gui|da gui):\s.*$")


def is_signature_marker(line: str) -> bool:
    """The RFC 3676 signature separator "-- " (often trimmed to "--")."""
    return line.rstrip(" \xa0") == "--"


def clean_body_lines(lines: list[str]) -> list[str]:
    """Cut a mail body at its signature or at the quoted message of a reply; drop ">"
    quoted lines and the header lines of a forward (the forwarded text itself stays: it
    may be the article). Separators and header words are the mail clients' table in
    ``ingest/forward.py``.

    A reply line ("On … wrote:", "Vào … đã viết:") followed by ">" quoted lines is
    skipped with them, and the text after the quotation is kept: the sender wrote below
    the quote (Thunderbird's default). Followed by unquoted text it ends the body: that
    text is the quoted message, whose quote marks the flattening lost."""
    out: list[str] = []
    in_forward_header = False
    in_signature = False
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if stripped in (SIGNATURE_START, SIGNATURE_END) or in_signature:
            # a signature the HTML marked: left out, and the text after it goes on
            in_signature = stripped != SIGNATURE_END
            i += 1
            continue
        if is_signature_marker(line):
            break
        if stripped and not stripped.startswith(">") and may_be_marker(stripped):
            kind = separator_kind(stripped)
            if kind == "quoted" or _ONE_LINE_HEADER.match(fold(stripped)):
                break
            end = reply_line_end(lines, i)
            if end is not None:
                nxt = next((ln.strip() for ln in lines[end:] if ln.strip()), "")
                if not nxt.startswith(">"):
                    break
                i = end
                continue
            if kind == "forward":
                in_forward_header = True
                i += 1
                continue
        i += 1
        if stripped.startswith(">"):
            continue
        if in_forward_header:
            if header_field(stripped) is not None:
                continue
            if not stripped:
                in_forward_header = False
        out.append(line)
    return out
