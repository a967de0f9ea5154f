"""A run's own bookkeeping in SQL: the mailbox's state row, the quick check of a poll with
nothing to do, the run's record, the console's queued re-runs, the schema's revision.

Every poll and import goes through these statements (in the worker on its engine, in
`dienhinh poll` on the driver's own connection; store/dbapi.py says why): a poll that
finds nothing to do needs nothing else from the database, so it never imports SQLAlchemy,
the ORM or the models. The statements read and write the models' tables and columns
(store/models.py) with the models' conventions (store/dbapi.py's ``Db``);
tests/unit/store/test_quick.py checks each against what the ORM reads and writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from dienhinh.core.states import SLOW_LANE_STATES, MessageState, PostActionState, RunState
from dienhinh.store.dbapi import Db

__all__ = [
    "REQUEST_CLAIM_SECONDS",
    "finish_run",
    "nothing_to_do",
    "record_run",
    "requests_waiting",
    "schema_revision",
    "set_uidvalidity",
    "start_run",
]

# A reprocess request taken by a worker that then died is taken over after this long
# (ingest/requested.py takes the requests).
REQUEST_CLAIM_SECONDS = 3600


def _ensure_state(db: Db, key: str) -> None:
    """The mailbox's state row, created empty on its first run."""
    db.run(
        "INSERT INTO mailbox_state (key, uidvalidity, last_uid, consecutive_failures)"
        " VALUES (:key, 0, 0, 0) ON CONFLICT (key) DO NOTHING",
        key=key,
    )


def start_run(db: Db, key: str, started: datetime) -> None:
    _ensure_state(db, key)
    db.run(
        "UPDATE mailbox_state SET last_poll_started_at = :started WHERE key = :key",
        key=key,
        started=started,
    )
    db.commit()


def set_uidvalidity(db: Db, key: str, uidvalidity: int, *, supports_uids: bool) -> int | None:
    """Record the folder's UIDVALIDITY. When it changed (a source with UIDs, and one was
    recorded before): the folder is read again from UID 0, and the post-actions still due
    under the old one are marked stale (its UIDs mean nothing now); the old value is
    returned. None otherwise."""
    _ensure_state(db, key)
    row = db.run("SELECT uidvalidity FROM mailbox_state WHERE key = :key", key=key).fetchone()
    previous = int(row[0] or 0)
    changed = supports_uids and previous and previous != uidvalidity
    if changed:
        db.run("UPDATE mailbox_state SET last_uid = 0 WHERE key = :key", key=key)
        db.run(
            "UPDATE delivery SET post_action_state = :stale"
            " WHERE mailbox = :key AND uidvalidity != :uidvalidity"
            " AND post_action_state IN (:pending, :failed)",
            key=key,
            uidvalidity=uidvalidity,
            stale=PostActionState.STALE,
            pending=PostActionState.PENDING,
            failed=PostActionState.FAILED,
        )
    db.run(
        "UPDATE mailbox_state SET uidvalidity = :uidvalidity WHERE key = :key",
        key=key,
        uidvalidity=uidvalidity,
    )
    db.commit()
    return previous if changed else None


def _in(name: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    """``(:name0, :name1, ...)`` and its parameters, for ``IN``."""
    params = {f"{name}{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f":{p}" for p in params) + ")", params


def nothing_to_do(db: Db, key: str, uidnext: int, now: datetime) -> bool:
    """True when a poll of mailbox ``key`` whose SELECT gave ``uidnext`` has nothing to do
    (see ingest/run.py): no UID above ``last_uid``, and none of the work a poll also
    does is due: a post-action of this mailbox (pending, or failed with its retry time
    come, for a message that is done: ingest/mailbox.py's ``due_post_actions``), a message
    waiting for a retry whose time has come (ingest/extraction.py's ``pending_query``), an
    article waiting for a conversion or OCR (the slow lane)."""
    slow, slow_params = _in("slow", SLOW_LANE_STATES)
    row = db.run(
        "SELECT last_uid, ("  # noqa: S608 - only placeholder names are put in (_in)
        " EXISTS (SELECT 1 FROM delivery JOIN message ON message.id = delivery.message_pk"
        "  WHERE delivery.mailbox = :key"
        "  AND (delivery.post_action_state = :pending OR (delivery.post_action_state = :failed"
        "   AND (delivery.post_action_next_at IS NULL OR delivery.post_action_next_at <= :now)))"
        "  AND message.status != :received)"
        " OR EXISTS (SELECT 1 FROM message WHERE status = :received"
        "  AND (next_attempt_at IS NULL OR next_attempt_at <= :now))"
        f" OR EXISTS (SELECT 1 FROM article WHERE status IN {slow})"
        ") FROM mailbox_state WHERE key = :key",
        key=key,
        now=now,
        pending=PostActionState.PENDING,
        failed=PostActionState.FAILED,
        received=MessageState.RECEIVED,
        **slow_params,
    ).fetchone()
    db.rollback()
    return row is not None and uidnext <= row[0] + 1 and not row[1]


def finish_run(db: Db, key: str, finished: datetime, error: str | None) -> None:
    """The mailbox's health after a run: when it ended, and its error (with the count of
    failures in a row) or its success."""
    _ensure_state(db, key)
    if error:
        sql = (
            "UPDATE mailbox_state SET last_poll_finished_at = :now, last_error = :error,"
            " last_error_at = :now, consecutive_failures = consecutive_failures + 1"
            " WHERE key = :key"
        )
    else:
        sql = (
            "UPDATE mailbox_state SET last_poll_finished_at = :now, last_success_at = :now,"
            " last_error = NULL, consecutive_failures = 0 WHERE key = :key"
        )
    db.run(sql, key=key, now=finished, **({"error": error} if error else {}))
    db.commit()


def record_run(
    db: Db,
    *,
    kind: str,
    mailbox: str,
    holder: str,
    started: datetime,
    finished: datetime,
    error: str | None,
    counts: dict[str, int],
) -> None:
    """The run's row in ``poll_run``; ``counts``: fetched, stored, processed, articles,
    failed."""
    db.run(
        "INSERT INTO poll_run (kind, mailbox, holder, started_at, finished_at, status,"
        " fetched, stored, processed, articles, failed, error) VALUES (:kind, :mailbox,"
        " :holder, :started, :finished, :status, :fetched, :stored, :processed, :articles,"
        " :failed, :error)",
        kind=kind,
        mailbox=mailbox,
        holder=holder,
        started=started,
        finished=finished,
        status=RunState.ERROR if error else RunState.OK,
        error=error,
        **{k: counts[k] for k in ("fetched", "stored", "processed", "articles", "failed")},
    )
    db.commit()


def requests_waiting(db: Db, now: datetime) -> bool:
    """Whether a reprocess request queued in the console waits to be taken: not done, and
    not taken, or taken longer than REQUEST_CLAIM_SECONDS ago (ingest/requested.py's
    ``_take`` takes exactly those)."""
    row = db.run(
        "SELECT EXISTS (SELECT 1 FROM reprocess_request WHERE done_at IS NULL"
        " AND (taken_at IS NULL OR taken_at < :stale))",
        stale=now - timedelta(seconds=REQUEST_CLAIM_SECONDS),
    ).fetchone()
    db.rollback()
    return bool(row[0])


def schema_revision(db: Db) -> tuple[bool, str | None]:
    """(True, the database's revision) read from alembic's version table, None when that
    table does not exist; (False, None) when it holds more than one row (branches:
    alembic decides)."""
    if db.dialect == "sqlite":
        found = db.run(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
    else:
        found = db.run("SELECT 1 WHERE to_regclass('alembic_version') IS NOT NULL").fetchone()
    rows = db.run("SELECT version_num FROM alembic_version").fetchall() if found else []
    db.rollback()
    if len(rows) > 1:
        return False, None
    return True, (str(rows[0][0]) if rows else None)
