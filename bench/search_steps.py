"""Where a console search's time goes, in-process: the queue page of issue 15's common
searches (a word or phrase found in nearly every article, with and without diacritics,
without a tab and under the published and waiting tabs) requested one at a time through
Starlette's test client, each step of ``review/views/queue.py`` timed (wall and CPU of the
whole process), plus the whole page, optionally under cProfile.

Runs on a database bench/console.py built (its cached SQLite file, copied, or a PostgreSQL
URL filled from it): ``python bench/search_steps.py sqlite:///copy.sqlite3 [--rounds 3]
[--profile out.prof]``. Prints medians per step and the page's CPU and wall median / p95.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from starlette.routing import request_response
from starlette.testclient import TestClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from dienhinh.core.config import load_config  # noqa: E402
from dienhinh.review import highlight, queue, search  # noqa: E402
from dienhinh.review.app import create_app  # noqa: E402
from dienhinh.review.views import queue as queue_view  # noqa: E402

LOGIN, PASSWORD = "bench", "do-toc-do-trang-1"  # bench/console.py's editor
WORDS = ["của", "và", "xã", "được", "thôn", "phong trào", "Lào Cai", "nông thôn", "cua", "duoc"]
TABS = ["", "published", "pending-review"]

STEPS: dict[str, tuple[Any, str]] = {
    "refresh (catch-up)": (search, "refresh"),
    "state counts": (queue, "counts"),
    "match count": (search, "match_count"),
    "ranked window": (queue, "ranked_ids"),
    "page rows": (queue, "ranked_page"),
    "excerpts": (queue_view, "_excerpts"),
    "render (marks)": (None, "render"),
}


def _timed(name: str, fn: Callable[..., Any], acc: dict[str, list[float]]) -> Callable[..., Any]:
    def wrapper(*a: Any, **k: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            acc[name + " wall"].append((time.perf_counter() - t) * 1000)
            acc[name + " cpu"].append((time.process_time() - c) * 1000)

    return wrapper


def _backend_cpu(url: str) -> float:
    """PostgreSQL: the CPU seconds the server processes of this database used so far (read
    from /proc, the server on this machine); 0 on SQLite."""
    if not url.startswith("postgresql"):
        return 0.0
    from sqlalchemy import text

    from dienhinh.store.db import make_engine

    engine = make_engine(url)
    with engine.connect() as c:
        pids = c.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ).scalars()
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
    engine.dispose()
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", type=Path)
    ap.add_argument("--words", nargs="+", default=WORDS)
    ap.add_argument("--urls", nargs="+", help="these pages instead of the searches")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="search-steps-"))
    (work / "maildir" / "new").mkdir(parents=True)
    cfg = work / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "{work / "var"}"\n'
        f'[database]\nurl = "{args.url}"\n'
        f'[mailbox]\nurl = "maildir://{work / "maildir"}"\n'
        f'[tagging]\nunits_file = "{ROOT / "units.toml"}"\n'
        f'campaigns_file = "{ROOT / "campaigns.toml"}"\n'
        '[publish]\ntargets = ["feed"]\n'
        # No background indexer: its passes would be timed as a page's catch-up.
        "[review]\nsearch_refresh_seconds = 0\n",
        encoding="utf-8",
    )
    config = load_config(cfg)
    app = create_app(config)
    acc: dict[str, list[float]] = defaultdict(list)
    for name, (mod, attr) in STEPS.items():
        if mod is not None:
            setattr(mod, attr, _timed(name, getattr(mod, attr), acc))
    urls = [
        f"/?state={tab}&q={quote_plus(w)}" if tab else f"/?q={quote_plus(w)}"
        for w in args.words
        for tab in TABS
    ]
    if args.urls:
        urls = args.urls
    page_wall: list[float] = []
    page_cpu: list[float] = []
    prof = cProfile.Profile() if args.profile else None
    profiling = [False]
    if prof:
        # The page runs in Starlette's thread pool: profiled there, around the view.
        route = next(r for r in app.routes if getattr(r, "path", "") == "/")
        view = route.endpoint

        def profiled(request: Any) -> Any:
            if not profiling[0]:
                return view(request)
            prof.enable()
            try:
                return view(request)
            finally:
                prof.disable()

        route.app = request_response(profiled)
    with TestClient(app, follow_redirects=False) as client:
        console = app.state.console
        console.render = _timed("render (marks)", console.render, acc)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        r = client.post(
            "/login", data={"login": LOGIN, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert r.status_code == 303, r.status_code
        for u in urls:  # warm-up: templates, caches, connections
            client.get(u).raise_for_status()
        acc.clear()
        profiling[0] = True
        server_cpu = _backend_cpu(args.url)
        highlight._fold_word.cache_clear()
        for _ in range(args.rounds):
            for u in urls:
                t, c = time.perf_counter(), time.process_time()
                client.get(u).raise_for_status()
                page_wall.append((time.perf_counter() - t) * 1000)
                page_cpu.append((time.process_time() - c) * 1000)
        server_cpu = _backend_cpu(args.url) - server_cpu
        if prof:
            prof.dump_stats(str(args.profile))
    print(f"{args.url.split(':')[0]}: {len(page_wall)} pages ({len(urls)} urls x {args.rounds})")
    for name in STEPS:
        w, c = acc.get(name + " wall"), acc.get(name + " cpu")
        if w and c:
            print(
                f"  {name:20s} n={len(w):4d} wall median {statistics.median(w):6.1f} ms"
                f"  cpu median {statistics.median(c):6.1f} ms  cpu total {sum(c):7.0f} ms"
            )
    p95 = sorted(page_wall)[round(0.95 * (len(page_wall) - 1))]
    print(
        f"  page: wall median {statistics.median(page_wall):.1f} ms, p95 {p95:.1f} ms; "
        f"cpu median {statistics.median(page_cpu):.1f} ms, mean {statistics.mean(page_cpu):.1f}"
    )
    if server_cpu:
        print(f"  PostgreSQL server CPU: {server_cpu * 1000 / len(page_wall):.1f} ms a page")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
