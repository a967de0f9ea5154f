"""`dienhinh worker` as a process: SIGTERM in the middle of a poll, one worker per SQLite
database, two workers on one PostgreSQL.

The worker runs as a real subprocess (python -m dienhinh ... worker); the test reads the
database it writes, and waits for states with a deadline (never a fixed sleep).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email.header import Header
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dbfixtures import create_pg_database, drop_pg_database, pg_unavailable_reason
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Delivery, Lease, Message, PollRun
from factory import article_text
from helpers import ENGINES


def text_mail(i: int) -> bytes:
    """A plain-text article mail, built directly (the stdlib builder is 25 ms a mail)."""
    title, paras = article_text(7000 + i)
    body = title + "\n\n" + "\n\n".join(paras) + "\n"
    head = (
        "From: ubnd-batxat@laocai.gov.vn\r\n"
        "To: btdkt-snv@laocai.gov.vn\r\n"
        f"Subject: {Header(title, 'utf-8').encode()}\r\n"
        "Date: Thu, 22 Mar 2018 14:05:00 +0700\r\n"
        f"Message-ID: <worker-{i}@laocai.gov.vn>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return head.encode() + body.replace("\n", "\r\n").encode()


def fill_maildir(maildir: Path, n: int) -> None:
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (maildir / "new" / f"{1_700_000_000 + i}.M{i}P1.worker").write_bytes(text_mail(i))


def write_config(tmp_path: Path, db_url: str, maildir: Path, **worker: int) -> Path:
    worker = {"poll_minutes": 60} | worker
    p = tmp_path / "config.toml"
    p.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir://{maildir}"\nbatch_size = 10\n'
        "[ingest]\nworkers = 1\n[worker]\n" + "".join(f"{k} = {v}\n" for k, v in worker.items()),
        encoding="utf-8",
    )
    return p


def _env() -> dict[str, str]:
    # The test's own configuration only: no DIENHINH_* override from the caller's shell.
    return {k: v for k, v in os.environ.items() if not k.startswith("DIENHINH_")}


class WorkerProcess:
    def __init__(self, config: Path, log: Path) -> None:
        self.log = log
        self._fh = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dienhinh", "--config", str(config), "worker"],
            cwd=config.parent,
            env=_env(),
            stdout=self._fh,
            stderr=subprocess.STDOUT,
        )

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self._fh.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._fh.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def workers() -> Iterator[Callable[[Path, str], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(config: Path, name: str) -> WorkerProcess:
        w = WorkerProcess(config, config.parent / f"{name}.log")
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()


def wait_for(
    what: str,
    predicate: Callable[[], bool],
    *running: WorkerProcess,
    timeout: float = 120,
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        for w in running:
            if w.proc.poll() is not None:
                raise AssertionError(f"worker ended ({w.proc.returncode}):\n{w.output()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _engine(url: str):
    engine = make_engine(url)
    ENGINES.append(engine)
    return engine


def count(engine, q) -> int:
    with Session(engine) as s:
        return int(s.execute(q).scalar_one())


def n_messages(engine) -> int:
    return count(engine, select(func.count()).select_from(Message))


def n_waiting(engine) -> int:
    return count(
        engine, select(func.count()).select_from(Message).where(Message.status == "received")
    )


def check_each_message_once(engine, n: int) -> None:
    """Every mail stored once, delivered once, processed once into one article."""
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Message)).scalar_one() == n
        assert s.execute(select(func.count(func.distinct(Message.message_id)))).scalar_one() == n
        assert s.execute(select(func.count()).select_from(Delivery)).scalar_one() == n
        statuses = dict(
            s.execute(select(Message.status, func.count()).group_by(Message.status)).all()
        )
        assert statuses == {"ingested": n}, statuses
        per_message = s.execute(
            select(Article.message_pk, func.count()).group_by(Article.message_pk)
        ).all()
        assert len(per_message) == n and all(c == 1 for _pk, c in per_message)


def check_polls_never_overlap(engine) -> int:
    with Session(engine) as s:
        runs = s.execute(
            select(PollRun.started_at, PollRun.finished_at, PollRun.holder)
            .where(PollRun.kind == "poll")
            .order_by(PollRun.started_at)
        ).all()
    for (_s1, f1, h1), (s2, _f2, h2) in itertools.pairwise(runs):
        assert f1 is not None and f1 <= s2, f"polls overlap: {h1} until {f1}, {h2} from {s2}"
    return len(runs)


# --- SIGTERM ----------------------------------------------------------------------------


@pytest.mark.slow
def test_sigterm_mid_poll_exits_cleanly_and_a_restart_finishes(tmp_path, workers):
    """GIVEN a Maildir of 300 mails and a worker polling it (batches of 10)
    WHEN SIGTERM arrives while it polls THEN it exits 0 within seconds, the mailbox lease
    and the SQLite worker lock are released, and no message is half-processed;
    WHEN it is started again THEN it finishes the rest: every mail exactly once."""
    n = 300
    maildir = tmp_path / "maildir"
    fill_maildir(maildir, n)
    db = f"sqlite:///{tmp_path / 'var' / 'dienhinh.sqlite3'}"
    config = write_config(tmp_path, db, maildir)
    engine = _engine(db)
    upgrade(engine)

    first = workers(config, "first")
    wait_for("the poll to be under way", lambda: n_messages(engine) >= 30, first)
    stopping = time.monotonic()
    assert first.stop() == 0, first.output()
    took = time.monotonic() - stopping
    assert took < 15, f"stopping took {took:.1f} s"
    out = first.output()
    assert "SIGTERM received" in out and "stopped" in out

    stored, waiting = n_messages(engine), n_waiting(engine)
    assert stored < n or waiting > 0, "the poll had finished before SIGTERM: not a mid-run test"
    with Session(engine) as s:
        assert s.execute(select(Lease)).scalars().all() == []  # mailbox lease released
        # what was processed was processed whole: one article per ingested message
        done = s.execute(
            select(func.count()).select_from(Message).where(Message.status != "received")
        ).scalar_one()
        assert s.execute(select(func.count()).select_from(Article)).scalar_one() == done
    lock = tmp_path / "var" / "dienhinh.sqlite3.worker.lock"
    assert lock.read_text() == ""  # the worker lock is free

    second = workers(config, "second")
    wait_for("the rest", lambda: n_messages(engine) == n and n_waiting(engine) == 0, second)
    assert second.stop() == 0, second.output()
    check_each_message_once(engine, n)
    check_polls_never_overlap(engine)


# --- one worker per SQLite database --------------------------------------------------------


def test_a_second_worker_on_sqlite_is_refused(tmp_path, workers):
    maildir = tmp_path / "maildir"
    fill_maildir(maildir, 2)
    db = f"sqlite:///{tmp_path / 'var' / 'dienhinh.sqlite3'}"
    config = write_config(tmp_path, db, maildir)
    upgrade(_engine(db))
    lock = tmp_path / "var" / "dienhinh.sqlite3.worker.lock"

    first = workers(config, "first")
    wait_for("the first worker's lock", lambda: lock.is_file() and "pid" in lock.read_text(), first)
    second = subprocess.run(
        [sys.executable, "-m", "dienhinh", "--config", str(config), "worker"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 3, second.stderr
    assert "another worker already runs on this SQLite database" in second.stderr
    assert f"pid {first.proc.pid}" in second.stderr
    assert "PostgreSQL" in second.stderr
    assert first.proc.poll() is None  # the first one goes on
    assert first.stop() == 0, first.output()


# --- two workers, one PostgreSQL -------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    reason = pg_unavailable_reason()
    if reason:
        pytest.skip(reason)
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_on_postgresql_never_double_poll_or_process(tmp_path, workers, pg_url):
    """GIVEN two worker processes on one PostgreSQL and one Maildir of 150 mails, polling
    every minute THEN the polls never overlap (the mailbox lease), and every mail is
    stored, delivered and processed exactly once."""
    n = 150
    maildir = tmp_path / "maildir"
    fill_maildir(maildir, n)
    config = write_config(tmp_path, pg_url, maildir, poll_minutes=1, process_minutes=1)
    engine = _engine(pg_url)
    upgrade(engine)

    a, b = workers(config, "a"), workers(config, "b")
    wait_for("every mail", lambda: n_messages(engine) == n and n_waiting(engine) == 0, a, b)
    assert a.stop() == 0, a.output()
    assert b.stop() == 0, b.output()
    check_each_message_once(engine, n)
    assert check_polls_never_overlap(engine) >= 1
    with Session(engine) as s:
        assert s.execute(select(Lease)).scalars().all() == []
        daily = s.execute(select(PollRun.holder).where(PollRun.kind == "daily")).scalars().all()
    assert len(daily) == 1  # the daily run at start: one worker did it, the other skipped


class _Stored:
    """A PostgreSQL database with this test's configuration (one extraction process), into
    which :meth:`store` puts messages as a poll does before extracting them."""

    def __init__(self, tmp_path: Path, pg_url: str) -> None:
        from dienhinh.core.config import config_from_mapping
        from dienhinh.store.blobs import BlobStore

        self.config = config_from_mapping(
            {
                "paths": {"data_dir": str(tmp_path / "var")},
                "database": {"url": pg_url},
                "mailbox": {"url": f"maildir://{tmp_path / 'maildir'}"},
                "ingest": {"workers": 1},
            }
        )
        self.engine = _engine(pg_url)
        upgrade(self.engine)
        self.blobs = BlobStore(self.config.raw_dir)

    def store(self, first: int, n: int) -> None:
        from dienhinh.core.types import RawMail
        from dienhinh.ingest.rawstore import store_raw_batch

        with Session(self.engine) as s:
            raws = [
                RawMail(text_mail(i), mailbox="import:test", location=f"m{i}")
                for i in range(first, first + n)
            ]
            store_raw_batch(s, self.blobs, raws, post_action=False)
            self.blobs.sync()
            s.commit()


@pytest.mark.postgres
def test_workers_share_waiting_messages_and_never_take_one_twice(tmp_path, pg_url, monkeypatch):
    """GIVEN 160 messages stored but not processed (what an interrupted poll leaves) and
    three workers claiming them at once (FOR NO KEY UPDATE SKIP LOCKED)
    THEN each message is extracted exactly once, by one of them, and the work is shared."""
    import threading
    from collections import Counter

    from dienhinh.ingest import extraction, pipeline

    n = 160
    db = _Stored(tmp_path, pg_url)
    config, engine = db.config, db.engine
    db.store(0, n)
    assert n_waiting(engine) == n

    extracted: Counter[int] = Counter()
    guard = threading.Lock()
    real = extraction._extract_boundary

    def counting(job):
        with guard:
            extracted[job[0]] += 1
        return real(job)

    monkeypatch.setattr(extraction, "_extract_boundary", counting)
    start = threading.Barrier(3)
    reports: list[pipeline.RunReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            ing = pipeline.Ingestor(config, _engine(pg_url))
            start.wait()
            reports.append(ing.process_pending())
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert len(extracted) == n and set(extracted.values()) == {1}
    assert sum(r.processed for r in reports) == n
    assert sum(1 for r in reports if r.processed) >= 2, [r.processed for r in reports]
    assert n_waiting(engine) == 0
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Article)).scalar_one() == n


@pytest.mark.postgres
def test_the_processing_job_takes_a_running_poll_s_stored_mail_until_the_poll_ends(
    tmp_path, pg_url
):
    """GIVEN another worker's poll holding its lease and storing mail as it goes
    WHEN this worker's processing job runs THEN it keeps taking the stored messages while
    the poll lasts (not only those waiting when it started), and returns once the lease is
    gone, every message processed once."""
    import threading

    from dienhinh.store.lease import release, try_acquire
    from dienhinh.worker import jobs
    from dienhinh.worker.settings import load as load_settings

    db = _Stored(tmp_path, pg_url)
    config, engine, store = db.config, db.engine, db.store
    sessions = sessionmaker(engine, expire_on_commit=False)

    store(0, 10)
    assert try_acquire(sessions, "poll:imap://other/INBOX", "other-host:1:x", 600)
    ctx = jobs.JobContext(
        config=config, settings=load_settings(config), engine=engine, holder="this-host:2:y"
    )
    results: list[jobs.JobResult] = []
    job = threading.Thread(target=lambda: results.append(jobs.process(ctx)))
    job.start()
    wait_for("the first ten", lambda: n_waiting(engine) == 0)
    assert job.is_alive()  # the poll goes on: the job waits for more
    store(10, 15)
    wait_for("the next fifteen", lambda: n_waiting(engine) == 0)
    assert job.is_alive()
    release(sessions, "poll:imap://other/INBOX", "other-host:1:x")
    job.join(30)
    assert not job.is_alive()
    assert results[0].processed == 25
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(Article)).scalar_one() == 25
