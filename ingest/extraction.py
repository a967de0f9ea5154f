"""The extraction queue: which stored messages are extracted, where, and with what limits.

Messages in `received` are claimed (on PostgreSQL with ``SELECT ... FOR NO KEY UPDATE SKIP
LOCKED``: several workers share them and never take the same one; the claim session stays
open until the results are written), then extracted from their stored bytes, in this
process for small runs or in a process pool. A worker that dies (a parser segfault, the
OOM killer) or hangs past ``ingest.extraction_timeout_seconds`` costs only its own
message: the others are re-run one per fresh process.

``_extract_boundary`` (ingest/extraction_task.py, what one extraction runs, wherever it
runs) is the one catch-all of the extraction: whatever a parser does with one message
becomes a recorded result for that message only (see ingest/results.py, which writes it,
and ingest/pipeline.py for the guarantees).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.config import Config
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extraction_task import (
    ExtractionTimeout,
    Job,
    Result,
    _extract_boundary,
    _extract_chunk,
    _init_worker,
    _timeout_result,
)
from dienhinh.ingest.procguard import OWNER_ENV
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Message, utcnow
from dienhinh.store.states import MessageState

__all__ = ["ExtractionQueue", "ExtractionTimeout", "Job", "Pending", "Result"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)
# Submitted jobs, their results (in job order) and, on PostgreSQL, the session whose open
# transaction holds the jobs' row locks (their claim) until the results are written.
Pending = tuple[list[Job], Iterator[Result], Session | None]
# How often the reader of the pool's results looks for a worker stuck past its timeout.
_WATCH_SECONDS = 1.0
# At most this many messages per pool task (see ExtractionQueue._chunk_size).
_MAX_CHUNK = 8


class ExtractionQueue:
    """Claims waiting messages, extracts them (in this process or a pool) and hands back
    their results in claim order; owns the pool and the claim sessions until closed."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        sessions: sessionmaker[Session],
        raw_blobs: BlobStore,
        *,
        start_method: Callable[[], str],
    ) -> None:
        self.config = config
        self.engine = engine
        self.sessions = sessions
        self.raw_blobs = raw_blobs
        self._ctx = ExtractContext(blob_root=config.blob_dir, limits=config.ingest)
        # Set by a run: what completes the context (the tagging settings) is called when the
        # run first needs it, so a poll with nothing new never loads the taggers.
        self._complete_ctx: Callable[[], None] | None = None
        # How extraction processes start (read when a pool starts: Ingestor.mp_start_method).
        self.start_method = start_method
        self._pool: Executor | None = None
        self._slots: Any = None  # the pool's shared table (see _init_worker)
        self._timed_out: set[int] = set()  # messages whose worker was killed (timeout)
        self._claims: list[Session] = []  # claim sessions not yet written and closed

    @property
    def ctx(self) -> ExtractContext:
        """The context every job carries; completed at first use in a run (see
        :meth:`complete_ctx_later`)."""
        if self._complete_ctx is not None:
            complete, self._complete_ctx = self._complete_ctx, None
            complete()
        return self._ctx

    @ctx.setter
    def ctx(self, value: ExtractContext) -> None:
        self._ctx = value

    def complete_ctx_later(self, complete: Callable[[], None]) -> None:
        """Call ``complete`` (which sets :attr:`ctx`) the first time the context is read."""
        self._complete_ctx = complete

    def pending_query(self, pks: Sequence[int] | None) -> Select[int, str]:
        q = select(Message.id, Message.sha256).where(Message.status == MessageState.RECEIVED)
        if pks is not None:
            return q.where(Message.id.in_(pks)).order_by(Message.id)
        now = utcnow()
        return q.where(
            (Message.next_attempt_at.is_(None)) | (Message.next_attempt_at <= now)
        ).order_by(Message.id)

    def pending_jobs(self, pks: Sequence[int] | None) -> list[Job]:
        with self.sessions() as s:
            rows = s.execute(self.pending_query(pks)).all()
        return [(pk, str(self.raw_blobs.path(sha)), self.ctx) for pk, sha in rows]

    def claim(
        self,
        pks: Sequence[int] | None,
        *,
        limit: int | None = None,
        exclude: Collection[int] = (),
    ) -> Pending:
        """Start extracting waiting messages (``pks``, or the due ones) that no other
        worker is working on. On PostgreSQL their rows are locked (``FOR NO KEY UPDATE
        SKIP LOCKED``: other workers skip them; foreign keys to them stay usable) in a
        session kept open until Ingestor._drain has written their results; SQLite has one
        worker, so nothing needs claiming there."""
        if pks is not None and not pks:
            return [], iter(()), None
        q = self.pending_query(pks)
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
        return self.submit(jobs, claim)

    @staticmethod
    def relock(session: Session, pks: Sequence[int]) -> None:
        session.execute(
            select(Message.id)
            .where(Message.id.in_(pks))
            .with_for_update(skip_locked=True, key_share=True)
        ).all()

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

    def release(self, claim: Session | None) -> None:
        """Forget a claim whose results are written (its session is closed by the writer)."""
        if claim is not None and claim in self._claims:
            self._claims.remove(claim)

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

    def start_forkserver(self) -> None:
        """Start the pool's forkserver now, without waiting for it: it imports the
        extraction code (about half a second) while the poll fetches and stores the first
        batch, instead of while the first batch waits to be extracted."""
        if self.start_method() == "forkserver" and self._workers() > 1:
            from multiprocessing import forkserver

            self._mp_context()
            forkserver.ensure_running()

    def _mp_context(self) -> Any:
        method = self.start_method()
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            from dienhinh.ingest.forkserver_warm import WARM_ENV, encode_settings

            # Read by the forkserver when it starts (it inherits the environment).
            os.environ[OWNER_ENV] = str(os.getpid())
            tagging = self.config.tagging
            os.environ[WARM_ENV] = encode_settings(tagging) if tagging is not None else ""
            # Everything a worker runs, imported once in the forkserver and shared by every
            # worker it forks (the taggers and dedupe are imported lazily in this module,
            # so they must be named: else each worker imports them on its first message);
            # last, forkserver_warm builds what the extraction and the taggers build on
            # first use, once for every worker.
            ctx.set_forkserver_preload(
                [
                    "dienhinh.ingest.forkserver_guard",
                    "dienhinh.ingest.extract",
                    "dienhinh.ingest.extraction_task",
                    "dienhinh.ingest.similarity",
                    "dienhinh.classifiers.tagging",
                    "dienhinh.ingest.forkserver_warm",
                ]
            )
        return ctx

    def submit(self, jobs: list[Job], claim: Session | None = None) -> Pending:
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
        chunks = _chunked(jobs, self._chunk_size(len(jobs)))
        futures = [
            pool.submit(_extract_chunk, (chunk[0][2], [(pk, path) for pk, path, _c in chunk]))
            for chunk in chunks
        ]
        return jobs, self._results(chunks, futures, pool, slots), claim

    def _chunk_size(self, jobs: int) -> int:
        """Messages per pool task: several, so that the context and the round trip between
        processes are paid once per task, but few enough that each worker gets about four
        tasks of the batch (the last tasks then end close together)."""
        return max(1, min(_MAX_CHUNK, jobs // (4 * self._workers())))

    def _results(
        self,
        chunks: list[list[Job]],
        futures: list[Future[list[Result]]],
        pool: Executor,
        slots: Any,
    ) -> Iterator[Result]:
        for chunk, fut in zip(chunks, futures, strict=True):
            try:
                results = self._wait(fut, slots)
            except (BrokenProcessPool, CancelledError):  # cancelled: a broken pool's queue
                if self._pool is pool:
                    log.error(
                        "an extraction process died; the messages it was working on "
                        "are re-run one per process"
                    )
                    self._drop_pool()
                # The task's results are lost with its process: each of its messages is
                # re-run alone, so only the guilty one fails.
                for job in chunk:
                    if job[0] in self._timed_out:
                        yield self._timed_out_result(job[0])
                    else:
                        yield self._isolated(job)
                continue
            yield from results

    def _wait(self, fut: Future[Any], slots: Any) -> Any:
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


def _chunked(jobs: list[Job], size: int) -> list[list[Job]]:
    """``jobs`` cut into runs of ``size``, each run's jobs sharing one context object
    (a run is cut where the context changes: it is sent once per task)."""
    chunks: list[list[Job]] = []
    for job in jobs:
        if chunks and len(chunks[-1]) < size and chunks[-1][0][2] is job[2]:
            chunks[-1].append(job)
        else:
            chunks.append([job])
    return chunks
