"""Time-limited leases in the database: one poll per mailbox folder at a time.

Works the same on SQLite and PostgreSQL and across hosts: a lease row is taken with a
conditional UPDATE (free or expired) or an INSERT; whoever's statement succeeds holds it.
A crashed holder's lease simply expires. The statements are SQL on store/dbapi.py's
``Db``: `dienhinh poll` takes its lease without importing SQLAlchemy, and the worker takes
the same lease, with the same statements, through its engine.

Across hosts two things matter. Expiry is judged by the *database's* clock on PostgreSQL
(``now()``), so a worker whose clock runs ahead never sees a live lease as expired. And the
immediate takeover from a holder whose process is gone applies only to a holder on this
very machine: holder ids carry the host name and the start of ``/etc/machine-id`` (freshly
installed servers often share a host name such as "debian"), and a holder from anywhere
else is only ever taken over once its lease has expired.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dienhinh.core.errors import LeaseHeld
from dienhinh.store.dbapi import Connect, Db, connect_with, database_errors

if TYPE_CHECKING:
    from sqlalchemy.orm import sessionmaker

__all__ = ["holder_id", "host_id", "lease", "live", "release", "renew", "try_acquire"]

log = logging.getLogger(__name__)

# Every function takes the database as a sessionmaker (its engine's connections are used)
# or as a :data:`~dienhinh.store.dbapi.Connect`: `dienhinh poll` takes its lease on the
# driver's own connection, without importing SQLAlchemy (store/dbapi.py says why).


@cache
def host_id() -> str:
    """This machine in holder ids: ``hostname`` or ``hostname@<machine-id prefix>``."""
    host = socket.gethostname().replace(":", "_")
    try:
        machine = Path("/etc/machine-id").read_text(encoding="ascii").strip()[:8]
    except (OSError, UnicodeDecodeError):
        machine = ""
    return f"{host}@{machine}" if machine else host


def holder_id() -> str:
    return f"{host_id()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _acquire(db: Db, name: str, holder: str, ttl: float) -> bool:
    """Take the lease if it is free, expired or already ours: a conditional UPDATE, or an
    INSERT when there is no row yet; whoever's statement changes a row holds it."""
    now = db.now()
    values = {"name": name, "holder": holder, "now": now, "until": now + timedelta(seconds=ttl)}
    taken = db.run(
        "UPDATE lease SET holder = :holder, acquired_at = :now, expires_at = :until"
        " WHERE name = :name AND (expires_at < :now OR holder = :holder)",
        **values,
    ).rowcount
    if not taken:
        taken = db.run(
            "INSERT INTO lease (name, holder, acquired_at, expires_at)"
            " VALUES (:name, :holder, :now, :until) ON CONFLICT (name) DO NOTHING",
            **values,
        ).rowcount
    db.commit()
    return bool(taken)


def try_acquire(source: Connect | sessionmaker[Any], name: str, holder: str, ttl: float) -> bool:
    with connect_with(source)() as db:
        return _acquire(db, name, holder, ttl)


def renew(source: Connect | sessionmaker[Any], name: str, holder: str, ttl: float) -> bool:
    with connect_with(source)() as db:
        renewed = db.run(
            "UPDATE lease SET expires_at = :until WHERE name = :name AND holder = :holder",
            name=name,
            holder=holder,
            until=db.now() + timedelta(seconds=ttl),
        ).rowcount
        db.commit()
        return bool(renewed)


def live(source: Connect | sessionmaker[Any], prefix: str) -> bool:
    """Whether anyone holds a live lease whose name starts with ``prefix`` (``"poll:"``:
    a poll is running somewhere)."""
    with connect_with(source)() as db:
        row = db.run(
            "SELECT count(*) FROM lease WHERE name LIKE :pattern AND expires_at > :now",
            pattern=prefix + "%",
            now=db.now(),
        ).fetchone()
        return bool(row[0])


def release(source: Connect | sessionmaker[Any], name: str, holder: str) -> None:
    with connect_with(source)() as db:
        db.run(
            "DELETE FROM lease WHERE name = :name AND holder = :holder", name=name, holder=holder
        )
        db.commit()


def _dead_local_holder(holder: str) -> bool:
    """True when ``holder`` is a process on this host that no longer exists (killed -9,
    power cut of a container): its lease can be taken over at once instead of waiting
    for it to expire."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != host_id() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take_over(connect: Connect, name: str, dead: str, me: str, ttl: float) -> bool:
    with connect() as db:
        now = db.now()
        taken = db.run(
            "UPDATE lease SET holder = :me, acquired_at = :now, expires_at = :until"
            " WHERE name = :name AND holder = :dead",
            name=name,
            dead=dead,
            me=me,
            now=now,
            until=now + timedelta(seconds=ttl),
        ).rowcount
        db.commit()
        return bool(taken)


def _holder_of(connect: Connect, name: str) -> tuple[str, str] | None:
    """The lease's holder and expiry (ISO 8601), or None when nobody holds it."""
    with connect() as db:
        row = db.run(
            "SELECT holder, expires_at FROM lease WHERE name = :name", name=name
        ).fetchone()
        if row is None:
            return None
        expires = db.time(row[1])
    return str(row[0]), expires.isoformat() if expires else "?"


@contextmanager
def lease(
    source: Connect | sessionmaker[Any], name: str, ttl: float, holder: str | None = None
) -> Iterator[str]:
    """Hold the lease ``name`` for the block, or raise LeaseHeld at once."""
    connect = connect_with(source)
    me = holder or holder_id()
    if not try_acquire(connect, name, me, ttl):
        held = _holder_of(connect, name)
        if held is None or not (
            _dead_local_holder(held[0]) and _take_over(connect, name, held[0], me, ttl)
        ):
            raise LeaseHeld(name, held[0] if held else "?", held[1] if held else "?")
        log.warning("lease %s: holder %s is gone (process ended); taken over", name, held[0])
    try:
        yield me
    finally:
        try:
            release(connect, name, me)
        except database_errors() as err:
            # The database went away during the block (found by tests/chaos: a poll
            # whose PostgreSQL was cut). Raising here would replace the block's own,
            # already recorded error ("database error, will retry") with a traceback;
            # the lease row, if the database still has it, simply expires.
            log.warning("lease %s: not released (%s); it expires by itself", name, err)
