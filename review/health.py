"""What needs an operator's attention, computed from the database alone.

One function, :func:`alerts`, shared by ``dienhinh status``, the console's dashboard and the
worker's health job (which logs each alert as a WARNING and mails it to the admins once
per key per day). Computed from the database, not from a worker's memory, so it also
shows when no worker runs at all: a mailbox nobody polls goes stale like one that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dienhinh.core.config import Config
from dienhinh.core.labels import RUN_KIND_LABELS, error_label, mailbox_label
from dienhinh.core.states import RunState
from dienhinh.store.models import MailboxState, PollRun
from dienhinh.store.overview import last_runs

__all__ = ["Alert", "alerts"]

# Kinds of run whose last failure is an alert. Polls are left out: one dropped connection
# is normal and retried; a mailbox that keeps failing becomes *stale*, which is the alert.
_JOB_KINDS = ("daily", "process", "publish", "retrain", "ack", "remind", "digest")


@dataclass(frozen=True)
class Alert:
    """``key`` is stable for one problem (``stale:<mailbox>``, ``job:<kind>``): the mail to
    admins is sent once per key per day. ``summary`` is English for logs and the command
    line; ``title``/``detail`` are Vietnamese for the console and the mail, ``technical``
    the stored error as it was written (English: the mail to admins and the console's
    "Chi tiết kỹ thuật", for admins only)."""

    key: str
    severity: str  # "warning" | "error"
    summary: str
    title: str
    detail: str
    since: datetime | None = None
    technical: str = ""


def _iso(dt: datetime | None) -> str:
    return dt.isoformat(timespec="seconds") if dt else "never"


def _local(dt: datetime | None, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%d/%m/%Y %H:%M") if dt else "chưa bao giờ"


def _stale_alert(session: Session, config: Config, now: datetime) -> Alert | None:
    limit = timedelta(minutes=config.worker.stale_after_minutes)
    key = config.mailbox.url.key
    state = session.get(MailboxState, key)
    if state is None:
        return None  # never polled at all: a fresh installation, nothing has gone wrong yet
    since = state.last_success_at
    if since is None:
        # Never succeeded: stale from the first attempt on.
        since = session.execute(
            select(func.min(PollRun.started_at)).where(PollRun.mailbox == key)
        ).scalar_one_or_none() or (state.last_poll_started_at)
    if since is None or now - since <= limit:
        return None
    tz = ZoneInfo(config.timezone)
    hours = (now - since).total_seconds() / 3600
    error = f" Lỗi gần nhất: {error_label(state.last_error)}." if state.last_error else ""
    where = mailbox_label(key)
    return Alert(
        key=f"stale:{key}",
        severity="error",
        summary=(
            f"mailbox {key} not polled successfully for {hours:.1f} h "
            f"(last success {_iso(state.last_success_at)})"
            + (f"; last error: {state.last_error}" if state.last_error else "")
        ),
        title="Hộp thư không được lấy thư",
        detail=(
            f"{where[:1].upper()}{where[1:]} chưa được lấy thư thành công từ "
            f"{_local(state.last_success_at, tz)} ({hours:.1f} giờ).{error}"
        ),
        since=since,
        technical=state.last_error or "",
    )


def alerts(session: Session, config: Config, now: datetime) -> list[Alert]:
    """Every current alert, most serious first. ``now`` is aware (UTC or any zone)."""
    found: list[Alert] = []
    stale = _stale_alert(session, config, now)
    if stale is not None:
        found.append(stale)
    tz = ZoneInfo(config.timezone)
    for run in last_runs(session):
        if run.kind not in _JOB_KINDS or run.status != RunState.ERROR:
            continue
        first_line = (run.error or "").strip().splitlines()[0] if run.error else ""
        found.append(
            Alert(
                key=f"job:{run.kind}",
                severity="warning",
                summary=f"last {run.kind} run failed at {run.started_at.isoformat()}: {first_line}",
                title=f"Công việc «{RUN_KIND_LABELS.get(run.kind, 'khác')}» bị lỗi",
                detail=f"Lần chạy gần nhất ({_local(run.started_at, tz)}) bị lỗi: "
                f"{error_label(first_line) or 'không rõ lỗi'}.",
                since=run.started_at,
                technical=first_line,
            )
        )
    return sorted(found, key=lambda a: (a.severity != "error", a.key))


# --- for `dienhinh status` (text and JSON) and anyone else showing runs -------------------


def _iso_or_none(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds") if dt else None


def run_as_dict(run: PollRun) -> dict[str, object]:
    return {
        "kind": run.kind,
        "mailbox": run.mailbox,
        "holder": run.holder,
        "started_at": _iso_or_none(run.started_at),
        "finished_at": _iso_or_none(run.finished_at),
        "status": run.status,
        "fetched": run.fetched,
        "stored": run.stored,
        "processed": run.processed,
        "articles": run.articles,
        "failed": run.failed,
        "error": run.error,
    }


def run_line(run: PollRun, tz: ZoneInfo) -> str:
    """``poll      ok       2018-03-01 08:10 (2.1 s)  fetched 3, processed 3, ...``"""
    started = run.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    took = (
        f" ({(run.finished_at - run.started_at).total_seconds():.1f} s)" if run.finished_at else ""
    )
    counts = ", ".join(
        f"{name} {value}"
        for name, value in (
            ("fetched", run.fetched),
            ("processed", run.processed),
            ("articles", run.articles),
            ("failed", run.failed),
        )
        if value
    )
    error = (run.error or "").strip().splitlines()[0] if run.error else ""
    return (
        f"{run.kind:<9} {run.status:<8} {started}{took}"
        + (f"  {counts}" if counts else "")
        + (f"  ({error})" if error else "")
    )


def alert_as_dict(alert: Alert) -> dict[str, object]:
    return {
        "key": alert.key,
        "severity": alert.severity,
        "summary": alert.summary,
        "title": alert.title,
        "detail": alert.detail,
        "since": _iso_or_none(alert.since),
    }
