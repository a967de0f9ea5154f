"""``dienhinh notify {ack,remind,digest} [--dry-run] [--now ISO]``: run one job once.

For cron instead of the worker, for trying a kind out (``--dry-run`` writes the mails to
``notify.dry_run_dir`` instead of sending them) and for replaying a day (``--now``). Light on
purpose: the jobs are imported only when the command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from dienhinh.core.config import Config
from dienhinh.core.errors import ConfigError

__all__ = ["register"]

Handler = Callable[[Config, argparse.Namespace, TextIO], int]


def register(sub: Any) -> dict[str, Handler]:
    sp = sub.add_parser("notify", help="send one kind of notification mail once")
    sp.add_argument("job", choices=["ack", "remind", "digest"], help="which notifications")
    sp.add_argument(
        "--dry-run", action="store_true", help="write the mails as .eml files instead of sending"
    )
    sp.add_argument(
        "--now", metavar="ISO", help="the job's clock (default: now; without offset: local time)"
    )
    return {"notify": cmd_notify}


def _parse_now(value: str | None, tz: str) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as err:
        raise ConfigError("--now", f"has value {value!r}, expected an ISO date and time") from err
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=ZoneInfo(tz))


def cmd_notify(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from dienhinh.notify import jobs
    from dienhinh.notify.config import load
    from dienhinh.store.db import make_engine
    from dienhinh.store.migrate import check_schema

    cfg = load(config, dry_run=True if args.dry_run else None)
    now = _parse_now(args.now, config.timezone)
    engine = make_engine(config.database.url)
    try:
        check_schema(engine)
        run = {"ack": jobs.run_ack, "remind": jobs.run_remind, "digest": jobs.run_digest}
        tally = run[args.job](engine, config, cfg, now=now)
    finally:
        engine.dispose()
    print(tally.summary(), file=out)
    if cfg.dry_run and tally.done:
        print(f"written to {cfg.dry_run_dir}", file=out)
    # 1: the run recorded errors (failed or refused mail), as for the other commands.
    return 1 if tally.failed or tally.refused else 0
