"""The database reached without importing SQLAlchemy, for the few statements of a poll
with nothing to do (store/quick.py: the lease, the mailbox's state, the quick check, the
run's record).

Why: `dienhinh poll` runs from a timer every few minutes and nearly always finds nothing
new; it has 0.5 s, process start included (issue 15), and importing SQLAlchemy alone takes
about 0.2 s of it (its ORM and the models another 0.1 s). So those statements are SQL text
run through one small type, :class:`Db`, which the command opens on the driver itself
(:func:`open_url`: sqlite3 or psycopg, as store/db.py's engine would open it) and every
other caller on its SQLAlchemy engine (:func:`on_engine`, through ``exec_driver_sql``, so
errors are SQLAlchemy's there as everywhere else): one set of statements, two ways in.

What SQLAlchemy does for the rest of the code is done here the same way: a timestamp is
stored as the models' ``UTCDateTime`` stores it (SQLite: naive UTC text
``YYYY-MM-DD HH:MM:SS.ffffff``, which sorts as time does; PostgreSQL: ``timestamptz``) and
read back as an aware UTC datetime; a SQLite connection gets the engine's pragmas and its
file the private mode (store/db.py uses the same two functions); ``:name`` parameters are
written as the driver wants them.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import sessionmaker

__all__ = [
    "Connect",
    "Db",
    "connect_with",
    "database_errors",
    "on_engine",
    "open_url",
    "private_sqlite_file",
    "render_url",
    "sqlite_pragmas",
    "unavailable_errors",
]

log = logging.getLogger(__name__)


# --- SQLite files and connections (store/db.py's engine uses these too) ---------------------


def sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any = None) -> None:
    """Set on every SQLite connection (an engine's "connect" event, or :func:`open_url`)."""
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


def private_sqlite_file(database: str) -> None:
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


# --- one connection, two ways in ------------------------------------------------------------


class Rows(Protocol):
    """What a statement gives back: a DB-API cursor, or SQLAlchemy's CursorResult."""

    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


_PARAM = re.compile(r"(?<![:\w]):(\w+)")


@cache
def _pyformat(sql: str) -> str:
    """``:name`` -> ``%(name)s`` (psycopg's style); the statements here have no literal %."""
    return _PARAM.sub(r"%(\1)s", sql)


class Db:
    """One connection to the database: :meth:`run` statements, then :meth:`commit`.

    Parameters are ``:name``; datetimes must be aware (a naive one is a bug, refused as
    ``UTCDateTime`` refuses it) and are stored as the models store them; enum members go
    in as their values.
    """

    dialect: str  # "sqlite" or "postgresql"

    def _execute(self, sql: str, params: Mapping[str, Any]) -> Rows:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def run(self, sql: str, **params: Any) -> Rows:
        if self.dialect == "postgresql":
            sql = _pyformat(sql)
        return self._execute(sql, {k: self._bind(v) for k, v in params.items()})

    def _bind(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r} given to the database")
            value = value.astimezone(UTC)
            if self.dialect == "sqlite":
                return value.strftime("%Y-%m-%d %H:%M:%S.%f")
            return value
        if isinstance(value, Enum):
            return value.value
        return value

    @staticmethod
    def time(value: Any) -> datetime | None:
        """A timestamp as read from the database, as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):  # SQLite
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def now(self) -> datetime:
        """The time leases are judged by: the database server's clock on PostgreSQL (one
        clock for every host), this machine's on SQLite (one host anyway)."""
        if self.dialect == "postgresql":
            value = self.time(self.run("SELECT now()").fetchone()[0])
            assert value is not None
            return value
        return datetime.now(UTC)


class _DriverDb(Db):
    """A connection of the driver itself (sqlite3, psycopg)."""

    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    def _execute(self, sql: str, params: Mapping[str, Any]) -> Rows:
        rows: Rows = self.conn.execute(sql, params)
        return rows

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def connect(self) -> Iterator[Db]:
        """This one connection as a :data:`Connect` gives it: what the block did not
        commit is rolled back at its end, as an engine's connection is given back."""
        try:
            yield self
        except BaseException:
            try:
                self.rollback()
            except database_errors() as err:  # the connection died with the block's error
                log.debug("rollback after an error failed: %s", err)
            raise
        self.rollback()


class _EngineDb(Db):
    """A connection of an SQLAlchemy engine: the same statements, SQLAlchemy's errors."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def _execute(self, sql: str, params: Mapping[str, Any]) -> Rows:
        return self.conn.exec_driver_sql(sql, dict(params))

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()


@contextmanager
def on_engine(engine: Engine) -> Iterator[Db]:
    """A :class:`Db` on one of ``engine``'s connections, given back (rolled back if not
    committed) at the end of the block."""
    with engine.connect() as conn:
        yield _EngineDb(conn)


# How a caller hands out connections: ``with connect() as db: ...``.
Connect = Callable[[], AbstractContextManager[Db]]


def connect_with(source: Connect | sessionmaker[Any]) -> Connect:
    """``source`` itself, or for a sessionmaker (what most callers hold) a connection of
    its engine each time."""
    kw = getattr(source, "kw", None)
    if isinstance(kw, dict) and "bind" in kw:
        engine = kw["bind"]
        return lambda: on_engine(engine)
    return source  # type: ignore[return-value]


# --- opening a URL without SQLAlchemy ---------------------------------------------------------


def _sqlite_database(url: str) -> str | None:
    """The file of a ``sqlite:///path`` URL; None for what store/db.py's engine treats
    otherwise (in memory, ``file:`` URIs, query options, quoted characters)."""
    if not url.startswith("sqlite:///"):
        return None
    rest = url[len("sqlite:///") :]
    if rest in ("", ":memory:") or any(c in rest for c in "?%") or rest.startswith("file:"):
        return None
    return rest


def _postgres_args(url: str) -> dict[str, Any] | None:
    """psycopg's connect() arguments for a ``postgresql[+psycopg]://`` URL, as SQLAlchemy's
    psycopg dialect builds them (user, password, host, port, dbname, then the query's
    options); None for what it treats otherwise (several hosts, a host or port given as
    an option, a repeated option)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    names = [k for k, _v in query]
    if len(set(names)) != len(names) or {"host", "port"} & set(names) or "," in parts.netloc:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    found = {
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "host": parts.hostname,
        "port": port,
        "dbname": unquote(parts.path.lstrip("/")),
    }
    args: dict[str, Any] = {k: v for k, v in found.items() if v}  # empty parts: not given
    args.update(query)
    return args


def open_url(url: str) -> _DriverDb | None:
    """A connection on the driver itself for a database URL store/db.py's engine would
    open the same way (a SQLite file; PostgreSQL through psycopg); None for any other
    (the caller then goes through SQLAlchemy). The caller closes it."""
    scheme = url.partition("://")[0]
    if scheme == "sqlite":
        database = _sqlite_database(url)
        if database is None:
            return None
        private_sqlite_file(database)
        conn = sqlite3.connect(database)
        try:
            sqlite_pragmas(conn)
        except sqlite3.Error:
            conn.close()
            raise
        return _DriverDb(conn, "sqlite")
    if scheme in ("postgresql", "postgresql+psycopg"):
        args = _postgres_args(url)
        if args is None:
            return None
        import psycopg

        return _DriverDb(psycopg.connect(**args), "postgresql")
    return None


def render_url(url: str) -> str:
    """``url`` as messages show it: the password hidden, PostgreSQL's driver named (as
    SQLAlchemy's ``render_as_string(hide_password=True)`` shows an engine's URL)."""
    scheme, sep, rest = url.partition("://")
    if scheme == "postgresql":
        scheme = "postgresql+psycopg"
    userinfo, at, hostpart = rest.rpartition("@")
    if at and ":" in userinfo:
        rest = f"{userinfo.partition(':')[0]}:***@{hostpart}"
    return f"{scheme}{sep}{rest}"


# --- errors -----------------------------------------------------------------------------------


def _loaded(*names: tuple[str, str]) -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = []
    for module, attr in names:
        mod = sys.modules.get(module)
        if mod is not None:
            found.append(getattr(mod, attr))
    return tuple(found)


def database_errors() -> tuple[type[Exception], ...]:
    """The classes of a database error, among the modules loaded: the drivers' DB-API
    ``Error`` and SQLAlchemy's ``SQLAlchemyError``. Meant to be called as an exception is
    matched (``except database_errors()``): SQLAlchemy's error can only be raised once
    SQLAlchemy is imported, which an idle `dienhinh poll` never does."""
    return _loaded(
        ("sqlite3", "Error"), ("psycopg", "Error"), ("sqlalchemy.exc", "SQLAlchemyError")
    )


def unavailable_errors() -> tuple[type[Exception], ...]:
    """As :func:`database_errors`, the classes that say the database is unavailable (down,
    unreachable, locked): ``OperationalError``."""
    return _loaded(
        ("sqlite3", "OperationalError"),
        ("psycopg", "OperationalError"),
        ("sqlalchemy.exc", "OperationalError"),
    )
