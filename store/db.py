"""Engines and sessions for SQLite (the embedded default, in WAL mode) and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["is_sqlite", "make_engine", "session_scope"]


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the console read while the worker writes; NORMAL is durable in WAL mode
    # except for the last transactions before a power cut, and raw bytes are fsync'ed
    # to the blob store before their row is written anyway.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


# The database holds every message, address and article: owner only. SQLite gives its
# -wal and -shm files the mode of the database file, so creating that file 0600 (before
# SQLite does, with the process umask) covers all three.
_PRIVATE_FILE = 0o600
_PRIVATE_DIR = 0o700


def _private_sqlite_file(database: str) -> None:
    """Create the SQLite file 0600 (its folder 0700 when this makes it), and take group
    and others' access away from files an older version created with the umask."""
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, _PRIVATE_FILE)
    except OSError:
        return  # read-only or missing folder: SQLite itself reports it on connect
    try:
        mode = os.fstat(fd).st_mode & 0o777
        if mode & 0o077:
            os.fchmod(fd, mode & 0o700)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        try:
            mode = side.stat().st_mode & 0o777
            if mode & 0o077:
                side.chmod(mode & 0o700)
        except OSError:
            continue


def make_engine(url: str, **kwargs: Any) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            _private_sqlite_file(u.database)
        engine = create_engine(u, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(u, **kwargs)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
