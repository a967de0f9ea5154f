"""The migrations build exactly the schema the models describe, on both databases.

A column added to a model without a migration would work in tests that create tables from
the models and fail on a user's upgraded database; this catches it.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from dienhinh.store.migrate import current_revision, head_revision, upgrade
from dienhinh.store.models import Base


def _not_full_text_index(name: str | None, type_: str, parent_names: object) -> bool:
    """The full-text index of migrations 0005 and 0007 (SQLite's FTS5 table ``article_fts``
    and its shadow tables; PostgreSQL's generated column ``article_search.tsv`` and its GIN
    index ``article_fts_tsv``) is not a model: the models declare neither, so the comparison
    leaves those names out."""
    if type_ == "column" and name == "tsv":
        return getattr(parent_names, "get", lambda _k: None)("table_name") != "article_search"
    return not (name or "").startswith("article_fts")


def test_migrations_reach_head_and_match_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": False, "include_name": _not_full_text_index}
            )
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_upgrades_in_several_threads_each_reach_their_own_database(tmp_path) -> None:
    """Alembic keeps the running migration in module globals: without the lock in
    store.migrate, two threads upgrading two databases at once sent one's operations to
    the other's connection (seen in the kill -9 test's two lanes)."""
    import threading

    engines = [create_engine(f"sqlite:///{tmp_path / f'db{i}.sqlite3'}") for i in range(3)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(engines))

    def run(engine) -> None:
        try:
            start.wait()
            upgrade(engine)
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert not errors, errors
        for engine in engines:
            assert current_revision(engine) == head_revision()
    finally:
        for engine in engines:
            engine.dispose()


def test_0009_keeps_existing_rows_and_holds_the_longest_outcome(db_url: str) -> None:
    """Migration 0009 on a database with data: messages start not waiting for a decision,
    assets with an empty declared type, and an asset's outcome holds "official-document"
    (PostgreSQL enforces the width); the downgrade goes back to 0008 and up again."""
    from alembic import command
    from sqlalchemy import text

    from dienhinh.store.migrate import _UPGRADING, _alembic_config

    engine = create_engine(db_url)
    try:
        upgrade(engine, "0008")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO message (id, message_id, message_id_generated, sha256, "
                    "body_sha256, size, received_at, from_addr, from_name, subject, status, "
                    "transient, attempts, flags, cover_note, meta, headers_text, defects, "
                    "created_at, updated_at) VALUES (1, 'm1@x', false, 'a', 'a', 1, "
                    ":t, '', '', '', 'failed', false, 0, '[]', '', '{}', '', '[]', :t, :t)"
                ),
                {"t": "2024-05-06 02:00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO asset (message_pk, sha256, size, content_type, filename, role, "
                    "caption, position, part_path, used_as) "
                    "VALUES (1, 'b', 1, 'application/zip', 'a.zip', 'document', '', 0, '2', "
                    "'failed')"
                )
            )
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.begin() as conn:
            row = conn.execute(
                text("SELECT review_needed, decided_by, decided_at FROM message")
            ).one()
            assert (bool(row[0]), row[1], row[2]) == (False, None, None)
            assert conn.execute(text("SELECT declared_type FROM asset")).scalar_one() == ""
            conn.execute(
                text("UPDATE asset SET used_as = :v, declared_type = :d"),
                {"v": "official-document", "d": "application/octet-stream"},
            )
        cfg = _alembic_config()
        with _UPGRADING, engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
        assert current_revision(engine) == "0008"
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_0016_fills_the_search_rows_state_and_follows_it(db_url: str) -> None:
    """Migration 0016 on a database with indexed articles: each search row gets its
    article's state, the full-text index answers a search in a state, a later state change
    reaches the search row, and the downgrade to 0015 and the upgrade again keep the search
    working."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from dienhinh.review import search
    from dienhinh.store.migrate import _UPGRADING, _alembic_config

    engine = create_engine(db_url)
    states = ["pending-review", "approved", "needs-ocr", "approved"]
    try:
        upgrade(engine, "0015")
        with engine.begin() as conn:
            for n, state in enumerate(states, start=1):
                conn.execute(
                    text(
                        "INSERT INTO message (id, message_id, message_id_generated, sha256, "
                        "body_sha256, size, received_at, from_addr, from_name, subject, "
                        "status, transient, attempts, flags, cover_note, meta, headers_text, "
                        "defects, created_at, updated_at, review_needed) VALUES (:n, :mid, "
                        "false, :h, :h, 1, :t, '', '', '', 'ingested', false, 0, '[]', '', "
                        "'{}', '', '[]', :t, :t, false)"
                    ),
                    {"n": n, "mid": f"m{n}@x", "h": f"{n:064x}", "t": "2024-05-06 02:00:00"},
                )
                conn.execute(
                    text(
                        "INSERT INTO article (id, message_pk, ordinal, title, lead, text, "
                        "source, origin, status, flags, header_lines, text_sha256, "
                        "document_sha256, meta, campaigns, flagged, version, created_at, "
                        "updated_at) VALUES (:n, :n, 1, 'Bài', '', 'Thôn bản đổi mới', "
                        "'text-body', '', :s, '[]', '[]', '', '', '{}', '[]', false, 1, :t, :t)"
                    ),
                    {"n": n, "s": state, "t": "2024-05-06 02:00:00"},
                )
                # the search row as 0015's search.refresh wrote it (no state)
                conn.execute(
                    text(
                        "INSERT INTO article_search (article_id, updated_at, folded, title) "
                        "VALUES (:n, :t, 'bai thon ban doi moi', 'bai')"
                    ),
                    {"n": n, "t": "2024-05-06 02:00:00"},
                )
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            got = conn.execute(
                text("SELECT article_id, status FROM article_search ORDER BY article_id")
            ).all()
        assert [st for _id, st in got] == states
        with Session(engine) as s:
            counts = search.state_counts(s, "thôn", ["approved", "needs-ocr", "failed"])
            assert counts == {"approved": 2, "needs-ocr": 1, "failed": 0}
            s.execute(text("UPDATE article SET status = 'failed' WHERE id = 3"))
            s.commit()
            counts = search.state_counts(s, "thon", ["needs-ocr", "failed"])
            assert counts == {"needs-ocr": 0, "failed": 1}
        cfg = _alembic_config()
        with _UPGRADING, engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0015")
        assert current_revision(engine) == "0015"
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                q = "SELECT count(*) FROM article_fts WHERE article_fts MATCH 'thon'"
            else:
                q = "SELECT count(*) FROM article_search WHERE tsv @@ 'thon'::tsquery"
            assert conn.execute(text(q)).scalar_one() == len(states)
        upgrade(engine)
        with Session(engine) as s:
            assert search.state_counts(s, "thon", ["approved", "failed"]) == {
                "approved": 2,
                "failed": 1,
            }
    finally:
        engine.dispose()
