"""The only place where a message's or an article's state changes.

``ALLOWED`` lists every legal move; :func:`transition` checks it, writes the audit row
and sets the column. Views, jobs and pipeline stages never assign ``.status`` themselves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from dienhinh.core.errors import IllegalTransition
from dienhinh.store.models import Article, AuditLog, Message, Publication

__all__ = [
    "ALLOWED",
    "ArticleState",
    "MessageState",
    "PublicationState",
    "check_initial",
    "check_transition",
    "initial",
    "transition",
]


class MessageState(StrEnum):
    RECEIVED = "received"  # raw bytes committed, not processed yet (or waiting for a retry)
    INGESTED = "ingested"
    NO_ARTICLE = "no-article"
    FAILED = "failed"
    DUPLICATE = "duplicate"


class ArticleState(StrEnum):
    PENDING_REVIEW = "pending-review"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    DUPLICATE = "duplicate"
    NEEDS_CONVERSION = "needs-conversion"
    NEEDS_OCR = "needs-ocr"
    FAILED = "failed"


class PublicationState(StrEnum):
    QUEUED = "queued"  # waiting, or waiting for a retry (attempts > 0, next_attempt_at)
    PUBLISHED = "published"
    FAILED = "failed"  # out of retries, or refused for good by the portal: an editor looks
    CANCELLED = "cancelled"  # the article was withdrawn before it went out


M, A, P = MessageState, ArticleState, PublicationState

ALLOWED: dict[type, dict[str, frozenset[str]]] = {
    Message: {
        M.RECEIVED: frozenset({M.RECEIVED, M.INGESTED, M.NO_ARTICLE, M.FAILED, M.DUPLICATE}),
        # reprocess re-runs any message from its stored bytes
        # the slow lane: a conversion or OCR failed and no article of the message is
        # readable (ingested -> failed), or a later run read it after all (failed -> ingested);
        # the converted document was an official document, the message's only one
        # (ingested -> no-article)
        M.INGESTED: frozenset({M.RECEIVED, M.DUPLICATE, M.FAILED, M.NO_ARTICLE}),
        M.NO_ARTICLE: frozenset({M.RECEIVED, M.INGESTED}),
        M.FAILED: frozenset({M.RECEIVED, M.INGESTED}),
        M.DUPLICATE: frozenset({M.RECEIVED, M.INGESTED}),
    },
    Article: {
        A.PENDING_REVIEW: frozenset({A.APPROVED, A.REJECTED, A.DUPLICATE}),
        A.APPROVED: frozenset({A.PUBLISHED, A.PENDING_REVIEW, A.REJECTED}),
        A.REJECTED: frozenset({A.PENDING_REVIEW}),
        A.PUBLISHED: frozenset({A.PENDING_REVIEW}),
        A.DUPLICATE: frozenset({A.PENDING_REVIEW}),
        A.NEEDS_CONVERSION: frozenset({A.PENDING_REVIEW, A.FAILED, A.NEEDS_OCR}),
        A.NEEDS_OCR: frozenset({A.PENDING_REVIEW, A.FAILED, A.NEEDS_CONVERSION}),
        A.FAILED: frozenset({A.PENDING_REVIEW, A.NEEDS_CONVERSION, A.NEEDS_OCR}),
    },
    Publication: {
        P.QUEUED: frozenset({P.QUEUED, P.PUBLISHED, P.FAILED, P.CANCELLED}),
        # an edited article is published again (the same post is updated)
        P.PUBLISHED: frozenset({P.QUEUED, P.CANCELLED}),
        P.FAILED: frozenset({P.QUEUED, P.CANCELLED}),
        P.CANCELLED: frozenset({P.QUEUED}),
    },
}

INITIAL: dict[type, frozenset[str]] = {
    Message: frozenset({M.RECEIVED}),
    Article: frozenset({A.PENDING_REVIEW, A.NEEDS_CONVERSION, A.NEEDS_OCR, A.FAILED, A.DUPLICATE}),
    Publication: frozenset({P.QUEUED}),
}


def check_initial(kind: type, state: str) -> None:
    """Raise IllegalTransition unless a new ``kind`` row may start in ``state``."""
    if state not in INITIAL[kind]:
        raise IllegalTransition(f"{kind.__name__} cannot start as {state!r}")


def initial(obj: Message | Article | Publication, state: str) -> None:
    """Set the first state of a new object (not audited: its creation is the record)."""
    check_initial(type(obj), state)
    obj.status = state


def check_transition(kind: type, current: str, to: str, ident: object = "") -> str:
    """Return ``to`` if ``kind`` may move from ``current`` to it, else raise. For bulk
    writers that update many rows in one statement instead of going through objects."""
    if to not in ALLOWED[kind].get(current, frozenset()):
        raise IllegalTransition(f"{kind.__name__} {ident}: {current} -> {to} is not allowed")
    return to


def transition(
    session: Session,
    obj: Message | Article | Publication,
    to: str,
    *,
    actor: str,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
    audit: bool = True,
) -> None:
    """Move ``obj`` to state ``to``, or raise IllegalTransition.

    ``audit=False`` is for the pipeline's own high-volume moves (received -> ingested),
    whose record is the message row itself; every editor action is audited.
    """
    kind = type(obj)
    current = obj.status
    obj.status = check_transition(kind, current, to, getattr(obj, "message_id", None) or obj.id)
    if audit:
        if obj.id is None:
            session.flush()
        session.add(
            AuditLog(
                actor=actor,
                object_type=kind.__name__.lower(),
                object_id=obj.id,
                action=f"state:{to}",
                before={"status": current},
                after={"status": to, **(extra or {})},
                reason=reason,
            )
        )
