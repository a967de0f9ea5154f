"""``dienhinh publish [--retry ID]``: run the publication queue once and say what went
out and what failed. Wiring only (the work is in ``queue.py``).

Exit codes: 0 everything due went out (or nothing was due); 1 something failed or waits
for a retry (its error is printed and kept on the publication); 2 a configuration error
(raised to the main entry point) or an unknown publication id.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from dienhinh.core.config import Config

if TYPE_CHECKING:
    from dienhinh.publish.queue import QueueReport

__all__ = ["register"]

Handler = Callable[[Config, argparse.Namespace, TextIO], int]


def register(sub: Any) -> dict[str, Handler]:
    p = sub.add_parser(
        "publish", help="publish approved articles once (feed, export folder, WordPress)"
    )
    p.add_argument(
        "--retry",
        type=int,
        metavar="ID",
        help="queue publication ID again now (after a failure), then run the queue",
    )
    p.add_argument("--actor", default="cli", help="who asks for the retry (audit log)")
    return {"publish": run}


def run(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy.orm import Session

    from dienhinh.core.errors import IllegalTransition
    from dienhinh.publish.queue import retry, run_queue
    from dienhinh.store.engines import open_engine
    from dienhinh.store.models import Publication

    engine = open_engine(config)
    if args.retry is not None:
        with Session(engine) as s:
            pub = s.get(Publication, args.retry)
            if pub is None:
                sys.stderr.write(f"dienhinh: no publication {args.retry}\n")
                return 2
            try:
                retry(s, pub, actor=args.actor)
            except IllegalTransition as err:
                sys.stderr.write(f"dienhinh: {err}\n")
                return 2
            s.commit()
            print(f"publication {args.retry} queued again", file=out)
    report = run_queue(engine, config)
    print_report(report, out, timezone=config.timezone)
    return 0 if report.ok else 1


def print_report(report: QueueReport, out: TextIO, *, timezone: str) -> None:
    tz = ZoneInfo(timezone)
    for o in report.outcomes:
        head = f"{o.status:<10} publication {o.publication_id} article {o.article_id} -> {o.target}"
        if o.status == "published":
            print(f"{head}: {o.url or o.remote_id or 'ok'}", file=out)
        elif o.status == "retrying":
            when = (
                o.next_attempt_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if o.next_attempt_at
                else "?"
            )
            print(f"{head}: attempt {o.attempts} failed, next at {when}: {o.error}", file=out)
        else:
            print(f"{head}: {o.error or ''}".rstrip(": "), file=out)
    for aid in report.articles_published:
        print(f"article {aid} published", file=out)
    print(
        f"publish: {len(report.published)} published, {len(report.retrying)} retrying, "
        f"{len(report.failed)} failed",
        file=out,
    )
