"""The network and the database failing under a poll, and coming back.

A :class:`chaoskit.Proxy` sits between the poller and dovecot (or PostgreSQL) and breaks
the stream at a chosen byte: in the middle of a message of a FETCH response (EOF, or a
peer that goes silent until the client's timeout), with dovecot itself SIGKILLed and
restarted at that moment, or with the database refusing every connection for a while.
Each time: the poll ends with a clear error and without hanging; nothing is marked
processed, flagged on the server or passed over by ``last_uid`` that was not committed;
and a later poll, with nobody touching anything, completes the mailbox exactly once.

The cut-mid-FETCH variant of tests/integration/test_pipeline_imap.py's kicked connection
(``doveadm kick`` between two FETCHes) is not repeated here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from chaoskit import (
    TEMPORARY_LOGIN,
    Held,
    Proxy,
    check_exactly_once,
    check_nothing_claimed_early,
    flagged,
    held_by_server,
    proxy,
    wait_until,
)
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dbfixtures import create_pg_database, drop_pg_database, pg_unavailable_reason
from dienhinh.core.config import config_from_mapping
from dienhinh.ingest.pipeline import Ingestor, RunReport
from dienhinh.ingest.sources.imap import ImapSource
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import MailboxState, PollRun
from dovecot import PASSWORD, USER, Dovecot
from helpers import ENGINES

pytestmark = pytest.mark.imap

BODY = b"BODY[] {"  # where each message's bytes start in a FETCH response


def make_ingest(tmp_path: Path, db_url: str, imap_port: int, **mailbox: object) -> Ingestor:
    url = f"imap://{USER.replace('@', '%40')}@127.0.0.1:{imap_port}/INBOX"
    config = config_from_mapping(
        {
            "paths": {"data_dir": str(tmp_path / "var")},
            "database": {"url": db_url},
            "mailbox": {"url": url, "post_action": "flag", "batch_size": 20} | mailbox,
            "ingest": {"workers": 1},
        },
        path=tmp_path / "config.toml",
        environ={"DIENHINH_IMAP_PASSWORD": PASSWORD},
    )
    engine = make_engine(db_url)
    ENGINES.append(engine)
    upgrade(engine)
    return Ingestor(config, engine)


def poll(ing: Ingestor) -> RunReport:
    """One poll; again while dovecot's login is briefly unavailable (chaoskit)."""
    for _ in range(3):
        report = ing.poll(ImapSource(ing.config.mailbox))
        if TEMPORARY_LOGIN not in (report.error or ""):
            break
    return report


def finish(ing: Ingestor, server: Dovecot, held: Held) -> None:
    """A later poll, with nothing broken any more, completes the mailbox exactly once.
    "Later": dovecot has been seen (rarely, on a busy machine) to answer the first FETCH
    after a broken session with "Internal error occurred"; the poll then ends as
    `connection lost`, as it should, and the next one completes."""
    for _ in range(3):
        report = poll(ing)
        if report.ok:
            break
    assert report.ok, report.error
    check_exactly_once(ing.engine, ing.config.raw_dir, held)
    assert flagged(server) == set(held.by_uid)
    assert poll(ing).fetched == 0


# --- the IMAP connection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "nth"),
    [("close", 30), ("stall", 47)],
    ids=["eof-in-2nd-fetch", "silent-in-3rd-fetch"],
)
def test_connection_cut_in_the_middle_of_a_fetch_response(
    server, tmp_path, db_url, caplog, mode, nth
):
    """GIVEN a poll whose connection breaks inside the bytes of message ``nth`` of a
    FETCH response (EOF, or the server going silent until mailbox.timeout_seconds)
    THEN the poll ends with "connection lost", keeps what it committed, flags and passes
    over nothing else, and the next poll completes the rest exactly once."""
    held = held_by_server(server)
    with proxy(("127.0.0.1", server.port)) as p:
        ing = make_ingest(tmp_path, db_url, p.port, timeout_seconds=1.5)
        p.cut_when(BODY, 600, nth=nth, mode=mode)
        with caplog.at_level(logging.ERROR):
            report = poll(ing)
        assert p.cuts == 1
        assert not report.ok and "dropped during FETCH" in report.error, report.error
        assert "connection lost" in caplog.text
        stored, processed = check_nothing_claimed_early(ing.engine, server, held)
        # the FETCH that broke stored nothing of its batch; every earlier one is kept,
        # and its messages were processed (the batch before the failing FETCH is written)
        assert stored == (nth - 1) // 20 * 20 == processed, (stored, processed)
        with Session(ing.engine) as s:
            state = s.execute(select(MailboxState)).scalar_one()
            assert state.consecutive_failures == 1 and "dropped" in state.last_error
        finish(ing, server, held)


def test_dovecot_restarted_in_the_middle_of_a_fetch(server, tmp_path, db_url):
    """GIVEN dovecot SIGKILLed and restarted while it sends the 25th message of a FETCH
    THEN the poll ends with "connection lost" and the next one, on the new server
    process, completes the mailbox exactly once."""
    held = held_by_server(server)
    with proxy(("127.0.0.1", server.port)) as p:
        ing = make_ingest(tmp_path, db_url, p.port)
        p.cut_when(BODY, 900, nth=25, then=server.restart)
        report = poll(ing)
        assert p.cuts == 1 and not report.ok and "dropped" in report.error, report.error
        assert check_nothing_claimed_early(ing.engine, server, held) == (20, 20)
        finish(ing, server, held)


# --- the database ---------------------------------------------------------------------------


@pytest.fixture
def pg_through_proxy() -> Iterator[tuple[str, Proxy]]:
    """A fresh PostgreSQL database reached through a proxy the test can take down (the
    machine's PostgreSQL is shared: it is never stopped itself)."""
    reason = pg_unavailable_reason()
    if reason:
        pytest.skip(reason)
    direct = create_pg_database()
    u = make_url(direct)
    try:
        with proxy((u.host or "127.0.0.1", u.port or 5432)) as p:
            yield u.set(port=p.port).render_as_string(hide_password=False), p
    finally:
        drop_pg_database(direct)


@pytest.mark.postgres
def test_database_away_mid_poll_then_back(server, tmp_path, pg_through_proxy, caplog):
    """GIVEN PostgreSQL going away (every connection cut, new ones refused) while the
    second FETCH of a poll arrives, and staying away for a while
    THEN the poll ends with a database error (no hang, no traceback out of the command's
    loop), polls meanwhile fail the same way; no mail is flagged or passed over that is
    not committed; WHEN the database is back THEN the worker's next scheduled poll
    completes the mailbox exactly once, with no operator."""
    from dienhinh.worker.jobs import JobContext, JobRunner
    from dienhinh.worker.scheduler import features, job_specs
    from dienhinh.worker.settings import load as load_worker

    db_url, db = pg_through_proxy
    held = held_by_server(server)
    with proxy(("127.0.0.1", server.port)) as imap:
        ing = make_ingest(tmp_path, db_url, imap.port, lease_seconds=3)
        config = ing.config
        settings = load_worker(config)
        (poll_spec,) = [
            s
            for s in job_specs(settings, features(config), ZoneInfo(config.timezone))
            if s.kind == "poll"
        ]
        runner = JobRunner(JobContext(config, settings, ing.engine, holder="chaos-worker"))
        imap.cut_when(BODY, 10, nth=30, mode="continue", then=db.down)

        with caplog.at_level(logging.WARNING):
            for _ in range(3):  # again while dovecot's login is briefly unavailable
                first = runner(poll_spec)
                if first is None or TEMPORARY_LOGIN not in (first.note or ""):
                    break
        assert imap.cuts == 1 and db.is_down
        assert first is not None and first.status == "error", first
        assert "database" in (first.note or "").lower(), first.note
        # still away: the worker's next polls fail at once, with the reason
        again = runner(poll_spec)
        assert again is None or again.status == "error", again

        db.up()
        direct = make_engine(db_url.replace(f":{db.port}/", ":5432/"))
        ENGINES.append(direct)
        check_nothing_claimed_early(direct, server, held)

        # The first poll's lease could not be released while the database was away: the
        # worker's polls are skipped until it expires (lease_seconds), then one completes.
        results = []
        wait_until(
            "a poll of the worker to succeed",
            lambda: results.append(runner(poll_spec)) or results[-1].status == "ok",
            timeout=60,
        )
        assert {r.status for r in results[:-1]} <= {"skipped"}, results
        check_exactly_once(direct, config.raw_dir, held)
        assert flagged(server) == set(held.by_uid)
        with Session(direct) as s:
            runs = s.execute(select(PollRun.status).order_by(PollRun.id)).scalars().all()
        assert runs[-1] == "ok"
