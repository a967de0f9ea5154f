"""`dienhinh worker`: the unattended scheduled worker (see worker/runtime.py).

Exit codes: 0 after a clean stop (SIGTERM, SIGINT); 2 configuration error; 3 another worker
already runs on this SQLite database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

from dienhinh.core.config import Config

__all__ = ["register"]


def register(sub: Any) -> dict[str, Callable[[Config, argparse.Namespace, TextIO], int]]:
    sp = sub.add_parser(
        "worker",
        help="run the scheduled worker (polls, daily run, publishing, mail) until stopped",
    )
    sp.add_argument(
        "--list-jobs",
        action="store_true",
        help="print the jobs this configuration schedules and their next run times, then exit",
    )
    return {"worker": cmd_worker}


def cmd_worker(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from dienhinh.store.engines import open_engine
    from dienhinh.worker.guard import WorkerAlreadyRunning
    from dienhinh.worker.runtime import Worker

    if args.list_jobs:
        from zoneinfo import ZoneInfo

        from dienhinh.worker.scheduler import features, job_specs
        from dienhinh.worker.settings import load

        tz = ZoneInfo(config.timezone)
        now = datetime.now(UTC)
        for spec in job_specs(load(config), features(config), tz):
            nxt = spec.trigger.get_next_fire_time(None, now)
            when = nxt.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") if nxt else "never"
            flags = [
                f
                for f, on in (
                    ("at start", spec.run_at_start),
                    ("one worker", spec.exclusive),
                    ("once per occurrence", spec.once_per_fire),
                )
                if on
            ]
            out.write(f"{spec.kind:<8} {spec.trigger}  next {when}  ({', '.join(flags)})\n")
        return 0
    worker = Worker(config, open_engine(config))
    try:
        return int(worker.run())
    except WorkerAlreadyRunning as err:
        sys.stderr.write(f"dienhinh: {err}\n")
        return 3
