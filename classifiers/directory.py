"""The unit directory (``units.toml``) and the matcher that finds units named in free text.

The file holds one ``[[unit]]`` table per sending unit::

    [[unit]]
    code = "bao-yen"                  # stable id used in tags and reports
    name = "UBND huyện Bảo Yên"       # official name
    aliases = ["huyện Bảo Yên", "Bảo Yên"]
    group = "district"                # see GROUPS
    cadence = "monthly"               # see CADENCES
    addresses = ["ubnd-baoyen@laocai.gov.vn"]
    places = ["Phố Ràng", "Nghĩa Đô"] # optional: communes and towns of a district

``places`` is optional. A commune or town written with its own name only ("xã Nghĩa Đô",
"thị trấn Phố Ràng") counts for the unit that lists it; a place listed by two units is
ambiguous and matches neither. An optional top-level ``province = "Lào Cai"`` names the
province (the default), so "Hội Nông dân Lào Cai" matches "Hội Nông dân tỉnh".

Matching (``find_mentions``) works on word tokens, never on substrings, so "Bảo Yên" can
not match inside "Bảo Thắng" and a name never matches inside a longer word. Each token is
compared without case and diacritics, with two guards against the ambiguity that brings:

* when both the text and the pattern carry marks, their *tones* must agree, so "văn bản"
  (a document, very common in official mail) is not "Văn Bàn" and "bạc hà" (mint) is not
  "Bắc Hà", while "Van Ban", "VĂN BÀN" and the old/new placement "hoà"/"hòa" still match;
* acronyms from the directory ("CA tỉnh", "Sở GD&ĐT") match only unaccented text tokens,
  and a lone two-letter acronym only in upper case, so "cả tỉnh" (the whole province) is
  not "CA tỉnh" (the provincial police).

Abbreviations are canonicalised in the text and in the patterns alike: "Ủy ban nhân dân"
→ UBND, "Hội đồng nhân dân" → HĐND, "thành phố"/"TP."/"Tp" → TP, "thị xã" → TX, "thị trấn"
→ TT, "H." → huyện, "X." → xã, "Mặt trận Tổ quốc" → MTTQ, and "và" is dropped ("Sở Giáo
dục - Đào tạo" = "Sở Giáo dục và Đào tạo"). A district's name also matches after any
administrative word ("huyện Bát Xát", "H. Bát Xát", "UBND huyện Bát Xát", "HĐND-UBND huyện
Bát Xát"), so its offices, schools and associations ("Phòng Nội vụ huyện Bảo Yên") count
for it; the bare name ("Bát Xát") matches only when the directory lists it as an alias,
which is why "Lào Cai" (the province) never means the city unless written "TP Lào Cai".
A department named "Sở A B và C D" also matches its acronym ("Sở AB&CD", "Sở ABCD").

The patterns are built once per directory: a dict from folded token tuples to candidates,
indexed by first token, so a message costs one dict probe per word.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate, compress
from pathlib import Path
from typing import Any, Final

from dienhinh.classifiers.scan import WORD, nfc_text, text_split
from dienhinh.core.errors import ConfigError
from dienhinh.core.text import nfc, strip_diacritics

__all__ = [
    "CADENCES",
    "GROUPS",
    "Mention",
    "Unit",
    "UnitDirectory",
    "domain_of",
]

GROUPS: Final = frozenset(
    {"district", "department", "mass-org", "armed-forces", "media", "school", "enterprise"}
)
CADENCES: Final = frozenset({"monthly", "quarterly"})
DEFAULT_PROVINCE: Final = "Lào Cai"

# Strength of a mention: how surely the words name the unit as an organisation.
STRENGTH_NAME: Final = 1.0  # the official name, or a district with UBND/HĐND before it
STRENGTH_ALIAS: Final = 0.9  # a listed alias of a department, association, company ...
STRENGTH_GENERATED: Final = 0.85  # acronym or "<name> <province>" made from the name
# A provincial unit's short form without its level ("Hội LHPN", "BCHQS", "Hội CCB" for
# "... tỉnh"), or a department by the first field of its name ("Sở Lao động" for "Sở Lao
# động - Thương binh và Xã hội"): how staff write it in a hurry; never before a district's
# or commune's name ("Hội LHPN huyện X" is the district's association).
STRENGTH_SHORT: Final = 0.7
STRENGTH_ADMIN: Final = 0.8  # "huyện Bảo Yên", "TP Lào Cai": also a place name
STRENGTH_BARE: Final = 0.6  # "Bảo Yên" alone (only when listed as an alias)
STRENGTH_PLACE_ORG: Final = 0.7  # "UBND xã Y Tý"
STRENGTH_PLACE: Final = 0.6  # "xã Y Tý", "thị trấn Phố Lu" from ``places``
STRENGTH_BARE_PLACE: Final = 0.35  # "Y Tý" alone
# An organisation that reports through the unit ("Trường THPT số 1 Si Ma Cai" is the Sở
# GD&ĐT's school, "Trung tâm Y tế huyện X" the Sở Y tế's, "Đồn Biên phòng Y" the border
# guard's): ``members`` in units.toml. A place name right after it is where the member is,
# not a unit of its own (see UnitDirectory._find).
STRENGTH_MEMBER: Final = 0.75


@dataclass(frozen=True)
class Unit:
    """One sending unit, as ``units.toml`` describes it."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    group: str = "department"
    cadence: str = "quarterly"
    addresses: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A unit named in a text. ``start``/``end`` index ``nfc(text)`` (the text itself when it
    is NFC, as everything dienhinh stores is); ``via`` says which pattern matched."""

    unit_code: str
    matched_text: str
    start: int
    strength: float
    end: int = 0
    via: str = ""  # "name", "alias", "generated", "short", "district", "place", "member"


def domain_of(address: str) -> str:
    """The domain of an address, lower-case ("" when there is none)."""
    return address.rpartition("@")[2].strip().strip(">").lower() if "@" in address else ""


# --- tokens -------------------------------------------------------------------------------

# Precomposed letter -> bare lower-case letter, one code point for one, so offsets in the
# folded text are offsets in the NFC text. (core.text.fold collapses spaces: not usable here.)
_FOLD1: dict[int, str] = {}
for _cp in range(0x00C0, 0x1F00):
    _s = strip_diacritics(chr(_cp)).lower()
    if len(_s) == 1 and _s != chr(_cp):
        _FOLD1[_cp] = _s
_FOLD1.update({ord("đ"): "d", ord("Đ"): "d"})
_WORD = WORD  # scan's split: one per text for every tagger
_MARKS = re.compile(r"[\u0300-\u036f]")
_TONE_MARKS: Final = frozenset("\u0300\u0301\u0303\u0309\u0323")
_ACRONYM_MIN: Final = 2


def _fold_text(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_FOLD1).lower()


@functools.lru_cache(maxsize=8192)
def _tone(word: str) -> str:
    """The tone mark of a syllable ("" for ngang), whatever vowel carries it."""
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            return ch
    return ""


@dataclass(slots=True)
class _Tok:
    key: str  # folded (canonical for rewritten abbreviations)
    start: int
    end: int
    orig: str  # as written; "" for a canonical token made by a rewrite


def _tokens(text: str) -> list[_Tok]:
    """Word tokens of NFC ``text`` with their spans; ``key`` is folded."""
    folded = _fold_text(text)
    if len(folded) != len(text):  # a case mapping that changes length: fold per word
        out = []
        for m in _WORD.finditer(text):
            key = _MARKS.sub("", _fold_text(m.group()))
            if key:
                out.append(_Tok(key, m.start(), m.end(), m.group()))
        return out
    out = []
    for m in _WORD.finditer(folded):
        key = m.group()
        if not key.isascii():
            key = _MARKS.sub("", key)
            if not key:
                continue
        s, e = m.span()
        out.append(_Tok(key, s, e, text[s:e]))
    return out


_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_MAX: Final = 200_000


def _key(word: str) -> str:
    """The matching key of one word (folded; "" for a stray combining mark)."""
    key = _MARKS.sub("", _fold_text(word))
    if len(_KEY_CACHE) >= _KEY_CACHE_MAX:
        _KEY_CACHE.clear()
    _KEY_CACHE[word] = key
    return key


def _has_marks(orig: str) -> bool:
    return not orig.isascii()


def _word_ok(text_orig: str, pat_orig: str) -> bool:
    """Same folded word: do the tones agree where both sides wrote marks?"""
    if not text_orig or not _has_marks(text_orig) or not _has_marks(pat_orig):
        return True
    return _tone(text_orig) == _tone(pat_orig)


# Abbreviations written out, and their canonical token. Applied to texts and patterns.
_REWRITES: Final[tuple[tuple[str, str], ...]] = (
    ("Ủy ban nhân dân", "ubnd"),
    ("Hội đồng nhân dân", "hdnd"),
    ("Mặt trận Tổ quốc", "mttq"),
    # "UB MTTQ VN tỉnh LC", "VNPT LCI": how staff shorten the rest of a name.
    ("Ủy ban", "ub"),
    ("Việt Nam", "vn"),
    ("Lào Cai", "lc"),
    ("LCI", "lc"),
    ("thành phố", "tp"),
    ("thị xã", "tx"),
    ("thị trấn", "tt"),
    # A district's party committee and youth union carry its administrative word:
    # "Huyện ủy Bắc Hà", "Huyện đoàn Bảo Yên", "Thành đoàn Lào Cai" are the district's.
    ("Huyện ủy", "huyen"),
    ("Huyện đoàn", "huyen"),
    ("Thành ủy", "tp"),
    ("Thành đoàn", "tp"),
    ("Thị ủy", "tx"),
    ("Thị đoàn", "tx"),
    ("H", "huyen"),
    ("X", "xa"),
)
_DROP: Final = frozenset({"va"})
# Canonical tokens spelled out, for mailbox names ("tplaocai").
_SPELLED: Final = {"lc": "laocai"}
# Canonical tokens: never subject to the acronym guards below.
_CANONICAL: Final = frozenset(
    {"ubnd", "hdnd", "mttq", "ub", "vn", "lc", "tp", "tx", "tt", "huyen", "xa"}
)
_ADMIN: Final = ("huyen", "tx", "tp")
_ORG_PREFIXES: Final[tuple[tuple[str, ...], ...]] = (
    ("ubnd",),
    ("hdnd",),
    ("hdnd", "ubnd"),
    ("ubnd", "hdnd"),
)
_PLACE_PREFIXES: Final = ("xa", "tt", "phuong")
# Keys after which a short form without its level is a lower level's body ("Hội LHPN
# huyện X", "Hội CCB xã Y", "Hội ND thôn Z").
# (Keys are folded: "bản"/"bàn" and "cơ"/"có" would be one word, so neither is here: "Hội
# LHPN có 500 hội viên" is the province's association.)
_LOWER_LEVELS: Final = frozenset({*_ADMIN, *_PLACE_PREFIXES, "thon", "to", "cap", "cac"})
_ONE: Final = (1,)


def _rewrite_table() -> dict[str, list[tuple[list[_Tok], str]]]:
    table: dict[str, list[tuple[list[_Tok], str]]] = {}
    for src, canon in _REWRITES:
        toks = _tokens(nfc(src))
        table.setdefault(toks[0].key, []).append((toks, canon))
    for seqs in table.values():
        seqs.sort(key=lambda item: -len(item[0]))
    return table


_REWRITE_TABLE: Final = _rewrite_table()
_SPECIAL: Final = frozenset(_REWRITE_TABLE) | _DROP
# The same rewrites for matching a text's keys (``_Words.canonical``): how many words, their
# keys as a list (compared with a slice of the text's keys in one step), the words written
# with marks in the rewrite (by index: only those are compared for tones), the canonical key.
_REWRITE_KEYS: Final = {
    first: tuple(
        (
            len(seq),
            [t.key for t in seq],
            tuple((j, t.orig) for j, t in enumerate(seq) if _has_marks(t.orig)),
            canon,
        )
        for seq, canon in seqs
    )
    for first, seqs in _REWRITE_TABLE.items()
}


# The keys a rewrite of several words holds after its first word, and before its last:
# a line whose first word's key is none of the first, and whose last word's key none of
# the second, takes no part in a rewrite across a line break.
_NONFIRST: Final = frozenset(
    k for seqs in _REWRITE_KEYS.values() for _, ks, _, _ in seqs for k in ks[1:]
)
_NONLAST: Final = frozenset(
    k for seqs in _REWRITE_KEYS.values() for _, ks, _, _ in seqs for k in ks[:-1]
)


def _canonical(toks: list[_Tok]) -> list[_Tok]:
    """Apply the abbreviation rewrites and drop "và"."""
    out: list[_Tok] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.key in _DROP:
            i += 1
            continue
        for seq, canon in _REWRITE_TABLE.get(t.key, ()):
            k = len(seq)
            if i + k <= n and all(
                toks[i + j].key == seq[j].key and _word_ok(toks[i + j].orig, seq[j].orig)
                for j in range(k)
            ):
                out.append(_Tok(canon, t.start, toks[i + k - 1].end, ""))
                i += k
                break
        else:
            out.append(t)
            i += 1
    return out


class _Words:
    """The words of a text as matching keys, split once per text (``scan.text_split``:
    the campaign and kind rules read the same split) and folded through a cache (the
    language has a few thousand distinct syllables); a word's span comes from the same
    split (its pieces' lengths summed once, in C), asked only up to the last word a
    pattern's keys matched. Most words thus cost one dict lookup to fold and one to be
    dropped."""

    __slots__ = ("_split", "keys", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._split = split = text_split(text)
        words = split.words
        keys = list(map(_KEY_CACHE.get, words))
        # A word seen for the first time (None; "" is a lone mark's key, and is kept):
        # ``all`` reads each item's truth in C, ``None in`` compares each with None.
        if not all(keys):
            keys = [k if k is not None else _key(w) for k, w in zip(keys, words, strict=True)]
        self.keys: list[str] = keys

    def span(self, i: int) -> tuple[int, int]:
        return self._split.span(i)

    def starts(self) -> list[int]:
        """Where each word starts (and, last, the text's end)."""
        return self._split.ends()[::2]

    def orig(self, i: int) -> str:
        s, e = self._split.span(i)
        return self.text[s:e]

    def canonical(self) -> tuple[list[str], Any]:
        """Keys after the abbreviation rewrites (as ``_canonical``), and a function giving
        the tokens of a window of them. A canonical key maps back to its words through
        the few places where a rewrite or a dropped word shifted the sequence (the words
        between two such places keep one offset), so nothing is built per word."""
        keys = self.keys
        split = self._split
        text = self.text
        ck: list[str] = []
        rewritten: dict[int, tuple[int, int]] = {}  # canonical index -> its first, last word
        breaks: list[int] = [0]  # from this canonical index on ...
        shifts: list[int] = [0]  # ... the word index is the canonical one plus this
        # Most words pass through unchanged: copy the runs between rewrite candidates whole.
        special = list(compress(range(len(keys)), map(_SPECIAL.__contains__, keys)))
        done = 0
        for i in special:
            if i < done:
                continue
            ck += keys[done:i]
            done = i + 1
            k = keys[i]
            if k in _DROP:
                breaks.append(len(ck))
                shifts.append(done - len(ck))
                continue
            for m, seq_keys, marked, repl in _REWRITE_KEYS[k]:
                if keys[i : i + m] == seq_keys and all(
                    _word_ok(self.orig(i + j), orig) for j, orig in marked
                ):
                    rewritten[len(ck)] = (i, i + m - 1)
                    ck.append(repl)
                    done = i + m
                    breaks.append(len(ck))
                    shifts.append(done - len(ck))
                    break
            else:
                ck.append(k)
        ck += keys[done:]
        # Without a rewrite or a dropped word, canonical index j is word j.
        plain = len(breaks) == 1

        def window(at: int, length: int) -> list[_Tok]:
            # Word i spans ends[2 i] to ends[2 i + 1] (read straight from the split's list).
            ends = split.ends()
            out = []
            for j in range(at, at + length):
                if plain:
                    s = ends[2 * j]
                    e = ends[2 * j + 1]
                    out.append(_Tok(ck[j], s, e, text[s:e]))
                    continue
                span = rewritten.get(j)
                if span is not None:
                    out.append(_Tok(ck[j], ends[2 * span[0]], ends[2 * span[1] + 1], ""))
                else:
                    w = 2 * (j + shifts[bisect_right(breaks, j) - 1])
                    s = ends[w]
                    e = ends[w + 1]
                    out.append(_Tok(ck[j], s, e, text[s:e]))
            return out

        return ck, window


def _moved(m: Mention, by: int) -> Mention:
    return Mention(m.unit_code, m.matched_text, m.start + by, m.strength, m.end + by, m.via)


# A window of words that some pattern's keys matched: its span, and whether whether it
# names a unit may depend on what comes before it (a place alone, "cơ" before "sở", an
# organisation before a place) or after it (a place alone, a level after a short form).
_Tried = tuple[int, int, bool, bool]


class _Reading:
    """A text as the matcher read it: its words, its mentions, and the windows tried."""

    __slots__ = ("_lines", "mentions", "tried", "words")

    def __init__(self, words: _Words, mentions: tuple[Mention, ...], tried: list[_Tried]) -> None:
        self.words = words
        self.mentions = mentions
        self.tried = tried
        self._lines: dict[str, tuple[tuple[Mention, ...], bool]] | None = None

    def _ends(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Where the first and last words of ``lo:hi`` that are not dropped ("và")
        start and end (None when there is none): the window's first and last keys."""
        keys = self.words.keys
        while lo < hi and keys[lo] in _DROP:
            lo += 1
        if lo == hi:
            return None
        hi -= 1
        while keys[hi] in _DROP:
            hi -= 1
        return self.words.span(lo)[0], self.words.span(hi)[1]

    def ends_read(self, lo: int, hi: int, tried: Iterable[_Tried]) -> tuple[bool, bool]:
        """Whether a window of ``tried`` on the first key of words ``lo:hi`` read what
        stands before it, and one on the last key what stands after it."""
        ends = self._ends(lo, hi)
        if ends is None:
            return False, False
        first, last = ends
        before = after = False
        for s, e, reads_before, reads_after in tried:
            before = before or (reads_before and s <= first)
            after = after or (reads_after and e == last)
        return before, after

    def lines(self) -> dict[str, tuple[tuple[Mention, ...], bool]]:
        """The text's lines (stripped) whose mentions are the same in any text that holds
        them as a line, with their mentions (offsets in the stripped line) and whether
        their first word may end a rewrite begun on the line before (``_NONFIRST``: then
        they are only so after a line that can begin none). A line qualifies when it
        holds a word that is not dropped, its last word begins no rewrite across the line
        break (``_NONLAST``), and no window tried on its first key read what stands
        before it, nor one on its last key what stands after: a name never spans a line
        break (``_broken``), so nothing beyond the line's ends decided anything."""
        if self._lines is not None:
            return self._lines
        out: dict[str, tuple[tuple[Mention, ...], bool]] = {}
        text, keys = self.words.text, self.words.keys
        n = len(keys)
        starts = self.words.starts()
        pos = 0
        for seg in text.split("\n"):
            seg_start, seg_end = pos, pos + len(seg)
            pos = seg_end + 1
            content = seg.strip()
            if not content or content in out:
                continue
            lo = bisect_left(starts, seg_start, 0, n)
            hi = bisect_left(starts, seg_end, lo, n)
            if lo == hi or keys[hi - 1] in _NONLAST:
                continue
            inside = [t for t in self.tried if seg_start <= t[0] < seg_end]
            if self._ends(lo, hi) is None or any(self.ends_read(lo, hi, inside)):
                continue
            at = seg_start + len(seg) - len(seg.lstrip())
            out[content] = (
                tuple(_moved(m, -at) for m in self.mentions if seg_start <= m.start < seg_end),
                keys[lo] in _NONFIRST,
            )
        self._lines = out
        return out


# --- patterns -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PTok:
    key: str
    orig: str  # as written in the directory ("" for canonical)
    acronym: bool
    # The tone mark of ``orig`` when it is written with marks, else None: a text's word
    # is compared with it only then (``_word_ok``), so it is read once here.
    tone: str | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tone", _tone(self.orig) if _has_marks(self.orig) else None)


@dataclass(frozen=True, slots=True)
class _Pattern:
    unit_code: str
    toks: tuple[_PTok, ...]
    strength: float
    via: str
    explicit: bool  # written in the file (name, alias, place) rather than generated
    # A place name alone ("Tả Van", "Liên Minh") must be written as a proper noun: many
    # commune names are also ordinary words ("liên minh", "bình minh", "tân tiến").
    proper: bool = False
    # A short form without the level (STRENGTH_SHORT): not when a lower level follows.
    unleveled: bool = False
    # Its acronym must be written in capitals whatever its length (``_upper_only``).
    upper: bool = False

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.toks)

    # ``strict_case``, worked out once.
    _strict: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        acr = [t for t in self.toks if t.acronym]
        object.__setattr__(
            self,
            "_strict",
            len(acr) == 1 and (len(acr[0].key) <= _ACRONYM_MIN or self.upper),
        )

    @property
    def strict_case(self) -> bool:
        """A lone short acronym ("CA tỉnh") must be upper case in the text."""
        return self._strict

    def accepts(self, toks: Sequence[_Tok]) -> bool:
        strict = self._strict
        for p, t in zip(self.toks, toks, strict=True):
            if not t.orig:  # canonical token from a rewrite
                continue
            if p.acronym:
                if not t.orig.replace("đ", "d").replace("Đ", "D").isascii():
                    return False
                if strict and not t.orig.isupper():  # the pattern's one acronym
                    return False
            # _word_ok(t.orig, p.orig), the pattern's side read once (``_PTok.tone``)
            elif (p.tone is not None and not t.orig.isascii() and _tone(t.orig) != p.tone) or (
                self.proper and not t.orig[:1].isupper()
            ):
                return False
        return True


def _title_word(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _alone(window: Any, at: int, length: int, n: int) -> bool:
    """A bare place name not inside a longer proper name: "Nguyễn Văn Sơn" is a person,
    not the commune Văn Sơn; "Trạm y tế Tả Van" is the commune."""
    before = window(at - 1, 1)[0].orig if at > 0 else ""
    after = window(at + length, 1)[0].orig if at + length < n else ""
    return not (_title_word(before) or _title_word(after))


def _ptoks(text: str) -> tuple[_PTok, ...]:
    out = []
    for t in _canonical(_tokens(nfc(text))):
        acronym = (
            bool(t.orig)
            and t.key not in _CANONICAL
            and len(t.orig) >= _ACRONYM_MIN
            and t.orig.isupper()
        )
        out.append(_PTok(t.key, t.orig, acronym))
    return tuple(out)


_ACRONYM_SEP = re.compile(r"(?<=[^\W\d_])\s*[&/-]\s*(?=[^\W\d_])")


def _joined_variant(text: str) -> str | None:
    """ "Sở GD&ĐT" -> "Sở GDĐT": acronym pieces joined by & - / written as one word."""
    joined = _ACRONYM_SEP.sub(_join_if_upper(text), text)
    return joined if joined != text else None


def _joined_variants(text: str) -> list[str]:
    """Every way of writing an acronym's separators solid or not: "Sở LĐ-TB&XH" ->
    "Sở LĐTBXH", "Sở LĐTB&XH", "Sở LĐ-TBXH" (at most three separators: eight forms)."""
    repl = _join_if_upper(text)
    seps = [m for m in _ACRONYM_SEP.finditer(text) if repl(m) == ""]
    if not seps or len(seps) > 3:
        return []
    out = []
    for mask in range(1, 2 ** len(seps)):
        pieces, at = [], 0
        for k, m in enumerate(seps):
            pieces.append(text[at : m.start()])
            pieces.append("" if mask >> k & 1 else m.group())
            at = m.end()
        pieces.append(text[at:])
        out.append("".join(pieces))
    return out


# The level word a provincial unit's name ends with.
_LEVEL_TAIL = re.compile(r"\s+tỉnh(?:\s+Lào Cai)?\s*$", re.IGNORECASE)
# An acronym of three letters or more ("LHPN", "CHQS", "CCB", "ND" is too short alone).
_ACRONYM_WORD = re.compile(r"\b[A-ZĐ]{2,}(?:[&-][A-ZĐ]+)*\b")


def _short_forms(unit: Unit, generated: list[str]) -> list[str]:
    """Short forms of a provincial unit or department (see STRENGTH_SHORT): its acronym
    forms without the level word ("Hội LHPN tỉnh" -> "Hội LHPN", "BCHQS tỉnh" ->
    "BCHQS"), and "Sở <first field>" of a department named by several fields."""
    out: list[str] = []
    for base in (unit.name, *unit.aliases, *generated):
        stripped = _LEVEL_TAIL.sub("", base)
        if stripped == base or not stripped.strip():
            continue
        acronyms = _ACRONYM_WORD.findall(stripped)
        letters = sum(len(re.sub(r"[&-]", "", a)) for a in acronyms)
        if acronyms and (letters >= 3 or len(stripped.split()) >= 2):
            out.append(stripped.strip())
    m = re.match(r"Sở (.+?)(?:\s+và\s+|\s*[-,]\s+)", unit.name)
    if m and len(m.group(1).split()) >= 2:
        out.append(f"Sở {m.group(1)}")
    return [f for f in dict.fromkeys(out) if fold_word(f) != fold_word(unit.name)]


def _join_if_upper(text: str) -> Any:
    def repl(m: re.Match[str]) -> str:
        left = re.search(r"[^\W_]+$", text[: m.start()])
        right = re.match(r"[^\W_]+", text[m.end() :])
        if left and right and left.group().isupper() and right.group().isupper():
            return ""
        return m.group()

    return repl


# Head words an official name keeps in full before its acronym ("Sở NN&PTNT", "Hội LHPN
# tỉnh", "Bộ CHQS tỉnh", "Trường CĐ Lào Cai"); the rest of the name is written as initials.
_HEAD_WORDS: Final = ("Sở", "Hội", "Bộ", "Đài", "Ban", "Trường", "Công ty")
# Words that stay whole after the acronym: the level ("tỉnh") and the province's name.
_TAIL_WORDS: Final = frozenset({"tinh"})


def _initials(part: str) -> str:
    """ "Nông nghiệp và Phát triển nông thôn" -> "NN&PTNT", "Lao động - Thương binh và Xã
    hội" -> "LĐ-TB&XH": each word's initial, "và"/"&" joining with "&", a dash with "-"."""
    out = []
    for piece in re.split(r"(\s+và\s+|\s*&\s*|\s+-\s+|\s*,\s*)", part):
        if not piece.strip():
            continue
        sep = fold_word(piece.strip())
        if sep in ("va", "&", ","):
            out.append("&")
        elif sep == "-":
            out.append("-")
        else:
            out.append("".join(w[0].upper() for w in _WORD.findall(piece)))
    return "".join(out).strip("&-")


def fold_word(word: str) -> str:
    return _MARKS.sub("", _fold_text(nfc(word)))


def _department_acronyms(name: str, province: str = DEFAULT_PROVINCE) -> list[str]:
    """The short forms officials write for a unit's name, made by rule from the name:
    "Sở Giáo dục và Đào tạo" -> "Sở GD&ĐT"; "Hội Liên hiệp Phụ nữ tỉnh" -> "Hội LHPN tỉnh",
    "HLHPN tỉnh"; "Bộ Chỉ huy Quân sự tỉnh" -> "Bộ CHQS tỉnh", "BCHQS tỉnh"; "Liên đoàn
    Lao động tỉnh" -> "LĐLĐ tỉnh"; "Trường Cao đẳng Lào Cai" -> "Trường CĐ Lào Cai". The
    joined forms ("Sở GDĐT", "LĐ-TB&XH" -> "LĐTBXH") are made later (``_joined_variant``).
    Names already holding an acronym ("Ủy ban MTTQ ...") or too short give nothing."""
    name = nfc(name)
    head = next((h for h in _HEAD_WORDS if name.startswith(h + " ")), "")
    rest = name[len(head) :].strip()
    words = rest.split()
    # the tail that stays whole: "tỉnh", "tỉnh Lào Cai", "Lào Cai"
    tail: list[str] = []
    prov = province.split()
    if prov and [fold_word(w) for w in words[-len(prov) :]] == [fold_word(w) for w in prov]:
        tail = words[-len(prov) :]
        words = words[: -len(prov)]
    if words and fold_word(words[-1]) in _TAIL_WORDS:
        tail = [words[-1], *tail]
        words = words[:-1]
    core = " ".join(words)
    if not core or any(w.isupper() and len(w) > 1 for w in words):
        return []
    acronym = _initials(core)
    letters = acronym.replace("&", "").replace("-", "")
    if len(letters) < _ACRONYM_MIN or (not head and len(letters) < 3) or len(words) < 2:
        return []
    suffix = (" " + " ".join(tail)) if tail else ""
    out = [f"{head} {acronym}{suffix}".strip()]
    if head in ("Sở", "Hội", "Bộ") and len(letters) >= 3:
        out.append(f"{head[0]}{acronym}{suffix}")  # "HLHPN tỉnh", "BCHQS tỉnh", "SGD&ĐT"
    elif head == "Sở" and len(letters) == 2 and acronym.isalpha():
        # "SYT", "STP", "SDL", "SNV": a department of a two-word name signed as three
        # capitals ("Hà SDL", "VP SYT"); upper case only (see _upper_only).
        out.append(f"S{acronym}{suffix}")
    return out


def _upper_only(text: str) -> bool:
    """A generated three-capital department form ("SDL", "STP tỉnh"): matched only as
    written in capitals, as a lone two-letter acronym is ("stp" in running text is not
    the Sở Tư pháp)."""
    first = text.split()[0] if text.split() else ""
    return len(first) == 3 and first.isupper() and first[0] == "S" and first.isalpha()


def _district_cores(unit: Unit) -> tuple[set[tuple[_PTok, ...]], set[tuple[_PTok, ...]]]:
    """(cores, bare cores): the place name of a district, and those listed bare as aliases."""
    cores: set[tuple[_PTok, ...]] = set()
    bare: set[tuple[_PTok, ...]] = set()
    for text in (unit.name, *unit.aliases):
        toks = list(_ptoks(text))
        org = 0
        while org < len(toks) and toks[org].key in ("ubnd", "hdnd"):
            org += 1
        if org < len(toks) and toks[org].key in _ADMIN:
            core = tuple(toks[org + 1 :])
        elif org == 0:
            core = tuple(toks)
            if core:
                bare.add(core)
        else:
            core = tuple(toks[org:])
        if core:
            cores.add(core)
    return cores, bare


def _unit_patterns(unit: Unit, province: str) -> Iterator[_Pattern]:
    code = unit.code
    if unit.group == "district":
        cores, bare = _district_cores(unit)
        for core in cores:
            for adm in _ADMIN:
                head = (_PTok(adm, "", False),)
                yield _Pattern(code, head + core, STRENGTH_ADMIN, "district", explicit=True)
                for org in _ORG_PREFIXES:
                    orgt = tuple(_PTok(k, "", False) for k in org)
                    yield _Pattern(code, orgt + head + core, STRENGTH_NAME, "district", True)
            if core in bare:
                yield _Pattern(code, core, STRENGTH_BARE, "district", explicit=True)
                for org in _ORG_PREFIXES:
                    orgt = tuple(_PTok(k, "", False) for k in org)
                    yield _Pattern(code, orgt + core, STRENGTH_NAME, "district", True)
        texts: list[tuple[str, float, str, bool]] = []
    else:
        texts = [(unit.name, STRENGTH_NAME, "name", True)]
        texts += [(a, STRENGTH_ALIAS, "alias", True) for a in unit.aliases]
        generated = [
            a for base in (unit.name, *unit.aliases) for a in _department_acronyms(base, province)
        ]
        texts += [(a, STRENGTH_GENERATED, "generated", False) for a in generated]
        # "Hội Nông dân tỉnh" is also "Hội Nông dân tỉnh Lào Cai", "... Lào Cai", "... tỉnh LC"
        short_province = "".join(w[0].upper() for w in province.split())
        for base in (unit.name, *unit.aliases, *generated):
            stripped = re.sub(r"\s+tỉnh\s*$", "", base, flags=re.IGNORECASE)
            if stripped != base and province:
                for form in (f"tỉnh {province}", province, f"tỉnh {short_province}"):
                    texts.append((f"{stripped} {form}", STRENGTH_GENERATED, "generated", False))
        texts += [(a, STRENGTH_SHORT, "short", False) for a in _short_forms(unit, generated)]
    for text, strength, via, explicit in list(texts):
        texts += [(j, strength, via, explicit) for j in _joined_variants(text)]
    for text, strength, via, explicit in texts:
        toks = _ptoks(text)
        if toks:
            yield _Pattern(
                code,
                toks,
                strength,
                via,
                explicit,
                unleveled=via == "short",
                upper=via != "name" and via != "alias" and _upper_only(text),
            )
    for member in unit.members:
        for text in (member, *_joined_variants(member)):
            toks = _ptoks(text)
            if toks:
                yield _Pattern(code, toks, STRENGTH_MEMBER, "member", explicit=True)
    for place in unit.places:
        toks = _ptoks(place)
        if not toks:
            continue
        yield _Pattern(code, toks, STRENGTH_BARE_PLACE, "place", explicit=True, proper=True)
        for pre in _PLACE_PREFIXES:
            prefixed: tuple[_PTok, ...] = (_PTok(pre, "", False), *toks)
            yield _Pattern(code, prefixed, STRENGTH_PLACE, "place", explicit=True)
            for org in _ORG_PREFIXES:
                orgt = tuple(_PTok(k, "", False) for k in org)
                yield _Pattern(code, orgt + prefixed, STRENGTH_PLACE_ORG, "place", explicit=True)


def _tones(p: _Pattern) -> tuple[str, ...]:
    return tuple(_tone(t.orig) if _has_marks(t.orig) else "*" for t in p.toks)


# --- the directory ------------------------------------------------------------------------


class UnitDirectory:
    """The units, their addresses, and a matcher for their names. Immutable once built."""

    def __init__(self, units: Iterable[Unit], *, province: str = DEFAULT_PROVINCE) -> None:
        self.units: tuple[Unit, ...] = tuple(units)
        self.province = province
        self._by_code: dict[str, Unit] = {}
        self._by_address: dict[str, Unit] = {}
        by_domain: dict[str, list[Unit]] = {}
        for u in self.units:
            if u.code in self._by_code:
                raise ConfigError(f"unit {u.code}", "code is used by two units")
            self._by_code[u.code] = u
            for addr in u.addresses:
                key = addr.strip().lower()
                other = self._by_address.get(key)
                if other is not None and other.code != u.code:
                    raise ConfigError(
                        f"unit {u.code}.addresses", f"{key} is also listed by {other.code}"
                    )
                self._by_address[key] = u
                units_here = by_domain.setdefault(domain_of(key), [])
                if u not in units_here:
                    units_here.append(u)
        self._by_domain = {d: tuple(us) for d, us in by_domain.items()}
        self._patterns = self._build_patterns()
        self._recent: dict[str, tuple[Mention, ...]] = {}
        self._readings: dict[str, _Reading] = {}
        self._address_hints = self._build_address_hints()

    # -- loading -----------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> UnitDirectory:
        """Read ``units.toml``; a malformed file raises ConfigError naming the unit and key."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise ConfigError(str(path), "unit directory file not found") from err
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ConfigError(str(path), f"not valid TOML: {err}") from err
        return cls.from_mapping(data, source=path.name)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "units") -> UnitDirectory:
        """Build from parsed TOML (``{"unit": [...], "province": ...}``)."""
        unknown = sorted(set(data) - {"unit", "province"})
        if unknown:
            raise ConfigError(f"{source}: {unknown[0]}", "unknown key (expected [[unit]] tables)")
        province = data.get("province", DEFAULT_PROVINCE)
        if not isinstance(province, str):
            raise ConfigError(f"{source}: province", "must be a string")
        tables = data.get("unit")
        if not isinstance(tables, list) or not tables:
            raise ConfigError(f"{source}: unit", "no [[unit]] tables")
        units = [_parse_unit(t, i, source) for i, t in enumerate(tables)]
        try:
            return cls(units, province=province)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err.key}", err.problem) from err

    # -- lookups -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def by_address(self, address: str) -> Unit | None:
        """The unit that owns this exact address (case-insensitive)."""
        return self._by_address.get(address.strip().strip("<>").lower())

    def by_domain(self, domain: str) -> tuple[Unit, ...]:
        """Units with a listed address at exactly this domain."""
        return self._by_domain.get(domain.lower().strip("."), ())

    def address_hint(self, address: str, *, local_only: bool = False) -> Unit | None:
        """A unit named by the words of an unknown address ("vanphong.bacha@...",
        "ubnd@baoyen.laocai.gov.vn"): the local part's pieces and the domain's labels are
        compared with the districts' names and the departments' acronyms, written solid.
        ``local_only``: the local part alone (a webmail domain says nothing)."""
        local, _, domain = address.lower().rpartition("@")
        pieces = re.split(r"[^a-z]+", local) + ([] if local_only else domain.split(".")[:-1])
        found: set[str] = set()
        for piece in pieces:
            if not piece:
                continue
            hit = self._address_hints.get(piece)
            if hit is None:
                for prefix in _ADDRESS_PREFIXES:
                    if piece.startswith(prefix) and len(piece) > len(prefix) + 3:
                        hit = self._address_hints.get(piece[len(prefix) :])
                        if hit is not None:
                            break
            if hit is not None:
                found.add(hit)
        if len(found) == 1:
            return self._by_code[found.pop()]
        return None

    # -- matching ----------------------------------------------------------------------

    def find_mentions(self, text: str) -> list[Mention]:
        """Units named in ``text``, left to right, longest match first, not overlapping.
        The last few hundred texts' answers are kept: one message's taggers ask about the
        same lines (a subject, a signature, a pasted body) more than once."""
        if not text:
            return []
        cached = self._recent.get(text)
        if cached is None:
            # A text of lines is kept as read: another text may repeat its lines.
            cached = self._reading(text).mentions if "\n" in text else tuple(self._scan(text)[0])
            if len(self._recent) >= _RECENT_TEXTS:
                self._recent.clear()
            self._recent[text] = cached
        return list(cached)

    def find_mentions_in_lines(self, lines: Sequence[str], known: Sequence[str]) -> list[Mention]:
        """``find_mentions("\n".join(lines))``, reading again only the lines that no text
        of ``known`` (already read: the articles a mail body repeats) holds as a line of its
        own whose mentions cannot depend on the lines around it (``_Reading.lines``). The
        other lines are read as runs, alone when what they name at their ends cannot depend
        on their neighbours either, else with the neighbouring line on each side."""
        lines = [nfc(line) for line in lines]
        joined = "\n".join(lines)
        cached = self._recent.get(joined)
        if cached is not None or not joined:
            return list(cached or ())
        # Cheap first: a line of the known texts, if any, as a substring of one of them.
        if not any(len(line) >= _LINE_REUSE_MIN and line in k for line in lines for k in known):
            return self.find_mentions(joined)
        reuse: dict[str, tuple[tuple[Mention, ...], bool]] = {}
        for k in known:
            if k:
                reuse.update(self._reading(k).lines())
        # A line opening with a word that may end a rewrite ("nhân dân" after "Ủy ban")
        # is taken as read only after a line taken so (which begins none).
        taken = [lines[0] in reuse]
        for line in lines[1:]:
            found = reuse.get(line)
            taken.append(found is not None and (taken[-1] or not found[1]))
        out: list[Mention] = []
        count = len(lines)
        offsets = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        i = 0
        while i < count:
            if taken[i]:
                off = offsets[i]
                out += [_moved(m, off) for m in reuse[lines[i]][0]]
                i += 1
                continue
            j = i + 1
            while j < count and not taken[j]:
                j += 1
            out += self._run(lines, i, j, offsets)
            i = j
        if len(self._recent) >= _RECENT_TEXTS:
            self._recent.clear()
        self._recent[joined] = tuple(out)
        return out

    def _run(self, lines: Sequence[str], i: int, j: int, offsets: list[int]) -> list[Mention]:
        """The mentions of ``lines[i:j]`` as ``"\n".join(lines)`` has them, where the lines
        around the run (if any) are lines taken from ``_Reading.lines``: their words take
        no part in a rewrite across the line break, and they hold a word."""
        r = self._reading("\n".join(lines[i:j]))
        off = offsets[i]
        # Read alone, the run names what it names in the whole text unless a window tried
        # on its first word read what stands before it there, or one on its last word what
        # stands after it: then it is read again with its neighbours.
        before, after = r.ends_read(0, len(r.words.keys), r.tried)
        if not ((i > 0 and before) or (j < len(lines) and after)):
            return [_moved(m, off) for m in r.mentions]
        lo = max(0, i - 1)
        ctx = self._reading("\n".join(lines[lo : min(len(lines), j + 1)]))
        shift = offsets[i] - offsets[lo]
        end = shift + offsets[j - 1] - offsets[i] + len(lines[j - 1])
        return [_moved(m, off - shift) for m in ctx.mentions if shift <= m.start < end]

    def _reading(self, text: str) -> _Reading:
        """``text`` read, with what is needed to reuse its lines (kept for a few texts)."""
        found = self._readings.get(text)
        if found is None:
            mentions, words, tried = self._scan(text)
            if len(self._readings) >= _READINGS:
                self._readings.clear()
            found = self._readings[text] = _Reading(words, tuple(mentions), tried)
            if text not in self._recent:
                if len(self._recent) >= _RECENT_TEXTS:
                    self._recent.clear()
                self._recent[text] = found.mentions
        return found

    def _find(self, text: str) -> list[Mention]:
        return self._scan(text)[0]

    def _scan(self, text: str) -> tuple[list[Mention], _Words, list[_Tried]]:
        """The mentions in ``text``, its words, and the windows of words that some
        pattern's keys matched (tried, whatever came of it)."""
        text = nfc_text(text)
        words = _Words(text)
        keys, window = words.canonical()
        out: list[Mention] = []
        tried: list[_Tried] = []
        patterns, lengths, singles = self._patterns, self._lengths, self._singles
        reads = self._reads
        n = len(keys)
        last = n - 1
        done = 0  # matches do not overlap: a match ending here hides starts before it
        for i in compress(range(n), map(lengths.__contains__, keys)):
            if i < done:
                continue
            k = keys[i]
            # Only the lengths of the patterns that continue with the next key can match
            # here, longest first (and one key alone, when it is a pattern): most starts (a
            # syllable that begins a commune's name) go no further.
            lens = lengths[k].get(keys[i + 1]) if i < last else None
            if lens is None:
                if k not in singles:
                    continue
                lens = _ONE
            for length in lens:
                end = i + length
                if end > n:
                    continue
                key = tuple(keys[i:end])
                cands = patterns.get(key)
                if not cands:
                    continue
                toks_here = window(i, length)
                s = toks_here[0].start
                reads_before, reads_after = reads[key]
                tried.append((s, toks_here[-1].end, reads_before or text[s] == "s", reads_after))
                lower_level = end < n and keys[end] in _LOWER_LEVELS
                p = None
                for c in cands:
                    if (
                        c.accepts(toks_here)
                        and (not c.proper or _alone(window, i, length, n))
                        and not (c.unleveled and lower_level)
                    ):
                        p = c
                        break
                if p is not None:
                    s, e = toks_here[0].start, toks_here[-1].end
                    if _broken(text, s, e):
                        continue
                    out.append(Mention(p.unit_code, text[s:e], s, p.strength, e, p.via))
                    done = end
                    break
        return (_members_located(text, out) if out else out), words, tried

    def _build_patterns(self) -> dict[tuple[str, ...], list[_Pattern]]:
        patterns: dict[tuple[str, ...], list[_Pattern]] = {}
        ambiguous_places: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        for unit in self.units:
            for p in _unit_patterns(unit, self.province):
                if not p.toks or (len(p.toks) == 1 and p.toks[0].key in _CANONICAL):
                    continue  # a generic word alone ("huyện", "TP") names nothing
                cands = patterns.setdefault(p.key, [])
                same = [c for c in cands if _tones(c) == _tones(p)]
                clash = [c for c in same if c.unit_code != p.unit_code]
                if clash:
                    if p.via == "place" or clash[0].via == "place":
                        ambiguous_places.add((p.key, _tones(p)))
                    elif p.explicit and clash[0].explicit:
                        raise ConfigError(
                            f"unit {p.unit_code}",
                            f"{' '.join(p.key)!r} also names {clash[0].unit_code}",
                        )
                    elif not p.explicit:
                        continue  # a generated variant never overrides a written one
                    else:
                        cands[:] = [c for c in cands if c not in clash]
                elif same:
                    if same[0].strength >= p.strength:
                        continue
                    cands.remove(same[0])
                cands.append(p)
        for key, tones in ambiguous_places:
            patterns[key] = [c for c in patterns[key] if _tones(c) != tones]
        patterns = {k: sorted(v, key=lambda c: -c.strength) for k, v in patterns.items() if v}
        seconds: dict[str, dict[str, set[int]]] = {}
        for key in patterns:
            follow = seconds.setdefault(key[0], {})
            if len(key) > 1:
                follow.setdefault(key[1], set()).add(len(key))
        # The first keys that are a pattern alone, and per first key and the key after it,
        # the lengths of the patterns that start so, longest first (with 1 for a first key
        # that is a pattern alone).
        self._singles = frozenset(key[0] for key in patterns if len(key) == 1)
        # Per key: whether one of its patterns reads what stands before a match (a place
        # alone, or a place at all: an organisation before it), and after it (a place
        # alone, a short form before a level).
        self._reads = {
            key: (
                any(c.proper or c.via == "place" for c in cands),
                any(c.proper or c.unleveled for c in cands),
            )
            for key, cands in patterns.items()
        }
        self._lengths = {
            k: {
                k2: tuple(sorted(lens | ({1} if k in self._singles else set()), reverse=True))
                for k2, lens in follow.items()
            }
            for k, follow in seconds.items()
        }
        return patterns

    def _build_address_hints(self) -> dict[str, str]:
        hints: dict[str, str] = {}
        clashes: set[str] = set()

        def add(word: str, code: str) -> None:
            if len(word) < 4:
                return
            if hints.get(word, code) != code:
                clashes.add(word)
            hints[word] = code

        for key, cands in self._patterns.items():
            for p in cands:
                if p.via == "district" and key[0] not in ("ubnd", "hdnd"):
                    core = key[1:] if key[0] in _ADMIN else key
                    # a mailbox spells the province out ("tplaocai") or shortens it ("tplc")
                    for solid in {"".join(core), "".join(_SPELLED.get(k, k) for k in core)}:
                        if key[0] == "tp":
                            add("tp" + solid, p.unit_code)  # "tplaocai": never "laocai" alone
                        elif p.strength == STRENGTH_BARE:
                            add(solid, p.unit_code)
                elif key[0] == "so" and any(t.acronym for t in p.toks):
                    add("s" + "".join(key[1:]), p.unit_code)
        for word in clashes:
            hints.pop(word, None)
        return hints


_BREAKS: Final = re.compile(r"[,;()\[\]\n]")


def _broken(text: str, start: int, end: int) -> bool:
    """Words that only look like a name: split by a comma or a bracket ("cơ sở, xây dựng"
    is no "Sở Xây dựng"), or a department's "sở" that is the "cơ sở" (a facility, a base)
    of running text ("cơ sở y tế" is a clinic, not the Sở Y tế)."""
    if _BREAKS.search(text, start, end):
        return True
    before = text[max(0, start - 4) : start].rstrip().lower()
    return text[start] == "s" and before.endswith(("cơ", "co"))


# What may stand between a member's name and the place that locates it: "Trường THPT số 1
# Si Ma Cai", "Trung tâm Y tế huyện Bát Xát", "Đồn Biên phòng Cửa khẩu quốc tế Lào Cai"
# (words, numbers, hyphens; no sentence or list punctuation, no line break).
_MEMBER_GAP: Final = re.compile(r"[^\S\n]*(?:[\w-]+[^\S\n]+){0,4}")


# An organisation that is no unit of its own, named before a place: the place says where
# the health station, school or cooperative is ("Trạm y tế xã Y Tý"), which only hints at
# whom it reports to (the district, or a department: units credit such mail either way).
_LOCATED_ORG: Final = re.compile(
    r"(?:\btram y te|\btyt|\btruong(?: (?:tieu hoc|thcs|thpt|mam non|ptdtbt|ptdtnt)[\w -]{0,12})?"
    r"|\bdiem truong|\bhop tac xa|\bhtx|\bcau lac bo|\bclb|\bchi hoi|\bchi doan"
    r"|\bto hop tac)[^\S\n]*$"
)
LOCATED_FACTOR: Final = 0.4


def _members_located(text: str, found: list[Mention]) -> list[Mention]:
    """Drop the district or commune named right after a member organisation: it says where
    the school, health centre or border post is, not that the district sent the mail. After
    an organisation that is no unit (``_LOCATED_ORG``) it stays, weaker."""
    out: list[Mention] = []
    member_end = -1
    for m in found:
        if (
            member_end >= 0
            and m.via in ("district", "place")
            and _MEMBER_GAP.fullmatch(text, member_end, m.start)
        ):
            member_end = m.end  # "Trung tâm Y tế huyện X, xã Y": still the member's address
            continue
        member_end = m.end if m.via == "member" else -1
        if m.via == "place" and _LOCATED_ORG.search(
            strip_diacritics(text[max(0, m.start - 40) : m.start]).lower()
        ):
            m = replace(m, strength=m.strength * LOCATED_FACTOR)
        out.append(m)
    return out


# How many texts' mentions a directory keeps (find_mentions).
_RECENT_TEXTS: Final = 256
# How many texts of lines it keeps as read, for their lines (find_mentions_in_lines).
_READINGS: Final = 16
# A line this long found in a known text is worth reading that text's lines for.
_LINE_REUSE_MIN: Final = 40
_ADDRESS_PREFIXES: Final = ("ubnd", "vpubnd", "vanphong", "vp", "pnv", "noivu", "hdnd", "ub")

_UNIT_KEYS: Final = frozenset(
    {"code", "name", "aliases", "group", "cadence", "addresses", "places", "members"}
)
_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _parse_unit(table: object, index: int, source: str) -> Unit:
    where = f"{source}: unit[{index}]"
    if not isinstance(table, Mapping):
        raise ConfigError(where, "must be a [[unit]] table")
    code = table.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ConfigError(f"{where}.code", "must be a lower-case code such as 'bao-yen'")
    where = f"{where} ({code})"
    unknown = sorted(set(table) - _UNIT_KEYS)
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown key; known: {sorted(_UNIT_KEYS)}")

    def text(key: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}.{key}", "must be a non-empty string")
        out: str = nfc(value.strip())
        return out

    def texts(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(f"{where}.{key}", "must be a list of non-empty strings")
        return tuple(nfc(v.strip()) for v in value)

    group = text("group")
    if group not in GROUPS:
        raise ConfigError(f"{where}.group", f"{group!r} is not one of {sorted(GROUPS)}")
    cadence = text("cadence")
    if cadence not in CADENCES:
        raise ConfigError(f"{where}.cadence", f"{cadence!r} is not one of {sorted(CADENCES)}")
    addresses = tuple(a.lower() for a in texts("addresses"))
    for a in addresses:
        if a.count("@") != 1 or " " in a or not domain_of(a):
            raise ConfigError(f"{where}.addresses", f"{a!r} is not an e-mail address")
    return Unit(
        code=code,
        name=text("name"),
        aliases=texts("aliases"),
        group=group,
        cadence=cadence,
        addresses=addresses,
        places=texts("places"),
        members=texts("members"),
    )
