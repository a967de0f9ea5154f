"""Find what an article duplicates or revises, among everything stored before it.

Two steps, both cheap at 100,000 articles: an exact match on the fingerprint of the
matching form of the text (indexed), then near-duplicate candidates through the LSH bands
of the MinHash signature (indexed), confirmed by ``dedupe.compare`` on the texts. The pure
algorithms live in ``ingest/dedupe.py``; this module is their database side.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.ingest import dedupe
from dienhinh.store.models import Article, ArticleBand

__all__ = ["Match", "find_match", "index_article"]

log = logging.getLogger(__name__)

_MAX_CANDIDATES = 3
# Candidates whose estimated Jaccard (64-bin MinHash over all shingles, template phrases
# included; error about ±0.06) is below this are not compared in full. A real edit that
# dedupe.compare calls a revision (>= 0.25 on the template-free text) estimates well above
# it; two different articles written on the same template estimate up to about 0.2.
# The price: a lightly related text whose subject merely says "bản sửa" (dedupe's 0.15
# hint rule) is not linked when its estimate is under this.
_MIN_ESTIMATE = 0.2


@dataclass(frozen=True)
class Match:
    verdict: str  # "duplicate" | "revision"
    original: Article
    similarity: float
    reason: str


def find_match(session: Session, article: Article, *, hint: str = "") -> Match | None:
    """The earlier article this one duplicates or revises, or None. ``hint`` is the later
    mail's subject and cover note ("bản sửa" there makes a similar text a revision)."""
    if not article.text.strip():
        return None
    exact = session.execute(
        select(Article)
        .where(Article.text_sha256 == article.text_sha256, Article.message_pk != article.message_pk,
               Article.duplicate_of_id.is_(None), Article.id != article.id)
        .order_by(Article.id).limit(1)
    ).scalar_one_or_none()
    if exact is not None:
        verdict, sim, reason = dedupe.compare(exact.text, article.text, hint_b=hint)
        if verdict == "different":  # identical matching form: a duplicate whatever the hint
            verdict, reason = "duplicate", "same text"
        return Match(verdict if verdict == "revision" else "duplicate", exact, sim or 1.0, reason)
    sig = article.signature or []
    if not sig:
        return None
    bands = dedupe.lsh_bands(tuple(sig))
    rows = session.execute(
        select(ArticleBand.article_id).where(ArticleBand.band.in_(bands))
    ).scalars().all()
    counts = Counter(r for r in rows if r != article.id)
    if not counts:
        return None
    # Confirm cheaply first: the signatures' estimated Jaccard, read without the texts,
    # drops candidates that share a band by chance; only the few left are compared in full.
    ids = [cid for cid, _n in counts.most_common(_MAX_CANDIDATES * 4)]
    sigs = session.execute(
        select(Article.id, Article.signature).where(
            Article.id.in_(ids), Article.message_pk != article.message_pk,
            Article.duplicate_of_id.is_(None))
    ).all()
    close = sorted(
        ((dedupe.estimate_jaccard(sig, cand_sig), cid) for cid, cand_sig in sigs if cand_sig),
        reverse=True,
    )
    best: Match | None = None
    for estimate, cand_id in close[:_MAX_CANDIDATES]:
        if estimate < _MIN_ESTIMATE:
            break
        cand = session.get(Article, cand_id)
        if cand is None:
            continue
        verdict, sim, reason = dedupe.compare(cand.text, article.text, hint_b=hint)
        if verdict == "different":
            continue
        if best is None or sim > best.similarity or (sim == best.similarity and cand.id < best.original.id):
            best = Match(verdict, cand, sim, reason)
    return best


def index_article(session: Session, article: Article) -> None:
    """Record the article's LSH bands so later articles can find it."""
    if not article.signature:
        return
    for band in set(dedupe.lsh_bands(tuple(article.signature))):
        session.add(ArticleBand(band=band, article_id=article.id))
