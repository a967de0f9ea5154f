"""The data folder filling up while a poll stores raw messages.

A real full disk, not a simulated error: the data folder is a small tmpfs (mounted by the
test, which runs as root in CI; without the right to mount it skips and says why), filled
with a ballast file until only about 25 messages fit. The database lives elsewhere (a
SQLite file beside it, or PostgreSQL), as it usually does. `dienhinh poll` runs as the
operator runs it.

Then: the poll stops with "disk full" on its output, in its log and in `dienhinh status`;
every Message row points at complete bytes; nothing that could not be stored is marked
processed, flagged on the server or passed over by ``last_uid``; and once space is freed
the next poll stores and processes the rest, each message once.
"""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from chaoskit import (
    check_exactly_once,
    check_nothing_claimed_early,
    flagged,
    held_by_server,
    imap_url,
    poll_cli,
    write_config,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.store.blobs import BlobStore, sha256_hex
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Message
from dienhinh.worker.cli import main
from helpers import ENGINES

pytestmark = pytest.mark.imap

DISK = 1024 * 1024  # the tmpfs
# About this many raw messages fit once the ballast is in: each takes three 4 kB pages
# on tmpfs (its file and, mostly, two new folders of the blob store's ab/cd/ layout).
FIT = 25


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "data"
    where.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip() or proc.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """A ballast file that leaves ``leave`` bytes free on ``folder``'s file system."""
    st = os.statvfs(folder)
    ballast = folder / "ballast"
    ballast.write_bytes(b"\0" * (st.f_bavail * st.f_frsize - leave))
    return ballast


def cli(config: Path, *args: str) -> tuple[int, str]:
    """A quick command in this process (`status`), as test_publish_pipeline.py does."""
    out = io.StringIO()
    return main(["--config", str(config), "-q", *args], out=out), out.getvalue()


def test_disk_full_while_storing_raw_messages(server, tmp_path, db_url, small_disk):
    held = held_by_server(server)
    data = small_disk / "var"
    config = write_config(
        tmp_path / "config.toml",
        db_url=db_url,
        mailbox_url=imap_url(server.port),
        data_dir=data,
        mailbox={"post_action": "flag"},
    )
    engine = make_engine(db_url)
    ENGINES.append(engine)
    upgrade(engine)
    ballast = fill(small_disk, FIT * 3 * 4096)

    full = poll_cli(config)
    assert full.returncode == 1, full.stdout + full.stderr
    assert "error: storage error (will retry on the next poll)" in full.stdout, full.stdout
    assert "disk full" in full.stdout and "disk full" in full.stderr, (full.stdout, full.stderr)
    code, status = cli(config, "status")
    assert code == 0 and "ERROR (" in status and "disk full" in status, status

    stored, processed = check_nothing_claimed_early(engine, server, held)
    # whole FETCH batches (20) were stored until one ran out of space; that one is not
    # recorded at all, and neither is anything after it
    assert 0 < stored < len(held.distinct) and stored % 20 == 0, f"{stored} stored"
    assert processed < stored
    blobs = BlobStore(data / "raw")
    with Session(engine) as s:
        shas = list(s.execute(select(Message.sha256)).scalars())
    assert all(sha256_hex(blobs.read(sha)) == sha for sha in shas), "a row without its bytes"

    ballast.unlink()  # the operator (or logrotate) frees some space
    again = poll_cli(config)
    assert again.returncode == 0, again.stdout + again.stderr
    check_exactly_once(engine, data / "raw", held)
    assert flagged(server) == set(held.by_uid)
    code, status = cli(config, "status")
    assert code == 0 and "ERROR (" not in status, status
