"""The worker's jobs, and the one place that runs them (:class:`JobRunner`).

A job is a plain function of a :class:`JobContext` returning a :class:`JobResult`; it only
wires the packages below (ingest, publish, notify, classifiers). The runner decides
whether it runs at all (a stop request; a cluster-wide lease for jobs one worker should
do; "already done for this occurrence" for daily and weekly jobs), records the run as a
``PollRun`` row that ``dienhinh status`` and the console read, and is the catch boundary
of the worker: a job that raises is recorded as an error and the scheduler goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.config import Config
from dienhinh.core.errors import LeaseHeld
from dienhinh.ingest.pipeline import Ingestor, RunReport
from dienhinh.store.lease import release, try_acquire
from dienhinh.store.models import Article, Message, PollRun
from dienhinh.store.states import ArticleState, MessageState, RunState, transition
from dienhinh.worker.settings import WorkerConfig

__all__ = [
    "JobContext",
    "JobResult",
    "JobRunner",
    "JobSpec",
    "daily",
    "digest",
    "health",
    "poll",
    "poll_now",
    "previous_fire",
    "process",
    "publish",
    "remind",
    "reprocess",
    "retrain",
]

log = logging.getLogger(__name__)

# How far back previous_fire looks for the last scheduled occurrence (weekly jobs + 1 day).
_LOOKBACK = timedelta(days=8)
# A run that started this little before an occurrence still counts for it (clocks of
# different hosts differ by a little).
_CLOCK_TOLERANCE = timedelta(minutes=2)
# While another worker polls, the processing job looks for its stored messages this often.
_SHARE_PAUSE = 0.5


@dataclass
class JobResult:
    """What one job run did. ``note`` is the error, or why the run was skipped."""

    status: str = RunState.OK  # OK | SKIPPED | ERROR
    fetched: int = 0
    stored: int = 0
    processed: int = 0
    articles: int = 0
    failed: int = 0
    note: str | None = None

    @property
    def busy(self) -> bool:
        """Did something worth a row in the run history (work done, or a failure)?"""
        return self.status == RunState.ERROR or any(
            (self.fetched, self.stored, self.processed, self.articles, self.failed)
        )

    def add(self, report: RunReport) -> None:
        self.fetched += report.fetched
        self.stored += report.stored
        self.processed += report.processed
        self.articles += report.articles
        self.failed += report.failed
        if report.error:
            self.status, self.note = RunState.ERROR, report.error
        elif report.post_actions_failed and self.note is None:
            # The poll itself went through; the server refused marking/moving the mail
            # (retried by later polls, listed by `dienhinh status`).
            self.note = (
                f"post-action failed for {report.post_actions_failed} message(s): "
                f"{report.post_action_error}"
            )


@dataclass
class JobContext:
    """What every job gets: the configuration, the database, who this worker is, the
    stop request and the clock (tests pass a fixed one)."""

    config: Config
    settings: WorkerConfig
    engine: Engine
    holder: str
    stop: threading.Event = field(default_factory=threading.Event)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Polls of this process never overlap (the scheduled one, the one IDLE asks for, the
    # daily run's); across processes and hosts the mailbox lease does the same.
    mail_lock: threading.Lock = field(default_factory=threading.Lock)
    # Alert mails this process has handed to notify today: (key, local date).
    alerted: set[tuple[str, str]] = field(default_factory=set)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone)

    def now(self) -> datetime:
        return self.clock()

    def ingestor(self) -> Ingestor:
        return Ingestor(self.config, self.engine, stop=self.stop, holder=self.holder)


Job = Callable[[JobContext], JobResult]


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job.

    ``exclusive``: one worker of the cluster at a time (a lease ``job:<kind>``; another
    worker skips it). ``once_per_fire``: done once per scheduled occurrence by the whole
    cluster (the daily run at 02:30 fires on every worker; the first does it, the others
    find its row and skip), which also lets a worker started late catch up on a missed
    occurrence. ``record``: "always", "busy" (only runs that did something or failed: a
    minutely job would bury the history otherwise) or "never" (the job records itself).
    """

    kind: str
    func: Job
    trigger: BaseTrigger
    exclusive: bool = False
    once_per_fire: bool = False
    record: str = "always"
    run_at_start: bool = False


def previous_fire(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The last time ``trigger`` fired at or before ``now`` (within 8 days)."""
    prev = None
    t = trigger.get_next_fire_time(None, now - _LOOKBACK)
    while t is not None and t <= now:
        prev = t
        t = trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
    return prev


class JobRunner:
    """Runs one :class:`JobSpec` when the scheduler calls it (the scheduler's callable)."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def __call__(self, spec: JobSpec) -> JobResult | None:
        """Run ``spec`` unless stopping; None when it did not run at all."""
        ctx = self.ctx
        if ctx.stop.is_set():
            return None
        if not spec.exclusive:
            return self._run(spec)
        name = f"job:{spec.kind}"
        try:
            got = try_acquire(ctx.sessions, name, ctx.holder, ctx.settings.job_lease_seconds)
        except SQLAlchemyError as err:
            log.error("job %s: database unavailable: %s", spec.kind, err)
            return None
        if not got:
            log.info("job %s: another worker is running it; skipped", spec.kind)
            return None
        try:
            return self._run(spec)
        finally:
            try:
                release(ctx.sessions, name, ctx.holder)
            except SQLAlchemyError as err:  # it expires by itself
                log.warning("job %s: lease not released (%s); it expires", spec.kind, err)

    def _done_already(self, spec: JobSpec, now: datetime) -> bool:
        occurrence = previous_fire(spec.trigger, now)
        if occurrence is None:
            return False
        with self.ctx.sessions() as s:
            row = s.execute(
                select(PollRun.id)
                .where(
                    PollRun.kind == spec.kind,
                    PollRun.started_at >= occurrence - _CLOCK_TOLERANCE,
                    PollRun.status.in_((RunState.OK, RunState.RUNNING, RunState.SKIPPED)),
                )
                .limit(1)
            ).first()
        return row is not None

    def _run(self, spec: JobSpec) -> JobResult | None:
        ctx = self.ctx
        started = ctx.now()
        run_id: int | None = None
        try:
            if spec.once_per_fire and self._done_already(spec, started):
                log.info("job %s: already done for this occurrence; skipped", spec.kind)
                return None
            if spec.record == "always":
                run_id = self._start_row(spec, started)
        except SQLAlchemyError as err:
            log.error("job %s: database unavailable: %s", spec.kind, err)
            return None
        log.debug("job %s started", spec.kind, extra={"job": spec.kind, "holder": ctx.holder})
        try:
            result = spec.func(ctx)
        except Exception as err:  # the worker's catch boundary (module docstring)
            log.exception("job %s failed", spec.kind, extra={"job": spec.kind})
            result = JobResult(status=RunState.ERROR, note=f"{type(err).__name__}: {err}")
        finished = ctx.now()
        if spec.record == "always" or (spec.record == "busy" and result.busy):
            try:
                self._finish_row(spec, run_id, started, finished, result)
            except SQLAlchemyError as err:
                log.error("job %s: could not record the run: %s", spec.kind, err)
        # A minutely job that found nothing to do is not worth a line at INFO.
        quiet = spec.record != "always" and not result.busy and result.status == RunState.OK
        level = (
            logging.WARNING
            if result.status == RunState.ERROR
            else (logging.DEBUG if quiet else logging.INFO)
        )
        log.log(
            level,
            "job %s %s in %.1f s%s",
            spec.kind,
            result.status,
            (finished - started).total_seconds(),
            f": {result.note}" if result.note else "",
            extra={
                "job": spec.kind,
                "status": result.status,
                "fetched": result.fetched,
                "processed": result.processed,
                "articles": result.articles,
                "failed": result.failed,
                "seconds": round((finished - started).total_seconds(), 3),
            },
        )
        return result

    def _start_row(self, spec: JobSpec, started: datetime) -> int:
        with self.ctx.sessions() as s:
            row = PollRun(
                kind=spec.kind,
                holder=self.ctx.holder,
                started_at=started,
                status=RunState.RUNNING,
            )
            s.add(row)
            s.commit()
            return int(row.id)

    def _finish_row(
        self,
        spec: JobSpec,
        run_id: int | None,
        started: datetime,
        finished: datetime,
        result: JobResult,
    ) -> None:
        with self.ctx.sessions() as s:
            row = s.get(PollRun, run_id) if run_id is not None else None
            if row is None:
                row = PollRun(
                    kind=spec.kind,
                    holder=self.ctx.holder,
                    started_at=started,
                    status=RunState.RUNNING,
                )
                s.add(row)
            row.finished_at = finished
            transition(s, row, result.status, actor=self.ctx.holder, audit=False)
            row.fetched, row.stored = result.fetched, result.stored
            row.processed, row.articles, row.failed = (
                result.processed,
                result.articles,
                result.failed,
            )
            row.error = result.note
            s.commit()


# --- the jobs ------------------------------------------------------------------------------


def _acquire(lock: threading.Lock, stop: threading.Event) -> bool:
    """Wait for ``lock``, giving up when a stop is requested."""
    while not stop.is_set():
        if lock.acquire(timeout=0.5):
            return True
    return False


def _poll_once(ctx: JobContext) -> JobResult:
    from dienhinh.worker.app import make_source

    result = JobResult()
    try:
        report = ctx.ingestor().poll(make_source(ctx.config))
    except LeaseHeld as err:
        log.info("poll skipped: %s", err)
        return JobResult(status=RunState.SKIPPED, note=str(err))
    result.add(report)
    return result


def poll(ctx: JobContext) -> JobResult:
    """The scheduled poll. Skipped when this process is already polling (the IDLE-asked
    or daily poll has just fetched everything); the Ingestor records the run itself."""
    if not ctx.mail_lock.acquire(blocking=False):
        return JobResult(status=RunState.SKIPPED, note="a poll is already running in this worker")
    try:
        return _poll_once(ctx)
    finally:
        ctx.mail_lock.release()


def poll_now(ctx: JobContext) -> JobResult:
    """A poll asked for by IDLE (new mail): waits for a running poll to end, then polls,
    so mail that arrived during that poll is fetched too."""
    if not _acquire(ctx.mail_lock, ctx.stop):
        return JobResult(status=RunState.SKIPPED, note="stopping")
    try:
        return _poll_once(ctx)
    finally:
        ctx.mail_lock.release()


def _retry_candidates(ctx: JobContext) -> list[int]:
    """Messages that ended `failed` after using up their transient retries (the database
    or disk was away for hours): one more round of retries each day. Messages whose
    articles editors already worked on are left alone, as `reprocess --failed` does."""
    with ctx.sessions() as s:
        ids = set(
            s.execute(
                select(Message.id).where(
                    Message.status == MessageState.FAILED,
                    Message.attempts >= ctx.config.ingest.max_attempts,
                )
            ).scalars()
        )
        if not ids:
            return []
        touched = set(
            s.execute(
                select(Article.message_pk).where(
                    Article.message_pk.in_(ids),
                    (Article.version > 1)
                    | Article.status.in_(
                        [ArticleState.APPROVED, ArticleState.PUBLISHED, ArticleState.REJECTED]
                    ),
                )
            ).scalars()
        )
    return sorted(ids - touched)


def daily(ctx: JobContext) -> JobResult:
    """The daily full run: a poll, the messages waiting for a retry, one more chance for
    those that failed after all their transient retries, and the slow lane (conversions
    and OCR) within its budget."""
    result = JobResult()
    if not _acquire(ctx.mail_lock, ctx.stop):
        return JobResult(status=RunState.SKIPPED, note="stopping")
    try:
        polled = _poll_once(ctx)
    finally:
        ctx.mail_lock.release()
    for name in ("fetched", "stored", "processed", "articles", "failed"):
        setattr(result, name, getattr(polled, name))
    if polled.status == RunState.ERROR:
        result.status, result.note = RunState.ERROR, f"poll: {polled.note}"
    if ctx.stop.is_set():
        return result
    ing = ctx.ingestor()
    retry = _retry_candidates(ctx)
    if retry:
        log.info(
            "daily run: %d message(s) failed after their retries get another round", len(retry)
        )
        result.add(ing.reprocess(retry))  # records its own "reprocess" run, slow lane included
        return result
    report = RunReport(kind="daily")
    try:
        ing.process_pending(report=report)
        if not ctx.stop.is_set():
            ing.slow_lane(report)
    finally:
        ing.close()
    result.add(report)
    return result


def process(ctx: JobContext) -> JobResult:
    """Extraction shared between workers (PostgreSQL): claim waiting messages (retries
    due, what an interrupted poll left, what another worker's poll has stored and not yet
    claimed) in batches and process them. While another worker polls (its lease is live:
    a big first ingest, a morning's backlog), keep taking its stored messages until the
    poll ends, so that the extraction is shared rather than waiting for the next run."""
    from dienhinh.store.lease import live

    ing = ctx.ingestor()
    try:
        report = ing.process_pending()
        while not ctx.stop.is_set():
            before = report.processed + report.failed
            polling = live(ctx.sessions, "poll:")  # read before the claim
            ing.process_pending(report=report)
            if report.processed + report.failed == before:
                if not polling:
                    break
                ctx.stop.wait(_SHARE_PAUSE)
    finally:
        ing.close()
    result = JobResult()
    result.add(report)
    return result


def reprocess(ctx: JobContext) -> JobResult:
    """The re-runs editors asked for in the console ("Chạy lại", ingest/requested.py): the
    web process only queues them. Not while this worker polls (the next run takes them);
    the Ingestor records its own "reprocess" run."""
    from dienhinh.ingest.requested import run_requested

    if not ctx.mail_lock.acquire(blocking=False):
        return JobResult(status=RunState.SKIPPED, note="a poll is running in this worker")
    try:
        report = run_requested(ctx.ingestor(), ctx.holder)
    finally:
        ctx.mail_lock.release()
    result = JobResult()
    if report is not None:
        result.add(report)
    return result


def publish(ctx: JobContext) -> JobResult:
    from dienhinh.publish.queue import run_queue

    report = run_queue(ctx.engine, ctx.config, now=ctx.now(), holder=ctx.holder)
    result = JobResult(
        processed=len(report.outcomes), articles=len(report.published), failed=len(report.failed)
    )
    if report.failed:
        result.status = RunState.ERROR
        result.note = "; ".join(
            f"article {o.article_id} on {o.target}: {o.error}" for o in report.failed[:3]
        )
    return result


def retrain(ctx: JobContext) -> JobResult:
    from dienhinh.learning.editors import NotEnoughConfirmed
    from dienhinh.learning.editors import retrain as do_retrain

    assert ctx.config.tagging is not None
    with ctx.sessions() as s:
        try:
            report = do_retrain(s, ctx.config.tagging.model_file)
        except NotEnoughConfirmed as err:
            return JobResult(status=RunState.SKIPPED, note=str(err))
    return JobResult(note=str(report))


def _notify(func_name: str) -> Job:
    def job(ctx: JobContext) -> JobResult:
        import dienhinh.notify.jobs as notify_jobs

        func: Callable[..., Any] = getattr(notify_jobs, func_name)
        done = func(ctx.engine, ctx.config, now=ctx.now())
        return JobResult(processed=int(done))

    job.__name__ = func_name
    job.__doc__ = f"dienhinh.notify.jobs.{func_name}"
    return job


acknowledge = _notify("acknowledge_new")
remind = _notify("remind_units")
digest = _notify("send_digest")


def health(ctx: JobContext) -> JobResult:
    """Log every alert as a WARNING and mail each to the admins at most once per day
    (notify keeps the key; this process also remembers what it already handed over)."""
    from dienhinh.review.health import alerts

    now = ctx.now()
    with ctx.sessions() as s:
        found = alerts(s, ctx.config, now)
    day = now.astimezone(ctx.tz).date().isoformat()
    mailed = 0
    for alert in found:
        log.warning("ALERT %s", alert.summary, extra={"alert": alert.key})
        if (alert.key, day) in ctx.alerted or not _alert_mail_enabled(ctx.config):
            continue
        from dienhinh.notify.jobs import send_alert

        technical = f"\n\nChi tiết kỹ thuật: {alert.technical}" if alert.technical else ""
        body = f"{alert.detail}{technical}\n\n(dienhinh, {ctx.holder})"
        if send_alert(
            ctx.engine,
            ctx.config,
            key=f"{alert.key}:{day}",
            subject=alert.title,  # notify adds "[dienhinh] "
            body=body,
            now=now,
        ):
            mailed += 1
            ctx.alerted.add((alert.key, day))  # not on False: notify retries a failed send
    return JobResult(
        processed=len(found), note=f"{len(found)} alert(s), {mailed} mailed" if found else None
    )


def _alert_mail_enabled(config: Config) -> bool:
    from dienhinh.notify.config import load

    return bool(load(config).alert.enabled)
