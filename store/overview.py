"""What `dienhinh status` (and later the dashboard) shows: counts, last polls, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dienhinh.store.models import Article, Delivery, MailboxState, Message, PollRun
from dienhinh.store.states import MessageState, PostActionState

__all__ = ["FailedItem", "PostActionFailure", "Status", "collect_status", "last_runs"]


@dataclass
class FailedItem:
    message_id: str
    subject: str
    reason: str
    retry_at: datetime | None


@dataclass
class PostActionFailure:
    """A delivery whose post-action (flag / move on the server) failed: retried by the
    first poll after ``retry_at``."""

    mailbox: str
    uid: int
    location: str
    message_id: str
    error: str
    attempts: int
    retry_at: datetime | None


@dataclass
class Status:
    messages: dict[str, int]
    articles: dict[str, int]
    mailboxes: list[MailboxState]
    last_runs: list[PollRun]
    failed: list[FailedItem] = field(default_factory=list)
    # How many messages are failed or waiting for a retry: ``failed`` lists them all, or
    # the newest ``failed_limit`` of them (then ``failed_total - len(failed)`` were left out).
    failed_total: int = 0
    post_actions_pending: int = 0
    post_actions_failed: int = 0
    post_action_failures: list[PostActionFailure] = field(default_factory=list)
    job_runs: list[PollRun] = field(default_factory=list)  # the latest run of each kind


def last_runs(session: Session) -> list[PollRun]:
    """The latest run of each kind (poll, daily, publish, ...), ordered by kind."""
    latest = select(func.max(PollRun.id)).group_by(PollRun.kind)
    return list(
        session.execute(
            select(PollRun).where(PollRun.id.in_(latest)).order_by(PollRun.kind)
        ).scalars()
    )


def collect_status(
    session: Session, *, failed_limit: int | None = 20, post_action_limit: int | None = 20
) -> Status:
    """What `status` shows. ``failed_limit``/``post_action_limit`` bound the lists (None:
    every one); the totals always count them all, so a caller can say what it left out."""
    messages = dict(
        session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
    )
    articles = dict(
        session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
    )
    mailboxes = list(session.execute(select(MailboxState).order_by(MailboxState.key)).scalars())
    runs = list(session.execute(select(PollRun).order_by(PollRun.id.desc()).limit(5)).scalars())
    failing = (Message.status == MessageState.FAILED) | (Message.transient.is_(True))
    failed_total = session.execute(
        select(func.count()).select_from(Message).where(failing)
    ).scalar_one()
    q = select(Message).where(failing).order_by(Message.id.desc())
    if failed_limit is not None:
        q = q.limit(failed_limit)
    failed = [
        FailedItem(m.message_id, m.subject, m.reason or m.error or "", m.next_attempt_at)
        for m in session.execute(q).scalars()
    ]
    pa = dict(
        session.execute(
            select(Delivery.post_action_state, func.count()).group_by(Delivery.post_action_state)
        ).all()
    )
    pq = (
        select(Delivery, Message.message_id)
        .join(Message, Message.id == Delivery.message_pk)
        .where(Delivery.post_action_state == PostActionState.FAILED)
        .order_by(Delivery.id)
    )
    if post_action_limit is not None:
        pq = pq.limit(post_action_limit)
    pa_failures = [
        PostActionFailure(
            mailbox=d.mailbox,
            uid=d.uid,
            location=d.location,
            message_id=mid,
            error=d.post_action_error or "",
            attempts=d.post_action_attempts or 0,
            retry_at=d.post_action_next_at,
        )
        for d, mid in session.execute(pq).all()
    ]
    return Status(
        messages=messages,
        articles=articles,
        mailboxes=mailboxes,
        last_runs=runs,
        failed=failed,
        failed_total=failed_total,
        post_actions_pending=pa.get(PostActionState.PENDING, 0),
        post_actions_failed=pa.get(PostActionState.FAILED, 0),
        post_action_failures=pa_failures,
        job_runs=last_runs(session),
    )
