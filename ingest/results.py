"""The result writer: extraction results into the database.

Results are written in groups of ``_COMMIT_EVERY`` (one savepoint each; per-message commits
cost more than the extraction itself on SQLite), only for messages still `received` (and,
on PostgreSQL, locked by this run), so no message is ever written twice. A group the
database refuses is written again message by message: one bad message fails only itself.
An error of the database itself (gone, locked) ends the run and leaves the messages
`received` for the next one.

:class:`Drain` is the ingest's per-message loop on the :class:`~dienhinh.core.runner.Runner`
base: it reads the results of one claimed batch as the pool makes them and writes them.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.config import Config
from dienhinh.core.errors import SourceError, StorageError
from dienhinh.core.runner import Runner
from dienhinh.core.types import Outcome
from dienhinh.ingest.extraction import ExtractionQueue, Pending, Result
from dienhinh.ingest.run import RunReport
from dienhinh.store.models import Message
from dienhinh.store.states import MessageState

__all__ = ["Drain", "ResultWriter"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)

# Processed messages are committed in groups of this many (each in its own savepoint):
# per-message commits cost more than the extraction itself on SQLite.
_COMMIT_EVERY = 32


def _database_down(err: Exception, session: Session) -> bool:
    """True when ``err`` is the database's trouble, not the message's: the connection is
    gone, or the database is locked, out of disk, unreachable (``OperationalError``, e.g.
    SQLite's "database is locked" while another process writes). The run then ends and
    the messages stay `received` for the next one, instead of being marked failed."""
    return isinstance(err, SQLAlchemyError) and (
        not session.is_active or isinstance(err, OperationalError)
    )


# _WRITERS: the writers of results (ingest/writer.py, ingest/apply.py, with duplicate
# detection and the text helpers under them) are imported when the first result is
# written: a poll with nothing new, whose process start is most of its cost, never needs
# them (issue 15).


class ResultWriter:
    """Writes extraction results and failures and counts them in the run's report (the
    run itself is recorded by ingest/run.py)."""

    def __init__(self, config: Config, sessions: sessionmaker[Session]) -> None:
        self.config = config
        self.sessions = sessions

    def write(self, session: Session, group: list[Result], report: RunReport) -> None:
        """Write and commit a group of results: all at once when it goes through, else
        message by message, each in its own savepoint, so one message that the database
        refuses (or a bug) only fails that message."""
        if not group:
            return
        from dienhinh.ingest.writer import write_group  # see _WRITERS

        counts = (report.articles, report.failed)
        # One query for the group's messages, held here (the session keeps only weak
        # references to unchanged objects): only those still `received`, and on PostgreSQL
        # locked until the commit below, skipping any another worker is writing right now.
        # Taken outside the savepoint, so the locks survive its rollback.
        msgs = {
            m.id: m
            for m in session.execute(
                select(Message)
                .where(
                    Message.id.in_([pk for pk, _k, _p in group]),
                    Message.status == MessageState.RECEIVED,
                )
                .with_for_update(skip_locked=True, key_share=True)
                .execution_options(populate_existing=True)
            ).scalars()
        }
        try:
            with session.begin_nested():
                fresh: list[tuple[Message, Outcome]] = []
                for pk, kind, payload in group:
                    msg = msgs.get(pk)
                    if msg is None or msg.status != MessageState.RECEIVED:
                        continue
                    if kind == "ok":
                        assert isinstance(payload, Outcome)
                        fresh.append((msg, payload))
                    else:
                        self.fail(session, msg, kind, payload, report)
                write_group(session, fresh)
                for _msg, outcome in fresh:
                    self._count(outcome, report)
        except Exception as err:  # retried one by one just below
            if _database_down(err, session):
                raise
            log.warning("writing a group of %d failed (%s); writing one by one", len(group), err)
            report.articles, report.failed = counts  # the savepoint is gone: count again
            for pk, kind, payload in group:
                if pk in msgs:
                    self._record(session, pk, kind, payload, report)
        session.commit()
        report.processed += len(msgs)
        report.message_pks.extend(pk for pk, _k, _p in group if pk in msgs)
        group.clear()

    def _record(self, s: Session, pk: int, kind: str, payload: object, report: RunReport) -> None:
        """Store one result in its own savepoint; a failure to store it becomes the
        message's `failed` state."""
        msg = s.get(Message, pk)
        if msg is None or msg.status != MessageState.RECEIVED:
            return
        if kind == "ok":
            from dienhinh.ingest.writer import write_group  # see _WRITERS

            assert isinstance(payload, Outcome)
            try:
                with s.begin_nested():
                    write_group(s, [(msg, payload)])
            except Exception as err:  # the writer side of the per-message boundary
                if _database_down(err, s):
                    raise  # the database itself is gone: the poll ends, nothing is lost
                # Storing this message's results failed (a value the database refuses, a
                # bug): its savepoint is rolled back and the message is marked failed.
                log.exception("message %s: could not store the extraction", msg.message_id)
                self.fail(
                    s,
                    msg,
                    "error",
                    (f"could not store the extraction: {err}", f"{type(err).__name__}: {err}"),
                    report,
                )
            else:
                self._count(payload, report)
            return
        self.fail(s, msg, kind, payload, report)

    def fail(self, s: Session, msg: Message, kind: str, payload: object, report: RunReport) -> None:
        from dienhinh.ingest.apply import apply_failure  # see _WRITERS

        error, detail = payload  # type: ignore[misc]
        with s.begin_nested():
            apply_failure(
                s,
                msg,
                error=error,
                detail=detail,
                transient=kind == "transient",
                limits=self.config.ingest,
            )
        report.failed += 1

    @staticmethod
    def _count(outcome: Outcome, report: RunReport) -> None:
        report.articles += len(outcome.articles)
        if outcome.status == MessageState.FAILED:
            report.failed += 1


class Drain(Runner[Result, RunReport]):
    """Write the results of one claimed batch as they come, in groups. On a stop request
    the results already read are written and the rest is left `received`.

    ``between_groups`` runs after each committed group (the poll's post-actions);
    ``abandon`` gives up the extractions not read yet (a stop)."""

    def __init__(
        self,
        pending: Pending,
        *,
        writer: ResultWriter,
        queue: ExtractionQueue,
        sessions: sessionmaker[Session],
        progress: Progress,
        stopping: Callable[[], bool],
        between_groups: Callable[[], None] | None = None,
        abandon: Callable[[], None],
    ) -> None:
        self.jobs, self.results, self.claim = pending
        self.writer = writer
        self.queue = queue
        self.progress = progress
        self.stop_requested = stopping
        self.between_groups = between_groups
        self.abandon = abandon
        self.session = self.claim or sessions()
        self.group: list[Result] = []
        self.remaining = [pk for pk, _path, _ctx in self.jobs]
        self.done = 0
        self.stopped = False
        self.flushing = False  # a group is being written

    def _claim(self) -> Iterator[Result]:
        return iter(self.results)  # extracting in-process happens when read

    def _stopping(self) -> bool:
        self.stopped = self.stop_requested()
        return self.stopped

    def _dispose(self, result: Result, report: RunReport) -> None:
        self.done += 1
        self.group.append(result)
        self.progress("extract", self.done, len(self.jobs))
        if len(self.group) >= _COMMIT_EVERY:
            self.flushing = True
            self._flush(report)
            self.flushing = False
            if self.between_groups is not None:
                self.between_groups()

    def _flush(self, report: RunReport) -> None:
        self.remaining = self.remaining[len(self.group) :]  # results come in job order
        self.writer.write(self.session, self.group, report)
        if self.claim is not None and self.remaining:
            self.queue.relock(self.claim, self.remaining)  # the commit ended the claim

    def _passes(self, err: Exception) -> bool:
        """The errors the run itself handles (ingest/pipeline.py ``_run``) are not the
        message's: the database's (gone, locked, refusing a commit), the mailbox's (a
        connection lost during the post-actions between groups) and the blob store's.
        They end the run; the messages not written stay `received` for the next one."""
        return isinstance(err, (SQLAlchemyError, SourceError, StorageError))

    def _record_failure(self, result: Result, err: Exception, report: RunReport) -> None:
        """A bug here, outside the writer's own per-message savepoints (which record what
        the database refuses for one message). Before its group is written, the message's
        result becomes this error, written with the group as the message's failure. While
        a group is written (a bug in the writer's fallback itself), what the group had not
        committed is rolled back: those messages stay `received` and a later run does
        them, so nothing is lost or written twice."""
        pk = result[0]
        log.exception("message pk=%s: handling its result failed", pk)
        if not self.flushing and self.group and self.group[-1] is result:
            # Shown as an internal error (no reason code), as the extraction boundary's.
            failure = (
                f"internal error while writing: {type(err).__name__}: {err}",
                traceback.format_exc(),
            )
            self.group[-1] = (pk, "error", failure)
            return
        self.flushing = False
        self.session.rollback()
        self.remaining = self.remaining[len(self.group) :]
        self.group.clear()
        if self.claim is not None and self.remaining:
            self.queue.relock(self.claim, self.remaining)

    def _done(self, report: RunReport) -> None:
        if self.stopped and self.remaining:
            log.info(
                "stop requested: %d message(s) left waiting for the next run",
                len(self.remaining) - len(self.group),
            )
            self.abandon()  # extractions not read are abandoned
        self.writer.write(self.session, self.group, report)

    def _record_run(self, report: RunReport) -> None:
        # The run itself is recorded by ingest/run.py; a drain releases what it holds.
        self.session.close()
        self.queue.release(self.claim)
