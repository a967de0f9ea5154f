"""A JobContext on a fresh database (SQLite and PostgreSQL) with a clock the test moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.worker.jobs import JobContext
from dienhinh.worker.settings import load
from helpers import ENGINES


class Clock:
    """Aware UTC time that only moves when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock() -> Clock:
    # 2018-04-01 06:50 in Lào Cai
    return Clock(datetime(2018, 3, 31, 23, 50, tzinfo=UTC))


@pytest.fixture
def make_ctx(make_config: Callable[..., Any], clock: Clock) -> Callable[..., JobContext]:
    def build(holder: str = "host-a:1:aaaa", **sections: dict[str, Any]) -> JobContext:
        config = make_config(**sections)
        engine = make_engine(config.database.url)
        ENGINES.append(engine)
        upgrade(engine)
        return JobContext(
            config=config, settings=load(config), engine=engine, holder=holder, clock=clock
        )

    return build
