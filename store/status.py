"""What `dienhinh status` (and later the dashboard) shows: counts, last polls, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dienhinh.store.models import Article, Delivery, MailboxState, Message, PollRun
from dienhinh.store.states import MessageState

__all__ = ["Status", "collect_status", "last_runs"]


@dataclass
class FailedItem:
    message_id: str
    subject: str
    reason: str
    retry_at: datetime | None


@dataclass
class Status:
    messages: dict[str, int]
    articles: dict[str, int]
    mailboxes: list[MailboxState]
    last_runs: list[PollRun]
    failed: list[FailedItem] = field(default_factory=list)
    post_actions_pending: int = 0
    post_actions_failed: int = 0
    job_runs: list[PollRun] = field(default_factory=list)  # the latest run of each kind


def last_runs(session: Session) -> list[PollRun]:
    """The latest run of each kind (poll, daily, publish, ...), ordered by kind."""
    latest = select(func.max(PollRun.id)).group_by(PollRun.kind)
    return list(
        session.execute(
            select(PollRun).where(PollRun.id.in_(latest)).order_by(PollRun.kind)
        ).scalars()
    )


def collect_status(session: Session, *, failed_limit: int = 20) -> Status:
    messages = dict(
        session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
    )
    articles = dict(
        session.execute(select(Article.status, func.count()).group_by(Article.status)).all()
    )
    mailboxes = list(session.execute(select(MailboxState).order_by(MailboxState.key)).scalars())
    runs = list(session.execute(select(PollRun).order_by(PollRun.id.desc()).limit(5)).scalars())
    failed_rows = session.execute(
        select(Message)
        .where((Message.status == MessageState.FAILED) | (Message.transient.is_(True)))
        .order_by(Message.id.desc())
        .limit(failed_limit)
    ).scalars()
    failed = [
        FailedItem(m.message_id, m.subject, m.reason or m.error or "", m.next_attempt_at)
        for m in failed_rows
    ]
    pa = dict(
        session.execute(
            select(Delivery.post_action_state, func.count()).group_by(Delivery.post_action_state)
        ).all()
    )
    return Status(
        messages=messages,
        articles=articles,
        mailboxes=mailboxes,
        last_runs=runs,
        failed=failed,
        post_actions_pending=pa.get("pending", 0),
        post_actions_failed=pa.get("failed", 0),
        job_runs=last_runs(session),
    )
