"""The `dienhinh` command. Each subcommand only wires the packages below it.

`dienhinh poll` runs from a timer every few minutes and usually finds nothing new, so
this module imports little at its top (no SQLAlchemy: see store/dbapi.py); the commands
import what they use.

Exit codes: 0 success; 1 the run finished but recorded errors (see `dienhinh status`);
2 usage or configuration error; 3 another poll holds the mailbox lease.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from dienhinh import __version__
from dienhinh.core.config import Config, load_config
from dienhinh.core.errors import ConfigError, DienhinhError, LeaseHeld
from dienhinh.core.logs import setup_logging
from dienhinh.store.dbapi import unavailable_errors
from dienhinh.store.engines import dispose_engines, open_connect, open_engine
from dienhinh.store.migrate import SchemaOutOfDate
from dienhinh.worker.app import make_source

if TYPE_CHECKING:
    from dienhinh.ingest.run import RunReport, Work

__all__ = ["main"]

log = logging.getLogger("dienhinh")


# --- progress -------------------------------------------------------------------------------


class _Progress(AbstractContextManager["_Progress"]):
    """A rich progress bar on a terminal; nothing at all when output is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), transient=True
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        label = {"fetch": "Tải thư / fetching", "extract": "Trích xuất / extracting"}.get(
            phase, phase
        )
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._bar.add_task(label, total=total)
        self._bar.update(task, completed=done, total=max(total, done))


def _interactive(stream: TextIO) -> bool:
    return stream.isatty()


# --- commands -------------------------------------------------------------------------------


def _exit_code(report: RunReport, *, extra_failures: int = 0) -> int:
    """0 when the run went through cleanly; 1 when it recorded any failure: an error that
    ended it, a failed message, a failed post-action, a file it could not read."""
    if report.error or report.failed or report.post_actions_failed or extra_failures:
        return 1
    return 0


def _print_report(report: RunReport, out: TextIO) -> None:
    line = (
        f"{report.kind}: fetched {report.fetched}, stored {report.stored} new, "
        f"processed {report.processed}, articles {report.articles}, failed {report.failed}"
    )
    if report.post_actions:
        line += f", post-actions {report.post_actions}"
    if report.post_actions_failed:
        line += f", post-actions failed {report.post_actions_failed}"
    if report.converted or report.ocred:
        line += f", converted {report.converted}, OCR {report.ocred}"
    if report.waiting:
        line += f", waiting {report.waiting}"
    print(line, file=out)
    if report.waiting:
        print(
            f"{report.waiting} article(s) still wait for conversion or OCR (out of time, or "
            "the tool is missing): the next poll, reprocess or the worker continues",
            file=out,
        )
    if report.error:
        print(f"error: {report.error}", file=out)


def _private_dir(path: Path) -> None:
    """Create ``path`` for the owner only (mail, addresses and attachments live under it);
    a folder an older version made readable by everyone is closed to others."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o007:
        try:
            path.chmod(mode & 0o770)
        except OSError as err:  # not ours (a shared mount): say so, do not stop init
            log.warning("cannot close %s to other users: %s", path, err)


def cmd_init(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from dienhinh.store.migrate import upgrade

    for d in (config.data_dir, config.blob_dir, config.raw_dir):
        _private_dir(d)
    engine = open_engine(config, check=False)
    upgrade(engine)
    print(f"database ready: {engine.url.render_as_string(hide_password=True)}", file=out)
    print(f"data folder: {config.data_dir}", file=out)
    return 0


def cmd_poll(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """The poll runs on the driver's own connection until its quick check finds work
    (ingest/run.py); only then are the pipeline, SQLAlchemy and an engine loaded."""
    from functools import cache

    from dienhinh.ingest.run import MailboxRun
    from dienhinh.store.quick import requests_waiting

    engine = cache(lambda: open_engine(config, check=False))  # open_connect checked it
    with open_connect(config) as connect:
        with _Progress(_interactive(sys.stderr) and not args.quiet) as progress:

            def work() -> Work:
                from dienhinh.ingest.pipeline import Ingestor

                return Ingestor(config, engine(), progress=progress).as_work()

            report = MailboxRun(config, connect, work).poll(make_source(config))
        _print_report(report, out)
        if report.post_action_error:
            print(
                f"post-action error (retried on later polls): {report.post_action_error}",
                file=out,
            )
        if args.summary and report.message_pks:
            _print_summary(engine(), report.message_pks, out)
        if report.error is None:
            # An install without a long-running worker (the poll timer) still does the
            # re-runs editors asked for in the console.
            with connect() as db:
                waiting = requests_waiting(db, datetime.now(UTC))
            if waiting:
                _run_requested(config, engine(), out)
    return _exit_code(report)


def _run_requested(config: Config, engine: Any, out: TextIO) -> RunReport | None:
    """The console's queued "Chạy lại" requests (ingest/requested.py)."""
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.requested import run_requested
    from dienhinh.store.lease import holder_id

    report = run_requested(Ingestor(config, engine), f"cli:{holder_id()}")
    if report is not None:
        print("requested from the console:", file=out)
        _print_report(report, out)
    return report


def cmd_import(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.files import FileImportSource

    engine = open_engine(config)
    source = FileImportSource([Path(p) for p in args.paths])
    with _Progress(_interactive(sys.stderr) and not args.quiet) as progress:
        ing = Ingestor(config, engine, progress=progress)
        report = ing.import_from(source)
    _print_report(report, out)
    if not report.error:
        print(f"found {source.found} message(s) in {len(args.paths)} path(s)", file=out)
    if source.skipped:
        print(f"skipped {len(source.skipped)} file(s):", file=out)
        for sk in source.skipped:
            print(f"  {sk.path}: {sk.reason}", file=out)
    failed_files = sum(1 for sk in source.skipped if sk.failure)
    if not report.error and source.found == 0:
        print("error: no mail found in the given path(s)", file=out)
        return 1
    return _exit_code(report, extra_failures=failed_files)


def cmd_reprocess(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from dienhinh.ingest.pipeline import Ingestor

    engine = open_engine(config)
    if args.requested:
        requested = _run_requested(config, engine, out)
        if requested is None:
            print("no reprocess request waiting", file=out)
            return 0
        return _exit_code(requested)
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from dienhinh.store.models import Article, Message
    from dienhinh.store.states import ArticleState, MessageState

    factory = sessionmaker(engine)
    with factory() as s:
        if args.failed:
            q = select(Message).where(
                (Message.status == MessageState.FAILED) | (Message.transient.is_(True))
            )
            targets = list(s.execute(q).scalars())
            # Articles waiting for a converter or OCR are retried too (a tool may be installed now).
            waiting = s.execute(
                select(Article.message_pk).where(
                    Article.status.in_(
                        [ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR, ArticleState.FAILED]
                    )
                )
            ).scalars()
            ids = {m.id for m in targets} | set(waiting)
            targets = [s.get(Message, i) for i in sorted(ids)]  # type: ignore[misc]
        elif args.message_ids:
            targets = []
            for mid in args.message_ids:
                m = s.execute(
                    select(Message).where(Message.message_id == mid.strip("<>"))
                ).scalar_one_or_none()
                if m is None:
                    print(f"no message with Message-ID {mid}", file=sys.stderr)
                    return 2
                targets.append(m)
        else:
            print(
                "reprocess: give --failed, --requested or one or more Message-IDs",
                file=sys.stderr,
            )
            return 2
        chosen = []
        for m in targets:
            touched = [
                a.id
                for a in m.articles
                if a.version > 1
                or a.status
                in (ArticleState.APPROVED, ArticleState.PUBLISHED, ArticleState.REJECTED)
            ]
            if touched:
                print(
                    f"skipped {m.message_id}: editors already worked on article(s) {touched}",
                    file=sys.stderr,
                )
                continue
            chosen.append(m.id)
    with _Progress(_interactive(sys.stderr) and not args.quiet) as progress:
        report = Ingestor(config, engine, progress=progress).reprocess(chosen)
    _print_report(report, out)
    return _exit_code(report)


def cmd_export(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy.orm import Session

    from dienhinh.store.export import export_articles, export_messages

    engine = open_engine(config)
    with Session(engine) as s:
        rows = (
            export_messages(s, tz=config.timezone)
            if args.what == "messages"
            else export_articles(s)
        )
        target: AbstractContextManager[TextIO] = (
            Path(args.output).open("w", encoding="utf-8")  # noqa: SIM115 - closed by the with below
            if args.output
            else nullcontext(out)
        )
        with target as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def cmd_status(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from zoneinfo import ZoneInfo

    from sqlalchemy.orm import Session

    from dienhinh.review import health
    from dienhinh.store.models import utcnow
    from dienhinh.store.overview import collect_status

    engine = open_engine(config)
    with Session(engine) as s:
        # --json lists every failed message and post-action; the terminal the newest 20.
        limit = None if args.json else 20
        st = collect_status(s, failed_limit=limit, post_action_limit=limit)
        alerts = health.alerts(s, config, utcnow())
    if args.json:
        print(
            json.dumps(
                {
                    "messages": st.messages,
                    "articles": st.articles,
                    "mailboxes": [
                        {
                            "mailbox": m.key,
                            "last_success_at": _iso(m.last_success_at),
                            "last_poll_finished_at": _iso(m.last_poll_finished_at),
                            "last_error": m.last_error,
                            "last_error_at": _iso(m.last_error_at),
                            "uidvalidity": m.uidvalidity,
                            "last_uid": m.last_uid,
                        }
                        for m in st.mailboxes
                    ],
                    "failed": [
                        {
                            "message_id": f.message_id,
                            "subject": f.subject,
                            "reason": f.reason,
                            "retry_at": _iso(f.retry_at),
                        }
                        for f in st.failed
                    ],
                    "failed_total": st.failed_total,
                    "failed_left_out": st.failed_total - len(st.failed),
                    "post_actions": {
                        "pending": st.post_actions_pending,
                        "failed": st.post_actions_failed,
                        "failures": [
                            {
                                "mailbox": f.mailbox,
                                "uid": f.uid,
                                "location": f.location,
                                "message_id": f.message_id,
                                "error": f.error,
                                "attempts": f.attempts,
                                "retry_at": _iso(f.retry_at),
                            }
                            for f in st.post_action_failures
                        ],
                    },
                    "jobs": [health.run_as_dict(r) for r in st.job_runs],
                    "alerts": [health.alert_as_dict(a) for a in alerts],
                },
                ensure_ascii=False,
                indent=2,
            ),
            file=out,
        )
        return 0
    print(
        "Messages:  " + (", ".join(f"{k} {v}" for k, v in sorted(st.messages.items())) or "none"),
        file=out,
    )
    print(
        "Articles:  " + (", ".join(f"{k} {v}" for k, v in sorted(st.articles.items())) or "none"),
        file=out,
    )
    for m in st.mailboxes:
        print(
            f"Mailbox {m.key}: last success {_iso(m.last_success_at) or 'never'}"
            f", last poll {_iso(m.last_poll_finished_at) or 'never'}",
            file=out,
        )
        if m.last_error:
            print(f"  ERROR ({_iso(m.last_error_at)}): {m.last_error}", file=out)
    if st.post_actions_pending or st.post_actions_failed:
        print(
            f"Post-actions: {st.post_actions_pending} pending, {st.post_actions_failed} failed",
            file=out,
        )
        for f in st.post_action_failures:
            where = f"UID {f.uid}" if f.uid else f.location
            retry = f", next try {_iso(f.retry_at)}" if f.retry_at else ", next poll"
            print(
                f"  {f.mailbox} {where} <{f.message_id}>: {f.error}"
                f" (failed {f.attempts} time(s){retry})",
                file=out,
            )
        left = st.post_actions_failed - len(st.post_action_failures)
        if left > 0:
            print(f"  ... and {left} more (dienhinh status --json lists them all)", file=out)
    if st.job_runs:
        print("Last runs:", file=out)
        for r in st.job_runs:
            print("  " + health.run_line(r, ZoneInfo(config.timezone)), file=out)
    for a in alerts:
        print(f"ALERT ({a.severity}): {a.summary}", file=out)
    if st.failed:
        print(f"Failed or waiting for retry ({st.failed_total}):", file=out)
        for f in st.failed:
            retry = f" (retry at {_iso(f.retry_at)})" if f.retry_at else ""
            print(
                f"  {f.message_id}  {f.subject[:60]!r}: "
                f"{f.reason.splitlines()[0] if f.reason else ''}{retry}",
                file=out,
            )
        left = st.failed_total - len(st.failed)
        if left > 0:
            print(f"  ... and {left} more, older (dienhinh status --json lists them all)", file=out)
    return 0


def _eval_report(
    config: Config, labels_path: str, folder_arg: str, *, quiet: bool, cmd: str = "eval"
) -> Any:
    """Ingest the labelled .eml files into a throwaway database and score the result
    (an EvalReport), or None after saying on stderr which labelled files are missing."""
    import dataclasses
    import tempfile

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dienhinh.classifiers.evaluate import evaluate
    from dienhinh.ingest.identity import header_facts
    from dienhinh.ingest.pipeline import Ingestor
    from dienhinh.ingest.sources.files import FileImportSource
    from dienhinh.store.db import make_engine
    from dienhinh.store.export import export_articles, export_messages
    from dienhinh.store.migrate import upgrade
    from dienhinh.store.models import Message, Tag

    labels = json.loads(Path(labels_path).read_text(encoding="utf-8"))
    folder = Path(folder_arg)
    files = {lab["file"]: folder / lab["file"] for lab in labels}
    missing = [name for name, p in files.items() if not p.is_file()]
    if missing:
        print(
            f"{cmd}: {len(missing)} labelled file(s) not in {folder}: {missing[:5]}",
            file=sys.stderr,
        )
        return None
    mids = {name: header_facts(p.read_bytes())[0] for name, p in files.items()}
    with tempfile.TemporaryDirectory(prefix="dienhinh-eval-") as tmp:
        data_dir = Path(tmp)
        cfg = dataclasses.replace(
            config,
            data_dir=data_dir,
            database=dataclasses.replace(
                config.database, url=f"sqlite:///{data_dir / 'eval.sqlite3'}"
            ),
        )
        engine = make_engine(cfg.database.url)
        try:
            upgrade(engine)
            with _Progress(_interactive(sys.stderr) and not quiet) as progress:
                Ingestor(cfg, engine, progress=progress).import_from(
                    FileImportSource(sorted(files.values()))
                )
            with Session(engine) as s:
                messages = list(export_messages(s, tz=cfg.timezone))
                articles = list(export_articles(s))
                # The taggers' own rows (not an editor's): their confidence is scored.
                tags = [
                    {
                        "message_id": mid,
                        "article_id": aid,
                        "field": f,
                        "value": v,
                        "confidence": c,
                    }
                    for mid, aid, f, v, c in s.execute(
                        select(Tag.message_pk, Tag.article_id, Tag.field, Tag.value, Tag.confidence)
                        .where(~Tag.tagger.startswith("editor:"))
                        .order_by(Tag.id)
                    )
                ]
                mid_of = dict(s.execute(select(Message.id, Message.message_id)).all())
                for t in tags:
                    t["message_id"] = mid_of.get(t["message_id"])
        finally:
            engine.dispose()
    return evaluate(labels, mids, messages, articles, tags)


_FIELD_NAMES = {"unit": "unit", "campaign": "campaign", "subject_type": "subject", "kind": "kind"}


def _print_calibration(
    calibration: dict[str, Any],
    out: TextIO,
    title: str = "calibration (confidence shown: tags, mean confidence, share right)",
) -> None:
    """A reliability table per field, its ECE and the share right among "certain" tags."""
    print(title, file=out)
    for f, cal in calibration.items():
        print(
            f"  {_FIELD_NAMES.get(f, f)}: {cal['tags']} tags, ECE {cal['ece']:.3f}, "
            f">= 0.9: {cal['certain_right']:.3f} right of {cal['certain']}",
            file=out,
        )
        for b in cal["bins"]:
            print(
                f"    [{b['lo']:.1f}, {b['hi']:.1f}{']' if b['hi'] >= 1 else ')'}"
                f"  {b['count']:>4}  {b['mean_confidence']:.3f}  {b['accuracy']:.3f}",
                file=out,
            )


def cmd_eval(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Ingest a folder of .eml files into a throwaway database and score the result."""
    report = _eval_report(config, args.labels, args.dir, quiet=args.quiet)
    if report is None:
        return 2
    if args.json:
        data = {**report.as_dict(), "calibration_map": _calibration_map(config)}
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
        return 0
    rows = [
        ("emails (relevant)", f"{report.emails} ({report.relevant})"),
        ("unit accuracy", f"{report.unit_accuracy:.3f} ({report.unit_correct}/{report.relevant})"),
        ("campaign micro-F1", f"{report.campaign_micro_f1:.3f}"),
        ("campaign macro-F1", f"{report.campaign_macro_f1:.3f}"),
        ("subject accuracy", f"{report.subject_accuracy:.3f}"),
        ("kind accuracy", f"{report.kind_accuracy:.3f}"),
        ("noise precision / recall", f"{report.noise_precision:.3f} / {report.noise_recall:.3f}"),
        ("duplicates found", f"{report.duplicates_found}/{report.duplicates_labelled}"),
        ("key-phrase recall", f"{report.key_phrase_recall:.3f}"),
        ("articles matched", f"{report.articles_matched}/{report.articles_labelled}"),
    ]
    rows.append(("calibration map", _calibration_map(config)))
    width = max(len(k) for k, _v in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}", file=out)
    _print_calibration(report.calibration, out)
    for err in report.unit_errors:
        conf = err.get("confidence")
        print(
            f"  unit: {err['file']}: expected {err['expected']}, got {err['got']}"
            + (f" ({conf:.2f})" if conf is not None else ""),
            file=out,
        )
    for err in report.noise_errors:
        reason = f" ({err['reason']})" if err["reason"] else ""
        print(
            f"  noise: {err['file']}: labelled {err['expected']}, ended {err['got']}{reason}",
            file=out,
        )
    for err in report.duplicate_errors:
        print(
            f"  duplicate: {err['file']}: a resend of {err['duplicate_of']}, ended {err['got']}",
            file=out,
        )
    for err in report.article_errors:
        for f in ("campaigns", "subject", "kind"):
            if f in err:
                want, got = err[f]["expected"], err[f]["got"]
                if f == "campaigns":
                    want, got = ",".join(want) or "-", ",".join(got) or "-"
                print(f"  {f}: {err['file']}: expected {want}, got {got}", file=out)
    return 0


def _calibration_map(config: Config) -> str:
    """Which map turned the raw scores into the confidences scored: its file, the writers
    it was fitted on and when (or that there is none)."""
    from dienhinh.classifiers.calibration import Calibration

    path = config.tagging.calibration_file if config.tagging is not None else None
    if path is None:
        return "none (raw scores)"
    try:
        cal = Calibration.load(path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"{path} unreadable ({err}): raw scores"
    if cal is None:
        return f"{path} missing: raw scores"
    writers = ", ".join(cal.meta.get("writers") or ["?"])
    return f"fitted on {writers} ({cal.meta.get('fitted_on', '?')}), {path.name}"


def cmd_calibrate(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Fit the confidence calibration on labelled mail: tag it with raw confidences, score
    each shown tag, and write the per-field maps (classifiers/calibration.json)."""
    import dataclasses
    from datetime import date

    from dienhinh.classifiers.calibration import CALIBRATION_FILE, FIELDS, cross_fit, fitted
    from dienhinh.classifiers.evaluate import calibration_summary

    assert config.tagging is not None
    raw = dataclasses.replace(
        config, tagging=dataclasses.replace(config.tagging, calibration_file=None)
    )
    report = _eval_report(raw, args.labels, args.dir, quiet=args.quiet, cmd="calibrate")
    if report is None:
        return 2
    labels = json.loads(Path(args.labels).read_text(encoding="utf-8"))
    writers = sorted({str(lab.get("writer", "")) for lab in labels} - {""}) or [Path(args.dir).name]
    # How the map holds on writers it never saw: leave one writer out, fit on the others,
    # score the one left out; the pooled out-of-fold confidences (two writers or more).
    oof: dict[str, Any] | None = None
    groups = sorted(set(report.tag_writers) - {""})
    if len(groups) >= 2 and "" not in report.tag_writers:
        crossed = cross_fit(report.tag_outcomes, report.tag_writers, sigmas=args.sigmas)
        oof = {
            "method": "leave one writer out",
            "writers": groups,
            "fields": {
                f: calibration_summary([(c, ok) for g, c, ok in crossed if g == f])
                for f in FIELDS
                if any(g == f for g, _c, _ok in crossed)
            },
        }
    cal = fitted(
        report.tag_outcomes,
        writers=writers,
        fitted_on=date.today().isoformat(),
        sigmas=args.sigmas,
        out_of_fold=oof,
    )
    target = Path(args.output) if args.output else CALIBRATION_FILE
    target.write_text(cal.to_json(), encoding="utf-8")
    print(
        f"calibrate: {len(report.tag_outcomes)} tags of {', '.join(writers)} -> {target}",
        file=out,
    )
    print(f"  fitted on writers: {', '.join(writers)}", file=out)
    for f, m in cal.fields.items():
        steps = ", ".join(f"{b.raw:.2f} -> {b.p:.2f} ({b.right}/{b.n})" for b in m.blocks)
        print(f"  {_FIELD_NAMES.get(f, f)}: {steps}", file=out)
    if oof is None:
        print("  out of fold: needs labels of two writers or more (the 'writer' key)", file=out)
    else:
        title = (
            f"out of fold ({oof['method']}: each of {', '.join(groups)} scored by the map "
            "fitted on the others; tags, mean confidence, share right)"
        )
        _print_calibration(oof["fields"], out, title)
    return 0


def _decision_rows(config: Config, labels: list[dict[str, Any]], folder: Path) -> list[Any]:
    """The labelled articles of ``folder`` as the campaign decision sees them: each relevant
    email extracted (the fast path: a .doc or a scan waiting for the slow lane is left
    out), its unit tagged, each article scored by the campaign rules and matched to its
    label by the label's key phrase. Resends are left out (their articles are labelled
    twice)."""
    import tempfile

    from dienhinh.classifiers.campaigns import Vocabulary, load_campaigns, rule_scores
    from dienhinh.classifiers.decision import DecisionRow, word_count
    from dienhinh.classifiers.tagging import tag_outcome
    from dienhinh.core.text import collapse_ws, nfc
    from dienhinh.ingest.context import ExtractContext
    from dienhinh.ingest.extract import extract_message

    def norm(text: str) -> str:  # as `dienhinh eval` compares texts
        return collapse_ws(nfc(text)).casefold()

    assert config.tagging is not None
    settings = config.tagging
    vocab = Vocabulary.build(load_campaigns(settings.campaigns_file))
    rows: list[DecisionRow] = []
    with tempfile.TemporaryDirectory(prefix="dienhinh-fit-") as tmp:
        ctx = ExtractContext(blob_root=Path(tmp), limits=config.ingest)
        for lab in labels:
            if not lab.get("relevant") or lab.get("duplicate_of"):
                continue
            outcome = extract_message((folder / lab["file"]).read_bytes(), ctx)
            tags = tag_outcome(outcome, settings)
            unit = tags.unit.value if tags.unit else None
            for draft in outcome.articles:
                text = "\n\n".join(p for p in (draft.lead, draft.text) if p)
                whole = norm(f"{draft.title} {text}")
                match = [
                    a
                    for a in lab.get("articles", [])
                    if a.get("key_phrase") and norm(a["key_phrase"]) in whole
                ]
                if len(match) != 1:
                    continue
                scores = rule_scores(
                    draft.title, text, unit_code=unit, unit_group=tags.unit_group, vocabulary=vocab
                )
                rows.append(
                    DecisionRow(
                        tuple(scores),
                        word_count(text),
                        frozenset(match[0].get("campaigns") or ()),
                        str(lab.get("writer", "")),
                    )
                )
    return rows


def cmd_fit_campaigns(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    """Fit the campaign decision (classifiers/campaign_decision.json) on labelled mail and
    say, leaving one writer out at a time, how it and the rules alone fare on each writer
    it was not fitted on."""
    from datetime import date

    from dienhinh.classifiers.campaigns import select
    from dienhinh.classifiers.decision import (
        DECISION_FILE,
        L2,
        cross_validate,
        fit,
        scores_f1,
    )

    try:
        import numpy  # noqa: F401
    except ImportError:
        print("fit-campaigns: needs numpy (pip install 'dienhinh[ml]')", file=sys.stderr)
        return 2
    labels = json.loads(Path(args.labels).read_text(encoding="utf-8"))
    folder = Path(args.dir)
    missing = [lab["file"] for lab in labels if not (folder / lab["file"]).is_file()]
    if missing:
        print(f"fit-campaigns: {len(missing)} labelled file(s) not in {folder}", file=sys.stderr)
        return 2
    rows = _decision_rows(config, labels, folder)
    if not rows:
        print("fit-campaigns: no labelled article matched (key phrases)", file=sys.stderr)
        return 2
    writers = sorted({r.writer for r in rows} - {""})
    l2 = args.l2 if args.l2 is not None else L2
    meta: dict[str, Any] = {
        "writers": writers,
        "articles": len(rows),
        "fitted_on": date.today().isoformat(),
        "l2": l2,
    }
    rules = scores_f1((r.expected, [s.code for s in select(r.scores)]) for r in rows)
    print(f"fit-campaigns: {len(rows)} labelled articles of {len(writers)} writers", file=out)
    print(f"  rules alone (in sample): micro-F1 {rules[0]:.3f}, macro-F1 {rules[1]:.3f}", file=out)
    if len(writers) >= 2 and all(r.writer for r in rows):
        crossed = cross_validate(rows, l2=l2)
        micro, macro = scores_f1((e, c) for e, c, _p in crossed)
        certain = [code in e for e, _c, probs in crossed for code, p in probs.items() if p >= 0.9]
        right = sum(certain) / len(certain) if certain else 0.0
        meta["out_of_fold"] = {
            "method": "leave one writer out",
            "micro_f1": round(micro, 4),
            "macro_f1": round(macro, 4),
            "certain": len(certain),
            "certain_right": round(right, 4),
        }
        print(
            f"  decision, out of fold (leave one writer out): micro-F1 {micro:.3f}, "
            f"macro-F1 {macro:.3f}; p >= 0.9: {right:.3f} right of {len(certain)}",
            file=out,
        )
    decision = fit(rows, l2=l2, meta=meta)
    target = Path(args.output) if args.output else DECISION_FILE
    target.write_text(decision.to_json() + "\n", encoding="utf-8")
    print(f"  -> {target}", file=out)
    return 0


def cmd_retrain(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy.orm import Session

    from dienhinh.classifiers.model import HAVE_SKLEARN
    from dienhinh.learning.editors import retrain

    if not HAVE_SKLEARN:
        print(
            "retrain: scikit-learn is not installed (pip install 'dienhinh[ml]')", file=sys.stderr
        )
        return 2
    assert config.tagging is not None
    engine = open_engine(config)
    with Session(engine) as s:
        report = retrain(s, config.tagging.model_file)
    print(f"retrain: {report}", file=out)
    return 0


def _directory(config: Config) -> Any:
    from dienhinh.classifiers.directory import UnitDirectory

    assert config.tagging is not None
    return UnitDirectory.load(config.tagging.units_file)


def cmd_assign(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dienhinh.learning.editors import assign_unit
    from dienhinh.store.models import Message

    engine = open_engine(config)
    with Session(engine) as s:
        msg = s.execute(
            select(Message).where(Message.message_id == args.message_id.strip("<>"))
        ).scalar_one_or_none()
        if msg is None:
            print(f"no message with Message-ID {args.message_id}", file=sys.stderr)
            return 2
        # The command's documented effect: an unknown sender address is learned too.
        res = assign_unit(
            s, msg, args.unit, editor=args.editor, directory=_directory(config), learn=True
        )
        s.commit()
    print(
        f"{res.message_id}: unit {res.unit}"
        + (
            f"; later mail from {res.learned_address} counts as {res.unit}"
            if res.learned_address
            else ""
        ),
        file=out,
    )
    return 0


def cmd_forget_address(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy.orm import Session

    from dienhinh.learning.editors import forget_address

    engine = open_engine(config)
    with Session(engine) as s:
        done = forget_address(s, args.address, editor=args.editor)
        s.commit()
    print(f"{args.address}: " + ("forgotten" if done else "was not a learned address"), file=out)
    return 0 if done else 1


def _iso(dt: Any) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def _print_summary(engine: Any, pks: Sequence[int], out: TextIO) -> None:
    """What a run stored, one line per message and article (the demo's closing view)."""
    from sqlalchemy.orm import Session

    from dienhinh.store.models import Message

    with Session(engine) as s:
        for pk in pks:
            m = s.get(Message, pk)
            if m is None:
                continue
            unit = f"unit {m.unit}" if m.unit else "unit unknown"
            print(
                f"- [{m.status}] {m.subject[:70]}  <{m.from_addr}>  {unit}"
                + (f"  ({m.reason})" if m.reason else ""),
                file=out,
            )
            for a in m.articles:
                tags = ", ".join([*(a.campaigns or []), a.subject_type or "", a.kind or ""]).strip(
                    ", "
                )
                print(
                    f"    article #{a.id} [{a.status}] {a.source}: {a.title[:70]}"
                    f"  ({len(a.text)} chars, {len(a.images)} photo(s))"
                    + (f"  [{tags}]" if tags else "")
                    + ("  FLAGGED" if a.flagged else ""),
                    file=out,
                )


# --- parser ---------------------------------------------------------------------------------

COMMANDS: dict[str, Callable[[Config, argparse.Namespace, TextIO], int]] = {
    "init": cmd_init,
    "migrate": cmd_init,
    "poll": cmd_poll,
    "import": cmd_import,
    "reprocess": cmd_reprocess,
    "export": cmd_export,
    "status": cmd_status,
    "eval": cmd_eval,
    "calibrate": cmd_calibrate,
    "fit-campaigns": cmd_fit_campaigns,
    "retrain": cmd_retrain,
    "assign": cmd_assign,
    "forget-address": cmd_forget_address,
}

# This module's own commands (COMMANDS also gathers the extensions' when they register).
_OWN_COMMANDS = frozenset(COMMANDS)

Handler = Callable[[Config, argparse.Namespace, TextIO], int]

# Subcommands owned by other packages. Each module has ``register(sub) -> {name: handler}``
# adding its parsers to ``sub`` (keep those modules light: heavy imports go inside the
# handlers, so `dienhinh poll` does not pay for the web console).
EXTENSIONS: tuple[str, ...] = (
    "dienhinh.report.cli",
    "dienhinh.notify.cli",
    "dienhinh.publish.cli",
    "dienhinh.review.cli",
    "dienhinh.worker.daemon_cli",
)


def _own_command(argv: Sequence[str]) -> bool:
    """True when ``argv`` names one of this module's commands (``poll``, ``import`` ...),
    so the other packages' parsers need not be imported: `dienhinh poll` runs from a timer
    every few minutes and its start-up is most of an idle poll's time."""
    it = iter(argv)
    for arg in it:
        if arg == "--config":
            next(it, None)
        elif not arg.startswith("-"):
            return arg in _OWN_COMMANDS
        elif arg in ("-h", "--help", "--version"):
            return False
    return False


def build_parser(*, extensions: bool = True) -> argparse.ArgumentParser:
    from dienhinh.classifiers.calibration import DEFAULT_SIGMAS  # stdlib only: cheap

    p = argparse.ArgumentParser(
        prog="dienhinh", description=__doc__.splitlines()[0] if __doc__ else None
    )
    p.add_argument("--version", action="version", version=f"dienhinh {__version__}")
    p.add_argument("--config", help="configuration file (default: $DIENHINH_CONFIG, ./config.toml)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, warnings only")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the database and data folders (idempotent)")
    sub.add_parser("migrate", help="bring the database schema up to date")
    sp = sub.add_parser("poll", help="one pass over the configured mailbox")
    sp.add_argument("--summary", action="store_true", help="list what this poll stored")
    sp = sub.add_parser("import", help="backfill from .eml files, mbox files or Maildir folders")
    sp.add_argument("paths", nargs="+")
    sp = sub.add_parser("reprocess", help="re-run messages from their stored bytes")
    sp.add_argument(
        "--failed", action="store_true", help="every failed message (and stuck articles)"
    )
    sp.add_argument(
        "--requested",
        action="store_true",
        help='the re-runs editors queued in the console ("Chạy lại"; the worker does them too)',
    )
    sp.add_argument("message_ids", nargs="*", metavar="MESSAGE-ID")
    sp = sub.add_parser("export", help="export messages or articles as JSON lines")
    sp.add_argument("what", choices=["messages", "articles"])
    sp.add_argument("--format", choices=["jsonl"], default="jsonl")
    sp.add_argument("-o", "--output", help="file to write (default: standard output)")
    sp = sub.add_parser("status", help="counts per state, last poll, errors")
    sp.add_argument("--json", action="store_true")
    sp = sub.add_parser("eval", help="score ingest and tagging against a labels file")
    sp.add_argument("labels", metavar="LABELS.json")
    sp.add_argument("dir", metavar="DIR", help="the folder holding the labelled .eml files")
    sp.add_argument("--json", action="store_true")
    sp = sub.add_parser(
        "calibrate",
        help="fit the taggers' confidence calibration on labelled mail (calibration.json)",
    )
    sp.add_argument("labels", metavar="LABELS.json")
    sp.add_argument("dir", metavar="DIR", help="the folder holding the labelled .eml files")
    sp.add_argument("-o", "--output", help="file to write (default: classifiers/calibration.json)")
    sp.add_argument(
        "--sigmas",
        type=float,
        default=DEFAULT_SIGMAS,
        help="how cautious each block's probability is (standard deviations below its mean)",
    )
    sp = sub.add_parser(
        "fit-campaigns",
        help="fit the campaign decision's weights on labelled mail (campaign_decision.json)",
    )
    sp.add_argument("labels", metavar="LABELS.json")
    sp.add_argument("dir", metavar="DIR", help="the folder holding the labelled .eml files")
    sp.add_argument(
        "-o", "--output", help="file to write (default: classifiers/campaign_decision.json)"
    )
    sp.add_argument("--l2", type=float, help="ridge penalty of the fit (default 0.3)")
    sub.add_parser(
        "retrain",
        help="retrain the campaign model on editor-confirmed articles (kept only if not worse)",
    )
    sp = sub.add_parser("assign", help="set a message's unit (remembers an unknown sender address)")
    sp.add_argument("message_id", metavar="MESSAGE-ID")
    sp.add_argument("unit", metavar="UNIT-CODE")
    sp.add_argument("--editor", default="cli", help="who decides (written to the audit log)")
    sp = sub.add_parser("forget-address", help="undo a learned sender address")
    sp.add_argument("address")
    sp.add_argument("--editor", default="cli")
    for name in EXTENSIONS if extensions else ():
        COMMANDS.update(importlib.import_module(name).register(sub))
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(extensions=not _own_command(argv)).parse_args(argv)
    try:
        config = load_config(args.config)
        level = "DEBUG" if args.verbose else ("WARNING" if args.quiet else config.logging.level)
        setup_logging(level, json_lines=config.logging.json)
        return COMMANDS[args.command](config, args, out)
    except ConfigError as err:
        print(f"dienhinh: {err}", file=sys.stderr)
        return 2
    except SchemaOutOfDate as err:
        print(f"dienhinh: {err}", file=sys.stderr)
        return 2
    except LeaseHeld as err:
        print(f"dienhinh: {err}; exiting without fetching", file=sys.stderr)
        return 3
    except DienhinhError as err:
        print(f"dienhinh: {err}", file=sys.stderr)
        return 1
    except unavailable_errors() as err:
        # The database is unreachable (server down, wrong host, disk gone): one line naming
        # it, not a traceback; a scheduled run simply fails and the next one retries.
        # An SQLAlchemy error carries the driver's as ``orig``; the driver's own (the
        # poll's bookkeeping, store/dbapi.py) is that already.
        cause = getattr(err, "orig", None) or err
        log.error("database unavailable: %s", cause)
        first = str(cause).strip().splitlines()[0] if str(cause) else ""
        print(f"dienhinh: the database is unavailable: {first}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`dienhinh export ... | head`): not an error. Point stdout at
        # /dev/null so the interpreter's final flush does not complain again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        dispose_engines()
