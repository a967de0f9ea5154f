"""``dienhinh report compliance --year YYYY [--format table|json|xlsx|csv] [--unit CODE]
[-o FILE]``: wiring only (the counting is in ``compliance.py``).

Kept light: ``dienhinh poll`` imports this module to build its parser, so SQLAlchemy
queries, rich and openpyxl are imported inside the handler.

Exit codes: 0 written; 2 a bad year, an unknown unit code, xlsx without ``-o``, or a
configuration error (raised to the main entry point).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dienhinh.core.config import Config

if TYPE_CHECKING:
    from dienhinh.report.compliance import ComplianceReport

__all__ = ["FORMATS", "register"]

FORMATS = ("table", "json", "xlsx", "csv")
Handler = Callable[[Config, argparse.Namespace, TextIO], int]


def register(sub: Any) -> dict[str, Handler]:
    """Add ``report`` and its subcommands to the ``dienhinh`` parser."""
    p = sub.add_parser("report", help="reports for the annual emulation scoring")
    reports = p.add_subparsers(dest="report", required=True, metavar="REPORT")
    c = reports.add_parser(
        "compliance",
        help="per unit and period: articles received, approved, published; quota met",
    )
    c.add_argument("--year", type=int, required=True, metavar="YYYY")
    c.add_argument("--format", choices=FORMATS, default="table")
    c.add_argument("--unit", metavar="CODE", help="only this unit (its code in units.toml)")
    c.add_argument(
        "-o", "--output", metavar="FILE", help="file to write (default: standard output)"
    )
    return {"report": run}


def _fail(message: str) -> int:
    sys.stderr.write(f"dienhinh: {message}\n")
    return 2


def run(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    if args.report == "compliance":
        return compliance_command(config, args, out)
    return _fail(f"unknown report {args.report!r}")  # pragma: no cover - argparse checks


def compliance_command(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy.orm import Session

    from dienhinh.core.periods import check_year
    from dienhinh.report.compliance import (
        UnknownUnit,
        build_report,
        load_directory,
        newest_received,
    )
    from dienhinh.store.db import make_engine
    from dienhinh.store.migrate import check_schema

    try:
        check_year(args.year)
    except ValueError as err:
        return _fail(f"report compliance: --year: {err}")
    if args.format == "xlsx" and not args.output:
        return _fail("report compliance: --format xlsx needs -o FILE.xlsx")
    directory = load_directory(config)
    if args.unit is not None and args.unit not in directory:
        return _fail(
            f"report compliance: --unit: {UnknownUnit(args.unit, [u.code for u in directory])}"
        )

    engine = make_engine(config.database.url)
    try:
        check_schema(engine)
        with Session(engine) as session:
            report = build_report(session, config, args.year, unit=args.unit, directory=directory)
            newest = newest_received(session, args.year, config.timezone)
    finally:
        engine.dispose()

    if args.format == "xlsx":
        from dienhinh.report.xlsx import write_compliance_xlsx

        write_compliance_xlsx(
            report.rows,
            directory,
            args.year,
            args.output,
            tz=config.timezone,
            through=report.data_end(config.timezone),
            newest=newest,
        )
    elif args.output:
        # newline="": the csv module writes its own CRLF line ends.
        with Path(args.output).open("w", encoding="utf-8", newline="") as fh:
            _write_text(args.format, report, fh)
    else:
        _write_text(args.format, report, out)
    if args.output:
        sys.stderr.write(f"written: {args.output} ({len(report.rows)} rows)\n")
    return 0


def _write_text(fmt: str, report: ComplianceReport, out: TextIO) -> None:
    from dienhinh.report import render

    if fmt == "json":
        render.write_json(report.rows, out)
    elif fmt == "csv":
        render.write_csv(report.rows, out)
    else:
        render.write_table(report, out)
