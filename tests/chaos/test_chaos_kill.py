"""kill -9 of `dienhinh poll` at random moments of an ingest from a real dovecot.

Each *trial* starts `dienhinh poll` (a subprocess, its own session) and SIGKILLs it after a
random delay: while it starts, logs in, fetches, stores, extracts in its process pool,
commits or flags mail. Trials run in *rounds*: a round is a fresh database (SQLite and
PostgreSQL in turn, extraction in-process and in a pool of two in turn) whose ingest is
killed again and again, each restart resuming what the last one committed, until a poll
finishes by itself or the round has had its kills; then a last, undisturbed poll must
leave the mailbox ingested exactly once with its exact bytes. After every kill the
database must already be consistent (no message twice, no article twice, no mail flagged
on the server whose results are not committed, ``last_uid`` only over stored mail).

CHAOS_TRIALS (default 30; `make chaos` runs 100) is the number of kills; CHAOS_SEED fixes
the random delays.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from chaoskit import (
    TEMPORARY_LOGIN,
    TRIALS,
    Held,
    Poller,
    census,
    check_exactly_once,
    flagged,
    imap_url,
    poll_cli,
    unflag_all,
    write_config,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dbfixtures import create_pg_database, drop_pg_database, pg_unavailable_reason
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Delivery, MailboxState, Message
from dovecot import SECOND_USER, USER, Dovecot
from helpers import ENGINES

KILLS_PER_ROUND = 8
# Where a kill lands. Some trials kill at a random moment of the start (interpreter,
# imports, login: nothing is written yet); the others wait until the poll has written
# something new (a slice of raw messages, a group of results, flags) and kill a random
# moment after that, so that the kills of a round spread over the whole ingest.
STARTUP_SHARE = 0.15
STARTUP_DELAY = (0.2, 1.5)
AFTER_PROGRESS = (0.0, 1.2)


def progress(engine) -> tuple[int, int, int]:
    """(messages stored, processed, post-actions done): what a poll has committed."""
    with Session(engine) as s:
        stored = s.execute(select(func.count()).select_from(Message)).scalar_one()
        waiting = s.execute(
            select(func.count()).select_from(Message).where(Message.status == "received")
        ).scalar_one()
        flagged_rows = s.execute(
            select(func.count()).select_from(Delivery).where(Delivery.post_action_state == "done")
        ).scalar_one()
    return int(stored), int(stored - waiting), int(flagged_rows)


def kill_moment(poller: Poller, engine, rng: random.Random) -> bool:
    """Wait for this trial's kill moment; False if the poll ended first."""
    started = time.monotonic()
    if rng.random() < STARTUP_SHARE:
        until = started + rng.uniform(*STARTUP_DELAY)
    else:
        before = progress(engine)
        until = None
        while until is None:
            if poller.proc.poll() is not None:
                return False
            if progress(engine) != before:
                until = time.monotonic() + rng.uniform(*AFTER_PROGRESS)
            elif time.monotonic() - started > 120:
                raise AssertionError(f"the poll made no progress in 120 s:\n{poller.output()}")
            else:
                time.sleep(0.02)
    while time.monotonic() < until:
        if poller.proc.poll() is not None:
            return False
        time.sleep(0.01)
    return poller.proc.poll() is None


@contextmanager
def round_database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'var' / 'dienhinh.sqlite3'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def check_consistent_after_kill(engine, server: Dovecot, user: str, held: Held) -> tuple[int, int]:
    """What must hold at any instant, even right after a SIGKILL. Returns (stored,
    processed) to show where the kill landed."""
    c = census(engine)
    assert c.distinct_ids == c.messages, "two Message rows share a Message-ID"
    assert c.deliveries == c.distinct_places, "a UID delivered twice"
    assert c.per_message_max <= 1, "a message has two articles"
    assert c.messages <= len(held.distinct)
    with Session(engine) as s:
        done = set(
            s.execute(
                select(Delivery.uid)
                .join(Message, Message.id == Delivery.message_pk)
                .where(Message.status != "received")
            ).scalars()
        )
        delivered = set(s.execute(select(Delivery.uid)).scalars())
        last_uid = max(s.execute(select(MailboxState.last_uid)).scalars(), default=0)
    # the post-action (flag) runs only for mail whose results are committed
    early = flagged(server, user) - done
    assert not early, f"UIDs {sorted(early)[:10]} flagged before their results were committed"
    # last_uid advances only over stored mail: nothing below it can be skipped
    assert {u for u in held.by_uid if u <= last_uid} <= delivered, "last_uid passed unstored mail"
    processed = c.messages - c.statuses.get("received", 0)
    return c.messages, processed


@dataclass
class Lane:
    """One sequence of rounds: its own mailbox (user), database kind, share of kills."""

    user: str
    kind: str
    trials: int
    rng: random.Random
    kills: int = 0
    rounds: int = 0
    finished_early: int = 0
    takeovers: int = 0  # leases of killed pollers taken over at once by the next poll
    landed: list[tuple[int, int]] = field(default_factory=list)  # (stored, processed)


def run_lane(lane: Lane, server: Dovecot, held: Held, tmp_path: Path) -> None:
    while lane.kills < lane.trials:
        workers = 1 if lane.rounds % 2 == 0 else 2
        tmp = tmp_path / f"{lane.kind}-{lane.rounds}"
        tmp.mkdir(parents=True)
        unflag_all(server, lane.user)
        with round_database(lane.kind, tmp) as db_url:
            config = write_config(
                tmp / "config.toml",
                db_url=db_url,
                mailbox_url=imap_url(server.port, user=lane.user),
                data_dir=tmp / "var",
                mailbox={"post_action": "flag"},
                ingest={"workers": workers},
            )
            engine = make_engine(db_url)
            ENGINES.append(engine)
            upgrade(engine)
            log = tmp / "poll.log"
            where = f"{lane.kind} round {lane.rounds} (log {log})"
            for _ in range(KILLS_PER_ROUND):
                poller = Poller(config, log)
                if kill_moment(poller, engine, lane.rng) and poller.kill9():
                    lane.kills += 1
                    lane.landed.append(check_consistent_after_kill(engine, server, lane.user, held))
                    if lane.kills >= lane.trials:
                        break
                    continue
                rc = poller.wait()
                if rc != 0 and TEMPORARY_LOGIN in poller.output().rsplit("poll:", 1)[-1]:
                    continue  # dovecot's login was briefly unavailable: poll again
                assert rc == 0, f"{where}: poll failed:\n{poller.output()}"
                lane.finished_early += 1
                break
            # the operator's view after the kills: one undisturbed poll finishes the job
            final = poll_cli(config)
            assert final.returncode == 0, f"{where}: {final.stdout}\n{final.stderr}"
            logged = log.read_text(errors="replace") + final.stderr
            lane.takeovers += logged.count("is gone (process ended); taken over")
            check_exactly_once(engine, tmp / "var" / "raw", held)
            assert flagged(server, lane.user) == set(held.by_uid), "a processed mail not flagged"
            with Session(engine) as s:
                states = set(s.execute(select(Delivery.post_action_state)).scalars())
            assert states == {"done"}, states
            engine.dispose()
        lane.rounds += 1


@pytest.mark.imap
@pytest.mark.slow
def test_kill9_at_random_points_never_loses_or_duplicates(
    mail_server: Dovecot, held: Held, tmp_path: Path
):
    """Two lanes side by side (the machine's two cores): SQLite on one mailbox and
    PostgreSQL on the other (SQLite twice where no PostgreSQL answers)."""
    seed = int(os.environ.get("CHAOS_SEED", "20180312"))
    second = "sqlite" if pg_unavailable_reason() else "postgres"
    lanes = [
        Lane(USER, "sqlite", (TRIALS + 1) // 2, random.Random(seed)),
        Lane(SECOND_USER, second, TRIALS // 2, random.Random(seed + 1)),
    ]
    errors: list[BaseException] = []

    def run(lane: Lane) -> None:
        try:
            run_lane(lane, mail_server, held, tmp_path / lane.user.split("@")[0])
        except BaseException as err:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(err)

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(lane,)) for lane in lanes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    if errors:
        raise errors[0]
    n = len(held.distinct)
    landed = [x for lane in lanes for x in lane.landed]
    phases = {
        "before anything was stored": sum(1 for st, _p in landed if st == 0),
        "while fetching and storing": sum(1 for st, _p in landed if 0 < st < n),
        "while extracting the last": sum(1 for st, p in landed if st == n and p < n),
        "after the last commit": sum(1 for st, p in landed if st == n and p == n),
    }
    kills = sum(lane.kills for lane in lanes)
    print(
        f"\nchaos kill -9: {kills} kills in "
        + " + ".join(f"{lane.rounds} {lane.kind} rounds" for lane in lanes)
        + f", {len(held.by_uid)} mails each, seed {seed}, {took:.0f} s; kills landed "
        + ", ".join(f"{k}: {v}" for k, v in phases.items())
        + "; polls that finished before their kill: "
        + str(sum(lane.finished_early for lane in lanes))
        + "; leases of killed pollers taken over: "
        + str(sum(lane.takeovers for lane in lanes))
    )
    assert kills >= TRIALS
    if kills >= 10:  # most kills land while the poller holds the mailbox lease
        assert sum(lane.takeovers for lane in lanes) > 0
