"""One worker per SQLite database.

SQLite has no row locks to share work with (no ``SKIP LOCKED``), so a second worker on
the same file would only fight the first for the write lock and extract the same mail
twice. The first worker holds an exclusive ``flock`` on ``<database>.worker.lock`` for
as long as it runs; the kernel drops it when the process ends, however it ends, so a
crash never leaves a stale lock behind. The file holds the holder's host, pid and start
time, quoted to the second worker. (On PostgreSQL any number of workers may run.)
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from dienhinh.core.errors import DienhinhError

__all__ = ["WorkerAlreadyRunning", "lock_path", "single_worker"]


class WorkerAlreadyRunning(DienhinhError):
    """Another ``dienhinh worker`` holds this SQLite database (exit code 3)."""


def lock_path(engine: Engine) -> Path | None:
    """The lock file beside a SQLite database file; None for PostgreSQL or in-memory."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).resolve().with_name(Path(url.database).name + ".worker.lock")


@contextmanager
def single_worker(engine: Engine) -> Iterator[None]:
    """Hold the worker lock of a SQLite database for the block, or raise at once."""
    path = lock_path(engine)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "unknown"
            raise WorkerAlreadyRunning(
                f"another worker already runs on this SQLite database ({holder}); SQLite "
                "allows one worker at a time: stop that one first, or move to PostgreSQL to "
                "run several (README, 'Worker')"
            ) from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(
            fd, f"host {socket.gethostname()}, pid {os.getpid()}, since {started}\n".encode(), 0
        )
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
