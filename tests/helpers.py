"""Small helpers shared by the integration tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.core.config import Config
from dienhinh.ingest.pipeline import Ingestor
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Delivery, Message

_counter = [0]
ENGINES: list[Any] = []  # disposed after each test by the autouse fixture in conftest.py


def deliver(maildir: Path, raw: bytes, name: str | None = None) -> str:
    """Drop a message into a Maildir's new/ as an MTA would; returns its unique name."""
    _counter[0] += 1
    name = name or f"{1700000000 + _counter[0]}.M{_counter[0]}P1.test"
    tmp = maildir / "tmp" / name
    tmp.write_bytes(raw)
    tmp.rename(maildir / "new" / name)
    return name


def ingestor(config: Config) -> Ingestor:
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    return Ingestor(config, engine)


def rows(ing: Ingestor, model: Any) -> list[Any]:
    with Session(ing.engine) as s:
        return list(s.execute(select(model).order_by(model.id)).scalars())


def messages(ing: Ingestor) -> list[Message]:
    return rows(ing, Message)


def articles(ing: Ingestor) -> list[Article]:
    return rows(ing, Article)


def deliveries(ing: Ingestor) -> list[Delivery]:
    return rows(ing, Delivery)
