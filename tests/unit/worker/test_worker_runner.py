"""The job runner with a controllable clock: once per occurrence across workers, the
cluster lease, what gets recorded, and the catch boundary."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from dienhinh.store.lease import lease
from dienhinh.store.models import PollRun
from dienhinh.worker.jobs import JobResult, JobRunner, JobSpec

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Calls:
    def __init__(self, result: JobResult | None = None, error: Exception | None = None) -> None:
        self.n = 0
        self.result = result or JobResult(processed=1)
        self.error = error

    def __call__(self, ctx) -> JobResult:
        self.n += 1
        if self.error is not None:
            raise self.error
        return self.result


def _runs(ctx) -> list[PollRun]:
    with ctx.sessions() as s:
        return list(s.execute(select(PollRun).order_by(PollRun.id)).scalars())


def _daily(func) -> JobSpec:
    return JobSpec(
        "daily",
        func,
        CronTrigger(hour=2, minute=30, timezone=TZ),
        exclusive=True,
        once_per_fire=True,
    )


def test_daily_job_runs_once_per_occurrence_across_workers(make_ctx, clock):
    """GIVEN two workers on one database, both firing the 02:30 daily job
    WHEN the second fires after the first finished THEN it finds the run and skips;
    the next day's occurrence runs again."""
    a, b = make_ctx(holder="host-a:1:a"), make_ctx(holder="host-b:2:b")
    calls = Calls()
    spec = _daily(calls)
    clock.now = datetime(2018, 4, 1, 2, 30, 1, tzinfo=TZ)
    assert JobRunner(a)(spec) is not None
    clock.now = datetime(2018, 4, 1, 2, 30, 40, tzinfo=TZ)  # worker b fires a little later
    assert JobRunner(b)(spec) is None
    assert calls.n == 1
    runs = _runs(a)
    assert [(r.kind, r.status, r.holder) for r in runs] == [("daily", "ok", "host-a:1:a")]
    assert runs[0].started_at == datetime(2018, 4, 1, 2, 30, 1, tzinfo=TZ)
    clock.now = datetime(2018, 4, 2, 2, 30, 5, tzinfo=TZ)
    assert JobRunner(b)(spec) is not None
    assert calls.n == 2


def test_a_missed_occurrence_is_caught_up_at_start(make_ctx, clock):
    """GIVEN no worker ran at 02:30 WHEN one starts at 09:00 THEN the daily job runs
    (run_at_start), and only once."""
    ctx = make_ctx()
    calls = Calls()
    clock.now = datetime(2018, 4, 1, 9, 0, tzinfo=TZ)
    runner = JobRunner(ctx)
    runner(_daily(calls))
    runner(_daily(calls))
    assert calls.n == 1


def test_a_failed_occurrence_may_be_retried_by_another_worker(make_ctx, clock):
    ctx = make_ctx()
    clock.now = datetime(2018, 4, 1, 2, 30, tzinfo=TZ)
    JobRunner(ctx)(_daily(Calls(error=RuntimeError("database restarting"))))
    retry = Calls()
    JobRunner(ctx)(_daily(retry))
    assert retry.n == 1
    assert [r.status for r in _runs(ctx)] == ["error", "ok"]


def test_exclusive_job_is_skipped_while_another_worker_holds_it(make_ctx, clock):
    ctx = make_ctx()
    calls = Calls()
    with lease(ctx.sessions, "job:daily", 600, holder="host-b:2:b"):
        assert JobRunner(ctx)(_daily(calls)) is None
    assert calls.n == 0
    assert JobRunner(ctx)(_daily(calls)) is not None  # released: it runs
    assert calls.n == 1


def test_the_boundary_records_a_failing_job_and_goes_on(make_ctx, clock):
    ctx = make_ctx()
    spec = JobSpec("publish", Calls(error=ValueError("portal down")), IntervalTrigger(minutes=5))
    result = JobRunner(ctx)(spec)
    assert result is not None and result.status == "error"
    (run,) = _runs(ctx)
    assert (run.kind, run.status) == ("publish", "error")
    assert run.error == "ValueError: portal down"
    assert run.finished_at is not None


def test_busy_jobs_record_only_real_work(make_ctx):
    ctx = make_ctx()
    idle = JobSpec("process", Calls(JobResult()), IntervalTrigger(minutes=1), record="busy")
    busy = JobSpec(
        "process",
        Calls(JobResult(processed=3, articles=2)),
        IntervalTrigger(minutes=1),
        record="busy",
    )
    never = JobSpec(
        "health", Calls(JobResult(processed=5)), IntervalTrigger(minutes=5), record="never"
    )
    runner = JobRunner(ctx)
    runner(idle)
    runner(never)
    assert _runs(ctx) == []
    runner(busy)
    (run,) = _runs(ctx)
    assert (run.kind, run.status, run.processed, run.articles) == ("process", "ok", 3, 2)


def test_nothing_runs_once_a_stop_is_requested(make_ctx):
    ctx = make_ctx()
    ctx.stop.set()
    calls = Calls()
    assert JobRunner(ctx)(JobSpec("publish", calls, IntervalTrigger(minutes=5))) is None
    assert calls.n == 0 and _runs(ctx) == []


def test_run_times_come_from_the_clock(make_ctx, clock):
    ctx = make_ctx()
    clock.now = datetime(2030, 1, 1, tzinfo=UTC)
    JobRunner(ctx)(JobSpec("publish", Calls(), IntervalTrigger(minutes=5)))
    (run,) = _runs(ctx)
    assert run.started_at == run.finished_at == datetime(2030, 1, 1, tzinfo=UTC)
