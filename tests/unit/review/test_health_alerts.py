"""Alerts from the database alone, at a given time: the stale mailbox and failed jobs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from dienhinh.review.health import alerts
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import MailboxState, PollRun
from helpers import ENGINES

NOW = datetime.fromisoformat("2018-04-01T08:00:00+07:00")


@pytest.fixture
def make_ctx(make_config: Callable[..., Any]) -> Callable[..., SimpleNamespace]:
    """The config and sessions the alerts read, on a fresh database (SQLite and PostgreSQL)."""

    def build(**sections: dict[str, Any]) -> SimpleNamespace:
        config = make_config(**sections)
        engine = make_engine(config.database.url)
        ENGINES.append(engine)
        upgrade(engine)
        return SimpleNamespace(config=config, sessions=sessionmaker(engine))

    return build


def _state(ctx, **fields) -> str:
    key = ctx.config.mailbox.url.key
    with ctx.sessions() as s:
        s.add(MailboxState(key=key, uidvalidity=0, last_uid=0, consecutive_failures=0, **fields))
        s.commit()
    return key


def _run(ctx, kind: str, status: str, started: datetime, **fields) -> None:
    with ctx.sessions() as s:
        s.add(PollRun(kind=kind, status=status, started_at=started, **fields))
        s.commit()


def _alerts(ctx, now=NOW):
    with ctx.sessions() as s:
        return alerts(s, ctx.config, now)


def test_a_fresh_installation_has_no_alert(make_ctx):
    assert _alerts(make_ctx()) == []


def test_a_mailbox_goes_stale_after_the_configured_time(make_ctx):
    """GIVEN stale_after_minutes = 60 and a last success at 07:00 WHEN it is 07:59 THEN no
    alert; WHEN it is 08:30 THEN one, naming the mailbox and the last error."""
    ctx = make_ctx(worker={"stale_after_minutes": 60})
    key = _state(
        ctx,
        last_success_at=NOW - timedelta(hours=1),
        last_error="could not reach the mail server",
    )
    assert _alerts(ctx, NOW - timedelta(minutes=1)) == []
    (alert,) = _alerts(ctx, NOW + timedelta(minutes=30))
    assert alert.key == f"stale:{key}"
    assert alert.severity == "error"
    assert "1.5 h" in alert.summary and "could not reach the mail server" in alert.summary
    assert alert.title == "Hộp thư không được lấy thư"
    assert "01/04/2018 07:00" in alert.detail  # local time, the console's one format
    assert alert.since == NOW - timedelta(hours=1)


def test_a_mailbox_that_never_succeeded_is_stale_from_its_first_attempt(make_ctx):
    ctx = make_ctx()
    key = _state(ctx, last_poll_started_at=NOW - timedelta(minutes=5), last_error="login refused")
    _run(ctx, "poll", "error", NOW - timedelta(hours=3), mailbox=key, error="login refused")
    _run(ctx, "poll", "error", NOW - timedelta(minutes=5), mailbox=key, error="login refused")
    (alert,) = _alerts(ctx)
    assert alert.since == NOW - timedelta(hours=3)
    assert "chưa bao giờ" in alert.detail


def test_failed_jobs_are_alerts_until_they_succeed_again(make_ctx):
    ctx = make_ctx()
    _run(ctx, "publish", "error", NOW - timedelta(minutes=10), error="Timeout\ntraceback...")
    _run(ctx, "poll", "error", NOW - timedelta(minutes=9), error="connection lost")
    (alert,) = _alerts(ctx)  # a failed poll alone is not an alert: staleness is
    assert (alert.key, alert.severity) == ("job:publish", "warning")
    assert alert.summary.endswith(": Timeout")
    _run(ctx, "publish", "ok", NOW - timedelta(minutes=5))
    assert _alerts(ctx) == []
