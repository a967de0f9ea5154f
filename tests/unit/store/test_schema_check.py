"""The start-up schema check reads the head and the database's revision without alembic;
it must say what alembic says, on both databases."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import create_engine

from dienhinh.store import migrate
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


def test_check_schema_asks_alembic_when_the_chain_is_not_simple(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine("sqlite://")
    upgrade(engine)
    monkeypatch.setattr(migrate, "_light_head", lambda: None)
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999")
    with pytest.raises(SchemaOutOfDate, match="needs 9999"):
        check_schema(engine)
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
