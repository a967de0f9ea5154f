"""A product process of bench/ingest.py's parts (a), (f) and (g), in a module of its own:
it imports dienhinh and nothing of the benchmark or the test helpers, so that its start-up
is the product's (see ``ingest._child_command``).

    python -c "...; import ingest_child; ingest_child.main()" ROLE WORK PORT USER DB WORKERS
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def product_config(port: int, work: Path, user: str, db_url: str | None = None, **ingest: object):
    from dienhinh.core.config import config_from_mapping

    mapping: dict[str, object] = {
        "paths": {"data_dir": str(work / "var")},
        "mailbox": {"url": f"imap://{user.replace('@', '%40')}@127.0.0.1:{port}/INBOX"},
        "ingest": dict(ingest),
    }
    if db_url:
        mapping["database"] = {"url": db_url}
    return config_from_mapping(mapping, environ={"DIENHINH_IMAP_PASSWORD": "secret"})


def worker_child(
    role: str, work: Path, port: int, user: str, db_url: str, workers: int, fast: bool = False
) -> None:
    """Runs in its own process, as one worker: ``poll`` polls the mailbox once (and
    writes ``poll-done``); ``process`` runs the shared-processing job until the poll is
    done and nothing is left to claim. Prints its figures as JSON."""
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.imap import ImapSource
    from dienhinh.store.db import make_engine

    extra = {"workers": workers} if workers else {}
    config = product_config(port, work, user, db_url or None, **extra)
    engine = make_engine(config.database.url)
    ing = Ingestor(config, engine)
    waiting = 0
    if fast:
        # bench/ingest.py --mail: the slow lane (LibreOffice, OCR) is not timed, as the
        # reference converts and reads no .doc and no scan; what waits for it is counted.
        from sqlalchemy import func, select

        from dienhinh.core.states import SLOW_LANE_STATES
        from dienhinh.store.models import Article

        def no_slow_lane(report: object) -> None:
            nonlocal waiting
            ing.close()
            with ing.sessions() as s:
                waiting = s.execute(
                    select(func.count(Article.id)).where(Article.status.in_(list(SLOW_LANE_STATES)))
                ).scalar_one()

        ing.slow_lane = no_slow_lane  # type: ignore[method-assign]
    done = work / "poll-done"
    start = time.time()
    if role == "poll":
        report = ing.poll(ImapSource(config.mailbox))
        done.touch()
    else:
        # The worker's own processing job (worker/jobs.py ``process``), as the scheduler
        # runs it; here it is started again as soon as it returns (the scheduler: every
        # ``process_minutes``) until the poll is over.
        from dienhinh.ingest.pipeline import RunReport
        from dienhinh.store.lease import holder_id
        from dienhinh.worker import jobs
        from dienhinh.worker.settings import load as load_worker_settings

        ctx = jobs.JobContext(
            config=config, settings=load_worker_settings(config), engine=engine, holder=holder_id()
        )
        report = RunReport(kind="process")
        while True:
            finished = done.exists()  # read before the job: nothing can be missed
            res = jobs.process(ctx)
            report.processed += res.processed
            report.articles += res.articles
            report.failed += res.failed
            if finished:
                break
            if not res.processed and not res.failed:
                time.sleep(0.05)
    end = time.time()
    print(
        json.dumps(
            {
                "role": role,
                "start": start,
                "end": end,
                "processed": report.processed,
                "articles": report.articles,
                "failed": report.failed,
                "waiting": waiting,
                "error": report.error,
            }
        )
    )


def main() -> None:
    role, work, port, user, db, workers = sys.argv[1:7]
    fast = sys.argv[7:8] == ["fast"]
    worker_child(role, Path(work), int(port), user, db, int(workers), fast)
