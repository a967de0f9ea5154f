"""store/dbapi.py opens the database without SQLAlchemy for `dienhinh poll`: it must open
exactly what store/db.py's engine opens (or decline, and the command goes through the
engine), show the URL as the engine shows it, and store values as the models store them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dienhinh.core.states import RunState
from dienhinh.store import dbapi
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Lease
from helpers import ENGINES

POSTGRES_URLS = [
    "postgresql://postgres@127.0.0.1:5432/dienhinh",
    "postgresql+psycopg://u:p%40ss%3Aw0rd@db.example:6543/d%C3%AC",
    "postgresql://u@db.example/d?sslmode=require&connect_timeout=3",
    "postgresql://u:@[::1]:5432/d",
    "postgresql://db.example",
    "postgresql://",
]


@pytest.mark.parametrize("url", POSTGRES_URLS)
def test_postgres_arguments_are_what_sqlalchemy_gives_psycopg(url: str) -> None:
    engine = make_engine(url)
    ENGINES.append(engine)
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    cparams.pop("context", None)  # SQLAlchemy's own type adapters
    assert not [a for a in cargs if a], cargs
    assert dbapi._postgres_args(url) == cparams


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h1:5432,h2:5433/d",  # several hosts
        "postgresql://u@/d?host=/var/run/postgresql",  # a socket folder as an option
        "postgresql://u@h/d?options=a&options=b",
    ],
)
def test_postgres_urls_it_does_not_follow_are_left_to_sqlalchemy(url: str) -> None:
    assert dbapi._postgres_args(url) is None


@pytest.mark.parametrize("url", ["sqlite:///relative/x.sqlite3", "sqlite:////abs/x.sqlite3"])
def test_sqlite_files_are_sqlalchemys(url: str) -> None:
    assert dbapi._sqlite_database(url) == make_url(url).database


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:x.db?mode=ro&uri=true",
        "sqlite:///x.sqlite3?timeout=30",
        "sqlite:///with%20space.sqlite3",
        "mysql://u@h/d",
        "postgresql+psycopg2://u@h/d",
    ],
)
def test_urls_opened_otherwise_are_declined(url: str) -> None:
    assert dbapi.open_url(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////srv/dienhinh/var/dienhinh.sqlite3",
        "postgresql://dienhinh:s3cret@db.example:5432/dienhinh",
        "postgresql+psycopg://dienhinh@db.example/dienhinh",
    ],
)
def test_the_url_is_shown_as_the_engine_shows_it(url: str) -> None:
    engine = make_engine(url) if url.startswith("postgresql") else None
    shown = (
        engine.url.render_as_string(hide_password=True)
        if engine
        else make_url(url).render_as_string(hide_password=True)
    )
    assert dbapi.render_url(url) == shown


def test_values_are_bound_as_the_models_bind_them(db_url: str) -> None:
    """GIVEN a row written through the driver's connection THEN the ORM reads back the same
    instant, and a timestamp the ORM wrote reads the same through the driver."""
    engine = make_engine(db_url)
    ENGINES.append(engine)
    upgrade(engine)
    db = dbapi.open_url(db_url)
    assert db is not None
    try:
        at = datetime(2026, 12, 7, 9, 30, 0, tzinfo=timezone(timedelta(hours=7)))
        with db.connect() as d:
            d.run(
                "INSERT INTO lease (name, holder, acquired_at, expires_at)"
                " VALUES (:n, :h, :at, :until)",
                n="x",
                h=RunState.OK,  # an enum member goes in as its value
                at=at,
                until=at + timedelta(microseconds=1),
            )
            d.commit()
        with Session(engine) as s:
            row = s.get(Lease, "x")
            assert row is not None
            assert row.holder == "ok" and row.acquired_at == at
            assert row.expires_at == at + timedelta(microseconds=1)
            s.add(Lease(name="y", holder="h", acquired_at=at, expires_at=at))
            s.commit()
        with db.connect() as d:
            (stored,) = d.run("SELECT acquired_at FROM lease WHERE name = 'y'").fetchone()
            assert d.time(stored) == at and d.time(stored).tzinfo == UTC
            with pytest.raises(ValueError, match="naive"):
                d.run("SELECT 1 WHERE :t IS NULL", t=datetime(2026, 1, 1))
    finally:
        db.close()


def test_a_driver_connection_gets_the_engines_pragmas(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    db = dbapi.open_url(url)
    assert db is not None
    try:
        with db.connect() as d:
            got = [d.run(f"PRAGMA {p}").fetchone()[0] for p in ("journal_mode", "foreign_keys")]
        assert got == ["wal", 1]
        assert (tmp_path / "p.sqlite3").stat().st_mode & 0o077 == 0
    finally:
        db.close()
