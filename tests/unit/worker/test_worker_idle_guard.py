"""The IDLE response rules and watchdog decision (a fake clock, no server), and the
one-worker lock on SQLite."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from dienhinh.core.config import MailboxConfig, MailboxURL, Secret
from dienhinh.store.db import make_engine
from dienhinh.worker.guard import WorkerAlreadyRunning, lock_path, single_worker
from dienhinh.worker.idle import IdleWatcher, classify


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        ([(3, b"EXISTS")], (True, False)),
        ([(1, b"RECENT"), (3, b"EXISTS")], (True, False)),
        ([(b"OK", b"Still here")], (False, False)),
        ([(2, b"EXPUNGE")], (False, False)),  # our own move post-action
        ([(2, b"FETCH", (b"FLAGS", (b"$DienhinhProcessed",)))], (False, False)),
        ([(b"BYE", b"Disconnected for inactivity")], (False, True)),
        ([(4, b"EXISTS"), (b"BYE", b"shutting down")], (True, True)),
        ([], (False, False)),
    ],
)
def test_classify(responses, expected):
    assert classify(responses) == expected


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _watcher(clock: FakeClock) -> tuple[IdleWatcher, list[str]]:
    mailbox = MailboxConfig(
        url=MailboxURL(scheme="imap", host="127.0.0.1", port=1, username="u"),
        password=Secret("x"),
    )
    w = IdleWatcher(mailbox, lambda: None, refresh_seconds=60, watchdog_seconds=200, clock=clock)
    events: list[str] = []
    # No thread and no socket here: record what the watchdog would do.
    w._spawn = lambda: (events.append("spawn"), w._beat())  # type: ignore[method-assign]
    w._kill = lambda: events.append("kill")  # type: ignore[method-assign]
    return w, events


def test_watchdog_leaves_a_live_connection_alone():
    clock = FakeClock()
    w, events = _watcher(clock)
    for _ in range(10):
        clock.t += 150  # a sign of life every 150 s, under the 200 s limit
        w._beat()
        assert w.check() is False
    assert events == [] and w.restarts == 0


def test_watchdog_restarts_idle_without_heartbeat():
    """GIVEN no sign of life for longer than the limit (a call stuck on a dead socket)
    THEN the socket is closed under it and a fresh thread starts; the new heartbeat
    means no second restart until the limit passes again."""
    clock = FakeClock()
    w, events = _watcher(clock)
    clock.t += 199
    assert w.check() is False
    clock.t += 2
    assert w.check() is True
    assert events == ["kill", "spawn"] and w.restarts == 1
    clock.t += 100
    assert w.check() is False
    clock.t += 101
    assert w.check() is True and w.restarts == 2


def test_watchdog_is_quiet_once_stopped():
    clock = FakeClock()
    w, events = _watcher(clock)
    w.stop()
    clock.t += 10_000
    assert w.check() is False and events == ["kill"]


def test_second_worker_on_sqlite_is_refused_with_the_holder(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'd.sqlite3'}")
    try:
        with single_worker(engine):
            text = lock_path(engine).read_text()
            assert f"host {socket.gethostname()}, pid {os.getpid()}" in text
            with pytest.raises(WorkerAlreadyRunning) as info, single_worker(engine):
                pass
            message = str(info.value)
            assert f"pid {os.getpid()}" in message and "PostgreSQL" in message
        with single_worker(engine):  # released at the end of the block
            pass
    finally:
        engine.dispose()


def test_postgresql_needs_no_worker_lock():
    engine = make_engine("postgresql://u@127.0.0.1:1/x")
    assert lock_path(engine) is None
    with single_worker(engine), single_worker(engine):
        pass
