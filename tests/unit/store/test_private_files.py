"""The SQLite database (and its -wal/-shm), the data folders and the systemd units keep
the Board's mail to the service's own user."""

from __future__ import annotations

import configparser
import os
import stat
from pathlib import Path

from sqlalchemy import text

from dienhinh.store.db import make_engine

ROOT = Path(__file__).resolve().parents[3]


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_sqlite_files_are_created_0600_whatever_the_umask(tmp_path):
    old = os.umask(0o022)  # the usual umask: files would be 0644
    try:
        db = tmp_path / "data" / "dienhinh.sqlite3"
        engine = make_engine(f"sqlite:///{db}")
        with engine.begin() as c:
            c.execute(text("CREATE TABLE t (x INTEGER)"))
            c.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as c:  # WAL mode: -wal and -shm exist while connected
            c.execute(text("SELECT * FROM t")).all()
            sides = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in sides)
            assert {p.name: _mode(p) for p in [db, *sides]} == {p.name: 0o600 for p in [db, *sides]}
        engine.dispose()
        assert _mode(db.parent) == 0o700  # the folder it made
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_closed(tmp_path):
    db = tmp_path / "old.sqlite3"
    db.touch()
    db.chmod(0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert _mode(db) == 0o600


def test_init_makes_data_folders_private(tmp_path):
    from dienhinh.worker.cli import main

    data = tmp_path / "data"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "{data}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n'
        f'[mailbox]\nurl = "maildir://{tmp_path / "mail"}"\n'
    )
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    assert main(["--config", str(cfg), "-q", "init"]) == 0
    assert _mode(data) & 0o007 == 0
    for sub in data.iterdir():
        if sub.is_dir():
            assert _mode(sub) & 0o007 == 0, sub


def test_every_systemd_unit_sets_umask_0077():
    services = sorted((ROOT / "deploy").glob("*.service"))
    assert services
    for unit in services:
        cp = configparser.ConfigParser(strict=False, interpolation=None)
        cp.optionxform = str  # type: ignore[assignment,method-assign]
        cp.read(unit)
        assert cp.get("Service", "UMask", fallback=None) == "0077", unit.name


def test_blobs_are_written_for_the_owner_only(tmp_path):
    from dienhinh.store.blobs import BlobStore

    old = os.umask(0o022)
    try:
        store = BlobStore(tmp_path / "raw")
        sha = store.put(b"From: a@b\r\n\r\nbody\r\n")
        assert _mode(store.path(sha)) == 0o600
    finally:
        os.umask(old)
