"""Build the long-lived objects (engine, ingestor, sources) from a Config: wiring only."""

from __future__ import annotations

from sqlalchemy import Engine

from dienhinh.core.config import Config
from dienhinh.ingest.sources.base import MailSource
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import check_schema

__all__ = ["dispose_engines", "make_source", "open_engine"]

_engines: list[Engine] = []


def open_engine(config: Config, *, check: bool = True) -> Engine:
    engine = make_engine(config.database.url)
    _engines.append(engine)
    if check:
        check_schema(engine)
    return engine


def dispose_engines() -> None:
    """Close every pooled connection the command opened (called once, at exit)."""
    while _engines:
        _engines.pop().dispose()


def make_source(config: Config) -> MailSource:
    cfg = config.mailbox
    if cfg.url.scheme == "maildir":
        from dienhinh.ingest.sources.maildir import MaildirSource

        return MaildirSource.from_config(cfg)
    from dienhinh.ingest.sources.imap import ImapSource

    return ImapSource(cfg)
