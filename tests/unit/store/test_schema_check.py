"""The start-up schema check reads the head and the database's revision without alembic;
it must say what alembic says, on both databases."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import create_engine

from dienhinh.store import migrate
from dienhinh.store.dbapi import on_engine
from dienhinh.store.migrate import SchemaOutOfDate, check_schema, current_revision, upgrade


def test_light_head_is_alembics_head() -> None:
    assert migrate._light_head() == migrate.head_revision()


def test_check_schema_follows_the_database(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        assert migrate._light_current(engine) == (True, None)
        with pytest.raises(SchemaOutOfDate, match="has no tables"):
            check_schema(engine)
        upgrade(engine, "0013")
        assert migrate._light_current(engine) == (True, current_revision(engine)) == (True, "0013")
        needs = f"at schema 0013; this version needs {migrate.head_revision()}"
        with pytest.raises(SchemaOutOfDate, match=needs):
            check_schema(engine)
        upgrade(engine)
        assert migrate._light_current(engine) == (True, current_revision(engine))
        check_schema(engine)
    finally:
        engine.dispose()


def test_the_commands_light_check_says_what_check_schema_says(db_url: str) -> None:
    """`dienhinh poll` checks the schema on the driver's own connection (store/dbapi.py):
    the same refusal, word for word, at every stage."""
    from dienhinh.store.dbapi import open_url, render_url

    engine = create_engine(db_url)
    db = open_url(db_url)
    assert db is not None

    def refusals() -> tuple[str, str]:
        got = []
        for check in (
            lambda: check_schema(engine),
            lambda: migrate.check_light(db, render_url(db_url)),
        ):
            with pytest.raises(SchemaOutOfDate) as err:
                check()
            got.append(str(err.value))
        return got[0], got[1]

    try:
        engine_says, light_says = refusals()
        assert light_says == engine_says and "has no tables" in light_says
        upgrade(engine, "0013")
        engine_says, light_says = refusals()
        assert light_says == engine_says and "at schema 0013" in light_says
        upgrade(engine)
        assert migrate.check_light(db, render_url(db_url)) is True
    finally:
        db.close()
        engine.dispose()


def test_check_schema_asks_alembic_when_the_chain_is_not_simple(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine("sqlite://")
    upgrade(engine)
    monkeypatch.setattr(migrate, "_light_head", lambda: None)
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999")
    with pytest.raises(SchemaOutOfDate, match="needs 9999"):
        check_schema(engine)
    with on_engine(engine) as db:  # the command's light check leaves it to alembic
        assert migrate.check_light(db, "sqlite://") is False
    engine.dispose()


def test_a_poll_start_up_does_not_import_alembic(tmp_path: object) -> None:
    """`dienhinh poll` pays for what it uses: the schema check and the idle path import
    neither alembic nor the extraction code."""
    import subprocess

    code = (
        "import sys\n"
        "from sqlalchemy import create_engine\n"
        "from dienhinh.store.migrate import check_schema\n"
        "import dienhinh.worker.cli, dienhinh.ingest.pipeline\n"
        f"e = create_engine('sqlite:///{tmp_path}/x.sqlite3')\n"
        "try:\n    check_schema(e)\nexcept Exception:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic' or m in "
        "('dienhinh.ingest.extract', 'dienhinh.classifiers.tagging', 'bs4')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
