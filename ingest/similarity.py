"""Near-duplicate and revision detection for article texts and photos (pure: no database).

Units resend the same article weeks later, or someone forwards it with a cover note: the
second copy is a ``duplicate`` of the first. A corrected version ("bản sửa", "gửi lại bản đã
chỉnh sửa", or clearly edited text) is a ``revision``: it is linked to the first so the
editor chooses which one to publish. ``ingest/duplicates.py`` is the database side: it finds
candidates through :func:`lsh_bands` and confirms each with :func:`compare`.

Everything works on the *matching form* of a text (:func:`dienhinh.core.text.fold`, then
letters and digits only), so spacing, case, punctuation and tone-mark style (hoà/hòa) never
matter. A text is a set of word 5-shingles (every run of five consecutive words), each hashed
to a 64-bit integer.

Stored values depend on the exact schemes below; change them only together with a
migration that recomputes every stored signature, band and photo hash.

* **Shingle hash**: the ``k`` folded words joined by one space, UTF-8, hashed with
  ``blake2b(digest_size=8)`` read big-endian. A text of fewer than ``k`` words is one shingle
  of all its words; a text with no words has none.
* **MinHash** (:data:`MINHASH_SCHEME` = ``"oph-v1"``): one-permutation hashing with optimal
  densification (Li, Owen & Zhang 2012; Shrivastava 2017). Shingle hash ``h`` goes to bin
  ``h % num_perm`` with value ``h // num_perm``; each bin keeps its smallest value. An empty
  bin ``j`` copies the value of the first non-empty bin among ``p(j, 0), p(j, 1), ...`` where
  ``p(j, t) = blake2b(f"{j}:{t}", digest_size=8, person=b"dienhinh/oph/v1") % num_perm``.
  With ``num_perm`` ≥ 2 the values are below 2**63, so they fit a signed BIGINT. A text
  with no words has the empty signature ``()``. Why not the classic
  ``(a*x + b) mod (2**61 - 1)`` family: it costs ``num_perm`` multiplications per shingle,
  measured at 16 ms for a 1,000-word article with 64 permutations in CPython; this scheme
  touches each shingle once (the whole signature, folding and shingle hashing included,
  takes about 2 ms) and estimates Jaccard similarity as well.
* **Band key**: ``f"b{i:02d}:"`` + hex of ``blake2b(digest_size=8)`` over the band's values,
  each as 8 bytes big-endian (20 characters).
* **Photo hash**: 64-bit dHash (:func:`image_fingerprint`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import struct
from collections.abc import Iterable, Sequence, Set
from itertools import accumulate, count
from typing import Final, Literal

from dienhinh.core.text import fold

__all__ = [
    "BOILERPLATE_PHRASES",
    "CONTAINMENT_MIN_JACCARD",
    "DUPLICATE_CONTAINMENT",
    "DUPLICATE_JACCARD",
    "HINT_MIN_CONTAINMENT",
    "HINT_MIN_JACCARD",
    "IMAGE_MATCH_MAX_DISTANCE",
    "MINHASH_SCHEME",
    "MIN_SHINGLES",
    "REVISION_HINTS",
    "REVISION_MIN_JACCARD",
    "SHINGLE_K",
    "Verdict",
    "compare",
    "estimate_jaccard",
    "exact_similarity",
    "image_fingerprint",
    "images_match",
    "lsh_bands",
    "lsh_candidate_probability",
    "minhash",
    "shingles",
    "text_fingerprint",
]

log = logging.getLogger(__name__)

Verdict = Literal["duplicate", "revision", "different"]

MINHASH_SCHEME: Final = "oph-v1"
"""Name of the signature scheme described in the module docstring; store it with signatures."""

SHINGLE_K: Final = 5
"""Words per shingle. Five words rarely repeat by chance between two Vietnamese articles
(syllable-words are short, so four-word runs such as "điển hình tiên tiến" are set phrases),
yet one edited word breaks only five shingles."""

# --- thresholds ----------------------------------------------------------------------------
#
# All on the shingle sets compare() builds: template wording cut out (BOILERPLATE_PHRASES).
# Jaccard falls quickly under edits: if a fraction f of one text's shingles is replaced,
# J = (1 - f) / (1 + f), and every edited spot also breaks the four shingles straddling it.
# Measured on the test articles (about 300 words each):
#   a few figures changed ............................................ 0.95
#   a cover paragraph added (Jaccard / containment) ............... 0.90 / 1.00
#   four of twelve sentences rewritten, figures changed in a fifth .. 0.33 (0.44 before the cut)
#   different people, same template, same commune and district .... 0.02-0.03 (0.13-0.16)

DUPLICATE_JACCARD: Final = 0.9
"""At or above this, the same article: a resend, possibly with a typo fixed or a number
reformatted, nothing an editor needs to choose between."""

DUPLICATE_CONTAINMENT: Final = 0.95
"""At or above this share of the *smaller* text's shingles found in the larger, the smaller
is a trimmed copy of the larger (a forward that added a cover paragraph, or a resend whose
signature block was cut): a duplicate."""

CONTAINMENT_MIN_JACCARD: Final = 0.6
"""...but only if the Jaccard similarity is at least this, i.e. the added part is at most
about two thirds of the article. Otherwise the smaller text is merely quoted inside a longer,
different one (a unit's summary report that includes the story), which is not a copy."""

REVISION_MIN_JACCARD: Final = 0.25
"""From here up to :data:`DUPLICATE_JACCARD`: the same article, edited. The brief suggested
0.5, but a third of the sentences rewritten measures 0.33 (see above) and would be lost;
0.25 still sits eight times above different articles written from the same template."""

HINT_MIN_JACCARD: Final = 0.15
HINT_MIN_CONTAINMENT: Final = 0.5
"""When the later mail itself says it is a correction (:data:`REVISION_HINTS`), a looser
bar links the two: Jaccard at least 0.15 (a heavy rewrite) or half of the smaller text found
in the larger (a "bổ sung" that doubled the article). Different articles in the same
template measure 0.03 and 0.08 on these."""

MIN_SHINGLES: Final = 40
"""Below this many shingles left in the smaller text (about 45 words besides template
wording), only a near-identical text (:data:`DUPLICATE_JACCARD`) counts; the looser rules
for revisions and hints do not apply. Two short notes about different people from the same
commune share the address line ("ở thôn Khe Bá, xã Xuân Hoà, huyện Bảo Yên, tỉnh Lào Cai")
and measure 0.27, which on so little text means nothing."""

IMAGE_MATCH_MAX_DISTANCE: Final = 6
"""Hamming distance between two dHashes still counted as the same photo. Measured on 40
drawn test pictures: re-saving at JPEG quality 30-60, also at half or 80% size, moved at
most 5 bits (6 at quality 15); two different pictures differed by 11 bits or more."""

REVISION_HINTS: Final = (
    "bản sửa",
    "sửa lại",
    "chỉnh sửa",
    "đã sửa",
    "sửa đổi",
    "bản mới",
    "thay thế bài",
    "đính chính",
    "bổ sung",
)
"""Words in the later mail's subject or cover note that announce a corrected version.
Matched on the folded hint, because many people type without accents ("ban sua"); the price
is that "bán sữa" also folds to "ban sua". A false hint only turns a duplicate into a
revision, which shows the editor both copies and loses nothing."""

BOILERPLATE_PHRASES: Final = (
    "phong trào thi đua yêu nước",
    "phong trào thi đua",
    "điển hình tiên tiến",
    "gương điển hình",
    "tấm gương sáng",
    "tấm gương",
    "những năm qua",
    "được bình chọn là",
    "với những thành tích đã đạt được",
    "với những thành tích đạt được",
    "Chủ tịch Ủy ban nhân dân tỉnh",
    "Chủ tịch UBND tỉnh",
    "tặng Bằng khen",
    "tặng Giấy khen",
    "để mọi người học tập và làm theo",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "hoàn thành xuất sắc nhiệm vụ",
    "góp phần vào sự phát triển kinh tế - xã hội của địa phương",
    "xây dựng nông thôn mới",
    "người tốt, việc tốt",
    "chiến sĩ thi đua cơ sở",
    "lao động tiên tiến",
    "cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau",
    "Ban Thi đua - Khen thưởng tỉnh",
)
"""Template wording of exemplar articles, which :func:`compare` cuts out of both texts
before shingling (the text on either side is shingled separately, and a remnant shorter
than five words is dropped). Without this, two short articles about different people, both
opening "Thực hiện phong trào thi đua yêu nước, những năm qua ... luôn là tấm gương điển
hình tiên tiến" and closing with the Bằng khen formula, share half their shingles. Cutting
costs a revision little: both versions lose the same words. Callers that count shingle
frequencies over the store can pass the most common shingles as ``ignore`` as well."""

_WORD = re.compile(r"[^\W_]+")
_EMPTY_BIN: Final = 1 << 64  # larger than any bin value; never left in a returned signature
_PROBE_PERSON: Final = b"dienhinh/oph/v1"
_DHASH_W, _DHASH_H = 9, 8
_MIN_CONTRAST = 3  # grey levels; a flatter thumbnail has no stable dHash


# --- shingles and MinHash -------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _hash64(data: bytes, person: bytes = b"") -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, person=person).digest(), "big")


def _shingles_of(words: Sequence[str], k: int) -> set[int]:
    """The shingle hashes of the scheme (module docstring), computed without a string per
    shingle: the words are joined and encoded once, each shingle is a slice of those bytes
    (the words and their single spaces), and the 8-byte digests are read as integers by
    one ``struct`` call. The same values as hashing ``" ".join(words[i : i + k])``, at
    about half the cost (the blake2b calls, ~0.3 µs each, are most of what is left)."""
    n = len(words)
    if not n:
        return set()
    if n < k:
        return {_hash64(" ".join(words).encode("utf-8"))}
    data = " ".join(words).encode("utf-8")
    # Byte length of each word: its length in characters when the text is ASCII (the
    # joined bytes then count one byte per character), else its encoded length.
    lens: Iterable[int] = (
        map(len, words)
        if len(data) == sum(map(len, words)) + n - 1
        else [len(w.encode("utf-8")) for w in words]
    )
    starts = [0, *accumulate(size + 1 for size in lens)]  # starts[n]: len(data) + 1
    blake2b = hashlib.blake2b
    digests = b"".join(
        [
            blake2b(data[a : b - 1], digest_size=8).digest()
            for a, b in zip(starts, starts[k:], strict=False)
        ]
    )
    return set(struct.unpack(f">{n - k + 1}Q", digests))


def shingles(text: str, k: int = SHINGLE_K) -> set[int]:
    """Hashed word ``k``-shingles of the matching form of ``text`` (scheme in the module
    docstring); stable across processes, unlike ``hash()``."""
    if k < 1:
        raise ValueError(f"shingle size must be at least 1, got {k}")
    return _shingles_of(_words(text), k)


def containment(part: str, whole: str, k: int = SHINGLE_K) -> float:
    """The share of ``part``'s shingles found in ``whole``: 1.0 when ``part`` is a piece of
    ``whole`` (a scanned page of a document), whatever ``whole``'s length. 0.0 for a text
    too short to have shingles."""
    a = shingles(part, k)
    if not a:
        return 0.0
    return len(a & shingles(whole, k)) / len(a)


def text_fingerprint(text: str) -> str:
    """Hash of the matching form of a text: the same article resent with other spacing,
    case or tone-mark style hashes the same."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


def _probe(j: int, t: int) -> int:
    return _hash64(f"{j}:{t}".encode("ascii"), _PROBE_PERSON)


def minhash(text: str, num_perm: int = 64) -> tuple[int, ...]:
    """MinHash signature of ``text``'s 5-shingles, scheme :data:`MINHASH_SCHEME`.

    ``()`` for a text with no words: it has nothing to match and is not indexed. For a
    1,000-word article this takes about 2 ms, nearly all of it folding and hashing the
    shingles; the binning itself is about 0.1 ms.
    """
    if num_perm < 1:
        raise ValueError(f"num_perm must be at least 1, got {num_perm}")
    hashes = shingles(text)
    if not hashes:
        return ()
    sig = [_EMPTY_BIN] * num_perm
    for h in hashes:
        v, b = divmod(h, num_perm)
        if v < sig[b]:
            sig[b] = v
    filled = [v != _EMPTY_BIN for v in sig]
    for j in range(num_perm):
        if filled[j]:
            continue
        for t in count():  # ends: at least one bin is filled, and probes are uniform
            donor = _probe(j, t) % num_perm
            if filled[donor]:
                sig[j] = sig[donor]
                break
    return tuple(sig)


def estimate_jaccard(sig_a: Sequence[int], sig_b: Sequence[int]) -> float:
    """Share of equal positions: an unbiased estimate of the Jaccard similarity of the two
    shingle sets (standard error about ``sqrt(J(1-J)/64)`` ≈ 0.06 at 64 positions). An empty
    signature matches nothing."""
    if not sig_a or not sig_b:
        return 0.0
    if len(sig_a) != len(sig_b):
        raise ValueError(f"signatures differ in length: {len(sig_a)} vs {len(sig_b)}")
    return sum(a == b for a, b in zip(sig_a, sig_b, strict=True)) / len(sig_a)


def lsh_bands(sig: Sequence[int], bands: int = 16) -> list[str]:
    """Band keys of a signature, for an indexed lookup of near-duplicate candidates.

    Two texts become candidates when they share at least one key. With 64 positions in
    16 bands of 4 rows, the probability is ``1 - (1 - J**4)**16``
    (:func:`lsh_candidate_probability`):

    ====  =====  =====  ====  ====  ====  ====  ====  ======  =======
    J     0.1    0.2    0.3   0.4   0.5   0.6   0.7   0.8     0.9
    P     0.002  0.025  0.12  0.34  0.64  0.89  0.99  0.9998  >0.9999
    ====  =====  =====  ====  ====  ====  ====  ====  ======  =======

    so duplicates (J ≥ 0.9) and most revisions are found, and unrelated articles (J < 0.1)
    almost never cost a comparison. Bins of one-permutation hashing are not quite
    independent, so these are close approximations.
    """
    if not sig:
        return []
    if bands < 1 or len(sig) % bands:
        raise ValueError(f"a signature of {len(sig)} values cannot be cut into {bands} bands")
    rows = len(sig) // bands
    keys = []
    for i in range(bands):
        chunk = b"".join(v.to_bytes(8, "big") for v in sig[i * rows : (i + 1) * rows])
        keys.append(f"b{i:02d}:{hashlib.blake2b(chunk, digest_size=8).hexdigest()}")
    return keys


def lsh_candidate_probability(jaccard: float, bands: int = 16, rows: int = 4) -> float:
    """Probability that two texts of Jaccard similarity ``jaccard`` share a band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


# --- confirming a candidate ------------------------------------------------------------------


def exact_similarity(text_a: str, text_b: str, *, ignore: Set[int] = frozenset()) -> float:
    """Jaccard similarity of the two texts' 5-shingle sets, ``ignore`` set aside.
    0.0 when either has no shingles."""
    a, b = shingles(text_a) - ignore, shingles(text_b) - ignore
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _phrase_index(phrases: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Folded phrases by first word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(_words(phrase))
        if words:
            index.setdefault(words[0], []).append(words)
    return {w: tuple(sorted(ps, key=len, reverse=True)) for w, ps in index.items()}


_BOILERPLATE: Final = _phrase_index(BOILERPLATE_PHRASES)


def _content_runs(words: Sequence[str]) -> list[Sequence[str]]:
    """``words`` with every :data:`BOILERPLATE_PHRASES` occurrence cut out, as the runs
    of words left between the cuts."""
    cut = [False] * len(words)
    for i, word in enumerate(words):
        for phrase in _BOILERPLATE.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                cut[i : i + len(phrase)] = [True] * len(phrase)
                break
    runs: list[Sequence[str]] = []
    start = 0
    for i, is_cut in enumerate([*cut, True]):
        if is_cut:
            if i > start:
                runs.append(words[start:i])
            start = i + 1
    return runs


def _content_shingles(words: Sequence[str]) -> set[int]:
    out: set[int] = set()
    for run in _content_runs(words):
        if len(run) >= SHINGLE_K:
            out |= _shingles_of(run, SHINGLE_K)
    return out


_HINTS: Final = tuple((" " + " ".join(_words(h)) + " ", h) for h in REVISION_HINTS)


def _revision_hint(hint: str) -> str | None:
    """The :data:`REVISION_HINTS` entry that ``hint`` contains (as whole words), or None."""
    padded = " " + " ".join(_words(hint)) + " "
    for folded, shown in _HINTS:
        if folded in padded:
            return shown
    return None


def _pct(x: float) -> str:
    return f"{x:.0%}"


def compare(
    text_a: str, text_b: str, *, hint_b: str = "", ignore: Set[int] = frozenset()
) -> tuple[Verdict, float, str]:
    """Decide what the later text ``text_b`` is to the earlier ``text_a``.

    ``hint_b`` is the later mail's subject and cover note; words such as "bản sửa" there
    make any similar text a revision (:data:`REVISION_HINTS`). Template wording
    (:data:`BOILERPLATE_PHRASES`) is cut out first; ``ignore`` sets further shingles aside,
    e.g. those most frequent in the store.

    Returns the verdict, the similarity that decided it (Jaccard of the shingle sets; the
    containment for a trimmed copy) and a reason in plain English for the editor.
    """
    words_a, words_b = _words(text_a), _words(text_b)
    hint = _revision_hint(hint_b)
    if words_a and words_a == words_b:
        if hint is not None:
            return (
                "revision",
                1.0,
                f'The later mail says "{hint}", but its text is the same as the earlier one '
                "(ignoring spacing, case and accents): the correction may be in the photos, "
                "or the old file may have been attached again.",
            )
        return (
            "duplicate",
            1.0,
            "Same text as the earlier article, ignoring spacing, case, punctuation and accents.",
        )

    a = _content_shingles(words_a) - ignore
    b = _content_shingles(words_b) - ignore
    smaller = min(len(a), len(b))
    shared = len(a & b)
    jaccard = shared / len(a | b) if a or b else 0.0
    shares = f"the texts share {_pct(jaccard)} of their five-word phrases"
    if smaller < MIN_SHINGLES:
        if smaller and jaccard >= DUPLICATE_JACCARD:
            if hint is not None:
                return "revision", jaccard, f'The later mail says "{hint}" and {shares}.'
            return "duplicate", jaccard, f"Resent: {shares}."
        return (
            "different",
            jaccard,
            f"Too little text to compare: the shorter text has {smaller} five-word phrases "
            f"besides template wording, and at least {MIN_SHINGLES} are needed.",
        )
    containment = shared / smaller

    if hint is not None and (jaccard >= HINT_MIN_JACCARD or containment >= HINT_MIN_CONTAINMENT):
        return (
            "revision",
            jaccard,
            f'The later mail says "{hint}" and {shares}: a corrected version of the earlier '
            "article.",
        )
    if jaccard >= DUPLICATE_JACCARD:
        return "duplicate", jaccard, f"Resent: {shares}."
    if containment >= DUPLICATE_CONTAINMENT and jaccard >= CONTAINMENT_MIN_JACCARD:
        shorter, longer = ("earlier", "later") if len(a) <= len(b) else ("later", "earlier")
        return (
            "duplicate",
            containment,
            f"Resent: {_pct(containment)} of the {shorter} text is found in the {longer} one, "
            f"which adds about {_pct(1 - jaccard)} other text (a cover note or a signature).",
        )
    if jaccard >= REVISION_MIN_JACCARD:
        return "revision", jaccard, f"Edited: {shares}; parts were rewritten."
    return "different", jaccard, f"Different article: {shares}."


# --- photos ----------------------------------------------------------------------------------


def image_fingerprint(data: bytes) -> str | None:
    """Perceptual hash of a photo: 64-bit dHash as 16 hex digits (``Asset.phash``).

    The photo is decoded (JPEGs at a reduced scale, which is cheap), turned upright by its
    EXIF orientation, made grey and shrunk to 9×8 by area averaging; bit ``8*row + col``
    (most significant first) is set when a cell is brighter than its right neighbour.
    Recompression and resizing hardly move it, unlike the exact sha256.

    None when Pillow is not installed (it is a test dependency only), when ``data`` is not
    an image Pillow can decode, or when the picture is nearly flat (no stable hash).
    """
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("L", (_DHASH_W * 8, _DHASH_H * 8))
            upright = ImageOps.exif_transpose(img)
            thumb = upright.convert("L").resize((_DHASH_W, _DHASH_H), Image.Resampling.BOX)
    # Pillow reports undecodable or truncated data as OSError (UnidentifiedImageError is
    # one), some plug-ins as SyntaxError or ValueError; oversized images as the bomb error.
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as err:
        log.debug("no perceptual hash: %s", err)
        return None
    px = thumb.tobytes()
    if max(px) - min(px) < _MIN_CONTRAST:
        return None
    value = 0
    for row in range(_DHASH_H):
        for col in range(_DHASH_W - 1):
            i = row * _DHASH_W + col
            value = (value << 1) | (px[i] > px[i + 1])
    return f"{value:016x}"


def images_match(h1: str | None, h2: str | None) -> bool:
    """Whether two :func:`image_fingerprint` values are the same photo (Hamming distance at
    most :data:`IMAGE_MATCH_MAX_DISTANCE`). A missing hash matches nothing.

    Low-detail pictures (a scanned page of text, a flat graphic) give weak hashes; use a
    match as evidence beside the text, not alone.
    """
    if h1 is None or h2 is None:
        return False
    return (int(h1, 16) ^ int(h2, 16)).bit_count() <= IMAGE_MATCH_MAX_DISTANCE
