"""Compliance report benchmark: five years of submissions from the whole unit directory.

Builds a database holding five years (2014-2018) of what the Board receives from every unit
of the shipped ``units.toml``, at a realistic volume (districts send one to four articles a
month, the other units one to four a quarter; about 8% resent duplicates, 8% corrections,
15% rejected, plus mail that holds no article), then times:

  (a) ``compliance()`` for one year (the median of several runs)      target <= 1 s
  (b) the five yearly reports one after the other
  (c) the JSON, CSV and XLSX renderings of one year
  (d) ``dienhinh report compliance --year 2018 --format json`` as a process (Python start-up,
      imports and configuration included)
  (e) the same as (a) on ten times the volume, for headroom

on SQLite, and on PostgreSQL when one answers at DIENHINH_TEST_PG_URL (default
postgres@127.0.0.1:5432; a throwaway database is created and dropped). The figures and their
ratio to the 1 s target are printed and written to this script's own section of
bench/RESULTS.md (other sections are kept).

Usage: python bench/compliance.py [--scale 1] [--runs 7] [--no-postgres] [--json OUT]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from dbfixtures import bench_pg_database, drop_pg_database
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.config import Config, config_from_mapping
from dienhinh.report.compliance import compliance
from dienhinh.report.render import write_csv, write_json
from dienhinh.report.xlsx import write_compliance_xlsx
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, Message

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
YEARS = tuple(range(2014, 2019))
TARGET_S = 1.0
ICT = timezone(timedelta(hours=7))
SECTION = "## Compliance report (bench/compliance.py)"


# --- the archive ---------------------------------------------------------------------------


def populate(engine: Any, directory: UnitDirectory, scale: int, seed: int = 5) -> dict[str, int]:
    """Write five years of messages and articles with Core bulk inserts; return the counts."""
    rng = random.Random(seed)
    units = list(directory)
    zeal = {u.code: rng.choice((0.5, 1.0, 1.5, 2.5, 4.0)) for u in units}
    messages: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    originals: list[tuple[int, str, datetime]] = []
    now = datetime.now(UTC)
    mid, aid = 0, 0

    def add(code: str | None, when: datetime, status: str | None, **extra: Any) -> int:
        nonlocal mid, aid
        mid += 1
        messages.append(
            {
                "id": mid,
                "message_id": f"bench-{mid}@laocai.gov.vn",
                "sha256": f"{mid:064x}",
                "body_sha256": f"{mid:064x}",
                "size": 180_000,
                "received_at": when,
                "status": "ingested" if status else "no-article",
                "unit": code,
                "created_at": now,
                "updated_at": now,
            }
        )
        if status is None:
            return 0
        aid += 1
        articles.append(
            {
                "id": aid,
                "message_pk": mid,
                "ordinal": 1,
                "title": f"Gương điển hình {aid}",
                "text": "",
                "source": "docx",
                "status": status,
                "unit": code,
                "duplicate_of_id": None,
                "revision_of_id": None,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                **extra,
            }
        )
        return aid

    statuses = ("pending-review", "approved", "published", "rejected", "needs-ocr")
    weights = (2, 3, 6, 2, 0.3)
    for year in YEARS:
        for month in range(1, 13):
            first = datetime(year, month, 1, tzinfo=ICT)
            days = (datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=ICT) - first).days
            for u in units:
                rate = scale * zeal[u.code] / (1 if u.cadence == "monthly" else 3)
                k = int(rate) + (rng.random() < rate - int(rate))
                for _ in range(k):
                    when = first + timedelta(seconds=rng.randrange(days * 86400))
                    a = add(u.code, when, rng.choices(statuses, weights)[0])
                    originals.append((a, u.code, when))
                # acknowledgements, questions, auto-replies: messages without articles
                if rng.random() < 0.3 * scale:
                    add(u.code, first + timedelta(seconds=rng.randrange(days * 86400)), None)
    for a, code, when in originals:
        roll = rng.random()
        later = when + timedelta(days=rng.randrange(1, 25))
        if roll < 0.08:
            add(code, later, "duplicate", duplicate_of_id=a)
        elif roll < 0.16:
            add(code, later, rng.choices(statuses, weights)[0], revision_of_id=a)
    with Session(engine) as s:
        for i in range(0, len(messages), 5000):
            s.execute(insert(Message), messages[i : i + 5000])
        for i in range(0, len(articles), 5000):
            s.execute(insert(Article), articles[i : i + 5000])
        s.commit()
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("ANALYZE message"))
            c.execute(text("ANALYZE article"))
    return {"messages": len(messages), "articles": len(articles)}


# --- timing ----------------------------------------------------------------------------------


def _median(fn: Any, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def bench_database(
    url: str, config: Config, directory: UnitDirectory, *, scale: int, runs: int, cli: bool
) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    t = time.perf_counter()
    sizes = populate(engine, directory, scale)
    result: dict[str, Any] = {**sizes, "populate_s": round(time.perf_counter() - t, 2)}
    with Session(engine) as s:
        compliance(s, config, 2018, directory=directory)  # warm the caches once
        one, one_runs = _median(lambda: compliance(s, config, 2018, directory=directory), runs)
        five, _ = _median(lambda: [compliance(s, config, y, directory=directory) for y in YEARS], 3)
        with_load, _ = _median(lambda: compliance(s, config, 2018), runs)
        rows = compliance(s, config, 2018, directory=directory)
        received = sum(r.received for r in rows)
    result.update(
        one_year_s=one,
        one_year_runs_s=[round(x, 4) for x in one_runs],
        one_year_with_directory_load_s=with_load,
        five_years_s=five,
        rows=len(rows),
        received_2018=received,
    )
    result["json_s"], _ = _median(lambda: write_json(rows, io.StringIO()), runs)
    result["csv_s"], _ = _median(lambda: write_csv(rows, io.StringIO()), runs)
    result["xlsx_s"], _ = _median(
        lambda: write_compliance_xlsx(rows, directory, 2018, io.BytesIO()), 3
    )
    if cli:
        result["cli_s"], result["startup_s"] = _cli(url)
    engine.dispose()
    return result


def _cli(url: str) -> tuple[float, float]:
    """Wall time of the command as an operator runs it (best of three)."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "config.toml"
        cfg.write_text(
            f'[database]\nurl = "{url}"\n[mailbox]\nurl = "maildir://{tmp}"\n'
            f'[tagging]\nunits_file = "{ROOT / "units.toml"}"\n',
            encoding="utf-8",
        )
        exe = str(Path(sys.executable).parent / "dienhinh")
        argv = [exe, "--config", str(cfg), "-q", "report", "compliance", "--year", "2018"]
        best = start = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            done = subprocess.run([*argv, "--format", "json"], capture_output=True, check=True)
            best = min(best, time.perf_counter() - t)
            json.loads(done.stdout)
            # The same process doing nothing: `dienhinh` imports every package to build its
            # parser, whatever the subcommand.
            t = time.perf_counter()
            subprocess.run([exe, "--version"], capture_output=True, check=True)
            start = min(start, time.perf_counter() - t)
        return best, start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=1, help="volume multiplier for (a)-(d)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    directory = UnitDirectory.load(ROOT / "units.toml")
    results: dict[str, Any] = {
        "units": len(directory),
        "years": f"{YEARS[0]}-{YEARS[-1]}",
        "cores": os.cpu_count(),
        # Figures taken on a busy machine are slower; the load says how busy it was.
        "load_before": round(os.getloadavg()[0], 2),
        "databases": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        targets: list[tuple[str, str]] = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
        targets.append(("sqlite x10", f"sqlite:///{tmp}/bench10.sqlite3"))
        pg = None if args.no_postgres else bench_pg_database()
        pg10 = bench_pg_database() if pg else None
        if pg:
            targets.append(("postgresql", pg))
        if pg10:
            targets.append(("postgresql x10", pg10))
        try:
            for name, url in targets:
                big = name.endswith("x10")
                config = config_from_mapping(
                    {
                        "database": {"url": url},
                        "mailbox": {"url": f"maildir://{tmp}"},
                        "tagging": {"units_file": str(ROOT / "units.toml")},
                    }
                )
                r = bench_database(
                    url,
                    config,
                    directory,
                    scale=args.scale * (10 if big else 1),
                    runs=args.runs,
                    cli=not big,
                )
                results["databases"][name] = r
                _print(name, r)
        finally:
            for url in (pg, pg10):
                if url:
                    drop_pg_database(url)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    write_results_md(results)


def _ms(s: float) -> str:
    return f"{1000 * s:.1f} ms"


def _print(name: str, r: dict[str, Any]) -> None:
    print(f"{name}: {r['articles']} articles in {r['messages']} messages ({r['populate_s']} s)")
    print(
        f"  (a) one year: {_ms(r['one_year_s'])}  ratio to 1 s target: "
        f"{r['one_year_s'] / TARGET_S:.3f}  "
        f"(with the directory load: {_ms(r['one_year_with_directory_load_s'])})"
    )
    print(f"  (b) five years: {_ms(r['five_years_s'])}")
    print(
        f"  (c) json {_ms(r['json_s'])}, csv {_ms(r['csv_s'])}, xlsx {_ms(r['xlsx_s'])}"
        f"  ({r['rows']} rows, {r['received_2018']} received in 2018)"
    )
    if "cli_s" in r:
        print(
            f"  (d) command, json: {_ms(r['cli_s'])}  ratio: {r['cli_s'] / TARGET_S:.3f}"
            f"  (of which `dienhinh --version` start-up: {_ms(r['startup_s'])})"
        )


def write_results_md(results: dict[str, Any]) -> None:
    """Replace this script's section of bench/RESULTS.md, keeping every other section."""
    lines = [
        SECTION,
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {results['cores']} cores "
        f"(load average {results['load_before']} when it started): "
        f"years {results['years']}, all {results['units']} units of units.toml "
        "(monthly districts, quarterly others; duplicates, corrections, rejected articles "
        "and mail without articles included). Medians; target 1 s per report.",
        "",
        "| database | articles | (a) one year | ratio to 1 s | (b) five years | "
        "(c) json / csv / xlsx | (d) command |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results["databases"].items():
        lines.append(
            f"| {name} | {r['articles']} | {_ms(r['one_year_s'])} | "
            f"{r['one_year_s'] / TARGET_S:.3f} | {_ms(r['five_years_s'])} | "
            f"{_ms(r['json_s'])} / {_ms(r['csv_s'])} / {_ms(r['xlsx_s'])} | "
            + (f"{_ms(r['cli_s'])} (start-up {_ms(r['startup_s'])}) |" if "cli_s" in r else "|")
        )
    lite = results["databases"]["sqlite"]
    load = lite["one_year_with_directory_load_s"] - lite["one_year_s"]
    lines += [
        "",
        "(a) includes the queries and the bucketing, not the directory load "
        f"(about {_ms(max(load, 0.0))} more); "
        "(d) is the whole process: Python start-up, imports, configuration, directory, "
        "report, JSON.",
        "",
    ]
    path = HERE / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    head, sep, rest = old.partition(SECTION)
    tail = ""
    if sep:
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1 :] if nxt != -1 else ""
    new = head.rstrip() + "\n\n" + "\n".join(lines) + ("\n" + tail if tail else "")
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
