"""A poll killed with SIGKILL (the OOM killer, an admin's kill -9) takes its helper
processes with it: the forkserver, the extraction workers and the resource tracker end
within seconds instead of running for good (issue 12, item 10; before, each kill left 4
processes and about 180 MB behind)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chaoskit import chaos_mailbox, command_env, wait_until, write_config

from helpers import deliver

N_MAILS = 400


def _session(sid: int) -> dict[int, str]:
    """Live processes of session ``sid`` (pid -> command line); zombies count as gone."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found[int(entry.name)] = f"ppid {fields[1]}: {cmd.strip()[:90]}"
    return found


def _rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


@pytest.mark.parametrize("delay", [0.0, 0.7], ids=["as-the-pool-starts", "mid-extraction"])
def test_helpers_of_a_killed_poll_end_with_it(tmp_path, delay):
    maildir = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for raw in chaos_mailbox(N_MAILS):
        deliver(maildir, raw)
    cfg = write_config(
        tmp_path / "config.toml",
        db_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        mailbox_url=f"maildir://{maildir}",
        data_dir=tmp_path / "var",
        ingest={"workers": 2, "parallel_threshold": 4},
    )
    env = command_env()
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # the tree under test, if given
    subprocess.run(
        [sys.executable, "-m", "dienhinh", "--config", str(cfg), "-q", "init"],
        env=env,
        check=True,
        capture_output=True,
    )
    log = (tmp_path / "poll.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dienhinh", "--config", str(cfg), "-q", "poll"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    sid = proc.pid
    try:
        # The poll, its forkserver, the resource tracker and two extraction workers.
        wait_until(
            "the poll's extraction processes",
            lambda: proc.poll() is None and len(_session(sid)) >= 5,
            timeout=120,
        )
        time.sleep(delay)
        helpers = {p: c for p, c in _session(sid).items() if p != proc.pid}
        rss = _rss_kb(list(helpers))
        assert proc.poll() is None, "the poll ended before it could be killed"
        assert len(helpers) >= 4, helpers
        proc.send_signal(signal.SIGKILL)  # the poll alone, as kill -9 PID
        proc.wait()
        deadline = time.monotonic() + 5
        while _session(sid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = _session(sid)
        assert not left, (
            f"{len(left)} process(es) of the killed poll still run 5 s later "
            f"(of {len(helpers)} helpers, {rss // 1024} MB): {left}"
        )
    finally:
        log.close()
        for pid in _session(sid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
