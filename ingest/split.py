"""One document holding several articles → one block list per article.

Some units paste the month's articles into one file. Splitting must be sure of itself:
a wrong split turns one article into fragments an editor has to glue back, which is worse
than leaving two articles together. A document is split only on clear evidence:

- explicit markers at the start of a short paragraph: "Bài 1:", "Bài 2 -", "BÀI VIẾT SỐ 1",
  "Bài số 2", numbered 1, 2, 3 ... in order (arabic or roman), two at least, each followed
  by some text (``MIN_MARKED_WORDS``);
- or several headings at the document's top heading level (Title, else Heading 1), each
  followed by a substantial text (``MIN_WORDS``), with little text before the first one
  and none of them numbered like a section ("I.", "1.", "a)");
- or pieces one per page: a page break before each title (bold, heading or capitals),
  the first page opening with one too, each followed by ``MIN_SEPARATED_WORDS`` words;
- or a compilation of short profiles ("1. Cô Lò Thị Hương – 15 năm bám bản", "Gương thứ
  hai: Anh ...", or three bold lines each naming someone): each heading names a different
  person or collective, whose name comes back in the text under it and nowhere else
  (``_by_profiles``). Sections of one article name no one ("1. Thành tích đạt được"), or
  the same one each time.

A title followed by Heading 2 sections is one article: only the top level counts, and it
occurs once. Headings numbered as sections, or headings after a long opening (the title
was a bold line above them), are sections of one article too.

Blocks before the first article (the letterhead) go with every article when they are
letterhead lines, since each article needs its unit for tagging; anything else there goes
with the first. Pictures go with the article whose text surrounds them, since blocks keep
their reading order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from dienhinh.core.names import FOLDED_SURNAMES, capitalised
from dienhinh.core.text import collapse_ws, fold, fold_in_place, has_diacritics, nfc
from dienhinh.core.types import ArticleDraft, Asset
from dienhinh.ingest.article import (
    TITLE_MAX_CHARS,
    Block,
    build_article,
    is_section_heading,
    letterhead_flags,
)

__all__ = ["MIN_MARKED_WORDS", "MIN_WORDS", "articles_from_blocks", "split_blocks", "split_pasted"]

MIN_WORDS = 150  # words under each heading for it to be an article of its own
MIN_MARKED_WORDS = 40  # an explicit "Bài 2" marker needs less proof
_MAX_OPENING_WORDS = 80  # more prose than this before the first heading: it is a section

_MARKER = re.compile(
    r"^bai\s*(?:viet\s*)?(?:so\s*)?(\d{1,2}|[ivx]{1,5})\b\s*(?:[:.)\-\u2013\u2014/]\s*(.*))?$"
)
_ENUMERATED = re.compile(r"^(?:[ivxlc]{1,6}|\d{1,2}|[a-h])\s*[.)/\-\u2013]\s")
_ROMAN = {"i": 1, "v": 5, "x": 10}


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    total = 0
    for a, b in zip(token, [*token[1:], ""], strict=True):
        value = _ROMAN[a]
        total += -value if b and _ROMAN[b] > value else value
    return total


def _words(blocks: Sequence[Block]) -> int:
    return sum(len(b.text.split()) for b in blocks if b.text)


def _level(block: Block) -> int:
    return block.level or (1 if block.heading else 0)


def _groups(blocks: Sequence[Block], starts: list[int]) -> list[list[Block]]:
    preamble = list(blocks[: starts[0]])
    # A table of data before the first article is not letterhead: it goes with the first
    # article only (its rows in capitals once made it copied into every article).
    flags = letterhead_flags(preamble)
    shared = [b for b, f in zip(preamble, flags, strict=True) if f]
    first_only = [b for b, f in zip(preamble, flags, strict=True) if not f]
    out: list[list[Block]] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(blocks)
        group = [*(replace(b) for b in shared)]
        if k == 0:
            group += first_only
        group += blocks[start:end]
        out.append(group)
    return out


_MARKER_END = re.compile(r"(?:\d{1,2}|\b[IVXivx]{1,5})\s*[:.)\-\u2013\u2014/]\s*")


def _each_long_enough(blocks: Sequence[Block], starts: list[int], min_words: int) -> bool:
    """Whether the text after each start (up to the next) has ``min_words`` words."""
    ends = [*starts[1:], len(blocks)]
    return all(_words(blocks[s + 1 : e]) >= min_words for s, e in zip(starts, ends, strict=True))


def _after_marker(text: str) -> str:
    m = _MARKER_END.search(text)
    return collapse_ws(text[m.end() :]) if m else ""


def _by_markers(blocks: Sequence[Block]) -> list[list[Block]] | None:
    found: list[tuple[int, int, str]] = []  # (index, number, title after the marker)
    for i, b in enumerate(blocks):
        # "Bài"/"BÀI" start with a B: the check spares folding every short paragraph.
        if not b.text or b.text[0] not in "bB" or b.table or len(b.text) > TITLE_MAX_CHARS + 20:
            continue
        m = _MARKER.match(fold(b.text))
        if m is None:
            continue
        found.append((i, _number(m[1]), m[2] or ""))
    if len(found) < 2 or [n for _, n, _ in found] != list(range(1, len(found) + 1)):
        return None
    starts = [i for i, _, _ in found]
    if not _each_long_enough(blocks, starts, MIN_MARKED_WORDS):
        return None
    out = _groups(blocks, starts)
    for group, (index, _, rest) in zip(out, found, strict=True):
        pos = next(j for j, b in enumerate(group) if b is blocks[index])
        if rest:
            # "Bài 1: Người giữ rừng" → the title is what follows the marker (kept as
            # written: the folded match only located it).
            title = _after_marker(blocks[index].text) or rest
            group[pos] = replace(blocks[index], text=title, heading=True, level=1)
        else:
            del group[pos]  # a bare "BÀI VIẾT SỐ 1": the title is the next line
    return out


# A line of symbols between two pasted pieces: "* * *", "***", "---o0o---", "~~~".
_SEPARATOR = re.compile(r"^[*·•~=_\-–—oO0\s]{3,24}$")
_SEPARATOR_MARKS = frozenset("*·•~=_-–—")
MIN_SEPARATED_WORDS = 100  # each piece between separators: a scene break's text is longer


def _by_separators(blocks: Sequence[Block], *, styled: bool = False) -> list[list[Block]] | None:
    """Pieces pasted one after the other with a line of symbols between them ("* * *"):
    only when every piece opens with a title (a short line without a full stop; with
    ``styled``, in a document that shows emphasis, a bold, heading or capitals line: a
    verse after an essay's scene break is not) and has ``MIN_SEPARATED_WORDS`` words; a
    feature's scene break is followed by its text."""
    styled = styled and any(b.bold or b.heading for b in blocks if b.text)
    seps = [
        i
        for i, b in enumerate(blocks)
        if b.text
        and not b.table
        and _SEPARATOR.match(b.text.strip())
        and sum(c in _SEPARATOR_MARKS for c in b.text) >= 3
    ]
    if not seps or seps[0] == 0:
        return None
    starts = [0, *(i + 1 for i in seps)]
    ends = [*seps, len(blocks)]
    out: list[list[Block]] = []
    for s, e in zip(starts, ends, strict=True):
        part = list(blocks[s:e])
        if not part:
            return None
        head = collapse_ws(part[0].text)
        if not head or len(head) > TITLE_MAX_CHARS or head.endswith((".", ":", ";")):
            return None
        if styled and s > 0 and not (part[0].bold or part[0].heading or head.upper() == head):
            return None
        if _words(part[1:]) < MIN_SEPARATED_WORDS:
            return None
        part[0] = replace(part[0], text=head, heading=True, level=1)
        out.append(part)
    return out


def _by_headings(blocks: Sequence[Block]) -> list[list[Block]] | None:
    heads = [i for i, b in enumerate(blocks) if _level(b) and b.text and not b.table]
    if len(heads) < 2:
        return None
    top = min(_level(blocks[i]) for i in heads)
    starts = [
        i for i in heads if _level(blocks[i]) == top and len(blocks[i].text) <= TITLE_MAX_CHARS
    ]
    if len(starts) < 2:
        return None
    if any(_ENUMERATED.match(fold(blocks[i].text)) for i in starts):
        return None
    preamble = blocks[: starts[0]]
    flags = letterhead_flags(preamble)
    opening = [b for b, f in zip(preamble, flags, strict=True) if not f]
    if _words(opening) > _MAX_OPENING_WORDS or not _each_long_enough(blocks, starts, MIN_WORDS):
        return None
    return _groups(blocks, starts)


def _opens_a_piece(block: Block) -> bool:
    """A title opening a page: a top-level heading, bold or capitals line, short, without
    a full stop, not numbered like a section, not a letter's "Kính gửi" or "V/v"."""
    text = collapse_ws(block.text)
    if not text or block.table or block.image is not None or len(text) > TITLE_MAX_CHARS:
        return False
    if not (block.heading or block.bold or text.upper() == text) or _level(block) >= 2:
        return False  # a Heading 2 is a section of the piece, whatever page it opens
    key = fold(text)
    return (
        not text.endswith((".", ":", ";", ","))
        and not _ENUMERATED.match(key)
        # a letter's parts: its addressee, its subject line ("V/v gửi bài ..."), its number
        and not key.startswith(("kinh gui", "kinh trinh", "v/v", "ve viec", "so:", "so "))
    )


_PAGE_LABEL_WORDS = 30  # a label above a page's title ("Bài viết ... quý II/2020")


def _page_title(blocks: Sequence[Block], page: Iterable[int]) -> int | None:
    """The index of the title opening a page: among its first three text blocks, after
    at most a short label; None when the page opens with prose or has no text."""
    texts = [i for i in page if blocks[i].text][:3]
    before = 0
    for i in texts:
        if _opens_a_piece(blocks[i]):
            return i
        before += len(blocks[i].text.split())
        if before > _PAGE_LABEL_WORDS:
            return None
    return None


def _by_page_breaks(blocks: Sequence[Block]) -> list[list[Block]] | None:
    """Pieces put one per page in one document (a page break before each title): only
    when the first page and at least one later page open with a title, and each piece has
    ``MIN_SEPARATED_WORDS`` words. A page that opens with prose continues the piece before
    it, and one of pictures only stays with it."""
    breaks = [i for i, b in enumerate(blocks) if b.page_break]
    if not breaks:
        return None
    flags = letterhead_flags(blocks[: breaks[0]])
    first = _page_title(blocks, [i for i in range(breaks[0]) if not flags[i]])
    if first is None:
        return None
    starts = [first]
    for k, b in enumerate(breaks):
        end = breaks[k + 1] if k + 1 < len(breaks) else len(blocks)
        head = _page_title(blocks, range(b, end))
        if head is not None:
            starts.append(head)
    if len(starts) < 2 or not _each_long_enough(blocks, starts, MIN_SEPARATED_WORDS):
        return None
    return _groups(blocks, starts)


# --- a compilation of profiles ---------------------------------------------------------------

MIN_PROFILE_WORDS = 60  # a profile in a compilation is short, but not a line or two
_MAX_PROFILES_OPENING_WORDS = 150  # the compilation's title and lead before the first
_UNMARKED_PROFILES = 3  # name lines without numbers: three at least
_PLAIN_HEADING_WORDS = 25  # a heading line in text that shows no emphasis is this short

_NUMBER_WORDS = {
    "nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6,
    "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip
# A profile heading's marker, matched folded: "1.", "2)", "II.", "Gương thứ hai:",
# "Điển hình số 3 -", "Mô hình 1:" (group 1: a word marker's number; group 2: a
# numeral's), or a bullet ("-", "•", "+": no number, group 3).
_PROFILE_MARK = re.compile(
    r"^(?:(?:guong|dien hinh|nhan vat|mo hinh)\s+(?:thu\s+|so\s+)?"
    r"(\d{1,2}|nhat|mot|hai|ba|tu|bon|nam|sau|bay|tam|chin|muoi)\b\s*[.):\-\u2013\u2014/]?"
    r"|(\d{1,2}|[ivx]{1,5})\s*[.)/\-\u2013\u2014](?!\d)"
    r"|([\-+\u2022\u25cf*]))\s*"
)
# What kind of exemplar follows the marker, said before the name: "1. Tập thể: Công đoàn
# ...", "2. Cá nhân: Anh ...".
_CATEGORY = re.compile(
    r"^(?:tap the|ca nhan|ho gia dinh|gia dinh|dien hinh|mo hinh|guong)"
    r"(?:\s+(?:tieu bieu|dien hinh|tien tien|moi))?\s*[:.\-\u2013]\s*"
)
# What a collective's name follows ("Hợp tác xã Nông nghiệp Tả Van", "Chi hội Phụ nữ
# thôn Cốc Lầy", "Tổ an ninh xã Y Tý", "Công đoàn Công ty Thủy điện Nậm Mu"), folded.
_COLLECTIVE_HEADS = (
    "hop tac xa", "to hop tac", "htx", "chi hoi", "cau lac bo", "clb", "chi doan",
    "tap the", "to", "doi", "nhom", "gia dinh", "ho", "truong", "thon", "ban", "don",
    "tram", "trung tam", "cong ty", "doanh nghiep", "co so", "cong doan", "chi bo",
    "dang bo", "lien doi", "khoa", "phong", "hoi", "xa", "phuong", "khu dan cu",
)  # fmt: skip
_TOKEN = re.compile(r"\w+|[^\w\s]")
# Words before a person's name in a heading in capitals, folded, each on its own ("NỮ
# CỰU CHIẾN BINH HOÀNG THỊ LIÊN", "CHỊ LÒ THỊ HƯƠNG", "ĐOÀN VIÊN GIÀNG A DẾ"): in capitals
# any syllable may look like a family name ("CHỮ" is "Chu"), so a name opens the heading
# or follows these.
_TITLE_SYLLABLES = frozenset(
    {
        "ong", "ba", "anh", "chi", "co", "thay", "giao", "em", "cu", "gia", "lang", "nghe",
        "nhan", "bac", "si", "y", "chien", "dai", "thuong", "trung", "thieu", "uy", "ta", "ho",
        "dinh", "hoi", "vien", "doan", "dang", "nong", "dan", "cong", "ky", "su", "ha", "bo",
        "doi", "cuu", "binh", "nu", "tre", "truong", "thon", "ban", "bi", "thu", "pho", "chu",
        "tich", "can",
    }
)  # fmt: skip
# A heading's parts after the name: "Chị X - người ...", "Hợp tác xã Y, xã Z", "(...)".
_NAME_END = frozenset({",", "-", "\u2013", "\u2014", ":", "(", ";", "/"})


def _run(tokens: list[str], i: int, caps: bool, limit: int = 4) -> tuple[str, ...]:
    """The capitalised words from ``tokens[i]`` on (any word, in a heading in capitals),
    up to ``limit`` and the first punctuation."""
    out: list[str] = []
    while i < len(tokens) and len(out) < limit:
        t = tokens[i]
        if not t[0].isalpha() or not (caps or capitalised(t)):
            break
        out.append(t)
        i += 1
    return tuple(out)


def _profile_name(text: str, *, numbered_word: bool = False) -> tuple[str, ...] | None:
    """The words of the person's or collective's name a heading gives ("Cô giáo trẻ
    Hoàng Thu Uyên và ..." → Hoàng Thu Uyên), or None when it names no one. A person's
    name opens with a family name and runs over capitalised words (in a heading in
    capitals, up to the first punctuation: up to four words, which :func:`_mentions`
    trims); a collective's is the last capitalised run after its head word, before the
    heading's first separator. ``numbered_word``: the heading's marker says it is an
    exemplar ("Mô hình 2:", "Gương thứ ba"), so a place it names stands for the name."""
    key = fold_in_place(text)
    category = _CATEGORY.match(key) if key is not None else None
    if category is not None:
        text = text[category.end() :]
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    caps = text.upper() == text
    folded = [fold(t) for t in tokens]
    for i, f in enumerate(folded[:8]):
        if f not in FOLDED_SURNAMES or not (caps or capitalised(tokens[i])):
            continue
        if caps and not all(w in _TITLE_SYLLABLES for w in folded[:i]):
            continue
        name = _run(tokens, i, caps)
        if len(name) >= 2:
            return name
    cut = next((k for k, t in enumerate(tokens) if t in _NAME_END), len(tokens))
    opening = " ".join(folded[:6])
    heads = [h for h in _COLLECTIVE_HEADS if opening == h or opening.startswith(h + " ")]
    if heads or numbered_word:
        # "Chi hội Phụ nữ thôn Cốc Lầy", "Hợp tác xã Chè Tả Phìn": the last run of
        # capitalised words before the heading's first separator, not the heading's
        # first word (a sentence's capital).
        k = max((len(h.split()) for h in heads), default=1)
        name: tuple[str, ...] = ()
        while k < cut:
            found = _run(tokens, k, caps=False)
            if found:
                name = found
                k += len(found)
            else:
                k += 1
        return name or None
    return None


def _profile_heading(
    block: Block, *, plain: bool = False
) -> tuple[str, int | None, str, bool] | None:
    """(marker kind, number, text after the marker, a word marker) of a line that may
    open a profile: kind "n" (numbered), "b" (a bullet) or "" (an emphasised line without
    a marker: bold, a heading, capitals; ``plain``: the text shows no emphasis at all, a
    PDF's or a mail body's, so a short line without a full stop)."""
    text = collapse_ws(nfc(block.text))
    if not text or block.table or block.image is not None or len(text) > TITLE_MAX_CHARS:
        return None
    if text.endswith((";", ",")):
        return None
    key = fold_in_place(text) or fold(text)
    m = _PROFILE_MARK.match(key) if len(key) == len(text) else None
    if m is None:
        if text.endswith("."):
            return None
        emphasised = block.heading or block.bold or text.upper() == text
        if not (emphasised or (plain and len(text.split()) <= _PLAIN_HEADING_WORDS)):
            return None
        return "", None, text, False
    if m[3]:
        return "b", None, text[m.end() :], False
    token = m[1] or m[2]
    number = int(token) if token.isdigit() else _NUMBER_WORDS.get(token) or _number(token)
    return "n", number, text[m.end() :], bool(m[1])


def _mentions(name: tuple[str, ...], blocks: Sequence[Block]) -> tuple[str, ...] | None:
    """The name as the text under its heading names it again, or None. A name is said
    again by its last word (a person's given name, the collective's place), capitalised
    as a name is; a heading in capitals does not show where the name ends, so the longest
    of its first two to four words whose last word the text names. A text typed without
    diacritics is compared folded."""
    text = nfc(" ".join(b.text for b in blocks if b.text and not b.table))
    words = set(_TOKEN.findall(text))
    plain = not has_diacritics(text)
    folded = {fold(w) for w in words if w[:1].isupper()} if plain else set()
    caps = all(w.upper() == w for w in name)
    for k in range(len(name), 1 if caps and len(name) > 1 else 0, -1):
        last = nfc(name[k - 1])
        said = last.capitalize() if caps else last
        if said in words or (plain and fold(last) in folded):
            return name[:k]
    return None


def _by_profiles(blocks: Sequence[Block], *, plain: bool | None = None) -> list[list[Block]] | None:
    """A compilation of short profiles, one per heading: numbered 1, 2, ... (or "Gương
    thứ nhất", "Mô hình 2" ...; two at least) or unnumbered lines (three at least); each
    heading names someone else, named again in the ``MIN_PROFILE_WORDS`` words under it
    (a heading that is a name and nothing else, in a list of names, needs not be), and the
    compilation's opening is short."""
    if plain is None:  # a document's emphasis: none at all is a PDF's plain text
        plain = not any(b.bold or b.heading for b in blocks if b.text)
    found: list[tuple[int, str, int | None, str, tuple[str, ...]]] = []
    for i, b in enumerate(blocks):
        head = _profile_heading(b, plain=plain)
        if head is None:
            continue
        kind, number, rest, word_marker = head
        j = i
        if not rest and kind == "n":
            # "Gương thứ nhất:" on its own line: the name is on the next one.
            j = next((k for k in range(i + 1, len(blocks)) if blocks[k].text.strip()), i)
            rest = collapse_ws(nfc(blocks[j].text)) if j != i else ""
        name = _profile_name(rest, numbered_word=word_marker) if rest else None
        if name is not None:
            found.append((i, kind, number, rest, name))
    # Each kind of marker on its own: the numbered ones running 1, 2, ..., or the others.
    for kind in ("n", "b", ""):
        heads = [f for f in found if f[1] == kind]
        if kind == "n":
            # 1, 2, 3 ... in order: another numbered line naming someone (a list inside a
            # profile) is not a heading of the compilation.
            seq: list[tuple[int, str, int | None, str, tuple[str, ...]]] = []
            for h in heads:
                if h[2] == len(seq) + 1:
                    seq.append(h)
            heads = seq
        groups = _profiles_of(blocks, heads, 2 if kind == "n" else _UNMARKED_PROFILES)
        if groups is not None:
            return groups
    return None


def _profiles_of(
    blocks: Sequence[Block],
    heads: list[tuple[int, str, int | None, str, tuple[str, ...]]],
    need: int,
) -> list[list[Block]] | None:
    """The profiles under ``heads`` (at least ``need``), or None. Unnumbered, a line
    whose name the text under it never says again is no heading of the compilation (its
    text stays with the profile above); numbered, the whole run must hold."""
    while len(heads) >= need:
        starts = [h[0] for h in heads]
        preamble = blocks[: starts[0]]
        flags = letterhead_flags(preamble)
        opening = [b for b, f in zip(preamble, flags, strict=True) if not f]
        if _words(opening) > _MAX_PROFILES_OPENING_WORDS:
            return None
        if not _each_long_enough(blocks, starts, MIN_PROFILE_WORDS):
            return None
        ends = [*starts[1:], len(blocks)]
        names: list[str] = []
        unsaid = -1
        for k, (h, s, e) in enumerate(zip(heads, starts, ends, strict=True)):
            said = _mentions(h[4], blocks[s + 1 : e])
            alone = len(_TOKEN.findall(h[3])) == len(h[4])  # "GIÀNG A DẾ": a list of names
            if said is None and not alone:
                unsaid = k
                break
            names.append(fold(" ".join(said or h[4])))
        if unsaid < 0:
            if len(set(names)) != len(names):
                return None  # sections about one subject
            return _profile_groups(blocks, heads, len(preamble) - len(opening))
        if heads[0][1] == "n":
            return None
        heads = heads[:unsaid] + heads[unsaid + 1 :]
    return None


def _profile_groups(
    blocks: Sequence[Block],
    heads: list[tuple[int, str, int | None, str, tuple[str, ...]]],
    n_shared: int,
) -> list[list[Block]]:
    """One block list per profile, its heading as its title (the marker dropped). The
    compilation's own title and lead go with the first profile, under its heading: that
    profile's title is its heading, not the compilation's."""
    out = _groups(blocks, [h[0] for h in heads])
    for k, (group, (index, _, _, rest, _)) in enumerate(zip(out, heads, strict=True)):
        pos = next(j for j, b in enumerate(group) if b is blocks[index])
        if rest and collapse_ws(nfc(blocks[index].text)).endswith(rest):
            group[pos] = replace(blocks[index], text=rest, heading=True, level=1)
        else:
            # a marker line alone: the title is the line after it
            del group[pos]
            group[pos] = replace(group[pos], heading=True, level=1)
        if k == 0 and pos > n_shared:
            opening = [replace(b, heading=False, level=0) for b in group[n_shared:pos]]
            group[n_shared : pos + 1] = [group[pos], *opening]
    return out


# An official letter's annex of exemplars: "PHỤ LỤC" / "BÀI VIẾT KÈM THEO" / "(Kèm theo
# Công văn số ...)", then a numbered line per exemplar naming its kind in the plan's words
# ("1. Gương điển hình tiên tiến", "2. Mô hình mới", "3. Gương người tốt, việc tốt",
# "II. NHÂN TỐ MỚI"), each over its piece's title and text. Folded.
_ANNEX = re.compile(
    r"^(?:phu luc\b|(?:cac )?bai viet kem theo\b|\(?kem theo (?:cong van|cv|bao cao|to trinh)\b)"
)
_ANNEX_KIND = re.compile(
    r"^(\d{1,2}|[ivx]{1,4})\s*[.):\-\u2013]\s*"
    r"(?:guong dien hinh|dien hinh|guong|mo hinh|nhan to moi|nguoi tot)\b"
)
_ANNEX_KIND_WORDS = 12  # "1. Gương điển hình tiên tiến": a label, not a sentence


def _by_annex(blocks: Sequence[Block]) -> list[list[Block]] | None:
    """The exemplars of an official letter's annex, each under its numbered kind line
    (two at least, numbered 1, 2, ... in order, each with ``MIN_PROFILE_WORDS`` of text):
    one article each, titled by the line under its kind's (or by what follows the kind's
    words after a colon: "1. Gương điển hình: Cô giáo ...")."""
    annex = next(
        (
            i
            for i, b in enumerate(blocks)
            if b.text and len(b.text.split()) <= 30 and _ANNEX.match(fold(b.text.strip()))
        ),
        None,
    )
    if annex is None:
        return None
    starts: list[int] = []
    for i in range(annex + 1, len(blocks)):
        text = collapse_ws(blocks[i].text)
        # the kind's words short, a title after a colon a headline's length
        if not text or blocks[i].table or len(text.split(":")[0].split()) > _ANNEX_KIND_WORDS:
            continue
        if len(text.split()) > _PLAIN_HEADING_WORDS + _ANNEX_KIND_WORDS:
            continue
        m = _ANNEX_KIND.match(fold(text))
        if m and _number(m[1]) == len(starts) + 1:
            starts.append(i)
    if len(starts) < 2 or not _each_long_enough(blocks, starts, MIN_PROFILE_WORDS):
        return None
    ends = [*starts[1:], len(blocks)]
    out: list[list[Block]] = []
    shared: list[Block] = []
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        body = list(blocks[start:end])
        label = collapse_ws(body[0].text)
        rest = label.split(":", 1)[1].strip() if ":" in label else ""
        if len(rest.split()) >= _PIECE_TITLE_WORDS:
            # "1. Gương điển hình: Cô giáo ...": the title follows the kind's words
            title, body = replace(body[0], text=rest, heading=True, level=1), body[1:]
        else:
            # the kind's line stays a label under the title, the next line that reads as
            # a title
            nxt = next((j for j in range(1, len(body)) if body[j].text.strip()), None)
            if nxt is None or not _title_line(body[nxt]):
                return None
            title = replace(body[nxt], heading=True, level=1)
            body = [replace(body[0], heading=False, level=0), *body[1:nxt], *body[nxt + 1 :]]
        if k == 0:
            # The letter and the annex's own heading before the first piece: a cover
            # letter (kept in the mail and its document, not in a piece), whose letterhead
            # lines lead every piece (the unit's).
            pre = list(blocks[:start])
            shared = [b for b, f in zip(pre, letterhead_flags(pre), strict=True) if f]
        out.append([*(replace(b) for b in shared), title, *body])
    return out


# A list of short exemplars, one paragraph each: a marker, whom it is about, a colon,
# what they did ("Gương 1: Anh Hoàng Văn Thắm, thôn Khuổi Phường: Anh Thắm sinh năm ...",
# "1) Khoa Hồi sức tích cực, Bệnh viện Đa khoa tỉnh: Từ tháng 5/2019 ...", "- Chị ...: ...").
# Matched on the paragraph's lower case without marks (one character for each).
_ITEM = re.compile(
    r"^(?:(?:guong|dien hinh|mo hinh|nhan to moi)\s+(?:thu\s+|so\s+)?(\d{1,2})\s*[:.)\-\u2013]"
    r"|(\d{1,2})\s*[.)]|([\-+\u2022*]))\s*"
)
ITEM_MIN_WORDS = 50  # a short exemplar's text after its colon: a few sentences
_ITEM_HEAD_WORDS = 24  # whom it is about, before the colon: a name and an address


def _item(block: Block) -> tuple[int | None, str, str] | None:
    """(number, whom, text) of a paragraph that is one exemplar of a list, else None."""
    if block.table or block.image is not None or not block.text:
        return None
    text = collapse_ws(nfc(block.text))
    key = fold_in_place(text)  # its offsets are the text's
    m = _ITEM.match(key) if key is not None else None
    if m is None:
        return None
    head, colon, body = text[m.end() :].partition(":")
    if not colon or len(head.split()) > _ITEM_HEAD_WORDS:
        return None
    if len(body.split()) < ITEM_MIN_WORDS or _profile_name(head.strip()) is None:
        return None
    number = m[1] or m[2]
    return (int(number) if number else None), head.strip(" -"), body.strip()


def _by_items(blocks: Sequence[Block]) -> list[list[Block]] | None:
    """Two short exemplars or more, each one paragraph "marker whom: what they did"
    (numbered 1, 2, ... in order, or all bulleted), after an opening of at most
    ``_MAX_PROFILES_OPENING_WORDS`` words: one article each, titled by whom it is about;
    what stands between two items (a photo, a line more) goes with the one before."""
    found = [(i, it) for i, b in enumerate(blocks) if (it := _item(b)) is not None]
    numbered = [(i, it) for i, it in found if it[0] is not None]
    seq = []
    for i, it in numbered:
        if it[0] == len(seq) + 1:
            seq.append((i, it))
    bullets = [(i, it) for i, it in found if it[0] is None]
    items = seq if len(seq) >= 2 else bullets
    if len(items) < 2 or _words(blocks[: items[0][0]]) > _MAX_PROFILES_OPENING_WORDS:
        return None
    starts = [i for i, _ in items]
    out = _groups(blocks, starts)
    at = 0  # where the first item's title stands in its group
    for k, (group, (index, (_, head, body))) in enumerate(zip(out, items, strict=True)):
        pos = next(j for j, b in enumerate(group) if b is blocks[index])
        if k == 0:
            at = pos
        title = replace(blocks[index], text=head, heading=True, level=1, bold=False)
        group[pos : pos + 1] = [title, replace(blocks[index], text=body, heading=False, level=0)]
    # The list's own heading ("GƯƠNG ĐIỂN HÌNH TIÊN TIẾN QUÝ II/2019") under the first
    # item's title: that item's title is its own.
    first = out[0]
    flags = letterhead_flags(first[:at])
    head_blocks = [b for b, f in zip(first[:at], flags, strict=True) if f]
    rest = [
        replace(b, heading=False, level=0) for b, f in zip(first[:at], flags, strict=True) if not f
    ]
    out[0] = [*head_blocks, first[at], *rest, *first[at + 1 :]]
    return out


def split_blocks(blocks: Sequence[Block]) -> list[list[Block]]:
    """The blocks of each article in the document; one list when it holds one."""
    return (
        _by_annex(blocks)
        or _by_markers(blocks)
        or _by_headings(blocks)
        or _by_page_breaks(blocks)
        or _by_profiles(blocks)
        or _by_items(blocks)
        or _collection(blocks, _by_numbers(blocks, opening=True))
        or _collection(blocks, _by_separators(blocks, styled=True))
        or _collection(blocks, _by_labelled_titles(blocks))
        or [list(blocks)]
    )


def _title_line(block: Block) -> bool:
    text = collapse_ws(block.text)
    return (
        bool(text)
        and not block.table
        and len(text.split()) <= _PLAIN_HEADING_WORDS
        and not text.endswith((".", ":", ";", ","))
    )


def _prose(block: Block) -> bool:
    return len(block.text.split()) >= _PLAIN_HEADING_WORDS


def _collection(
    blocks: Sequence[Block], groups: list[list[Block]] | None
) -> list[list[Block]] | None:
    """``groups`` of a document holding several titled pieces (numbered "1. TITLE",
    "2. TITLE", set apart by "* * *", or each headed "Gương sáng ..."), the collection's
    own title and label ("Những người gieo hạt ...", "(Bút ký - hai bài)") moved under the
    first piece's title, the line right above its first paragraph of prose: that piece's
    title is its own, not the collection's."""
    if not groups:
        return None
    first = groups[0]
    flags = letterhead_flags(first)
    texts = [j for j, b in enumerate(first) if b.text.strip() and not flags[j]]
    prose = next((k for k, j in enumerate(texts) if _prose(first[j])), 0)
    if prose < 2 or not _title_line(first[texts[prose - 1]]):
        return groups
    title = texts[prose - 1]
    opening = [replace(first[j], heading=False, level=0) for j in texts[: prose - 1]]
    head = replace(first[title], heading=True, level=1)
    moved = set(texts[:prose])
    keep = [b for j, b in enumerate(first[:title]) if j not in moved]
    groups[0] = [*keep, head, *opening, *first[title + 1 :]]
    return groups


# A piece of a compilation headed by the plan's words, then whom it is about: "Gương sáng
# Thôn đội trưởng Pờ Hừ Xá ...", "Gương sáng gia đình chị ...", "Nhân tố mới: ...". Not
# "Mô hình ...": one article about a commune's models has a section for each.
_LABELLED_TITLE = re.compile(r"^(guong sang|guong dien hinh|dien hinh|nhan to moi)\b")


def _by_labelled_titles(blocks: Sequence[Block]) -> list[list[Block]] | None:
    """Two pieces or more, each under a title line opening with the same words of the
    plan ("Gương sáng ..."), each with ``MIN_PROFILE_WORDS`` of text, after an opening of
    at most ``_MAX_PROFILES_OPENING_WORDS`` words."""
    found: dict[str, list[int]] = {}
    for i, b in enumerate(blocks):
        if b.image is None and _title_line(b):
            m = _LABELLED_TITLE.match(fold(b.text))
            if m:
                found.setdefault(m[1], []).append(i)
    for starts in found.values():
        if len(starts) < 2 or _words(blocks[: starts[0]]) > _MAX_PROFILES_OPENING_WORDS:
            continue
        names = [_profile_name(collapse_ws(blocks[i].text)) for i in starts]
        if any(names) and len(set(names)) < len(names):
            continue  # one person's portrait in parts
        if _each_long_enough(blocks, starts, MIN_PROFILE_WORDS):
            out = _groups(blocks, starts)
            for group, index in zip(out, starts, strict=True):
                pos = next(j for j, b in enumerate(group) if b is blocks[index])
                group[pos] = replace(blocks[index], heading=True, level=1)
            return out
    return None


def articles_from_blocks(
    blocks: Sequence[Block], *, source: str, origin: str, flags: Sequence[str] = ()
) -> list[ArticleDraft]:
    """One article per article the document holds; each of a split document is flagged
    "split:<n>/<total>" so the editor sees where it came from."""
    groups = split_blocks(blocks)
    articles: list[ArticleDraft] = []
    for n, group in enumerate(groups, 1):
        article = build_article(group, source=source, origin=origin)
        article.flags.extend(flags)
        if len(groups) > 1:
            article.flags.append(f"split:{n}/{len(groups)}")
        articles.append(article)
    return articles


# "1. Hợp tác xã thuốc tắm Dao đỏ ở Tả Phìn", "2) Cô giáo ...": a numbered title line.
_NUMBERED_TITLE = re.compile(r"^(\d{1,2})\s*[.)]\s+(\S.*)$")


_PIECE_TITLE_WORDS = 5  # "1. Hoàn cảnh" is a section; "1. LỚP HỌC TIẾNG ANH DƯỚI ..." a piece


def _piece_title(title: str) -> bool:
    """A numbered line that titles a piece of a collection, not a section of one article:
    a headline's length, not a report's section heading."""
    return len(title.split()) >= _PIECE_TITLE_WORDS and not is_section_heading(title)


def _by_numbers(blocks: Sequence[Block], *, opening: bool = False) -> list[list[Block]] | None:
    """Pasted articles numbered "1. Title", "2. Title": only when the text opens with
    "1." (the first article's title; with ``opening``, a document's collection title and
    label of at most ``_MAX_OPENING_WORDS`` words may stand before it), the numbers run 1,
    2, ... in order, each line is a title (short, no full stop at its end) and each is
    followed by an article's worth of text (``MIN_WORDS``): a numbered list inside one
    article opens no text."""
    found: list[tuple[int, str]] = []
    for i, b in enumerate(blocks):
        text = collapse_ws(b.text)
        if not text or text[0] not in "0123456789" or len(text) > TITLE_MAX_CHARS:
            continue
        m = _NUMBERED_TITLE.match(text)
        if m and not text.endswith((".", ":", ";")) and int(m[1]) == len(found) + 1:
            if opening and not _piece_title(m[2]):
                continue  # "1. Hoàn cảnh", "2. Thành tích": sections of one article
            if opening and _profile_name(m[2]) is not None:
                return None  # people's profiles: _by_profiles decided (a name not said
                # again, one person's portrait in parts)
            found.append((i, m[2]))
    if len(found) < 2:
        return None
    if found[0][0] != 0 and not (opening and _words(blocks[: found[0][0]]) <= _MAX_OPENING_WORDS):
        return None
    starts = [i for i, _ in found]
    if not _each_long_enough(blocks, starts, MIN_WORDS):
        return None
    out = _groups(blocks, starts)
    for group, (index, title) in zip(out, found, strict=True):
        pos = next(j for j, b in enumerate(group) if b is blocks[index])
        group[pos] = replace(blocks[index], text=title, heading=True, level=1)
    return out


def split_pasted(draft: ArticleDraft) -> list[ArticleDraft]:
    """The articles of a mail body that pastes several ("Bài 1: ...", "Bài 2: ..." or
    "1. ...", "2. ...", pieces between "* * *" lines, or an HTML newsletter's headings of
    one level, as a document's are split), each flagged "split:<n>/<total>";
    ``[draft]`` when it holds one. Each of the body's pictures goes with the piece it
    stood in (``Asset.anchor``), else with the first."""
    levels = {collapse_ws(text): level for level, text in draft.headings}

    def block(text: str) -> Block:
        level = levels.get(collapse_ws(text), 0)
        return Block(text=text, heading=bool(level), level=level)

    title_level = levels.get(collapse_ws(draft.title), 1)
    blocks = [Block(text=draft.title, heading=True, level=title_level)] if draft.title else []
    blocks += [block(p) for p in draft.text.split("\n\n") if p.strip()]
    groups = (
        _by_annex(blocks)
        or _by_markers(blocks)
        or _by_numbers(blocks)
        or _by_separators(blocks)
        # a body's emphasis is known only from its HTML headings
        or _by_profiles(blocks, plain=not draft.headings)
        or _by_items(blocks)
        or (_by_headings(blocks) if draft.headings else None)
    )
    if not groups:
        return [draft]
    out: list[ArticleDraft] = []
    placed = _place_images(draft, groups)
    for n, group in enumerate(groups, 1):
        article = build_article(group, source=draft.source, origin=draft.origin)
        article.flags = [*draft.flags, f"split:{n}/{len(groups)}"]
        article.forwarded_from = list(draft.forwarded_from)
        article.header_lines = list(draft.header_lines) or article.header_lines
        article.images = placed[n - 1]
        for position, img in enumerate(article.images):
            img.position = position
        out.append(article)
    return out


def _place_images(draft: ArticleDraft, groups: list[list[Block]]) -> list[list[Asset]]:
    """The body's pictures per piece: each goes with the piece holding the text it stood
    beside in the body (``Asset.anchor``); one whose place is not known goes with the
    first, as before."""
    texts = [[t for b in g if (t := collapse_ws(b.text))] for g in groups]
    out: list[list[Asset]] = [[] for _ in groups]
    for img in draft.images:
        out[_piece_of(collapse_ws(img.anchor), texts)].append(img)
    return out


def _piece_of(anchor: str, texts: list[list[str]]) -> int:
    """The piece whose paragraph opens with ``anchor`` (the paragraph was longer than the
    anchor kept), else the one with a paragraph ``anchor`` opens with, else the first."""
    if anchor:
        for test in (lambda t: t.startswith(anchor), lambda t: anchor.startswith(t)):
            for k, paragraphs in enumerate(texts):
                if any(map(test, paragraphs)):
                    return k
    return 0
