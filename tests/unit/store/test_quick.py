"""store/quick.py: a run's bookkeeping in SQL, run on the driver's own connection
(`dienhinh poll`) and through the engine (everyone else). Each statement must write what
the ORM reads, and the quick check must say "nothing to do" exactly when the work it
stands for (ingest/mailbox.py's due post-actions, ingest/extraction.py's due retries, the
slow lane) finds nothing; the same for the console's queued re-runs and
ingest/requested.py. On SQLite and PostgreSQL, both ways in."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.states import ArticleState, MessageState, PostActionState
from dienhinh.ingest.mailbox import MailboxSync
from dienhinh.ingest.requested import _take
from dienhinh.store import quick
from dienhinh.store.db import make_engine
from dienhinh.store.dbapi import Db, on_engine, open_url
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import (
    Article,
    Delivery,
    MailboxState,
    Message,
    PollRun,
    ReprocessRequest,
)
from helpers import ENGINES

KEY = "imap:u@127.0.0.1:143/INBOX"
NOW = datetime.now(UTC)
_n = itertools.count(1)

Connect = Callable[[], AbstractContextManager[Db]]


@pytest.fixture
def engine(db_url: str) -> Any:
    engine = make_engine(db_url)
    ENGINES.append(engine)
    upgrade(engine)
    return engine


@pytest.fixture(params=["driver", "engine"])
def connect(request: pytest.FixtureRequest, db_url: str, engine: Any) -> Iterator[Connect]:
    if request.param == "engine":
        yield lambda: on_engine(engine)
        return
    db = open_url(db_url)
    assert db is not None
    try:
        yield db.connect
    finally:
        db.close()


def _message(s: Session, status: str, next_attempt_at: datetime | None = None) -> Message:
    n = next(_n)
    digest = hashlib.sha256(f"quick-{n}".encode()).hexdigest()
    msg = Message(
        message_id=f"quick-{n}@laocai.gov.vn",
        sha256=digest,
        body_sha256=digest,
        size=1,
        received_at=NOW,
        status=status,
        next_attempt_at=next_attempt_at,
    )
    s.add(msg)
    s.flush()
    return msg


def test_a_runs_bookkeeping_reads_back_through_the_orm(engine: Any, connect: Connect) -> None:
    started = datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=UTC)
    with connect() as db:
        quick.start_run(db, KEY, started)
        assert quick.set_uidvalidity(db, KEY, 777, supports_uids=True) is None  # the first
        quick.finish_run(db, KEY, started + timedelta(seconds=1), "mailbox error: gone")
        quick.finish_run(db, KEY, started + timedelta(seconds=2), "mailbox error: gone")
    with Session(engine) as s:
        state = s.get(MailboxState, KEY)
        assert state is not None
        assert (state.uidvalidity, state.last_uid, state.last_poll_started_at) == (
            0 + 777,
            0,
            started,
        )
        assert state.last_poll_finished_at == started + timedelta(seconds=2)
        assert state.last_error == "mailbox error: gone" and state.consecutive_failures == 2
        assert state.last_error_at == started + timedelta(seconds=2)
        assert state.last_success_at is None
    with connect() as db:
        quick.finish_run(db, KEY, started + timedelta(seconds=3), None)
        quick.record_run(
            db,
            kind="poll",
            mailbox=KEY,
            holder="host@1:2:3",
            started=started,
            finished=started + timedelta(seconds=3),
            error=None,
            counts={"fetched": 1, "stored": 2, "processed": 3, "articles": 4, "failed": 5},
        )
    with Session(engine) as s:
        state = s.get(MailboxState, KEY)
        assert state is not None
        assert state.last_error is None and state.consecutive_failures == 0
        assert state.last_success_at == started + timedelta(seconds=3)
        run = s.execute(select(PollRun)).scalar_one()
    assert (run.kind, run.mailbox, run.holder, run.status, run.error) == (
        "poll",
        KEY,
        "host@1:2:3",
        "ok",
        None,
    )
    assert (run.started_at, run.finished_at) == (started, started + timedelta(seconds=3))
    assert (run.fetched, run.stored, run.processed, run.articles, run.failed) == (1, 2, 3, 4, 5)


def test_a_new_uidvalidity_resyncs_the_folder(engine: Any, connect: Connect) -> None:
    with Session(engine) as s:
        s.add(MailboxState(key=KEY, uidvalidity=5, last_uid=40, consecutive_failures=0))
        msg = _message(s, MessageState.INGESTED)
        for uid, state in enumerate(PostActionState, start=1):
            s.add(
                Delivery(
                    message_pk=msg.id,
                    mailbox=KEY,
                    uidvalidity=5,
                    uid=uid,
                    sha256=msg.sha256,
                    post_action_state=state,
                )
            )
        s.commit()
    with connect() as db:
        assert quick.set_uidvalidity(db, KEY, 5, supports_uids=True) is None
        assert quick.set_uidvalidity(db, "maildir:/x", 0, supports_uids=False) is None
        assert quick.set_uidvalidity(db, KEY, 6, supports_uids=True) == 5
    with Session(engine) as s:
        state = s.get(MailboxState, KEY)
        assert state is not None and (state.uidvalidity, state.last_uid) == (6, 0)
        after = {d.uid: d.post_action_state for d in s.execute(select(Delivery)).scalars()}
    stale = {PostActionState.PENDING, PostActionState.FAILED}
    assert after == {
        uid: (PostActionState.STALE if state in stale else state)
        for uid, state in enumerate(PostActionState, start=1)
    }


# The work a poll does besides its listing, one kind per case: what each row holds, and
# whether the quick check must see it.
def _post_action(state: PostActionState, next_at: timedelta | None, *, done: bool = True):
    def make(s: Session) -> None:
        msg = _message(
            s, MessageState.INGESTED if done else MessageState.RECEIVED, NOW + timedelta(days=1)
        )
        s.add(
            Delivery(
                message_pk=msg.id,
                mailbox=KEY,
                uidvalidity=5,
                uid=next(_n),
                sha256=msg.sha256,
                post_action_state=state,
                post_action_next_at=None if next_at is None else NOW + next_at,
            )
        )

    return make


def _retry(when: timedelta | None):
    return lambda s: _message(s, MessageState.RECEIVED, None if when is None else NOW + when)


def _slow(state: ArticleState):
    def make(s: Session) -> None:
        msg = _message(s, MessageState.INGESTED)
        s.add(Article(message_pk=msg.id, ordinal=1, source="docx", status=state))

    return make


# (rows, whether a poll has work)
CASES = {
    "nothing at all": (lambda s: None, False),
    "a message done, its post-action done": (_post_action(PostActionState.DONE, None), False),
    "a pending post-action": (_post_action(PostActionState.PENDING, None), True),
    # its message not done yet (and not due for a retry): the post-action waits for it
    "a pending post-action, message not done": (
        _post_action(PostActionState.PENDING, None, done=False),
        False,
    ),
    "a failed post-action, no retry time": (_post_action(PostActionState.FAILED, None), True),
    "a failed post-action, retry due": (
        _post_action(PostActionState.FAILED, -timedelta(seconds=5)),
        True,
    ),
    "a failed post-action, retry later": (
        _post_action(PostActionState.FAILED, timedelta(hours=1)),
        False,
    ),
    "a stale post-action": (_post_action(PostActionState.STALE, None), False),
    "a message waiting, retry due": (_retry(-timedelta(seconds=5)), True),
    "a message waiting, no retry time": (_retry(None), True),
    "a message waiting, retry later": (_retry(timedelta(hours=1)), False),
    "an article waiting for OCR": (_slow(ArticleState.NEEDS_OCR), True),
    "an article waiting for conversion": (_slow(ArticleState.NEEDS_CONVERSION), True),
    "an article waiting for review": (_slow(ArticleState.PENDING_REVIEW), False),
}


def _work_the_orm_finds(engine: Any, key: str) -> bool:
    from dienhinh.ingest.extraction import ExtractionQueue

    pending = ExtractionQueue.pending_query(None, None)  # type: ignore[arg-type] - no state used
    with Session(engine) as s:
        return bool(
            s.execute(MailboxSync.due_post_actions(key, NOW)).first()
            or s.execute(pending).first()
            or s.execute(
                select(Article.id).where(
                    Article.status.in_([ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR])
                )
            ).first()
        )


@pytest.mark.parametrize("case", list(CASES))
def test_the_quick_check_sees_what_the_work_would_find(
    engine: Any, connect: Connect, case: str
) -> None:
    with Session(engine) as s:
        s.add(MailboxState(key=KEY, uidvalidity=5, last_uid=40, consecutive_failures=0))
        make, expected = CASES[case]
        make(s)
        s.commit()
    busy = _work_the_orm_finds(engine, KEY)
    with connect() as db:
        assert quick.nothing_to_do(db, KEY, 41, NOW) == (not busy)
        # new mail (UIDNEXT beyond last_uid + 1) is work whatever the rest
        assert not quick.nothing_to_do(db, KEY, 42, NOW)
        # another mailbox: its own post-actions only, and no state row yet means work
        assert not quick.nothing_to_do(db, "imap:other", 1, NOW)
    assert busy == expected, case  # the ORM's queries agree with the table, too


def test_requests_waiting_are_those_run_requested_takes(engine: Any, connect: Connect) -> None:
    sessions = sessionmaker(engine)
    cases = [
        ({}, True),
        ({"taken_by": "w", "taken_at": NOW - timedelta(minutes=5)}, False),
        ({"taken_by": "w", "taken_at": NOW - timedelta(hours=2)}, True),
        ({"done_at": NOW, "outcome": "done"}, False),
    ]
    with connect() as db:
        assert not quick.requests_waiting(db, NOW)
    for fields, waiting in cases:
        with sessions() as s:
            s.execute(delete(ReprocessRequest))
            msg = _message(s, MessageState.INGESTED)
            s.add(ReprocessRequest(message_pk=msg.id, requested_at=NOW, **fields))
            s.commit()
        with connect() as db:
            assert quick.requests_waiting(db, NOW) == waiting, fields
        assert bool(_take(sessions, "test")) == waiting, fields
