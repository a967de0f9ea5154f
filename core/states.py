"""Every state a stored row can be in, one enum per state column.

The values are the strings stored in the database (``StrEnum``: a member *is* its string,
so comparing a column with a member, or storing one, needs no conversion and no
migration). Which moves between them are legal is the store's business:
``store/states.py`` holds the transition tables and the one function that applies them.
The enums live here, below every package, so extractors, classifiers and the plain types
of ``core/types.py`` name states without importing the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

__all__ = [
    "SLOW_LANE_STATES",
    "ArticleState",
    "MessageState",
    "NotificationState",
    "PostActionState",
    "PublicationState",
    "RunState",
    "waiting_note",
]


class MessageState(StrEnum):
    """``Message.status``: what became of one stored email."""

    RECEIVED = "received"  # raw bytes committed, not processed yet (or waiting for a retry)
    INGESTED = "ingested"
    NO_ARTICLE = "no-article"
    FAILED = "failed"
    DUPLICATE = "duplicate"


class ArticleState(StrEnum):
    """``Article.status``: where an article is in the editors' work."""

    PENDING_REVIEW = "pending-review"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    DUPLICATE = "duplicate"
    NEEDS_CONVERSION = "needs-conversion"
    NEEDS_OCR = "needs-ocr"
    FAILED = "failed"


# The articles the slow lane (ingest/slowlane.py) works on: waiting for a conversion or OCR.
SLOW_LANE_STATES = (ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR)


def waiting_note(names: Iterable[tuple[str, str]]) -> str:
    """The reason of a message whose article(s) still wait for the slow lane:
    "waiting: bai.doc (needs-conversion); scan.pdf (needs-ocr)". ``names`` are
    (document name, article state) pairs. The leading code is the attachment outcome
    ``waiting``, which the console shows in Vietnamese. (Here, below the store, so that
    extraction writes it without importing the database layer.)"""
    return "waiting: " + "; ".join(f"{name} ({state})" for name, state in names)


class PublicationState(StrEnum):
    """``Publication.status``: one article on one publication target."""

    QUEUED = "queued"  # waiting, or waiting for a retry (attempts > 0, next_attempt_at)
    PUBLISHED = "published"
    FAILED = "failed"  # out of retries, or refused for good by the portal: an editor looks
    CANCELLED = "cancelled"  # the article was withdrawn before it went out


class NotificationState(StrEnum):
    """``Notification.status``: one outgoing mail in the send-once ledger (notify/outbox.py)."""

    SENDING = "sending"  # claimed; an attempt is (or was, if it crashed) in flight
    SENT = "sent"
    DRY_RUN = "dry-run"  # written as an .eml file instead of being sent
    FAILED = "failed"  # transient failure: a later run retries within notify.retry_hours
    REFUSED = "refused"  # the server refused it for good (5xx): never retried
    UNKNOWN = "unknown"  # interrupted while sending: may or may not have gone; not resent
    SKIPPED = "skipped"  # decided against (a rule); ``error`` says why
    ENABLED = "enabled"  # marker: when a kind was first enabled (the backlog cut-off)


class RunState(StrEnum):
    """``PollRun.status``: one run of a poll or a scheduled job."""

    RUNNING = "running"  # started, not finished (or the process died: the row says so)
    OK = "ok"
    ERROR = "error"  # it failed or recorded errors; ``error`` says which
    SKIPPED = "skipped"  # it did not run (stopping, another run busy); ``error`` says why


class PostActionState(StrEnum):
    """``Delivery.post_action_state``: the flag or move on the mail server after ingest."""

    NONE = "none"  # the mailbox has no post-action
    PENDING = "pending"  # waits until the message's rows are committed
    DONE = "done"
    FAILED = "failed"  # retried by a later poll after ``post_action_next_at``
    STALE = "stale"  # the folder's UIDVALIDITY changed: the UID names another message now
