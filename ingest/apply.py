"""Write what extraction learned about one message into the database (the caller commits)."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

from dienhinh.core.config import IngestConfig
from dienhinh.core.text import fold
from dienhinh.core.types import ForwardOrigin, Outcome
from dienhinh.ingest.duplicates import find_match, index_article
from dienhinh.store.models import Article, ArticleBand, Asset, Message, utcnow
from dienhinh.store.states import ArticleState, MessageState, initial, transition
from sqlalchemy import delete
from sqlalchemy.orm import Session

__all__ = ["apply_failure", "apply_outcome", "link_duplicates", "text_fingerprint"]

log = logging.getLogger(__name__)

ACTOR = "pipeline"


def text_fingerprint(text: str) -> str:
    """Hash of the matching form of a text: the same article resent with other spacing,
    case or tone-mark style hashes the same."""
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


def _clear_previous(session: Session, msg: Message) -> None:
    """Drop what an earlier run extracted (reprocess). Callers made sure none of it was
    touched by an editor."""
    ids = [a.id for a in msg.articles]
    session.execute(delete(Asset).where(Asset.message_pk == msg.id))
    if ids:
        session.execute(delete(ArticleBand).where(ArticleBand.article_id.in_(ids)))
        session.execute(delete(Article).where(Article.id.in_(ids)))
    session.expire(msg, ["articles", "assets"])


def apply_outcome(session: Session, msg: Message, outcome: Outcome) -> None:
    h = outcome.headers
    extracted_before = bool(msg.headers_text)
    msg.from_addr = h.from_addr[:500]
    msg.from_name = h.from_name[:500]
    msg.subject = h.subject
    msg.date_header = h.date
    msg.cover_note = outcome.cover_note
    msg.headers_text = h.raw_headers
    msg.defects = list(outcome.defects)
    msg.meta = {"forwarded_from": _origins(outcome.forwarded_from)} if outcome.forwarded_from else {}
    msg.error = "\n".join(f"{e.part_path} {e.filename}: {e.error}" for e in outcome.errors) or None
    msg.transient = False
    msg.next_attempt_at = None
    if extracted_before:
        _clear_previous(session, msg)

    by_sha: dict[str, Asset] = {}
    for att in outcome.attachments:
        asset = Asset(
            message_pk=msg.id, sha256=att.sha256, size=att.size, content_type=att.content_type,
            filename=att.filename, role="photo" if att.used_as == "photo" else "document",
            part_path=att.part_path, used_as=att.used_as, error=att.error or None,
        )
        session.add(asset)
        by_sha.setdefault(att.sha256, asset)

    hint = f"{h.subject}\n{outcome.cover_note}"
    all_duplicates = bool(outcome.articles)
    first_dup_message: int | None = None
    for ordinal, draft in enumerate(outcome.articles, start=1):
        art = Article(
            message_pk=msg.id, ordinal=ordinal, title=draft.title, lead=draft.lead, text=draft.text,
            source=draft.source, origin=draft.origin[:1000], error=draft.error or None,
            flags=list(draft.flags), header_lines=list(draft.header_lines),
            text_sha256=text_fingerprint(draft.text) if draft.text.strip() else "",
            document_sha256=draft.document_sha256, signature=list(draft.signature) or None,
            meta={"forwarded_from": _origins(draft.forwarded_from)} if draft.forwarded_from else {},
        )
        initial(art, draft.status)
        session.add(art)
        session.flush()
        if link_duplicates(session, art, hint=hint):
            first_dup_message = first_dup_message or _original_message(session, art)
        else:
            all_duplicates = False
        for pos, img in enumerate(draft.images):
            session.add(Asset(
                message_pk=msg.id, article_pk=art.id, sha256=img.sha256, size=img.size,
                content_type=img.content_type, filename=img.filename, role=img.role,
                caption=img.caption, position=pos, part_path=img.part_path,
                used_as="photo" if img.role == "photo" else "image",
            ))

    if outcome.status == "ingested" and all_duplicates and first_dup_message is not None:
        msg.duplicate_of_id = first_dup_message
        transition(session, msg, MessageState.DUPLICATE, actor=ACTOR, audit=False,
                   reason="every article was received before")
        msg.reason = "duplicate: every article was received before"
    else:
        msg.duplicate_of_id = None
        transition(session, msg, outcome.status, actor=ACTOR, audit=False, reason=outcome.reason)
        msg.reason = outcome.reason


def _origins(chain: list[ForwardOrigin]) -> list[dict[str, Any]]:
    """The forward chain as JSON (outermost first; the last is the original sender), kept
    as evidence for attributing the article to the unit that wrote it."""
    return [
        {"from_name": o.from_name, "from_addr": o.from_addr, "subject": o.subject,
         "date": o.date.isoformat() if o.date else None, "date_text": o.date_text, "via": o.via}
        for o in chain
    ]


def _original_message(session: Session, art: Article) -> int | None:
    original = session.get(Article, art.duplicate_of_id) if art.duplicate_of_id else None
    return original.message_pk if original is not None else None


def link_duplicates(session: Session, art: Article, *, hint: str) -> bool:
    """Mark ``art`` duplicate of, or a revision of, an earlier article; index it for later
    ones. Returns True when it is a duplicate. Only articles with readable text take part."""
    if art.status != ArticleState.PENDING_REVIEW:
        return False
    match = find_match(session, art, hint=hint)
    if match is not None and match.verdict == "duplicate":
        art.duplicate_of_id = match.original.id
        art.similarity = match.similarity
        art.meta = {**(art.meta or {}), "duplicate_reason": match.reason}
        transition(session, art, ArticleState.DUPLICATE, actor=ACTOR, audit=False, reason=match.reason)
        return True
    if match is not None:
        art.revision_of_id = match.original.id
        art.similarity = match.similarity
        art.flags = [*art.flags, "revision"]
        art.meta = {**(art.meta or {}), "revision_reason": match.reason}
    index_article(session, art)
    return False


def apply_failure(
    session: Session, msg: Message, *, error: str, detail: str, transient: bool, limits: IngestConfig
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
