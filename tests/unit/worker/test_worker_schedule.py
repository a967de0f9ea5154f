"""Which jobs are scheduled and when, with a fixed clock: no scheduler runs, nothing waits.

Times are checked in Asia/Ho_Chi_Minh (UTC+7, no daylight saving): the daily run at 02:30
local time is 19:30 UTC of the day before, which is exactly the kind of thing a scheduler
configured in UTC by mistake would get wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dienhinh.worker.jobs import previous_fire
from dienhinh.worker.scheduler import Features, build_scheduler, job_specs
from dienhinh.worker.settings import WorkerConfig

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ALL = Features(
    shared_processing=True,
    publish=True,
    retrain=True,
    ack=True,
    remind=True,
    digest=True,
    digest_at=(7, 30),
)
# 2018-03-31 23:50 UTC is already 2018-04-01 06:50 in Lào Cai.
NOW = datetime(2018, 3, 31, 23, 50, tzinfo=UTC)


def _specs(settings: WorkerConfig | None = None, feats: Features = ALL):
    return {s.kind: s for s in job_specs(settings or WorkerConfig(), feats, TZ)}


def _next(spec, now=NOW):
    return spec.trigger.get_next_fire_time(None, now).astimezone(TZ)


def test_every_job_when_every_feature_is_on():
    assert sorted(_specs()) == sorted(
        [
            "poll",
            "daily",
            "process",
            "reprocess",
            "publish",
            "retrain",
            "ack",
            "remind",
            "digest",
            "health",
        ]
    )


def test_disabled_features_are_not_scheduled():
    """GIVEN SQLite (no shared processing), no publisher, no scikit-learn, notifications
    off THEN only the poll, the daily run, the console's reprocess requests and the health
    check are scheduled."""
    assert sorted(_specs(feats=Features())) == ["daily", "health", "poll", "reprocess"]
    off = WorkerConfig(process_minutes=0, publish_minutes=0, retrain="off", acknowledge_minutes=0)
    assert sorted(_specs(off)) == ["daily", "digest", "health", "poll", "remind", "reprocess"]
    # With process_minutes 0 the console's requests are taken at the poll's pace.
    spec = _specs(WorkerConfig(process_minutes=0, poll_minutes=7))["reprocess"]
    first = spec.trigger.get_next_fire_time(None, NOW)
    assert spec.trigger.get_next_fire_time(first, first) - first == timedelta(minutes=7)


def test_daily_jobs_fire_at_local_time():
    specs = _specs(
        WorkerConfig(daily_at=time(2, 30), remind_at=time(8, 0), retrain="weekly"),
    )
    daily = _next(specs["daily"])
    assert daily == datetime(2018, 4, 2, 2, 30, tzinfo=TZ)  # 06:50 local: today's has passed
    assert daily.astimezone(UTC) == datetime(2018, 4, 1, 19, 30, tzinfo=UTC)
    assert _next(specs["remind"]) == datetime(2018, 4, 1, 8, 0, tzinfo=TZ)
    assert _next(specs["digest"]) == datetime(2018, 4, 1, 7, 30, tzinfo=TZ)
    # 2018-04-01 was a Sunday; weekly retraining is on Sundays at 03:30 (passed: next week)
    assert _next(specs["retrain"]) == datetime(2018, 4, 8, 3, 30, tzinfo=TZ)
    # and the one after a given fire is a week later, not a day
    nxt = specs["retrain"].trigger.get_next_fire_time(
        datetime(2018, 4, 8, 3, 30, tzinfo=TZ), datetime(2018, 4, 8, 3, 31, tzinfo=TZ)
    )
    assert nxt == datetime(2018, 4, 15, 3, 30, tzinfo=TZ)


def test_nightly_retraining_fires_every_day():
    spec = _specs(WorkerConfig(retrain="nightly", retrain_at=time(1, 0)))["retrain"]
    assert _next(spec) == datetime(2018, 4, 2, 1, 0, tzinfo=TZ)


def test_interval_jobs_follow_the_configured_minutes():
    specs = _specs(WorkerConfig(poll_minutes=7, publish_minutes=3))
    for kind, minutes in (
        ("poll", 7),
        ("publish", 3),
        ("process", 1),
        ("reprocess", 1),
        ("health", 5),
    ):
        first = specs[kind].trigger.get_next_fire_time(None, NOW)
        second = specs[kind].trigger.get_next_fire_time(first, first)
        assert second - first == timedelta(minutes=minutes), kind


def test_cluster_rules():
    specs = _specs()
    # done by one worker of the cluster, once per occurrence
    for kind in ("daily", "retrain", "remind", "digest"):
        assert specs[kind].exclusive and specs[kind].once_per_fire, kind
    # shared work: every worker runs it (claims and leases inside keep it exact)
    for kind in ("poll", "process", "reprocess", "publish"):
        assert not specs[kind].exclusive and not specs[kind].once_per_fire, kind
    assert specs["poll"].record == "never"  # the Ingestor records its own run
    assert specs["reprocess"].record == "never"  # so does Ingestor.reprocess
    assert specs["process"].record == "busy"  # a minutely job records only real work


def test_previous_fire_finds_the_last_occurrence():
    spec = _specs()["daily"]
    assert previous_fire(spec.trigger, NOW) == datetime(2018, 4, 1, 2, 30, tzinfo=TZ)
    at_fire = datetime(2018, 4, 1, 2, 30, tzinfo=TZ)
    assert previous_fire(spec.trigger, at_fire) == at_fire
    weekly = _specs()["retrain"]
    assert previous_fire(weekly.trigger, NOW) == datetime(2018, 4, 1, 3, 30, tzinfo=TZ)
    assert previous_fire(weekly.trigger, datetime(2018, 4, 1, 3, 0, tzinfo=TZ)) == datetime(
        2018, 3, 25, 3, 30, tzinfo=TZ
    )


def test_scheduler_jobs_never_overlap_and_coalesce():
    settings = WorkerConfig(misfire_grace_seconds=123)
    specs = job_specs(settings, ALL, TZ)
    sched = build_scheduler(specs, lambda spec: None, settings, TZ, now=NOW)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {s.kind for s in specs}
    for job in jobs.values():
        assert job.max_instances == 1, job.id
        assert job.coalesce is True, job.id
        assert job.misfire_grace_time == 123, job.id
        assert job.args[0].kind == job.id
    assert str(sched.timezone) == "Asia/Ho_Chi_Minh"


def test_run_at_start_jobs_start_in_table_order():
    settings = WorkerConfig()
    specs = job_specs(settings, ALL, TZ)
    sched = build_scheduler(specs, lambda spec: None, settings, TZ, now=NOW)
    sched.start(paused=True)
    try:
        jobs = {j.id: j for j in sched.get_jobs()}
        assert jobs["poll"].next_run_time == NOW  # the poll goes first
        assert jobs["daily"].next_run_time == NOW + timedelta(seconds=1)
        assert all(j.next_run_time.utcoffset() == timedelta(hours=7) for j in jobs.values())
    finally:
        sched.shutdown(wait=False)


@pytest.mark.parametrize("minutes", [1, 10, 60])
def test_interval_is_aligned_on_the_start(minutes):
    spec = _specs(WorkerConfig(poll_minutes=minutes))["poll"]
    nxt = spec.trigger.get_next_fire_time(NOW, NOW)
    assert nxt - NOW == timedelta(minutes=minutes)
