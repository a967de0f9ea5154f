"""The mailbox lease across hosts: the early takeover from a dead holder applies only to a
holder on this very machine (host name *and* machine id), never to another machine that
happens to share the host name; expiry is judged by the database's clock."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.errors import LeaseHeld
from dienhinh.store.db import make_engine
from dienhinh.store.lease import host_id, lease, try_acquire
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Lease, utcnow
from helpers import ENGINES


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    """Sessions on a fresh database at the schema's head (SQLite and PostgreSQL)."""
    engine = make_engine(db_url)
    ENGINES.append(engine)
    upgrade(engine)
    return sessionmaker(engine)


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(proc.stdout)


def test_a_dead_holder_on_this_machine_is_taken_over_at_once(sessions):
    dead = f"{host_id()}:{_dead_pid()}:dead"
    assert try_acquire(sessions, "poll:x", dead, 600)
    with lease(sessions, "poll:x", 600) as me:
        assert me != dead


def test_a_holder_on_another_machine_with_the_same_host_name_is_not(sessions):
    """GIVEN two freshly installed servers both called like this one, and the other's
    poll holding the lease with a pid that does not exist here THEN no takeover."""
    twin = f"{socket.gethostname()}@ffffffff:{_dead_pid()}:twin"
    if twin.split(":")[0] == host_id():
        pytest.skip("this machine's id starts with ffffffff")
    assert try_acquire(sessions, "poll:x", twin, 600)
    with pytest.raises(LeaseHeld, match="twin"), lease(sessions, "poll:x", 600):
        pass
    bare = f"{socket.gethostname()}:{_dead_pid()}:old-format"  # without a machine id
    assert try_acquire(sessions, "poll:y", bare, 600)
    with pytest.raises(LeaseHeld), lease(sessions, "poll:y", 600):
        pass


def test_an_expired_lease_is_free_for_anyone(sessions):
    with sessions() as s:
        past = utcnow() - timedelta(minutes=10)
        s.add(Lease(name="poll:x", holder="far-away@1:1:x", acquired_at=past, expires_at=past))
        s.commit()
    with lease(sessions, "poll:x", 600) as me:
        with sessions() as s:
            row = s.execute(select(Lease)).scalar_one()
        assert row.holder == me and row.expires_at > utcnow()


def test_the_commands_lease_and_the_workers_exclude_each_other(db_url, sessions):
    """GIVEN `dienhinh poll` taking the lease on the driver's own connection (no
    SQLAlchemy, store/dbapi.py) and a worker taking it through its engine THEN each
    holds the other off, on SQLite and PostgreSQL, and a released lease is free again."""
    from dienhinh.store.dbapi import open_url

    db = open_url(db_url)
    assert db is not None
    try:
        with lease(db.connect, "poll:x", 600, holder="cmd-host@1:1:cmd") as cmd:
            assert not try_acquire(sessions, "poll:x", "worker-host@2:2:w", 600)
            with pytest.raises(LeaseHeld, match="cmd-host"), lease(sessions, "poll:x", 600):
                pass
            with sessions() as s:
                assert s.execute(select(Lease.holder)).scalar_one() == cmd
        with lease(sessions, "poll:x", 600, holder="worker-host@2:2:w"):
            assert not try_acquire(db.connect, "poll:x", "cmd-host@1:1:cmd", 600)
            with pytest.raises(LeaseHeld, match="worker-host"), lease(db.connect, "poll:x", 600):
                pass
        assert try_acquire(db.connect, "poll:x", "cmd-host@1:1:cmd", 600)
    finally:
        db.close()
