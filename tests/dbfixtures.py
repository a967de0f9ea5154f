"""Database fixtures: every store test runs on SQLite *and* PostgreSQL.

PostgreSQL is the server at DIENHINH_TEST_PG_URL (default: postgres@127.0.0.1:5432, trust
auth, as on the CI machine). Each test gets a fresh database, dropped afterwards. Where no
server answers, the PostgreSQL variants skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get(
    "DIENHINH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_pg_state: dict[str, str | None] = {}


def pg_unavailable_reason() -> str | None:
    """None if PostgreSQL answers, else the reason (computed once per session)."""
    if "reason" not in _pg_state:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            _pg_state["reason"] = "psycopg is not installed (pip install -e .[test])"
            return _pg_state["reason"]
        try:
            eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with eng.connect() as c:
                c.execute(text("select 1"))
            eng.dispose()
            _pg_state["reason"] = None
        except Exception as err:  # noqa: BLE001 - any failure means "no server here"
            _pg_state["reason"] = (
                f"no PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()}: "
                f"{type(err).__name__}: {str(err).splitlines()[0]}"
            )
    return _pg_state["reason"]


def create_pg_database() -> str:
    name = f"dienhinh_t_{uuid.uuid4().hex[:12]}"
    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def bench_pg_database() -> str | None:
    """A fresh database for a benchmark (bench/*.py), or None, the reason printed, where
    no server answers. The caller drops it with :func:`drop_pg_database`."""
    reason = pg_unavailable_reason()
    if reason:
        print(f"PostgreSQL skipped: {reason}")
        return None
    return create_pg_database()


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dienhinh.sqlite3'}"
        return
    reason = pg_unavailable_reason()
    if reason:
        pytest.skip(reason)
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def make_config(tmp_path: Path, db_url: str) -> Callable[..., Any]:
    """Build a Config for a test: data in tmp_path, the test's database, a Maildir."""
    from dienhinh.core.config import config_from_mapping

    def build(mailbox_url: str | None = None, **sections: dict[str, Any]) -> Any:
        maildir = tmp_path / "maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {
            "paths": {"data_dir": str(tmp_path / "var")},
            "database": {"url": db_url},
            "mailbox": {"url": mailbox_url or f"maildir://{maildir}"},
            "ingest": {"workers": 1},
        }
        for name, values in sections.items():
            data.setdefault(name, {}).update(values)
        return config_from_mapping(data, path=tmp_path / "config.toml")

    return build
