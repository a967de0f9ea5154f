"""The only place where a stored row's state changes: the transition tables.

The states themselves are enums in ``core/states.py`` (re-exported here). ``ALLOWED``
lists every legal move of every state column, ``INITIAL`` the states a new row may start
in; :func:`transition` checks a move on an object, writes the audit row and sets the
column, :func:`check_transition` checks a move for bulk writers that update rows in one
statement. Views, jobs and pipeline stages never assign a state column themselves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dienhinh.core.errors import IllegalTransition
from dienhinh.core.states import (
    ArticleState,
    MessageState,
    NotificationState,
    PostActionState,
    PublicationState,
    RunState,
)
from dienhinh.store.audit import record_audit
from dienhinh.store.models import (
    Article,
    Delivery,
    Message,
    Notification,
    PollRun,
    Publication,
)

__all__ = [
    "ALLOWED",
    "INITIAL",
    "STATE_COLUMN",
    "ArticleState",
    "MessageState",
    "NotificationState",
    "PostActionState",
    "PublicationState",
    "RunState",
    "check_initial",
    "check_transition",
    "initial",
    "transition",
]

Stateful = Message | Article | Publication | Notification | PollRun | Delivery

# The column each model keeps its state in (``status`` unless named here).
STATE_COLUMN: dict[type, str] = {Delivery: "post_action_state"}

ALLOWED: dict[type, dict[str, frozenset[str]]] = {
    Message: {
        MessageState.RECEIVED: frozenset(
            {
                MessageState.RECEIVED,
                MessageState.INGESTED,
                MessageState.NO_ARTICLE,
                MessageState.FAILED,
                MessageState.DUPLICATE,
            }
        ),
        # reprocess re-runs any message from its stored bytes
        # the slow lane: a conversion or OCR failed and no article of the message is
        # readable (ingested -> failed), or a later run read it after all (failed -> ingested);
        # the converted document was an official document, the message's only one
        # (ingested -> no-article)
        MessageState.INGESTED: frozenset(
            {
                MessageState.RECEIVED,
                MessageState.DUPLICATE,
                MessageState.FAILED,
                MessageState.NO_ARTICLE,
            }
        ),
        MessageState.NO_ARTICLE: frozenset({MessageState.RECEIVED, MessageState.INGESTED}),
        MessageState.FAILED: frozenset({MessageState.RECEIVED, MessageState.INGESTED}),
        MessageState.DUPLICATE: frozenset({MessageState.RECEIVED, MessageState.INGESTED}),
    },
    Article: {
        ArticleState.PENDING_REVIEW: frozenset(
            {ArticleState.APPROVED, ArticleState.REJECTED, ArticleState.DUPLICATE}
        ),
        ArticleState.APPROVED: frozenset(
            {ArticleState.PUBLISHED, ArticleState.PENDING_REVIEW, ArticleState.REJECTED}
        ),
        ArticleState.REJECTED: frozenset({ArticleState.PENDING_REVIEW}),
        ArticleState.PUBLISHED: frozenset({ArticleState.PENDING_REVIEW}),
        ArticleState.DUPLICATE: frozenset({ArticleState.PENDING_REVIEW}),
        ArticleState.NEEDS_CONVERSION: frozenset(
            {ArticleState.PENDING_REVIEW, ArticleState.FAILED, ArticleState.NEEDS_OCR}
        ),
        ArticleState.NEEDS_OCR: frozenset(
            {ArticleState.PENDING_REVIEW, ArticleState.FAILED, ArticleState.NEEDS_CONVERSION}
        ),
        ArticleState.FAILED: frozenset(
            {ArticleState.PENDING_REVIEW, ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR}
        ),
    },
    Publication: {
        PublicationState.QUEUED: frozenset(
            {
                PublicationState.QUEUED,
                PublicationState.PUBLISHED,
                PublicationState.FAILED,
                PublicationState.CANCELLED,
            }
        ),
        # an edited article is published again (the same post is updated)
        PublicationState.PUBLISHED: frozenset(
            {PublicationState.QUEUED, PublicationState.CANCELLED}
        ),
        PublicationState.FAILED: frozenset({PublicationState.QUEUED, PublicationState.CANCELLED}),
        PublicationState.CANCELLED: frozenset({PublicationState.QUEUED}),
    },
    # The send-once ledger (notify/outbox.py): an attempt ends once; only a transient
    # failure is claimed again, and an attempt interrupted by a crash is never resent.
    Notification: {
        NotificationState.SENDING: frozenset(
            {
                NotificationState.SENT,
                NotificationState.DRY_RUN,
                NotificationState.FAILED,
                NotificationState.REFUSED,
                NotificationState.UNKNOWN,
            }
        ),
        NotificationState.FAILED: frozenset({NotificationState.SENDING}),
        NotificationState.SENT: frozenset(),
        NotificationState.DRY_RUN: frozenset(),
        NotificationState.REFUSED: frozenset(),
        NotificationState.UNKNOWN: frozenset(),
        NotificationState.SKIPPED: frozenset(),
        NotificationState.ENABLED: frozenset(),
    },
    # A poll or job run: recorded as running when it starts, finished once.
    PollRun: {
        RunState.RUNNING: frozenset({RunState.OK, RunState.ERROR, RunState.SKIPPED}),
        RunState.OK: frozenset(),
        RunState.ERROR: frozenset(),
        RunState.SKIPPED: frozenset(),
    },
    # The post-action of one delivery: done once the message's rows are committed, retried
    # after a failure, abandoned when the folder's UIDVALIDITY changed.
    Delivery: {
        PostActionState.NONE: frozenset(),
        PostActionState.PENDING: frozenset(
            {PostActionState.DONE, PostActionState.FAILED, PostActionState.STALE}
        ),
        PostActionState.FAILED: frozenset(
            {PostActionState.DONE, PostActionState.FAILED, PostActionState.STALE}
        ),
        PostActionState.DONE: frozenset(),
        PostActionState.STALE: frozenset(),
    },
}

INITIAL: dict[type, frozenset[str]] = {
    Message: frozenset({MessageState.RECEIVED}),
    Article: frozenset(
        {
            ArticleState.PENDING_REVIEW,
            ArticleState.NEEDS_CONVERSION,
            ArticleState.NEEDS_OCR,
            ArticleState.FAILED,
            ArticleState.DUPLICATE,
        }
    ),
    Publication: frozenset({PublicationState.QUEUED}),
    # claimed for sending, or recorded as decided against / as the enabled marker
    Notification: frozenset(
        {NotificationState.SENDING, NotificationState.SKIPPED, NotificationState.ENABLED}
    ),
    # a run is recorded when it starts, or once when it ends (runs that record themselves)
    PollRun: frozenset(RunState),
    Delivery: frozenset({PostActionState.NONE, PostActionState.PENDING}),
}


def check_initial(kind: type, state: str) -> None:
    """Raise IllegalTransition unless a new ``kind`` row may start in ``state``."""
    if state not in INITIAL[kind]:
        raise IllegalTransition(f"{kind.__name__} cannot start as {state!r}")


def _column(kind: type) -> str:
    return STATE_COLUMN.get(kind, "status")


def initial(obj: Stateful, state: str) -> None:
    """Set the first state of a new object (not audited: its creation is the record)."""
    check_initial(type(obj), state)
    setattr(obj, _column(type(obj)), state)


def check_transition(kind: type, current: str, to: str, ident: object = "") -> str:
    """Return ``to`` if ``kind`` may move from ``current`` to it, else raise. For bulk
    writers that update many rows in one statement instead of going through objects
    (their WHERE clause names ``current``)."""
    if to not in ALLOWED[kind].get(current, frozenset()):
        raise IllegalTransition(f"{kind.__name__} {ident}: {current} -> {to} is not allowed")
    return to


def transition(
    session: Session,
    obj: Stateful,
    to: str,
    *,
    actor: str,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
    audit: bool = True,
) -> None:
    """Move ``obj`` to state ``to``, or raise IllegalTransition.

    ``audit=False`` is for the pipeline's own high-volume moves (received -> ingested),
    whose record is the message row itself, and for the machine's own ledgers (runs,
    notifications, post-actions); every editor action is audited.
    """
    kind = type(obj)
    column = _column(kind)
    current = getattr(obj, column)
    ident = getattr(obj, "message_id", None) or getattr(obj, "dedupe_key", None) or obj.id
    setattr(obj, column, check_transition(kind, current, to, ident))
    if audit:
        if obj.id is None:
            session.flush()
        record_audit(
            session,
            actor=actor,
            object_type=kind.__name__.lower(),
            object_id=obj.id,
            action=f"state:{to}",
            before={column: current},
            after={column: to, **(extra or {})},
            reason=reason,
        )
