"""The database engines a command opens from its Config, and their closing at exit.

Every entry point (the ``dienhinh`` command, the console, the publication and notification
commands, the worker) opens its engine here, so a schema that is out of date is refused
the same way everywhere and every pooled connection is closed once, at exit.

`dienhinh poll` first opens the database on the driver itself (:func:`open_connect`,
store/dbapi.py: no SQLAlchemy import), and an engine only when its run has work to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dienhinh.core.config import Config
from dienhinh.store.dbapi import Connect, on_engine, open_url, render_url
from dienhinh.store.migrate import check_light, check_schema

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["dispose_engines", "open_connect", "open_engine"]

_engines: list[Engine] = []


def open_engine(config: Config, *, check: bool = True) -> Engine:
    """An engine on ``config.database.url``; with ``check``, refuse a schema that is not
    at the migrations' head (``SchemaOutOfDate``)."""
    from dienhinh.store.db import make_engine

    engine = make_engine(config.database.url)
    _engines.append(engine)
    if check:
        check_schema(engine)
    return engine


@contextmanager
def open_connect(config: Config) -> Iterator[Connect]:
    """Connections to ``config.database.url`` for the block, the schema checked as
    :func:`open_engine` checks it: one connection of the driver itself where store/dbapi.py
    can open the URL exactly as the engine would, an engine's otherwise."""
    db = open_url(config.database.url)
    if db is None:
        engine = open_engine(config)
        yield lambda: on_engine(engine)
        return
    try:
        if not check_light(db, render_url(config.database.url)):
            open_engine(config)  # alembic decides
        yield db.connect
    finally:
        db.close()


def dispose_engines() -> None:
    """Close every pooled connection the command opened (called once, at exit)."""
    while _engines:
        _engines.pop().dispose()
