"""The database engines a command opens from its Config, and their closing at exit.

Every entry point (the ``dienhinh`` command, the console, the publication and notification
commands, the worker) opens its engine here, so a schema that is out of date is refused
the same way everywhere and every pooled connection is closed once, at exit.
"""

from __future__ import annotations

from sqlalchemy import Engine

from dienhinh.core.config import Config
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import check_schema

__all__ = ["dispose_engines", "open_engine"]

_engines: list[Engine] = []


def open_engine(config: Config, *, check: bool = True) -> Engine:
    """An engine on ``config.database.url``; with ``check``, refuse a schema that is not
    at the migrations' head (``SchemaOutOfDate``)."""
    engine = make_engine(config.database.url)
    _engines.append(engine)
    if check:
        check_schema(engine)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection the command opened (called once, at exit)."""
    while _engines:
        _engines.pop().dispose()
