"""Find what an article duplicates or revises, among everything stored before it.

Two steps, both cheap at 100,000 articles: an exact match on the fingerprint of the
matching form of the text (indexed), then near-duplicate candidates through the LSH bands
of the MinHash signature (indexed), confirmed by ``similarity.compare`` on the texts. The pure
algorithms live in ``ingest/similarity.py``; the decision is :func:`decide`, which reads the
stored articles through a :class:`Lookup`: one over single queries (:class:`DbLookup`, for
the slow lane) and one over a whole group's prefetched rows (``ingest/writer.py``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.core.text import lead_and_body
from dienhinh.ingest import similarity
from dienhinh.store.models import Article, ArticleBand

__all__ = [
    "OTHER_UNIT",
    "OTHER_UNIT_FLAG",
    "DbLookup",
    "Lookup",
    "MatchRef",
    "decide",
    "find_match",
    "index_article",
    "same_as",
]

log = logging.getLogger(__name__)

_MAX_CANDIDATES = 3
# Candidates whose estimated Jaccard (64-bin MinHash over all shingles, template phrases
# included; error about ±0.06) is below this are not compared in full. A real edit that
# similarity.compare calls a revision (>= 0.25 on the template-free text) estimates well above
# it; two different articles written on the same template estimate up to about 0.2.
# The price: a lightly related text whose subject merely says "bản sửa" (similarity's 0.15
# hint rule) is not linked when its estimate is under this.
_MIN_ESTIMATE = 0.2


# The verdict for a text that another unit sent before: the same article, but no plain
# resend. Which unit wrote it (and whose submission counts) is the editor's call, so the
# later article stays in the queue, flagged, instead of disappearing as a duplicate.
OTHER_UNIT = "other-unit"
OTHER_UNIT_FLAG = "same text as another unit's article"


@dataclass(frozen=True)
class MatchRef:
    verdict: str  # "duplicate" | "revision" | OTHER_UNIT
    original_id: int
    original_message_pk: int
    similarity: float
    reason: str
    original_unit: str | None = None


@dataclass(frozen=True)
class Stored:
    id: int
    message_pk: int
    signature: list[int] | None
    unit: str | None = None  # the stored article's unit


class Lookup(Protocol):
    """Read access to the articles stored so far (originals only: not duplicates)."""

    def exact(self, fingerprint: str, not_message: int) -> Stored | None: ...

    def band_hits(self, bands: list[str]) -> Counter[int]: ...

    def stored(self, ids: Iterable[int]) -> list[Stored]: ...

    def text(self, article_id: int) -> str: ...


def decide(
    lookup: Lookup,
    *,
    text: str,
    fingerprint: str,
    signature: list[int] | None,
    message_pk: int,
    hint: str = "",
    bands: list[str] | None = None,
    unit: str | None = None,
) -> MatchRef | None:
    """The earlier article this text duplicates or revises, or None. ``hint`` is the later
    mail's subject and cover note ("bản sửa" there makes a similar text a revision);
    ``bands`` the signature's LSH band keys when the caller has them already. ``unit`` is
    the later article's unit: a duplicate of an article another unit sent is
    :data:`OTHER_UNIT`, not ``"duplicate"``."""
    if not text.strip():
        return None
    exact = lookup.exact(fingerprint, message_pk) if fingerprint else None
    if exact is not None:
        verdict, sim, reason = similarity.compare(lookup.text(exact.id), text, hint_b=hint)
        if verdict != "revision":  # identical matching form: a duplicate whatever the wording
            verdict, reason = "duplicate", reason if verdict == "duplicate" else "same text"
        return _other_unit(
            MatchRef(verdict, exact.id, exact.message_pk, sim or 1.0, reason, exact.unit), unit
        )
    if not signature:
        return None
    if bands is None:
        bands = similarity.lsh_bands(tuple(signature))
    counts = lookup.band_hits(bands)
    if not counts:
        return None
    # Confirm cheaply first: the signatures' estimated Jaccard, read without the texts,
    # drops candidates that share a band by chance; only the few left are compared in full.
    ids = [cid for cid, _n in counts.most_common(_MAX_CANDIDATES * 4)]
    stored = lookup.stored(ids)
    close = sorted(
        (
            (similarity.estimate_jaccard(signature, s.signature), s.id, s.message_pk)
            for s in stored
            if s.signature and s.message_pk != message_pk
        ),
        reverse=True,
    )
    units = {s.id: s.unit for s in stored}
    best: MatchRef | None = None
    for estimate, cand_id, cand_message in close[:_MAX_CANDIDATES]:
        if estimate < _MIN_ESTIMATE:
            break
        verdict, sim, reason = similarity.compare(lookup.text(cand_id), text, hint_b=hint)
        if verdict == "different":
            continue
        if (
            best is None
            or sim > best.similarity
            or (sim == best.similarity and cand_id < best.original_id)
        ):
            best = MatchRef(verdict, cand_id, cand_message, sim, reason, units.get(cand_id))
    return _other_unit(best, unit) if best is not None else None


def _other_unit(match: MatchRef, unit: str | None) -> MatchRef:
    """A duplicate of an article that a different unit sent (both units known) is
    :data:`OTHER_UNIT`: the same text under two units' names is a question for the editor
    (a copy, or a department passing on a district's piece), never a silent resend."""
    if match.verdict != "duplicate" or not unit or match.original_unit in (None, "", unit):
        return match
    return dataclasses.replace(
        match,
        verdict=OTHER_UNIT,
        reason=f"{match.reason} Sent before by {match.original_unit}.",
    )


def same_as(match: MatchRef) -> dict[str, object]:
    """What an article's ``meta["same_as"]`` says of an :data:`OTHER_UNIT` match."""
    return {
        "article": match.original_id,
        "unit": match.original_unit,
        "similarity": round(match.similarity, 3),
        "reason": match.reason,
    }


class DbLookup:
    """A Lookup that queries the database for each question (for one article at a time)."""

    def __init__(self, session: Session, *, exclude_id: int | None = None) -> None:
        self.session = session
        self.exclude_id = exclude_id

    def exact(self, fingerprint: str, not_message: int) -> Stored | None:
        row = self.session.execute(
            select(Article.id, Article.message_pk, Article.signature, Article.unit)
            .where(
                Article.text_sha256 == fingerprint,
                Article.message_pk != not_message,
                Article.duplicate_of_id.is_(None),
                Article.id != (self.exclude_id or -1),
            )
            .order_by(Article.id)
            .limit(1)
        ).first()
        return Stored(row[0], row[1], row[2], row[3]) if row else None

    def band_hits(self, bands: list[str]) -> Counter[int]:
        rows = self.session.execute(
            select(ArticleBand.article_id).where(ArticleBand.band.in_(bands))
        ).scalars()
        return Counter(r for r in rows if r != self.exclude_id)

    def stored(self, ids: Iterable[int]) -> list[Stored]:
        rows = self.session.execute(
            select(Article.id, Article.message_pk, Article.signature, Article.unit).where(
                Article.id.in_(list(ids)), Article.duplicate_of_id.is_(None)
            )
        ).all()
        return [Stored(*r) for r in rows]

    def text(self, article_id: int) -> str:
        lead, body = self.session.execute(
            select(Article.lead, Article.text).where(Article.id == article_id)
        ).one()
        return lead_and_body(lead, body)


def find_match(session: Session, article: Article, *, hint: str = "") -> MatchRef | None:
    return decide(
        DbLookup(session, exclude_id=article.id),
        text=lead_and_body(article.lead, article.text),
        fingerprint=article.text_sha256,
        signature=article.signature,
        message_pk=article.message_pk,
        hint=hint,
        unit=article.unit,
    )


def index_article(session: Session, article: Article) -> None:
    """Record the article's LSH bands so later articles can find it."""
    if not article.signature:
        return
    for band in set(similarity.lsh_bands(tuple(article.signature))):
        session.add(ArticleBand(band=band, article_id=article.id))
