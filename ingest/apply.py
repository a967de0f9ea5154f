"""Helpers for writing what extraction learned: message fields, failures, fingerprints,
and duplicate links for one article at a time (the slow lane). Groups of fresh results
are written by ``ingest/writer.py``."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dienhinh.core.config import IngestConfig
from dienhinh.core.types import ForwardOrigin, Outcome
from dienhinh.ingest.duplicates import (
    OTHER_UNIT,
    OTHER_UNIT_FLAG,
    find_match,
    index_article,
    same_as,
)
from dienhinh.ingest.similarity import text_fingerprint
from dienhinh.store.models import Article, ArticleBand, Asset, Message, utcnow
from dienhinh.store.states import ArticleState, MessageState, transition

if TYPE_CHECKING:  # types only: loading the taggers is the extraction's cost, not the poll's
    from dienhinh.classifiers.base import TagSuggestion
    from dienhinh.classifiers.tagging import ArticleTags

__all__ = [
    "ACTOR",
    "apply_failure",
    "clear_previous",
    "link_duplicates",
    "message_fields",
    "origins",
    "tag_columns",
    "tag_row",
    "text_fingerprint",
    "unit_fields",
    "with_review_reasons",
]

log = logging.getLogger(__name__)

ACTOR = "pipeline"


def origins(chain: list[ForwardOrigin]) -> list[dict[str, Any]]:
    """The forward chain as JSON (outermost first; the last is the original sender), kept
    as evidence for attributing the article to the unit that wrote it: with each sender's
    signature, which names the unit when the address is a personal one."""
    return [
        {
            "from_name": o.from_name,
            "from_addr": o.from_addr,
            "subject": o.subject,
            "date": o.date.isoformat() if o.date else None,
            "date_text": o.date_text,
            "via": o.via,
            "signature": o.signature,
        }
        for o in chain
    ]


_WAITING_KINDS = frozenset({"needs-ocr", "needs-conversion"})


def message_fields(outcome: Outcome) -> dict[str, Any]:
    """The message columns that extraction fills (decoded headers, notes, errors)."""
    h = outcome.headers
    return {
        "from_addr": h.from_addr[:500],
        "from_name": h.from_name[:500],
        "subject": h.subject,
        "date_header": h.date,
        "cover_note": outcome.cover_note,
        "headers_text": h.raw_headers,
        "defects": list(outcome.defects),
        "meta": {"forwarded_from": origins(outcome.forwarded_from)}
        if outcome.forwarded_from
        else {},
        # A part waiting for conversion or OCR is in no error: its article's state and the
        # message's reason ("waiting: ...") say it; kept here it read "lỗi kỹ thuật" in the
        # console, and stayed so after the slow lane had read the part.
        "error": "\n".join(
            f"{e.part_path} {e.filename}: {e.error}"
            for e in outcome.errors
            if e.kind not in _WAITING_KINDS
        )
        or None,
        "transient": False,
        "next_attempt_at": None,
        **unit_fields(outcome),
    }


def unit_fields(outcome: Outcome) -> dict[str, Any]:
    """The message columns the unit tagger fills (all None when tagging did not run)."""
    tags = outcome.tags
    if tags is None:
        return {"unit": None, "unit_confidence": None, "sender_verified": None, "flags": []}
    return {
        "unit": tags.unit.value if tags.unit else None,
        "unit_confidence": tags.unit.confidence if tags.unit else None,
        "sender_verified": tags.sender_verified,
        "flags": list(tags.flags),
    }


def tag_columns(unit: str | None, tags: ArticleTags | None) -> dict[str, Any]:
    """The article columns the taggers fill (empty values when tagging did not run)."""
    return {
        "unit": unit,
        "campaigns": tags.values("campaign") if tags else [],
        "subject_type": next(iter(tags.values("subject_type")), None) if tags else None,
        "kind": next(iter(tags.values("kind")), None) if tags else None,
        "flagged": tags.flagged if tags else False,
    }


def with_review_reasons(meta: dict[str, Any], tags: ArticleTags | None) -> dict[str, Any]:
    """``meta`` with why the article is flagged now (an earlier tagging's reasons never
    outlive it: the slow lane tags again once the text and the unit are known)."""
    rest = {k: v for k, v in meta.items() if k != "review_reasons"}
    if tags and tags.reasons:
        return {**rest, "review_reasons": list(tags.reasons)}
    return rest


def tag_row(message_pk: int, article_id: int | None, t: TagSuggestion) -> dict[str, Any]:
    """One Tag row: a suggestion with its confidence and evidence."""
    return {
        "message_pk": message_pk,
        "article_id": article_id,
        "field": t.field,
        "value": t.value,
        "confidence": float(t.confidence),
        "evidence": list(t.evidence),
        "tagger": t.tagger or t.field,
        "created_at": utcnow(),
    }


def clear_previous(session: Session, message_pk: int) -> None:
    """Drop what an earlier run extracted (reprocess). Callers made sure none of it was
    touched by an editor."""
    ids = list(
        session.execute(select(Article.id).where(Article.message_pk == message_pk)).scalars()
    )
    session.execute(delete(Asset).where(Asset.message_pk == message_pk))
    if ids:
        session.execute(delete(ArticleBand).where(ArticleBand.article_id.in_(ids)))
        session.execute(delete(Article).where(Article.id.in_(ids)))


def link_duplicates(session: Session, art: Article, *, hint: str) -> bool:
    """Mark ``art`` duplicate of, or a revision of, an earlier article; index it for later
    ones. Returns True when it is a duplicate. Only articles with readable text take part."""
    if art.status != ArticleState.PENDING_REVIEW:
        return False
    match = find_match(session, art, hint=hint)
    if match is not None and match.verdict == "duplicate":
        art.duplicate_of_id = match.original_id
        art.similarity = match.similarity
        art.meta = {**(art.meta or {}), "duplicate_reason": match.reason}
        transition(
            session, art, ArticleState.DUPLICATE, actor=ACTOR, audit=False, reason=match.reason
        )
        return True
    if match is not None and match.verdict == OTHER_UNIT:
        art.similarity = match.similarity
        art.flags = [*art.flags, OTHER_UNIT_FLAG]
        art.flagged = True
        art.meta = {**(art.meta or {}), "same_as": same_as(match)}
    elif match is not None:
        art.revision_of_id = match.original_id
        art.similarity = match.similarity
        art.flags = [*art.flags, "revision"]
        art.meta = {**(art.meta or {}), "revision_reason": match.reason}
    index_article(session, art)
    return False


def apply_failure(
    session: Session,
    msg: Message,
    *,
    error: str,
    detail: str,
    transient: bool,
    limits: IngestConfig,
) -> None:
    """Record a failed attempt. Transient failures wait with backoff and are retried by
    later polls; after ``max_attempts`` (or a permanent failure) the message is `failed`."""
    msg.attempts += 1
    msg.error = detail
    if transient and msg.attempts < limits.max_attempts:
        delay = limits.retry_backoff_seconds * 2 ** (msg.attempts - 1)
        msg.transient = True
        msg.next_attempt_at = utcnow() + timedelta(seconds=delay)
        msg.reason = f"will retry ({msg.attempts}/{limits.max_attempts}): {error}"
        log.warning("message %s: transient failure, retry in %ss: %s", msg.message_id, delay, error)
        return
    msg.transient = False
    msg.next_attempt_at = None
    msg.reason = error
    if msg.status != MessageState.FAILED:
        transition(session, msg, MessageState.FAILED, actor=ACTOR, audit=False, reason=error)
    log.error("message %s failed: %s", msg.message_id, error)
