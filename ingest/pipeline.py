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

``_extract_boundary`` (ingest/extraction.py) is the one catch-all of the ingest: one
message's failure is recorded on that message (by the result writer, ingest/results.py)
and never stops the rest of the mailbox.

The :class:`Ingestor` is a façade over one module per job, in the order a poll uses them:
ingest/run.py (the run itself, with no ORM: the poll's lease, UIDVALIDITY, the quick check
that ends a poll with nothing to do right after SELECT, the run's record),
ingest/mailbox.py (steps 1 and 3: batches, raw storage, post-actions), ingest/extraction.py
(step 2: claims, the process pool, timeouts) and ingest/results.py (writes, failures,
counts). ``sync`` below is what a run with something to do does while its source is open.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from dienhinh.core.config import Config
from dienhinh.core.errors import SourceError
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extraction import ExtractionQueue, Pending
from dienhinh.ingest.mailbox import MailboxSync
from dienhinh.ingest.results import Drain, ResultWriter
from dienhinh.ingest.run import MailboxRun, RunReport
from dienhinh.ingest.sources.base import MailSource
from dienhinh.store.blobs import BlobStore
from dienhinh.store.dbapi import Db, on_engine
from dienhinh.store.models import Message, SenderAddress
from dienhinh.store.states import MessageState

__all__ = ["Ingestor", "RunReport"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)

# Waiting messages are claimed this many at a time by process_pending.
_CLAIM_BATCH = 32


class Ingestor:
    """Runs polls, imports and reprocessing against one database and blob store.

    A façade over the jobs of the ingest: :class:`MailboxRun` (a poll or import as a
    whole, and its record), :class:`MailboxSync` (the mailbox), :class:`ExtractionQueue`
    (claims and extraction) and :class:`ResultWriter` (writes); ``sync`` below is the order
    in which a run with something to do calls them. The Ingestor is the run's ``Work``.
    """

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
        self.progress = progress or (lambda phase, done, total: None)
        # Set (by the worker, on SIGTERM) to end the run after the current message.
        self.stop = stop or threading.Event()
        # Who runs this (the worker's id), recorded on runs that hold no lease.
        self.holder = holder
        self.mailbox = MailboxSync(config, self.sessions, self.raw_blobs)
        self.queue = ExtractionQueue(
            config, engine, self.sessions, self.raw_blobs, start_method=self._start_method
        )
        self.writer = ResultWriter(config, self.sessions)
        self.runs = MailboxRun(config, self.connect, self.as_work, holder=holder)

    def connect(self) -> AbstractContextManager[Db]:
        """A connection for the run's bookkeeping (ingest/run.py, store/quick.py)."""
        return on_engine(self.engine)

    def as_work(self) -> Ingestor:
        """This Ingestor as the work of a run that has some (ingest/run.py): its tagging
        settings are read when the first extraction needs them."""
        self.queue.complete_ctx_later(self._refresh_tagging)
        return self

    def _start_method(self) -> str:
        return self.mp_start_method

    @property
    def ctx(self) -> ExtractContext:
        """The extraction context (limits, tagging settings) the queue hands each job."""
        return self.queue.ctx

    @ctx.setter
    def ctx(self, value: ExtractContext) -> None:
        self.queue.ctx = value

    # --- public entry points ------------------------------------------------------------

    def poll(self, source: MailSource) -> RunReport:
        """One pass over a mailbox folder, under its lease. Raises LeaseHeld at once if
        another poll holds it; source failures are recorded, not raised."""
        return self.runs.poll(source)

    def import_from(self, source: MailSource) -> RunReport:
        return self.runs.import_from(source)

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
            self._drain(self.queue.submit(self.queue.pending_jobs(pks)), report, source)
            return report
        seen: set[int] = set()  # each message at most once per call, whatever happens
        while not self.stopping() and (limit is None or len(seen) < limit):
            size = _CLAIM_BATCH if limit is None else min(_CLAIM_BATCH, limit - len(seen))
            pending = self.queue.claim(None, limit=size, exclude=seen)
            if not pending[0]:
                break
            seen.update(pk for pk, _path, _ctx in pending[0])
            self._drain(pending, report, source)
        return report

    def stopping(self) -> bool:
        return self.stop.is_set()

    def _drain(self, pending: Pending, report: RunReport, source: MailSource | None) -> None:
        """Write the results of a claimed batch as they come (ingest/results.py, Drain);
        a poll runs its post-actions after each committed group."""

        def post_actions() -> None:
            if source is not None:
                report.post_actions += self.mailbox.post_actions(source, report)

        Drain(
            pending,
            writer=self.writer,
            queue=self.queue,
            sessions=self.sessions,
            progress=lambda phase, done, total: self.progress(phase, done, total),
            stopping=self.stopping,
            between_groups=post_actions,
            abandon=lambda: self.close(wait=False),
        ).run(report)

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
            self.runs.record(report, holder=self.holder)

    def slow_lane(self, report: RunReport) -> None:
        """Conversions and OCR, after the fast path (see ingest/slowlane.py)."""
        from dienhinh.ingest.slowlane import run_slow_lane

        self.close()  # give the cores back before LibreOffice/Tesseract start
        slow = run_slow_lane(
            self.sessions,
            lambda: self.ctx,  # read only when something waits (see ExtractionQueue.ctx)
            budget_seconds=self.config.ingest.slow_lane_budget_seconds,
        )
        report.converted += slow.converted
        report.ocred += slow.ocred
        report.failed += slow.failed
        report.waiting = slow.waiting

    def close(self, *, wait: bool = True) -> None:
        """Shut the extraction pool down and roll back claims never written (their
        messages stay `received`)."""
        self.queue.close(wait=wait)

    # --- the run ------------------------------------------------------------------------

    def _refresh_tagging(self) -> None:
        """Put the current tagging settings, with the addresses editors have attributed,
        into the extraction context (read once per run: one small query)."""
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
        self.ctx = dataclasses.replace(self.ctx, tagging=dataclasses.replace(t, learned=learned))

    def sync(
        self,
        source: MailSource,
        uidvalidity: int,
        report: RunReport,
        *,
        post_action: bool,
        lease: tuple[str, str] | None,
    ) -> None:
        """The mailbox's part of a run (``Work.sync``): due post-actions, the listing, then
        fetch, store and extract batch by batch, then due retries; a poll's ``lease`` is
        renewed batch by batch."""
        with self.mailbox.holding(lease):
            self._sync(source, uidvalidity, report, post_action=post_action)

    def _sync(
        self, source: MailSource, uidvalidity: int, report: RunReport, *, post_action: bool
    ) -> None:
        kind = report.kind
        report.post_actions += self.mailbox.post_actions(source, report)
        known = self.mailbox.known_locations(source) if not source.supports_uids else ()
        with self.sessions() as s:
            last_uid = self.mailbox.state(s, source.key).last_uid
        items = source.list_new(last_uid, known)
        total = len(items)
        log.info("%s %s: %d new message(s)", kind, source.key, total)
        if total >= self.config.ingest.parallel_threshold:
            self.queue.start_forkserver()
        # Extraction of one batch overlaps the fetching and storing of the next:
        # the pool works on batch N while this process fetches N+1, then this
        # process writes N's results while the pool works on N+1.
        waiting: list[Pending] = []
        # On PostgreSQL other workers may share the extraction (see below).
        shared = self.engine.dialect.name != "sqlite"
        for batch in self.mailbox.batches(items):
            if self.stopping():
                log.info("%s %s: stop requested; the rest is fetched next time", kind, source.key)
                break
            self.mailbox.renew_lease()
            try:
                pks = self.mailbox.fetch_and_store(source, batch, uidvalidity, post_action, report)
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
            current = [self.queue.claim(pks[:half])]
            for pending in waiting:
                self._drain(pending, report, source)
            if waiting:
                report.post_actions += self.mailbox.post_actions(source, report)
            if pks[half:]:
                current.append(self.queue.claim(pks[half:]))
            waiting = current
        for pending in waiting:
            self._drain(pending, report, source)
        if waiting:
            report.post_actions += self.mailbox.post_actions(source, report)
        if not self.stopping():
            # retries of earlier transient failures whose time has come
            self.process_pending(report=report, source=source)
            report.post_actions += self.mailbox.post_actions(source, report)
