"""Reprocess requests: the console's "Chạy lại", done by the worker.

The web process never extracts mail: an extraction can take minutes (conversions, OCR),
needs the process pool, and would hold a request thread and a core of the server the
editors are using. The console only queues a :class:`ReprocessRequest` row
(:func:`request_reprocess`); the worker's ``reprocess`` job, and `dienhinh reprocess
--requested`, take the open rows (:func:`run_requested`), re-run their messages from the
stored bytes as `dienhinh reprocess` does, and record the outcome on each row.

Messages an editor already worked on are refused, when the request is made and again when
it is done (an editor may approve an article in between).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.store.audit import record_audit
from dienhinh.store.models import Article, Message, ReprocessRequest, utcnow
from dienhinh.store.quick import REQUEST_CLAIM_SECONDS
from dienhinh.store.states import ArticleState

if TYPE_CHECKING:  # the console imports this module and never loads the pipeline
    from dienhinh.ingest.pipeline import Ingestor, RunReport

__all__ = [
    "CLAIM_SECONDS",
    "Queued",
    "open_requests",
    "request_reprocess",
    "run_requested",
    "worked_on",
]

log = logging.getLogger(__name__)

# A request taken by a worker that then died is taken over after this long (`dienhinh
# poll` asks store/quick.py whether a request waits, with the same rule, before it loads
# this module).
CLAIM_SECONDS = REQUEST_CLAIM_SECONDS
_WORKED_ON = (ArticleState.APPROVED, ArticleState.PUBLISHED, ArticleState.REJECTED)


def worked_on(session: Session, pks: Collection[int]) -> dict[int, list[int]]:
    """The articles editors worked on (edited, approved, published, rejected), by message:
    a re-run would replace them, so such messages are never re-run."""
    if not pks:
        return {}
    out: dict[int, list[int]] = {}
    rows = session.execute(
        select(Article.message_pk, Article.id)
        .where(
            Article.message_pk.in_(list(pks)),
            (Article.version > 1) | Article.status.in_(_WORKED_ON),
        )
        .order_by(Article.id)
    )
    for message_pk, article_id in rows:
        out.setdefault(message_pk, []).append(article_id)
    return out


@dataclass(frozen=True)
class Queued:
    """What :func:`request_reprocess` did: ``created`` False when the message already had
    an open request (a second click queues nothing more)."""

    request_id: int
    created: bool


def request_reprocess(session: Session, message_pk: int, *, actor: str) -> Queued:
    """Queue a re-run of ``message_pk`` for the worker (audited as ``reprocess``). The
    caller checked that the message exists and that no editor worked on it; commits."""
    existing = session.execute(
        select(ReprocessRequest.id).where(
            ReprocessRequest.message_pk == message_pk, ReprocessRequest.done_at.is_(None)
        )
    ).scalar()
    if existing is not None:
        return Queued(int(existing), created=False)
    status = session.execute(select(Message.status).where(Message.id == message_pk)).scalar()
    row = ReprocessRequest(message_pk=message_pk, requested_by=actor, requested_at=utcnow())
    session.add(row)
    record_audit(
        session,
        actor=actor,
        object_type="message",
        object_id=message_pk,
        action="reprocess",
        before={"status": status},
        after={"queued": True},
    )
    session.commit()
    return Queued(int(row.id), created=True)


def open_requests(session: Session, message_pks: Collection[int]) -> dict[int, ReprocessRequest]:
    """The open (not yet done) request of each of ``message_pks`` that has one."""
    if not message_pks:
        return {}
    rows = session.execute(
        select(ReprocessRequest).where(
            ReprocessRequest.message_pk.in_(list(message_pks)),
            ReprocessRequest.done_at.is_(None),
        )
    ).scalars()
    return {r.message_pk: r for r in rows}


def _take(sessions: sessionmaker[Session], holder: str) -> list[tuple[int, int]]:
    """Claim every open request no live worker holds: (request id, message pk). One
    conditional UPDATE: two workers never take the same row (on PostgreSQL the second
    waits for the first's row lock, then finds the row taken)."""
    now = utcnow()
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    r = ReprocessRequest
    with sessions() as s:
        taken = s.execute(
            update(r)
            .where(r.done_at.is_(None), or_(r.taken_at.is_(None), r.taken_at < stale))
            .values(taken_by=holder[:200], taken_at=now)
            .returning(r.id, r.message_pk)
            .execution_options(synchronize_session=False)
        ).all()
        s.commit()
    return [(int(i), int(pk)) for i, pk in taken]


def _finish(
    sessions: sessionmaker[Session], taken: list[tuple[int, int]], refused: dict[int, list[int]]
) -> None:
    now = utcnow()
    with sessions() as s:
        states = dict(
            s.execute(
                select(Message.id, Message.status).where(Message.id.in_([pk for _i, pk in taken]))
            ).all()
        )
        for request_id, pk in taken:
            if pk in refused:
                outcome = "refused: editors worked on article(s) " + ", ".join(
                    f"#{a}" for a in refused[pk]
                )
            else:
                outcome = f"done: message {states.get(pk, 'gone')}"
            s.execute(
                update(ReprocessRequest)
                .where(ReprocessRequest.id == request_id)
                .values(done_at=now, outcome=outcome[:1000])
                .execution_options(synchronize_session=False)
            )
        s.commit()


def run_requested(ingestor: Ingestor, holder: str) -> RunReport | None:
    """Do the open requests with ``ingestor`` (which records its own ``reprocess`` run);
    None when there was nothing to do. A request whose run fails stays taken and is taken
    over after CLAIM_SECONDS."""
    from dienhinh.ingest.pipeline import RunReport

    taken = _take(ingestor.sessions, holder)
    if not taken:
        return None
    pks = sorted({pk for _i, pk in taken})
    with ingestor.sessions() as s:
        refused = worked_on(s, pks)
    chosen = [pk for pk in pks if pk not in refused]
    for pk, articles in refused.items():
        log.info("reprocess request for message %d refused: editors worked on %s", pk, articles)
    log.info("reprocess requests: %d message(s) to re-run", len(chosen))
    report = ingestor.reprocess(chosen) if chosen else RunReport(kind="reprocess")
    if report.error is None:
        _finish(ingestor.sessions, taken, refused)
    return report
