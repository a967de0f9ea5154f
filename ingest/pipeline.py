"""The ingest pipeline: fetch -> keep raw bytes (committed) -> extract -> store -> post-action.

Ordering is what makes it safe:
1. Raw bytes are fsync'ed to the blob store and their row committed before any parsing;
   the folder's ``last_uid`` advances only past messages whose rows are committed.
2. Extraction runs from the stored bytes (in a process pool when there is enough work),
   and its results are committed per message.
3. The mailbox post-action (flag / move) runs only for messages whose results are
   committed; a crash before it leaves the delivery `pending`, and the next poll does it.

Several workers (PostgreSQL) share the extraction: a message in `received` is claimed
with ``SELECT ... FOR NO KEY UPDATE SKIP LOCKED`` (its row stays locked until its results
are committed), and results are written only for rows this run holds and that are still
`received`, so no message is ever written twice. A stop request (``Ingestor.stop``, set by
the worker on SIGTERM) ends a run after the message being extracted: what is extracted is
committed, the rest stays `received` for the next run.

``_extract_boundary`` is the one catch-all of the ingest: one message's failure is
recorded on that message and never stops the rest of the mailbox.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Select, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.config import Config, TaggingConfig
from dienhinh.core.errors import ConnectionLost, SourceError, StorageError
from dienhinh.core.types import Outcome, RawMail
from dienhinh.ingest.apply import apply_failure
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.procguard import OWNER_ENV, alive, die_with_parent
from dienhinh.ingest.rawstore import store_raw_batch
from dienhinh.ingest.sources.base import MailSource, SourceItem
from dienhinh.ingest.writer import write_group
from dienhinh.store.blobs import BlobStore
from dienhinh.store.lease import lease, renew
from dienhinh.store.models import Delivery, MailboxState, Message, PollRun, SenderAddress, utcnow
from dienhinh.store.states import MessageState

if TYPE_CHECKING:  # the taggers are imported where a message is tagged (start-up cost)
    from dienhinh.classifiers.tagging import MessageTags

__all__ = ["Ingestor", "RunReport"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)
Job = tuple[int, str, ExtractContext]  # (message pk, path of its raw bytes, context)
Result = tuple[int, str, object]
# Submitted jobs, their results (in job order) and, on PostgreSQL, the session whose open
# transaction holds the jobs' row locks (their claim) until the results are written.
Pending = tuple[list[Job], Iterator[Result], Session | None]

# Processed messages are committed in groups of this many (each in its own savepoint):
# per-message commits cost more than the extraction itself on SQLite.
_COMMIT_EVERY = 32
# Fetched messages are recorded this many at a time (one multi-row INSERT).
_STORE_SLICE = 25
# Waiting messages are claimed this many at a time by process_pending.
_CLAIM_BATCH = 32
# How often the reader of the pool's results looks for a worker stuck past its timeout.
_WATCH_SECONDS = 1.0
# The longest wait between two tries of a failed post-action.
_POST_ACTION_MAX_DELAY = 24 * 3600


def _slices(items: Iterable[RawMail], n: int) -> Iterator[list[RawMail]]:
    chunk: list[RawMail] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class RunReport:
    kind: str
    mailbox: str = ""
    fetched: int = 0
    stored: int = 0
    processed: int = 0
    articles: int = 0
    failed: int = 0
    post_actions: int = 0
    # Deliveries whose post-action failed in this run (retried by later polls), and the
    # server's answer to the last one that failed.
    post_actions_failed: int = 0
    post_action_error: str | None = None
    converted: int = 0
    ocred: int = 0
    waiting: int = 0  # articles still waiting for conversion/OCR after this run
    error: str | None = None
    message_pks: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class ExtractionTimeout(BaseException):
    """Raised (by SIGALRM) in a message's extraction that outlived
    ``ingest.extraction_timeout_seconds``. A BaseException, so that the extractors' own
    ``except Exception`` boundaries (one attachment's failure) cannot swallow it."""


# In an extraction worker: the table shared with the parent (pid, message pk, start time
# per worker) and this worker's row in it; see Ingestor._kill_hung.
_SLOTS: Any = None
_SLOT = -1


def _init_worker(slots: Any, owner: int) -> None:
    """Pool initializer: die with the forkserver (so with the poll, see procguard), or at
    once if the poll (``owner``) already ended; then take a row of the shared table where
    the parent sees what this worker is doing."""
    global _SLOTS, _SLOT
    die_with_parent()
    if not alive(owner):
        os._exit(1)
    _SLOTS = slots
    with slots.get_lock():
        for i in range(len(slots) // 3):
            if slots[3 * i] == 0:
                slots[3 * i] = os.getpid()
                _SLOT = i
                break


def _on_alarm(signum: int, frame: object) -> None:
    raise ExtractionTimeout


@contextmanager
def _time_limit(pk: int, seconds: int) -> Iterator[None]:
    """Stop the extraction after ``seconds``: SIGALRM raises ExtractionTimeout in it (only
    in a main thread: an extraction worker, the command's own process). The parent's
    watchdog kills a worker that a C-level hang keeps deaf to it (see _kill_hung)."""
    if _SLOTS is not None and _SLOT >= 0:
        with _SLOTS.get_lock():
            _SLOTS[3 * _SLOT + 1] = pk
            _SLOTS[3 * _SLOT + 2] = time.monotonic()
    armed = seconds > 0 and threading.current_thread() is threading.main_thread()
    previous: Any = None
    if armed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        if _SLOTS is not None and _SLOT >= 0:
            with _SLOTS.get_lock():
                _SLOTS[3 * _SLOT + 1] = 0
                _SLOTS[3 * _SLOT + 2] = 0


def _timeout_result(pk: int, seconds: int, how: str) -> Result:
    return (
        pk,
        "error",
        (f"timeout: extraction took over {seconds} s", f"ExtractionTimeout: {how}"),
    )


def _extract_boundary(args: Job) -> Result:
    """Run extraction for one stored message; never raises.

    Returns (message pk, kind, payload): ("ok", Outcome), ("transient", (error, detail))
    or ("error", (error, detail)). This is the documented catch-all boundary: any bug or
    hostile input in a parser becomes a recorded failure of this message only, and so does
    an extraction running past ``ingest.extraction_timeout_seconds``.
    """
    pk, _blob_path, ctx = args
    seconds = int(getattr(ctx.limits, "extraction_timeout_seconds", 0) or 0)
    try:
        with _time_limit(pk, seconds):
            return _extract_one(args)
    except ExtractionTimeout:
        log.error("message pk=%s: extraction stopped after %s s", pk, seconds)
        return _timeout_result(pk, seconds, "stopped by the extraction's own timer")


def _extract_one(args: Job) -> Result:
    """The extraction of one message, with every exception turned into a result."""
    from dienhinh.ingest.apply import text_fingerprint
    from dienhinh.ingest.dedupe import minhash
    from dienhinh.ingest.extract import extract_message

    pk, blob_path, ctx = args
    try:
        data = Path(blob_path).read_bytes()
        outcome = extract_message(data, ctx)
        for draft in outcome.articles:  # CPU work: done here, in the pool, not in the writer
            if draft.text.strip():
                draft.signature = list(minhash(draft.text))
                draft.fingerprint = text_fingerprint(draft.text)
        if ctx.tagging is not None:
            outcome.tags = _tag(outcome, ctx.tagging)
        return pk, "ok", outcome
    except StorageError as err:
        return pk, "transient", (str(err), traceback.format_exc())
    except OSError as err:
        return pk, "transient", (f"cannot read stored message: {err}", traceback.format_exc())
    except Exception as err:  # noqa: BLE001 - the boundary: see docstring
        return (
            pk,
            "error",
            (
                f"internal error while extracting: {type(err).__name__}: {err}",
                traceback.format_exc(),
            ),
        )


def _database_down(err: Exception, session: Session) -> bool:
    """True when ``err`` is the database's trouble, not the message's: the connection is
    gone, or the database is locked, out of disk, unreachable (``OperationalError``, e.g.
    SQLite's "database is locked" while another process writes). The run then ends and
    the messages stay `received` for the next one, instead of being marked failed."""
    return isinstance(err, SQLAlchemyError) and (
        not session.is_active or isinstance(err, OperationalError)
    )


def _tag(outcome: Outcome, settings: TaggingConfig) -> MessageTags | None:
    """Tags for an extracted message. A tagger's failure must not lose the extraction:
    the message is stored untagged and flagged for an editor instead."""
    from dienhinh.classifiers.tagging import tag_outcome

    try:
        return tag_outcome(outcome, settings)
    except Exception:  # the tagging boundary: see docstring; logged with its traceback
        log.exception("tagging failed for %s", outcome.headers.message_id)
        return None


class Ingestor:
    """Runs polls, imports and reprocessing against one database and blob store."""

    # How extraction processes start. "forkserver": from a clean, preloaded process (never
    # a fork of this one, with its threads and connections). Tests use "fork" to run a
    # monkeypatched extractor in the pool.
    mp_start_method = "forkserver"

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        holder: str = "",
    ) -> None:
        self.config = config
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.blobs = BlobStore(config.blob_dir)
        self.raw_blobs = BlobStore(config.raw_dir)
        self._ctx = ExtractContext(blob_root=config.blob_dir, limits=config.ingest)
        # Set by a run: the tagging settings are read (_refresh_tagging) when the run first
        # needs the context, so a poll with nothing new never loads the taggers.
        self._tagging_due = False
        self.progress = progress or (lambda phase, done, total: None)
        self._pool: Executor | None = None
        self._slots: Any = None  # the pool's shared table (see _init_worker)
        self._timed_out: set[int] = set()  # messages whose worker was killed (timeout)
        self._lease: tuple[str, str] | None = None
        # Set (by the worker, on SIGTERM) to end the run after the current message.
        self.stop = stop or threading.Event()
        # Who runs this (the worker's id), recorded on runs that hold no lease.
        self.holder = holder
        self._claims: list[Session] = []  # claim sessions not yet written and closed

    # --- public entry points ------------------------------------------------------------

    def poll(self, source: MailSource) -> RunReport:
        """One pass over a mailbox folder, under its lease. Raises LeaseHeld at once if
        another poll holds it; source failures are recorded, not raised."""
        name = f"poll:{source.key}"
        with lease(self.sessions, name, self.config.mailbox.lease_seconds) as holder:
            self._lease = (name, holder)
            try:
                return self._run(
                    source, kind="poll", post_action=self.config.mailbox.post_action != "none"
                )
            finally:
                self._lease = None

    def import_from(self, source: MailSource) -> RunReport:
        return self._run(source, kind="import", post_action=False)

    def process_pending(
        self,
        *,
        pks: Sequence[int] | None = None,
        report: RunReport | None = None,
        source: MailSource | None = None,
        limit: int | None = None,
    ) -> RunReport:
        """Extract messages waiting in `received`: the ones given (``pks``, chosen by the
        caller), or else every one whose retry time has come, claimed a batch at a time so
        that several workers share them and never take the same one. ``limit`` bounds how
        many due messages one call takes."""
        report = report or RunReport(kind="process")
        if pks is not None:
            self._drain(self._submit(self._pending_jobs(pks)), report, source)
            return report
        seen: set[int] = set()  # each message at most once per call, whatever happens
        while not self._stopping() and (limit is None or len(seen) < limit):
            size = _CLAIM_BATCH if limit is None else min(_CLAIM_BATCH, limit - len(seen))
            pending = self._claim(None, limit=size, exclude=seen)
            if not pending[0]:
                break
            seen.update(pk for pk, _path, _ctx in pending[0])
            self._drain(pending, report, source)
        return report

    def _pending_query(self, pks: Sequence[int] | None) -> Select[int, str]:
        q = select(Message.id, Message.sha256).where(Message.status == MessageState.RECEIVED)
        if pks is not None:
            return q.where(Message.id.in_(pks)).order_by(Message.id)
        now = utcnow()
        return q.where(
            (Message.next_attempt_at.is_(None)) | (Message.next_attempt_at <= now)
        ).order_by(Message.id)

    def _pending_jobs(self, pks: Sequence[int] | None) -> list[Job]:
        with self.sessions() as s:
            rows = s.execute(self._pending_query(pks)).all()
        return [(pk, str(self.raw_blobs.path(sha)), self.ctx) for pk, sha in rows]

    def _claim(
        self,
        pks: Sequence[int] | None,
        *,
        limit: int | None = None,
        exclude: Collection[int] = (),
    ) -> Pending:
        """Start extracting waiting messages (``pks``, or the due ones) that no other
        worker is working on. On PostgreSQL their rows are locked (``FOR NO KEY UPDATE
        SKIP LOCKED``: other workers skip them; foreign keys to them stay usable) in a
        session kept open until _drain has written their results; SQLite has one worker,
        so nothing needs claiming there."""
        if pks is not None and not pks:
            return [], iter(()), None
        q = self._pending_query(pks)
        if limit is not None:
            q = q.limit(limit)
        claim: Session | None = None
        if self.engine.dialect.name == "sqlite":
            with self.sessions() as s:
                rows = s.execute(q).all()
        else:
            claim = self.sessions()
            self._claims.append(claim)
            rows = claim.execute(q.with_for_update(skip_locked=True, key_share=True)).all()
        jobs = [
            (pk, str(self.raw_blobs.path(sha)), self.ctx) for pk, sha in rows if pk not in exclude
        ]
        if not jobs and claim is not None:
            self._claims.remove(claim)
            claim.close()
            claim = None
        return self._submit(jobs, claim)

    def _stopping(self) -> bool:
        return self.stop.is_set()

    def _drain(self, pending: Pending, report: RunReport, source: MailSource | None) -> None:
        """Write the results of submitted jobs as they come, in groups. On a stop request
        the results already read are written and the rest is left `received`."""
        jobs, results, claim = pending
        total = len(jobs)
        session = claim or self.sessions()
        group: list[Result] = []
        remaining = [pk for pk, _path, _ctx in jobs]
        it = iter(results)
        try:
            done = 0
            while True:
                if self._stopping():
                    if remaining:
                        log.info(
                            "stop requested: %d message(s) left waiting for the next run",
                            len(remaining) - len(group),
                        )
                        self.close(wait=False)  # extractions not read are abandoned
                    break
                result = next(it, None)  # extracting in-process happens here
                if result is None:
                    break
                done += 1
                group.append(result)
                self.progress("extract", done, total)
                if len(group) >= _COMMIT_EVERY:
                    remaining = remaining[len(group) :]  # results come in job order
                    self._write(session, group, report)
                    if claim is not None and remaining:
                        self._relock(claim, remaining)  # the commit ended the claim
                    if source is not None:
                        report.post_actions += self._post_actions(source, report)
            self._write(session, group, report)
        finally:
            session.close()
            if claim is not None and claim in self._claims:
                self._claims.remove(claim)

    @staticmethod
    def _relock(session: Session, pks: Sequence[int]) -> None:
        session.execute(
            select(Message.id)
            .where(Message.id.in_(pks))
            .with_for_update(skip_locked=True, key_share=True)
        ).all()

    def _write(self, session: Session, group: list[Result], report: RunReport) -> None:
        """Write and commit a group of results: all at once when it goes through, else
        message by message, each in its own savepoint, so one message that the database
        refuses (or a bug) only fails that message."""
        if not group:
            return
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
                        self._fail(session, msg, kind, payload, report)
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

    def reprocess(self, pks: Sequence[int]) -> RunReport:
        """Re-run messages from their stored bytes (the caller chose them)."""
        from dienhinh.store.states import transition

        with self.sessions() as s:
            for pk in pks:
                msg = s.get(Message, pk)
                if msg is None:
                    continue
                if msg.status != MessageState.RECEIVED:
                    transition(s, msg, MessageState.RECEIVED, actor="reprocess", reason="reprocess")
                msg.attempts = 0
                msg.next_attempt_at = None
            s.commit()
        report = RunReport(kind="reprocess")
        self._refresh_tagging()
        try:
            self.process_pending(pks=list(pks), report=report)
            self.slow_lane(report)
            return report
        finally:
            self.close()
            self._record_run(report)

    def slow_lane(self, report: RunReport) -> None:
        """Conversions and OCR, after the fast path (see ingest/slowlane.py)."""
        from dienhinh.ingest.slowlane import run_slow_lane

        self.close()  # give the cores back before LibreOffice/Tesseract start
        slow = run_slow_lane(
            self.sessions,
            lambda: self.ctx,  # read only when something waits (see ctx)
            budget_seconds=self.config.ingest.slow_lane_budget_seconds,
        )
        report.converted += slow.converted
        report.ocred += slow.ocred
        report.failed += slow.failed
        report.waiting = slow.waiting

    def close(self, *, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=not wait)
            self._pool = None
            self._slots = None
        # Claims whose results were never written (an error, a stop): rolled back, so
        # their messages are free again, still `received`.
        while self._claims:
            claim = self._claims.pop()
            try:
                claim.close()
            except SQLAlchemyError as err:
                # The connection died with the database (found by tests/chaos: PostgreSQL
                # cut mid-poll); the server rolled the claim back with it, so its messages
                # are free all the same. Raising here, from the run's `finally`, would
                # replace the run's recorded "database error, will retry" by a traceback.
                log.warning("a claim could not be rolled back (%s); the database did", err)

    # --- the run ------------------------------------------------------------------------

    @property
    def ctx(self) -> ExtractContext:
        """The extraction context; in a run, with the tagging settings read at first use."""
        if self._tagging_due:
            self._refresh_tagging()
        return self._ctx

    def _refresh_tagging(self) -> None:
        """Put the current tagging settings, with the addresses editors have attributed,
        into the extraction context (read once per run: one small query)."""
        self._tagging_due = False
        t = self.config.tagging
        if t is None:
            return
        with self.sessions() as s:
            learned = tuple(
                (a, u)
                for a, u in sorted(
                    s.execute(
                        select(SenderAddress.address, SenderAddress.unit).where(
                            SenderAddress.active
                        )
                    ).all()
                )
            )
        self._ctx = dataclasses.replace(self._ctx, tagging=dataclasses.replace(t, learned=learned))

    def _run(self, source: MailSource, *, kind: str, post_action: bool) -> RunReport:
        report = RunReport(kind=kind, mailbox=source.key)
        self._tagging_due = True  # read when first needed (see ctx)
        started = utcnow()
        with self.sessions() as s:
            state = self._mailbox_state(s, source.key)
            state.last_poll_started_at = started
            s.commit()
        try:
            with source:
                uidvalidity = self._check_uidvalidity(source)
                report.post_actions += self._post_actions(source, report)
                known = self._known_locations(source) if not source.supports_uids else ()
                with self.sessions() as s:
                    last_uid = self._mailbox_state(s, source.key).last_uid
                items = source.list_new(last_uid, known)
                total = len(items)
                log.info("%s %s: %d new message(s)", kind, source.key, total)
                if total >= self.config.ingest.parallel_threshold:
                    self._start_forkserver()
                # Extraction of one batch overlaps the fetching and storing of the next:
                # the pool works on batch N while this process fetches N+1, then this
                # process writes N's results while the pool works on N+1.
                waiting: list[Pending] = []
                # On PostgreSQL other workers may share the extraction (see below).
                shared = self.engine.dialect.name != "sqlite"
                for batch in self._batches(items):
                    if self._stopping():
                        log.info(
                            "%s %s: stop requested; the rest is fetched next time", kind, source.key
                        )
                        break
                    self._renew_lease()
                    try:
                        pks = self._fetch_and_store(source, batch, uidvalidity, post_action, report)
                    except SourceError:
                        for pending in waiting:  # what was fetched before is written first
                            self._drain(pending, report, None)
                        raise
                    self.progress("fetch", report.fetched, total)
                    # With several workers, half of the batch goes to this worker's pool at
                    # once (it keeps working while this process writes the previous batch)
                    # and the other half waits `received` until then: the other workers'
                    # processing job (``process``) takes part of it meanwhile, and the late
                    # claim skips what they took (SKIP LOCKED).
                    half = len(pks) // 2 if shared else len(pks)
                    current = [self._claim(pks[:half])]
                    for pending in waiting:
                        self._drain(pending, report, source)
                    if waiting:
                        report.post_actions += self._post_actions(source, report)
                    if pks[half:]:
                        current.append(self._claim(pks[half:]))
                    waiting = current
                for pending in waiting:
                    self._drain(pending, report, source)
                if waiting:
                    report.post_actions += self._post_actions(source, report)
                if not self._stopping():
                    # retries of earlier transient failures whose time has come
                    self.process_pending(report=report, source=source)
                    report.post_actions += self._post_actions(source, report)
            if not self._stopping():
                self.slow_lane(report)
        except SourceError as err:
            report.error = err.user_message
            kind_word = "connection lost" if isinstance(err, ConnectionLost) else "mailbox error"
            log.error("%s %s: %s: %s", kind, source.key, kind_word, err)
        except StorageError as err:
            report.error = f"storage error (will retry on the next poll): {err}"
            log.error("%s %s: %s", kind, source.key, err)
        except SQLAlchemyError as err:
            report.error = (
                f"database error (will retry on the next poll): {err.__class__.__name__}: {err}"
            )
            log.error("%s %s: %s", kind, source.key, report.error)
        finally:
            self.close()
            try:
                self._finish_state(source.key, report)
                self._record_run(report, started=started)
            except SQLAlchemyError as err:
                # The database itself is away: the error is in the log; the next poll,
                # with the database back, records its own run.
                log.error("%s %s: could not record the run: %s", kind, source.key, err)
        return report

    def _renew_lease(self) -> None:
        """Keep the poll's lease alive while it works (a long first ingest of a big mailbox
        outlasts lease_seconds; a dead poller's lease still expires soon)."""
        if self._lease is not None:
            renew(self.sessions, *self._lease, self.config.mailbox.lease_seconds)

    def _check_uidvalidity(self, source: MailSource) -> int:
        uidvalidity = source.open()
        with self.sessions() as s:
            state = self._mailbox_state(s, source.key)
            if source.supports_uids and state.uidvalidity and state.uidvalidity != uidvalidity:
                log.warning(
                    "%s: UIDVALIDITY changed %s -> %s; resyncing the whole folder "
                    "(messages already stored are recognised by Message-ID and content)",
                    source.key,
                    state.uidvalidity,
                    uidvalidity,
                )
                state.last_uid = 0
                # UIDs of the old validity mean nothing now: their post-actions cannot run.
                s.execute(
                    update(Delivery)
                    .where(
                        Delivery.mailbox == source.key,
                        Delivery.uidvalidity != uidvalidity,
                        Delivery.post_action_state.in_(["pending", "failed"]),
                    )
                    .values(post_action_state="stale")
                )
            state.uidvalidity = uidvalidity
            s.commit()
        return uidvalidity

    def _known_locations(self, source: MailSource) -> list[str]:
        with self.sessions() as s:
            return list(
                s.execute(select(Delivery.location).where(Delivery.mailbox == source.key)).scalars()
            )

    def _batches(self, items: Sequence[SourceItem]) -> Iterator[list[SourceItem]]:
        size, max_bytes = self.config.mailbox.batch_size, self.config.mailbox.batch_max_bytes
        batch: list[SourceItem] = []
        nbytes = 0
        for item in items:
            if batch and (len(batch) >= size or nbytes + item.size > max_bytes):
                yield batch
                batch, nbytes = [], 0
            batch.append(item)
            nbytes += item.size
        if batch:
            yield batch

    def _fetch_and_store(
        self,
        source: MailSource,
        batch: Sequence[SourceItem],
        uidvalidity: int,
        post_action: bool,
        report: RunReport,
    ) -> list[int]:
        """Fetch one batch and commit every message's raw bytes and row, advancing last_uid
        only over a contiguous run of committed UIDs."""
        pks: list[int] = []
        expected = [i.uid for i in batch]
        stored_uids: set[int] = set()
        with self.sessions() as s:
            try:
                # Stored in slices as they arrive: a connection lost mid-batch keeps the
                # slices already stored.
                for slice_ in _slices(source.fetch(batch), _STORE_SLICE):
                    report.fetched += len(slice_)
                    results = store_raw_batch(s, self.raw_blobs, slice_, post_action=post_action)
                    stored_uids.update(raw.uid for raw in slice_)
                    for res in results:
                        if res.new_message:
                            report.stored += 1
                            pks.append(res.message_pk)
            finally:
                # Whatever was stored before an error is kept: the blobs are made durable,
                # then the rows committed; last_uid covers only the contiguous prefix.
                if stored_uids or pks:
                    self.raw_blobs.sync()
                if source.supports_uids and stored_uids:
                    upto = 0
                    for uid in expected:
                        if uid not in stored_uids:
                            break
                        upto = uid
                    if upto:
                        state = self._mailbox_state(s, source.key)
                        state.last_uid = max(state.last_uid, upto)
                s.commit()
        return pks

    def _post_action_delay(self, attempts: int) -> timedelta:
        """How long a delivery waits after its ``attempts``-th failed post-action:
        ``retry_backoff_seconds`` doubled at each failure, at most a day."""
        base = max(1, self.config.ingest.retry_backoff_seconds)
        return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), _POST_ACTION_MAX_DELAY))

    def _post_actions(self, source: MailSource, report: RunReport | None = None) -> int:
        """Apply the post-action to every delivery of this mailbox whose message is done:
        the pending ones, and the failed ones whose retry time has come. A failure is
        recorded on each delivery (its error, attempts and next try) and in ``report``."""
        now = utcnow()
        with self.sessions() as s:
            rows = (
                s.execute(
                    select(Delivery)
                    .join(Message, Message.id == Delivery.message_pk)
                    .where(
                        Delivery.mailbox == source.key,
                        (Delivery.post_action_state == "pending")
                        | (
                            (Delivery.post_action_state == "failed")
                            & (
                                Delivery.post_action_next_at.is_(None)
                                | (Delivery.post_action_next_at <= now)
                            )
                        ),
                        Message.status != MessageState.RECEIVED,
                    )
                    .order_by(Delivery.uid, Delivery.id)
                )
                .scalars()
                .all()
            )
            if not rows:
                return 0
            items = [SourceItem(uid=d.uid, location=d.location) for d in rows]
            try:
                source.post_action(items)
            except ConnectionLost:
                raise
            except SourceError as err:
                reason = err.user_message or str(err)
                for d in rows:
                    d.post_action_state = "failed"
                    d.post_action_error = reason
                    d.post_action_attempts = (d.post_action_attempts or 0) + 1
                    d.post_action_next_at = now + self._post_action_delay(d.post_action_attempts)
                s.commit()
                log.error(
                    "%s: post-action %r failed for %d message(s), retried on a later poll: %s",
                    source.key,
                    self.config.mailbox.post_action,
                    len(rows),
                    err,
                )
                if report is not None:
                    report.post_actions_failed += len(rows)
                    report.post_action_error = reason
                return 0
            for d in rows:
                d.post_action_state = "done"
                d.post_action_error = None
                d.post_action_next_at = None
            s.commit()
            return len(rows)

    # --- extraction ---------------------------------------------------------------------

    def _workers(self) -> int:
        """Extraction processes: ``ingest.workers``, or one per core when 0; 1 means
        extraction runs in this process, with no pool."""
        n = self.config.ingest.workers
        return n if n > 0 else (os.cpu_count() or 1)

    def _new_pool(self, workers: int) -> tuple[Executor, Any]:
        """A process pool and the table its workers report what they work on in. Its
        workers and its forkserver end with this process, even when it is SIGKILLed
        (see procguard)."""
        ctx = self._mp_context()
        slots = ctx.Array("d", 3 * workers)
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(slots, os.getpid()),
        )
        return pool, slots

    def _start_forkserver(self) -> None:
        """Start the pool's forkserver now, without waiting for it: it imports the
        extraction code (about half a second) while this process fetches and stores the
        first batch, instead of while the first batch waits to be extracted."""
        if self.mp_start_method == "forkserver" and self._workers() > 1:
            from multiprocessing import forkserver

            self._mp_context()
            forkserver.ensure_running()

    def _mp_context(self) -> Any:
        ctx = multiprocessing.get_context(self.mp_start_method)
        if self.mp_start_method == "forkserver":
            # Read by the forkserver when it starts (it inherits the environment).
            os.environ[OWNER_ENV] = str(os.getpid())
            # Everything a worker runs, imported once in the forkserver and shared by every
            # worker it forks (this module and the taggers are imported lazily here, so
            # they must be named: else each worker imports them on its first message).
            ctx.set_forkserver_preload(
                [
                    "dienhinh.ingest.forkserver_guard",
                    "dienhinh.ingest.extract",
                    "dienhinh.ingest.pipeline",
                    "dienhinh.ingest.apply",
                    "dienhinh.ingest.dedupe",
                    "dienhinh.classifiers.tagging",
                ]
            )
        return ctx

    def _submit(self, jobs: list[Job], claim: Session | None = None) -> Pending:
        """Start extracting ``jobs``; the results are read, in job order, from the returned
        iterator. Small runs stay in-process (lazily, when read). Larger ones go to the
        process pool at once, so the pool works while this process fetches and stores the
        next batch. A worker that dies (a parser segfault on a hostile file, the OOM killer)
        breaks the pool: every job whose result was lost is re-run in a fresh process of
        its own, so only the guilty message is marked failed. A worker stuck past the
        extraction timeout is killed the same way, and its message failed "timeout"."""
        if len(jobs) < self.config.ingest.parallel_threshold or self._workers() == 1:
            return jobs, map(_extract_boundary, jobs), claim
        if self._pool is None:
            self._pool, self._slots = self._new_pool(self._workers())
        pool, slots = self._pool, self._slots
        futures = [pool.submit(_extract_boundary, job) for job in jobs]
        return jobs, self._results(jobs, futures, pool, slots), claim

    def _results(
        self, jobs: list[Job], futures: list[Future[Result]], pool: Executor, slots: Any
    ) -> Iterator[Result]:
        for job, fut in zip(jobs, futures, strict=True):
            try:
                yield self._wait(fut, slots)
            except (BrokenProcessPool, CancelledError):  # cancelled: a broken pool's queue
                if self._pool is pool:
                    log.error(
                        "an extraction process died; the messages it was working on "
                        "are re-run one per process"
                    )
                    self._drop_pool()
                if job[0] in self._timed_out:
                    yield self._timed_out_result(job[0])
                else:
                    yield self._isolated(job)

    def _wait(self, fut: Future[Result], slots: Any) -> Result:
        """The future's result, checking meanwhile for a worker stuck past the timeout."""
        while True:
            try:
                return fut.result(timeout=_WATCH_SECONDS)
            except TimeoutError:
                self._kill_hung(slots)

    def _hard_limit(self) -> float:
        """Seconds after which a worker's extraction is killed: the timeout, plus time for
        its own timer to stop it cleanly (which it does unless stuck in C code)."""
        seconds = self.config.ingest.extraction_timeout_seconds
        return seconds + min(10.0, max(1.0, seconds / 2))

    def _kill_hung(self, slots: Any) -> None:
        """SIGKILL every worker whose extraction outlived the hard limit; its message is
        remembered as timed out (its future then fails with BrokenProcessPool)."""
        now = time.monotonic()
        with slots.get_lock():
            rows = [
                (int(slots[3 * i]), int(slots[3 * i + 1]), slots[3 * i + 2])
                for i in range(len(slots) // 3)
            ]
        for pid, pk, started in rows:
            if not pid or not pk or not started or now - started <= self._hard_limit():
                continue
            self._timed_out.add(pk)
            log.error(
                "message pk=%s: extraction still running after %.0f s; its process %s is "
                "killed and replaced",
                pk,
                now - started,
                pid,
            )
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _timed_out_result(self, pk: int) -> Result:
        self._timed_out.discard(pk)
        return _timeout_result(
            pk,
            self.config.ingest.extraction_timeout_seconds,
            "the extraction process did not stop and was killed",
        )

    def _isolated(self, job: Job) -> Result:
        pool, slots = self._new_pool(1)
        try:
            return self._wait(pool.submit(_extract_boundary, job), slots)
        except BrokenProcessPool:
            if job[0] in self._timed_out:
                return self._timed_out_result(job[0])
            log.error("message pk=%s crashed its extraction process", job[0])
            return (
                job[0],
                "error",
                (
                    "extraction crashed its worker process (a parser fault on this message)",
                    "BrokenProcessPool: the process extracting this message ended abruptly",
                ),
            )
        finally:
            pool.shutdown(wait=True)

    def _drop_pool(self) -> None:
        """Shut a broken pool down (its claims stay: their results are still written)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            self._slots = None

    def _record(self, s: Session, pk: int, kind: str, payload: object, report: RunReport) -> None:
        """Store one result in its own savepoint; a failure to store it becomes the
        message's `failed` state."""
        msg = s.get(Message, pk)
        if msg is None or msg.status != MessageState.RECEIVED:
            return
        if kind == "ok":
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
                self._fail(
                    s,
                    msg,
                    "error",
                    (f"could not store the extraction: {err}", f"{type(err).__name__}: {err}"),
                    report,
                )
            else:
                self._count(payload, report)
            return
        self._fail(s, msg, kind, payload, report)

    def _fail(
        self, s: Session, msg: Message, kind: str, payload: object, report: RunReport
    ) -> None:
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
        if outcome.status == "failed":
            report.failed += 1

    # --- bookkeeping --------------------------------------------------------------------

    @staticmethod
    def _mailbox_state(s: Session, key: str) -> MailboxState:
        state = s.get(MailboxState, key)
        if state is None:
            state = MailboxState(key=key, uidvalidity=0, last_uid=0, consecutive_failures=0)
            s.add(state)
            s.flush()
        return state

    def _finish_state(self, key: str, report: RunReport) -> None:
        with self.sessions() as s:
            state = self._mailbox_state(s, key)
            now = utcnow()
            state.last_poll_finished_at = now
            if report.error:
                state.last_error = report.error
                state.last_error_at = now
                state.consecutive_failures += 1
            else:
                state.last_success_at = now
                state.last_error = None
                state.consecutive_failures = 0
            s.commit()

    def _record_run(self, report: RunReport, *, started: datetime | None = None) -> None:
        with self.sessions() as s:
            s.add(
                PollRun(
                    kind=report.kind,
                    mailbox=report.mailbox,
                    holder=self._lease[1] if self._lease else self.holder,
                    started_at=started or utcnow(),
                    finished_at=utcnow(),
                    status="error" if report.error else "ok",
                    fetched=report.fetched,
                    stored=report.stored,
                    processed=report.processed,
                    articles=report.articles,
                    failed=report.failed,
                    error=report.error,
                )
            )
            s.commit()
