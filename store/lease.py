"""Time-limited leases in the database: one poll per mailbox folder at a time.

Works the same on SQLite and PostgreSQL and across hosts: a lease row is taken with a
conditional UPDATE (free or expired) or an INSERT; whoever's statement succeeds holds it.
A crashed holder's lease simply expires.

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
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.errors import LeaseHeld
from dienhinh.store.models import Lease, utcnow

__all__ = ["holder_id", "host_id", "lease", "live", "release", "renew", "try_acquire"]

log = logging.getLogger(__name__)


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


def _now(s: Session) -> datetime:
    """The time leases are judged by: the database server's clock on PostgreSQL (one
    clock for every host), this machine's on SQLite (one host anyway)."""
    if s.get_bind().dialect.name == "postgresql":
        value = s.execute(select(func.now())).scalar_one()
        assert isinstance(value, datetime)
        return value.astimezone(UTC)
    return utcnow()


# _NO_SYNC: these UPDATEs run in a fresh session that holds no Lease object, so there is
# nothing to synchronise; SQLAlchemy's default ("evaluate") would compile a Python
# evaluator of the WHERE clause on each command's first lease (tens of ms of start-up).


def try_acquire(factory: sessionmaker[Session], name: str, holder: str, ttl: float) -> bool:
    with factory() as s:
        now = _now(s)
        until = now + timedelta(seconds=ttl)
        res = s.execute(
            update(Lease)
            .where(Lease.name == name, (Lease.expires_at < now) | (Lease.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=until)
            .execution_options(synchronize_session=False)  # see _NO_SYNC
        )
        if res.rowcount:  # type: ignore[attr-defined]
            s.commit()
            return True
        s.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=until))
        try:
            s.commit()
            return True
        except IntegrityError:
            s.rollback()
            return False


def renew(factory: sessionmaker[Session], name: str, holder: str, ttl: float) -> bool:
    with factory() as s:
        res = s.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=_now(s) + timedelta(seconds=ttl))
            .execution_options(synchronize_session=False)  # see _NO_SYNC
        )
        s.commit()
        return bool(res.rowcount)  # type: ignore[attr-defined]


def live(factory: sessionmaker[Session], prefix: str) -> bool:
    """Whether anyone holds a live lease whose name starts with ``prefix`` (``"poll:"``:
    a poll is running somewhere)."""
    with factory() as s:
        q = select(func.count()).where(Lease.name.startswith(prefix), Lease.expires_at > _now(s))
        return bool(s.execute(q).scalar_one())


def release(factory: sessionmaker[Session], name: str, holder: str) -> None:
    with factory() as s:
        s.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
        s.commit()


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


def _take_over(factory: sessionmaker[Session], name: str, dead: str, me: str, ttl: float) -> bool:
    with factory() as s:
        now = _now(s)
        res = s.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == dead)
            .values(holder=me, acquired_at=now, expires_at=now + timedelta(seconds=ttl))
            .execution_options(synchronize_session=False)  # see _NO_SYNC
        )
        s.commit()
        return bool(res.rowcount)  # type: ignore[attr-defined]


@contextmanager
def lease(
    factory: sessionmaker[Session], name: str, ttl: float, holder: str | None = None
) -> Iterator[str]:
    """Hold the lease ``name`` for the block, or raise LeaseHeld at once."""
    me = holder or holder_id()
    if not try_acquire(factory, name, me, ttl):
        with factory() as s:
            row = s.execute(select(Lease).where(Lease.name == name)).scalar_one_or_none()
        if row is None or not (
            _dead_local_holder(row.holder) and _take_over(factory, name, row.holder, me, ttl)
        ):
            raise LeaseHeld(
                name, row.holder if row else "?", row.expires_at.isoformat() if row else "?"
            )
        log.warning("lease %s: holder %s is gone (process ended); taken over", name, row.holder)
    try:
        yield me
    finally:
        try:
            release(factory, name, me)
        except SQLAlchemyError as err:
            # The database went away during the block (found by tests/chaos: a poll
            # whose PostgreSQL was cut). Raising here would replace the block's own,
            # already recorded error ("database error, will retry") with a traceback;
            # the lease row, if the database still has it, simply expires.
            log.warning("lease %s: not released (%s); it expires by itself", name, err)
