"""The running worker: the scheduler, the optional IDLE thread, signals and shutdown.

Stopping is cooperative. SIGTERM or SIGINT sets one event; a poll or extraction run sees
it after the message it is on (what is extracted is committed, the rest stays
`received`), releases its mailbox lease and returns; the scheduler then shuts down,
waiting for the jobs still running, and the process exits 0. Nothing is lost: raw bytes
are committed before any processing, and the next start resumes from there.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from dienhinh.core.config import Config
from dienhinh.store.db import is_sqlite
from dienhinh.store.lease import holder_id
from dienhinh.worker import jobs
from dienhinh.worker.guard import single_worker
from dienhinh.worker.idle import IdleWatcher
from dienhinh.worker.jobs import JobContext, JobRunner, JobSpec
from dienhinh.worker.scheduler import Features, build_scheduler, features, job_options, job_specs
from dienhinh.worker.settings import WorkerConfig
from dienhinh.worker.settings import load as load_settings

__all__ = ["Worker"]

log = logging.getLogger(__name__)


class Worker:
    """``start()``/``shutdown()`` for tests and embedding; ``run()`` for the command."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        settings: WorkerConfig | None = None,
        feats: Features | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self.engine = engine
        self.settings = settings or load_settings(config)
        self.tz = ZoneInfo(config.timezone)
        self.holder = holder_id()
        self.stop = threading.Event()
        self.ctx = JobContext(
            config=config,
            settings=self.settings,
            engine=engine,
            holder=self.holder,
            stop=self.stop,
            clock=clock or (lambda: datetime.now(UTC)),
        )
        self.runner = JobRunner(self.ctx)
        # APScheduler announces every job it adds and runs at INFO; the runner logs each
        # run with its outcome, so only APScheduler's warnings (a skipped run) are kept.
        logging.getLogger("apscheduler").setLevel(
            max(logging.WARNING, logging.getLogger().getEffectiveLevel())
        )
        self.specs = job_specs(self.settings, feats or features(config), self.tz)
        self.scheduler: BaseScheduler = build_scheduler(
            self.specs, self.runner, self.settings, self.tz, serial=is_sqlite(engine)
        )
        self.idle: IdleWatcher | None = None
        self._resources = ExitStack()
        self._signal: int | None = None

    # --- life cycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Take the SQLite worker lock (WorkerAlreadyRunning if another worker has it),
        start the scheduler and, if configured, IDLE."""
        self._resources.enter_context(single_worker(self.engine))
        try:
            self.scheduler.start()
            if self.settings.idle:
                self._start_idle()
        except BaseException:
            self._resources.close()
            raise
        log.info(
            "worker %s started: %s",
            self.holder,
            ", ".join(
                f"{j.id} next {j.next_run_time:%Y-%m-%d %H:%M %z}"
                for j in self.scheduler.get_jobs()
            ),
            extra={"holder": self.holder},
        )

    def _start_idle(self) -> None:
        mailbox = self.config.mailbox
        if not mailbox.url.is_imap:
            log.warning(
                "worker.idle is on but the mailbox is not IMAP (%s): no IDLE", mailbox.url.key
            )
            return
        watchdog = self.settings.watchdog_seconds(mailbox.timeout_seconds)
        self.idle = IdleWatcher(
            mailbox,
            self.request_poll,
            refresh_seconds=self.settings.idle_refresh_seconds,
            watchdog_seconds=watchdog,
            reconnect_max_seconds=self.settings.idle_reconnect_max_seconds,
        )
        self.idle.start()
        self.scheduler.add_job(
            self.idle.check,
            IntervalTrigger(seconds=max(1.0, min(60.0, watchdog / 4)), timezone=self.tz),
            id="idle-watchdog",
            name="dienhinh IDLE watchdog",
            executor="housekeeping",
            **job_options(self.settings),
        )

    def request_poll(self) -> None:
        """A poll as soon as possible (IDLE saw new mail). Through the scheduler, and the
        poll waits for any poll of this process to end, so polls never overlap; two may
        be queued (one running, one waiting), and further requests fold into the waiting
        one, which will see their mail."""
        if self.stop.is_set():
            return
        spec = JobSpec("poll", jobs.poll_now, DateTrigger(timezone=self.tz), record="never")
        options = job_options(self.settings) | {"max_instances": 2}
        self.scheduler.add_job(
            self.runner,
            trigger=spec.trigger,
            args=[spec],
            id="poll-now",
            name="dienhinh poll (new mail)",
            replace_existing=True,
            **options,
        )

    def shutdown(self) -> None:
        """Stop everything; returns when running jobs have ended (after their current
        message) and the SQLite worker lock is released."""
        self.stop.set()
        if self.idle is not None:
            self.idle.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._resources.close()
        log.info("worker %s stopped", self.holder)

    # --- the command ----------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # Only a flag: the main loop below does the rest outside the signal handler.
        self._signal = signum

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; exit code 0 after a clean stop."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.start()
            while self._signal is None:
                time.sleep(0.2)
            log.info(
                "worker %s: %s received; finishing the current message and stopping",
                self.holder,
                signal.Signals(self._signal).name,
            )
            self.shutdown()
            return 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
