"""Which jobs the worker schedules, and when: one table, computed from the configuration.

:func:`job_specs` is pure (configuration in, specs out), so tests check every trigger's
next fire times in Asia/Ho_Chi_Minh with a fixed ``now`` and no waiting;
:func:`build_scheduler` turns the specs into an APScheduler 3 scheduler where every job
has ``max_instances=1`` (a job never overlaps itself), ``coalesce=True`` (runs missed
while the worker was busy or suspended collapse into one) and the configured
``misfire_grace_time``. A feature that is off in the configuration has no job at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import undefined

from dienhinh.core.config import Config
from dienhinh.core.errors import ConfigError
from dienhinh.store.db import is_sqlite
from dienhinh.worker import jobs
from dienhinh.worker.jobs import JobSpec
from dienhinh.worker.settings import WorkerConfig

__all__ = ["Features", "build_scheduler", "features", "job_options", "job_specs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Features:
    """What the configuration turns on, besides polling and the daily run."""

    shared_processing: bool = False  # PostgreSQL: several workers claim waiting messages
    publish: bool = False
    retrain: bool = False  # scikit-learn is installed
    ack: bool = False
    remind: bool = False
    digest: bool = False
    digest_at: tuple[int, int] = (7, 30)


def features(config: Config) -> Features:
    """Read the other packages' sections (each through its own loader, so a bad value
    stops the worker at start-up with that package's one-line error)."""
    from dienhinh.classifiers.model import HAVE_SKLEARN
    from dienhinh.notify.config import load as load_notify
    from dienhinh.publish.config import load as load_publish

    notify = load_notify(config)
    return Features(
        shared_processing=not is_sqlite(config.database.url),
        publish=bool(load_publish(config).targets),
        retrain=HAVE_SKLEARN and config.tagging is not None,
        ack=notify.ack.enabled,
        remind=notify.remind.enabled,
        digest=notify.digest.enabled,
        digest_at=(notify.digest.time.hour, notify.digest.time.minute),
    )


def job_specs(settings: WorkerConfig, feats: Features, tz: ZoneInfo) -> list[JobSpec]:
    """The worker's jobs. Interval jobs run at start too; daily and weekly ones catch up
    at start on an occurrence the cluster missed (see JobSpec.once_per_fire)."""

    def every(minutes: int) -> IntervalTrigger:
        return IntervalTrigger(minutes=minutes, timezone=tz)

    def at(hour: int, minute: int, day_of_week: str | None = None) -> CronTrigger:
        return CronTrigger(day_of_week=day_of_week, hour=hour, minute=minute, timezone=tz)

    specs = [
        # Records its own run (the Ingestor's PollRun row, as `dienhinh poll` does).
        JobSpec("poll", jobs.poll, every(settings.poll_minutes), record="never", run_at_start=True),
        JobSpec(
            "daily",
            jobs.daily,
            at(settings.daily_at.hour, settings.daily_at.minute),
            exclusive=True,
            once_per_fire=True,
            run_at_start=True,
        ),
    ]
    # The console's "Chạy lại" requests, on every database (records its own run, as the
    # Ingestor's "reprocess" row); every poll_minutes when process_minutes is 0.
    specs.append(
        JobSpec(
            "reprocess",
            jobs.reprocess,
            every(settings.process_minutes or settings.poll_minutes),
            record="never",
            run_at_start=True,
        )
    )
    if feats.shared_processing and settings.process_minutes:
        specs.append(
            JobSpec(
                "process",
                jobs.process,
                every(settings.process_minutes),
                record="busy",
                run_at_start=True,
            )
        )
    if feats.publish and settings.publish_minutes:
        specs.append(
            JobSpec(
                "publish",
                jobs.publish,
                every(settings.publish_minutes),
                record="busy",
                run_at_start=True,
            )
        )
    if feats.retrain and settings.retrain != "off":
        day = settings.retrain_day if settings.retrain == "weekly" else None
        specs.append(
            JobSpec(
                "retrain",
                jobs.retrain,
                at(settings.retrain_at.hour, settings.retrain_at.minute, day),
                exclusive=True,
                once_per_fire=True,
                run_at_start=True,
            )
        )
    if feats.ack and settings.acknowledge_minutes:
        specs.append(
            JobSpec(
                "ack",
                jobs.acknowledge,
                every(settings.acknowledge_minutes),
                exclusive=True,
                record="busy",
                run_at_start=True,
            )
        )
    if feats.remind:
        specs.append(
            JobSpec(
                "remind",
                jobs.remind,
                at(settings.remind_at.hour, settings.remind_at.minute),
                exclusive=True,
                once_per_fire=True,
                run_at_start=True,
            )
        )
    if feats.digest:
        specs.append(
            JobSpec(
                "digest",
                jobs.digest,
                at(*feats.digest_at),
                exclusive=True,
                once_per_fire=True,
                run_at_start=True,
            )
        )
    specs.append(
        JobSpec(
            "health", jobs.health, every(settings.health_minutes), record="never", run_at_start=True
        )
    )
    kinds = [s.kind for s in specs]
    if len(set(kinds)) != len(kinds):  # a programming error, caught by the tests
        raise ConfigError("worker", f"duplicate job kinds {kinds}")
    return specs


def job_options(settings: WorkerConfig) -> dict[str, Any]:
    """The options every job gets (also the scheduler's job defaults)."""
    return {
        "max_instances": 1,
        "coalesce": True,
        "misfire_grace_time": settings.misfire_grace_seconds,
    }


def build_scheduler(
    specs: Sequence[JobSpec],
    runner: Callable[[JobSpec], object],
    settings: WorkerConfig,
    tz: ZoneInfo,
    *,
    now: datetime | None = None,
    serial: bool = False,
    scheduler_factory: Callable[..., BaseScheduler] = BackgroundScheduler,
) -> BaseScheduler:
    """A scheduler (not started) running ``runner(spec)`` for each spec. ``now`` is when
    the run-at-start jobs first run (default: when the scheduler starts).

    ``serial`` (SQLite): the jobs run one at a time. SQLite has one writer, and a write
    transaction that read before another connection committed fails at once ("database
    is locked") instead of waiting, so jobs of one worker must not write side by side.
    Otherwise each job has a thread: a long job (the daily run) never delays another.
    The ``housekeeping`` executor (the IDLE watchdog) is never queued behind a job."""
    options = job_options(settings)
    sched = scheduler_factory(
        timezone=tz,
        job_defaults=options,
        executors={
            "default": ThreadPoolExecutor(max_workers=1 if serial else len(specs) + 3),
            "housekeeping": ThreadPoolExecutor(max_workers=1),
        },
    )
    for spec in specs:
        first: Any = undefined
        if spec.run_at_start:
            # A few seconds apart, in table order: the start-up poll goes first.
            first = (now or datetime.now(tz)).astimezone(tz) + timedelta(seconds=specs.index(spec))
        sched.add_job(
            runner,
            trigger=spec.trigger,
            args=[spec],
            id=spec.kind,
            name=f"dienhinh {spec.kind}",
            next_run_time=first,
            **options,
        )
    return sched
