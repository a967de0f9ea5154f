"""One tokenisation per text, one pass per vocabulary: the matching core of the taggers.

The campaign, subject and kind rules all look for Vietnamese phrases in the same title and
text. Counting each of a thousand terms with a substring search over a 4,000-character
article cost more than parsing the article; here a text is split into syllable keys once
(:func:`analyse`) and a :class:`Lexicon` (a vocabulary compiled once, indexed by its
phrases' first syllable) finds every phrase in one pass over those keys.

Keys. An article typed with diacritics is matched with tones kept, placed canonically
(*hoà* and *hòa* agree; *trường* is not *trưởng*); one typed without diacritics is matched
on folded syllables, where a one-syllable Vietnamese phrase is skipped because folding
makes it ambiguous (*ban* may be *bản*, *bán*, *bạn*). Abbreviations (NTM, HTX), words
with a digit (9X) and loanwords of five letters or more keep their meaning folded.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from dienhinh.core.names import capitalised
from dienhinh.core.text import fold, nfc

__all__ = [
    "Lexicon",
    "Words",
    "analyse",
    "count_words",
    "nfc_text",
    "phrase_key",
    "safe_untoned",
    "split_words",
    "toned_syllable",
    "word_spans",
]

# A word: letters and digits, with any stray combining mark a non-NFC source left (an
# underscore joins nothing: :func:`_spaced` blanks it first, keeping every offset). The
# unit directory's matcher splits texts the same way, so the taggers of one message share
# one split of each text (:func:`split_words`).
WORD = re.compile(r"[\w\u0300-\u036f]+")
_WORD = WORD


def _spaced(text: str) -> str:
    return text.replace("_", " ") if "_" in text else text


# The same words, captured by ``re.split``: the runs between them come along, so one C
# pass gives the words and (their lengths summed) where each word lies.
_SPLIT = re.compile(r"([\w\u0300-\u036f]+)")


class Split:
    """A text's words (``split_words``) and, computed when first asked, their offsets."""

    __slots__ = ("_ends", "parts", "words")

    def __init__(self, parts: list[str]) -> None:
        # [between, word, between, word, ..., between]: 2 n + 1 pieces, "" where empty.
        self.parts = parts
        self.words: tuple[str, ...] = tuple(parts[1::2])
        self._ends: list[int] | None = None

    def ends(self) -> list[int]:
        """Where each piece of ``parts`` ends in the text: word i spans ``ends[2 i]``
        to ``ends[2 i + 1]``."""
        if self._ends is None:
            self._ends = list(itertools.accumulate(map(len, self.parts)))
        return self._ends

    def span(self, i: int) -> tuple[int, int]:
        ends = self.ends()
        return ends[2 * i], ends[2 * i + 1]


# The last texts' splits. A text "A\n\nB" (the campaign and kind rules read an article's
# lead, a blank line, then its text) reuses the split of "B" when "B" (the text the unit
# directory read) was split before: a run of words never crosses a blank line, so the two
# splits join at it. One message's texts are a few dozen at most; a split kept with its
# offsets costs about 65 kB for a 2,000-character article (words, pieces, sums), so few
# are kept (64: at most about 4 MB of articles, less than the word tuples of the 256 texts
# split_words kept before).
_SPLITS: dict[str, Split] = {}
_SPLITS_MAX = 64


def text_split(text: str) -> Split:
    """The :class:`Split` of NFC ``text``, kept for the last few dozen texts."""
    found = _SPLITS.get(text)
    if found is not None:
        return found
    parts: list[str] | None = None
    cut = text.find("\n\n")
    if cut >= 0:
        rest = text[cut + 2 :]
        tail = _SPLITS.get(rest)
        if tail is not None:
            head = _opening_parts(rest, tail, cut) if rest.startswith(text[:cut]) else None
            if head is None:
                head = _SPLIT.split(_spaced(text[:cut]))
            parts = [*head[:-1], head[-1] + "\n\n" + tail.parts[0], *tail.parts[1:]]
    if parts is None:
        parts = _SPLIT.split(_spaced(text))
    if len(_SPLITS) >= _SPLITS_MAX:
        _SPLITS.clear()
    found = _SPLITS[text] = Split(parts)
    return found


def _opening_parts(text: str, split: Split, at: int) -> list[str] | None:
    """The pieces of ``text[:at]``'s split read from ``split`` (``text``'s): a lead the
    text opens with (an article's text repeats its lead). None when a word runs across
    ``at``."""
    if at < len(text) and text[at] != "_" and WORD.match(text, at):
        return None
    ends = split.ends()  # word i spans ends[2 i] to ends[2 i + 1]
    k = bisect.bisect_left(ends[0::2], at, 0, len(split.words))  # the words before ``at``
    parts = split.parts[: 2 * k + 1]
    gap_start = ends[2 * k - 1] if k else 0
    parts[-1] = parts[-1][: at - gap_start]
    return parts


# Long texts already put in NFC: the taggers of one message ask for the same article,
# note and body in NFC several times, and checking a text is NFC reads every character
# (about 20 instructions each) where finding it here hashes it (the hash is kept with the
# string) and compares it.
_NFC_TEXTS: dict[str, str] = {}
_NFC_TEXTS_MAX = 32
_NFC_KEPT_FROM = 256


def nfc_text(text: str) -> str:
    """``nfc(text)``, kept for the last few long texts."""
    if len(text) < _NFC_KEPT_FROM:
        return nfc(text)
    found = _NFC_TEXTS.get(text)
    if found is None:
        if len(_NFC_TEXTS) >= _NFC_TEXTS_MAX:
            _NFC_TEXTS.clear()
        found = _NFC_TEXTS[text] = nfc(text)
    return found


def split_words(text: str) -> tuple[str, ...]:
    """The words of NFC ``text``, split once per text: the campaign, subject and kind rules
    (through :func:`analyse`) and the unit directory's matcher all read this split."""
    return text_split(text).words


def count_words(text: str) -> int:
    """How many words :func:`split_words` finds in ``text`` (not cached)."""
    return len(WORD.findall(_spaced(text)))


def word_spans(text: str) -> Iterator[re.Match[str]]:
    """The words of :func:`split_words`, as matches (their spans index ``text``)."""
    return WORD.finditer(_spaced(text))


_TONE_DIGITS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


@functools.lru_cache(maxsize=65536)
def toned_syllable(word: str) -> str:
    """``word`` lower-cased with its tone mark moved to a digit at the end: hoà/hòa → hoa2."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tone = ""
    kept = []
    for ch in decomposed:
        digit = _TONE_DIGITS.get(ch)
        if digit:
            tone = digit
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


# The language has a few thousand distinct syllables: each is folded once per process.
_folded_syllable = functools.lru_cache(maxsize=65536)(fold)


def safe_untoned(phrase: str) -> bool:
    """A one-word phrase that keeps its meaning folded: an abbreviation (NTM, HTX, THCS),
    something with a digit (9X), or a loanword longer than any Vietnamese syllable."""
    return phrase.isascii() and (
        phrase.isupper() or any(c.isdigit() for c in phrase) or len(phrase) >= 5
    )


@functools.lru_cache(maxsize=16384)
def phrase_key(phrase: str, toned: bool) -> tuple[str, ...]:
    """The syllable keys of a vocabulary phrase in one matching mode."""
    key = toned_syllable if toned else _folded_syllable
    return tuple(key(w) for w in _WORD.findall(nfc(phrase)))


def _written_with_marks(words: Sequence[str]) -> bool:
    """True when a fifth of the (non-numeric) words carry marks. In Latin-script text a
    non-ASCII word is a word with Vietnamese marks (đ included)."""
    n = len(words) - sum(map(str.isdigit, words))
    if not n:
        return False
    # A digit-only word is ASCII, so the non-ASCII count needs no filtering.
    return len(words) - sum(map(str.isascii, words)) >= 0.2 * n


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words as written (for capitals) and their matching keys; ``base``: the
    words these open (:meth:`opening`), whose phrases found hold theirs."""

    words: tuple[str, ...]
    keys: tuple[str, ...]
    toned: bool
    base: Words | None = field(default=None, compare=False, repr=False)

    def opening(self, n: int) -> Words:
        """The first ``n`` words (who and what an article is about is settled early)."""
        if len(self.words) <= n:
            return self
        return Words(self.words[:n], self.keys[:n], self.toned, self.base or self)

    def starts_with(self, phrases: Iterable[str]) -> str | None:
        """The longest phrase the text opens with."""
        if not self.keys:
            return None
        best = None
        phrases = phrases if isinstance(phrases, tuple) else tuple(phrases)
        # Only the phrases starting with the text's first syllable can match.
        for key, p in _by_first(phrases, self.toned).get(self.keys[0], ()):
            if self.keys[: len(key)] == key and (best is None or len(p) > len(best)):
                best = p
        return best

    def names_after(
        self, phrases: tuple[str, ...], acronyms: bool = False
    ) -> list[tuple[str, str]]:
        """(phrase, Name) for every phrase followed by a capitalised word that is not
        the start of a sentence-initial phrase: "anh Chảo Láo Sành" → ("anh", "Sành").
        ``acronyms``: a word in capitals may open the name too (an organisation's: "Trường
        THCS Lùng Thẩn", "Đồn BP Y Tý"; a person's name never opens so)."""
        follow = _follow_first(phrases, self.toned)
        keys, words = self.keys, self.words
        out = []
        n = len(keys)
        last = n - 1
        done = 0  # a name taken ends here: phrases starting inside it are skipped
        # Most syllables start no phrase: one set test each, in C.
        for i in itertools.compress(range(n), map(follow.__contains__, keys)):
            if i < done:
                continue
            by_second, singles = follow[keys[i]]
            # Only the phrases whose second syllable is the next one (and those of one
            # syllable), longest first, can start here.
            cands = by_second.get(keys[i + 1], singles) if i < last else singles
            for key, p in cands:
                if len(key) <= 2 or keys[i : i + len(key)] == key:
                    j = i + len(key)
                    name: list[str] = []
                    # "THCS" in "Trường THCS Lùng Thẩn", "PTDTBT THCS": read on past them
                    while acronyms and j < n and j - i - len(key) < 2 and _acronym(words[j]):
                        j += 1
                    # "Cao đẳng", "Đại học": a kind of school, not a name ("sinh viên Cao
                    # đẳng Lào Cai" names no one; "Trường Cao đẳng Y tế" reads on).
                    if (
                        j + 1 < n
                        and capitalised(words[j])
                        and fold(f"{words[j]} {words[j + 1]}") in _SCHOOL_KINDS
                    ):
                        if not acronyms:
                            break
                        j += 2
                    if j < n and keys[j] in _GREETING_KEYS:
                        break  # "... Huyện đoàn! Thưa các bạn": the next sentence's greeting
                    while j < n and capitalised(words[j]) and len(name) < 4:
                        name.append(words[j])
                        j += 1
                    if name:
                        out.append((p, name[-1]))
                        done = j
                    break
        return out


# The words a next sentence opens with ("Kính thưa", "Thưa", "Xin chào", "Tôi"): never
# a name, though capitalised after a collective's word ("lãnh đạo Huyện đoàn! Thưa ...").
_GREETING_KEYS = frozenset(
    k
    for w in ("Kính", "Thưa", "Xin", "Chào", "Tôi", "Chúng")
    for k in (toned_syllable(w), _folded_syllable(w))
)


@functools.lru_cache(maxsize=64)
def _by_first(
    phrases: tuple[str, ...], toned: bool
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    keyed = sorted(((phrase_key(p, toned), p) for p in phrases), key=lambda kp: -len(kp[0]))
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, p in keyed:  # longest first within each first syllable
        if key:
            by_first.setdefault(key[0], []).append((key, p))
    return by_first


_Phrases = tuple[tuple[tuple[str, ...], str], ...]


@functools.lru_cache(maxsize=64)
def _follow_first(
    phrases: tuple[str, ...], toned: bool
) -> dict[str, tuple[dict[str, _Phrases], _Phrases]]:
    """:func:`_by_first`, each first syllable's phrases also by their second syllable:
    (those whose second syllable is the key, with those of one syllable; those of one
    syllable alone), each in ``_by_first``'s order (longest first)."""
    out = {}
    for first, entries in _by_first(phrases, toned).items():
        singles = tuple(e for e in entries if len(e[0]) == 1)
        by_second = {
            e[0][1]: tuple(x for x in entries if len(x[0]) == 1 or x[0][1] == e[0][1])
            for e in entries
            if len(e[0]) > 1
        }
        out[first] = (by_second, singles)
    return out


# Kinds of school written with a capital ("Cao đẳng", "Đại học"), folded.
_SCHOOL_KINDS = frozenset(
    {"cao dang", "dai hoc", "trung cap", "trung hoc", "hoc vien", "tieu hoc", "mam non"}
)


def _acronym(word: str) -> bool:
    return 2 <= len(word) <= 8 and word.isupper() and word.isalpha()


@functools.lru_cache(maxsize=64)
def analyse(title: str, text: str) -> tuple[Words, Words]:
    """The title's and the text's words, in the mode the two together are written in (a
    title in capitals is judged with its body). Cached: the taggers of one article share
    it."""
    tw = split_words(nfc(title))
    bw = split_words(nfc_text(text))
    toned = _written_with_marks(tw + bw)
    return (
        Words(tw, _keys(tw, toned), toned),
        Words(bw, _keys(bw, toned), toned),
    )


# Each syllable's key in either mode, once per process (the language has a few thousand
# syllables; a dict read through ``map`` is the cheapest lookup per word there is).
_SYLLABLE_KEYS: dict[bool, dict[str, str]] = {True: {}, False: {}}
_SYLLABLE_KEYS_MAX = 200_000


def _keys(words: tuple[str, ...], toned: bool) -> tuple[str, ...]:
    known = _SYLLABLE_KEYS[toned]
    keys = tuple(map(known.get, words))
    # A syllable seen for the first time (None; a key may be "", and is kept): ``all``
    # reads each item's truth in C, ``None in`` compares each with None.
    if not all(keys):
        if len(known) >= _SYLLABLE_KEYS_MAX:
            known.clear()
        key = toned_syllable if toned else _folded_syllable
        keys = tuple(
            k if k is not None else known.setdefault(w, key(w))
            for k, w in zip(keys, words, strict=True)
        )
    return keys


# A phrase in a Lexicon's index: its keys, the phrase, how many keys, its second key.
_Entry = tuple[tuple[str, ...], str, int, "str | None"]
# A first syllable's phrases: by the second syllable, and those of one syllable alone.
_Follow = tuple[dict[str, tuple[_Entry, ...]], tuple[_Entry, ...]]


# Lexicons found in the same pass as a host's (``Lexicon(..., host=True)``: the campaign
# vocabulary) over a text's words: their phrases are kept for those words, and what they
# find in the words' openings is read from them (the subject and kind rules' terms, which
# they look for in an article's opening: the campaign rules read the whole of it first).
_RIDERS: list[Lexicon] = []
# The riders' phrases found, per words (keys and mode: the keys kept, so their id is not
# another's while the entry lives).
_KEPT: dict[tuple[int, bool], tuple[tuple[str, ...], dict[Lexicon, dict[str, list[int]]]]] = {}
_KEPT_MAX = 64


def ride(lexicon: Lexicon) -> None:
    """Have ``lexicon`` found along with every host's pass (see ``_RIDERS``)."""
    if lexicon not in _RIDERS:
        _RIDERS.append(lexicon)
        _JOINT.clear()


# A joint index: per first syllable, the candidates by the next syllable and those of one
# syllable, each an _Entry with the index of its lexicon in place of its second key.
_JOINT: dict[tuple[tuple[Lexicon, ...], bool], dict[str, _Follow]] = {}


class Lexicon:
    """A fixed set of phrases, compiled once, found in a text in one pass.

    :meth:`find` returns, for each phrase present, the positions (syllable indexes) where
    it starts; overlapping matches are all reported, callers that need "longest match
    consumes" (the campaign rules) decide among them.
    """

    def __init__(self, phrases: Iterable[str], *, host: bool = False) -> None:
        self.phrases: tuple[str, ...] = tuple(dict.fromkeys(phrases))
        self.host = host
        # Compiled on first use, per mode (a vocabulary at module level costs nothing at
        # import: a process that never tags never builds it).
        self._index: dict[bool, dict[str, tuple[_Entry, ...]]] = {}
        self._follow: dict[bool, dict[str, _Follow]] = {}
        self._lengths: dict[bool, dict[str, int]] = {}

    def index(self, toned: bool) -> dict[str, tuple[_Entry, ...]]:
        found = self._index.get(toned)
        if found is None:
            found = self._index[toned] = self._build(toned=toned)
        return found

    def _build(self, *, toned: bool) -> dict[str, tuple[_Entry, ...]]:
        index: dict[str, list[_Entry]] = {}
        for p in self.phrases:
            key = phrase_key(p, toned)
            if not key or (not toned and len(key) == 1 and not safe_untoned(p)):
                continue  # one Vietnamese syllable without its tone is ambiguous
            second = key[1] if len(key) > 1 else None
            index.setdefault(key[0], []).append((key, p, len(key), second))
        return {
            first: tuple(sorted(entries, key=lambda e: -e[2])) for first, entries in index.items()
        }

    def length(self, phrase: str, toned: bool) -> int:
        return len(phrase_key(phrase, toned))

    def follow(self, toned: bool) -> dict[str, _Follow]:
        """Per first syllable: (the phrases that may start there given the next syllable,
        the phrases of one syllable, for any other next syllable), each in the index's
        order (longest first)."""
        found = self._follow.get(toned)
        if found is None:
            found = self._follow[toned] = {}
            for first, entries in self.index(toned).items():
                singles = tuple(e for e in entries if e[2] == 1)
                by_second = {
                    e[3]: tuple(x for x in entries if x[2] == 1 or x[3] == e[3])
                    for e in entries
                    if e[3] is not None
                }
                found[first] = (by_second, singles)
        return found

    def find(self, words: Words) -> dict[str, list[int]]:
        """Per phrase present, the positions (syllable indexes) where it starts, in the
        order first found."""
        kept = _KEPT.get((id((words.base or words).keys), words.toned))
        if kept is not None and kept[0] is (words.base or words).keys and self in kept[1]:
            found = kept[1][self]
            limit = len(words.keys)
            if words.base is None or limit == len(words.base.keys):
                return {p: list(starts) for p, starts in found.items()}
            # The phrases found in the words these open: those ending within them.
            lengths = self._phrase_lengths(words.toned)
            return {
                p: kept_starts
                for p, starts in found.items()
                if (kept_starts := [s for s in starts if s + lengths[p] <= limit])
            }
        if self.host and _RIDERS and words.base is None:
            founds = _find_all((self, *_RIDERS), words)
            if len(_KEPT) >= _KEPT_MAX:
                _KEPT.clear()
            _KEPT[(id(words.keys), words.toned)] = (
                words.keys,
                dict(zip(_RIDERS, founds[1:], strict=True)),
            )
            return founds[0]
        return self._find_one(words)

    def _find_one(self, words: Words) -> dict[str, list[int]]:
        follow = self._follow.get(words.toned) or self.follow(words.toned)
        keys = words.keys
        found: dict[str, list[int]] = {}
        # Most syllables start no phrase: one set test each, in C.
        last = len(keys) - 1
        for i in itertools.compress(range(len(keys)), map(follow.__contains__, keys)):
            by_second, singles = follow[keys[i]]
            # Only the phrases whose second syllable is the next one (and those of one
            # syllable) can start here: one dict read instead of a test per phrase.
            cands = by_second.get(keys[i + 1], singles) if i < last else singles
            for key, p, n, _ in cands:
                if n <= 2 or keys[i : i + n] == key:
                    found.setdefault(p, []).append(i)
        return found

    def _phrase_lengths(self, toned: bool) -> dict[str, int]:
        found = self._lengths.get(toned)
        if found is None:
            found = self._lengths[toned] = {
                e[1]: e[2] for entries in self.index(toned).values() for e in entries
            }
        return found

    def count(self, words: Words) -> dict[str, int]:
        """Occurrences per phrase present; a phrase's overlapping repeats count once each
        time it starts after the previous one ended."""
        out: dict[str, int] = {}
        for p, starts in self.find(words).items():
            n = len(phrase_key(p, words.toned))
            c, end = 0, -1
            for s in starts:
                if s >= end:
                    c += 1
                    end = s + n
            out[p] = c
        return out


def _joint(lexicons: tuple[Lexicon, ...], toned: bool) -> dict[str, _Follow]:
    """The lexicons' :meth:`Lexicon.follow` as one index: at each first syllable and next
    syllable, each lexicon's candidates in its own order, the first lexicon's first, each
    marked with its lexicon's index (in place of its second syllable, read no more)."""
    key = (lexicons, toned)
    found = _JOINT.get(key)
    if found is not None:
        return found
    follows = [lex.follow(toned) for lex in lexicons]
    found = {}
    for first in dict.fromkeys(f for follow in follows for f in follow):
        own = [(o, follow[first]) for o, follow in enumerate(follows) if first in follow]
        seconds = dict.fromkeys(k2 for _, (by_second, _) in own for k2 in by_second)
        by_second = {
            k2: tuple(
                (e[0], e[1], e[2], o) for o, (bs, singles) in own for e in bs.get(k2, singles)
            )
            for k2 in seconds
        }
        singles = tuple((e[0], e[1], e[2], o) for o, (_, sg) in own for e in sg)
        found[first] = (by_second, singles)
    if len(_JOINT) >= 64:
        _JOINT.clear()
    _JOINT[key] = found
    return found


def _find_all(lexicons: tuple[Lexicon, ...], words: Words) -> list[dict[str, list[int]]]:
    """Each lexicon's :meth:`Lexicon.find` in ``words``, in one pass over them: at each
    start the candidates of each lexicon in its own order, so each finds its phrases in
    the order it finds them alone."""
    follow = _joint(lexicons, words.toned)
    keys = words.keys
    founds: list[dict[str, list[int]]] = [{} for _ in lexicons]
    # Most syllables start no phrase: one set test each, in C.
    last = len(keys) - 1
    for i in itertools.compress(range(len(keys)), map(follow.__contains__, keys)):
        by_second, singles = follow[keys[i]]
        # Only the phrases whose second syllable is the next one (and those of one
        # syllable) can start here: one dict read instead of a test per phrase.
        cands = by_second.get(keys[i + 1], singles) if i < last else singles
        for key, p, n, o in cands:
            if n <= 2 or keys[i : i + n] == key:
                founds[o].setdefault(p, []).append(i)
    return founds
