"""The notification jobs the worker schedules (and ``dienhinh notify`` runs once).

Each public job loads ``[notify]``, does nothing when its kind is disabled, and returns how
many mails it sent (or wrote, in dry-run mode). Each mail goes through :class:`Outbox`, so
running a job twice, or on two workers at once, sends nothing twice. ``now`` (aware) is the
job's clock: tests and ``--now`` pass one, the worker passes none.

A job stops at the first :class:`ServerUnavailable` (the server is down or refuses our
login): that mail is recorded ``failed`` and the candidates after it are simply left for the
next run, which finds them again because they have no row yet.

The loops over many mails (acknowledgements, reminders) run on the
:class:`~dienhinh.core.runner.Runner` base: an unexpected error on one mail is recorded on
that mail (:meth:`Outbox.record_error`) and the job goes on with the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine, and_, exists, func, select
from sqlalchemy.orm import Session

from dienhinh.classifiers.directory import Unit, UnitDirectory
from dienhinh.core.config import Config
from dienhinh.core.labels import error_label, flag_label
from dienhinh.core.periods import period_bounds, period_label, period_of
from dienhinh.core.runner import Runner
from dienhinh.notify.compose import (
    DigestData,
    PendingItem,
    ack_mail,
    alert_mail,
    digest_mail,
    reminder_mail,
)
from dienhinh.notify.config import NotifyConfig, load
from dienhinh.notify.outbox import DONE, Outbox, make_key
from dienhinh.notify.rules import ack_refusal, parse_stored_headers
from dienhinh.notify.transport import ServerUnavailable, Transport, make_transport
from dienhinh.store.models import Article, Message, Notification
from dienhinh.store.states import ArticleState, MessageState, NotificationState

__all__ = [
    "Tally",
    "acknowledge_new",
    "remind_units",
    "run_ack",
    "run_digest",
    "run_remind",
    "send_alert",
    "send_digest",
]

log = logging.getLogger(__name__)

ACK_LOOP_LIMIT = 10
"""At most this many acknowledgements to one address in 24 hours: the last guard against a
loop with a responder that hides every automatic-mail header."""

_STATE_LABELS = {
    ArticleState.PENDING_REVIEW: "Chờ duyệt",
    ArticleState.APPROVED: "Đã duyệt, chờ đăng",
    ArticleState.PUBLISHED: "Đã đăng",
    ArticleState.REJECTED: "Không duyệt",
    ArticleState.DUPLICATE: "Trùng lặp",
    ArticleState.NEEDS_CONVERSION: "Chờ chuyển đổi định dạng",
    ArticleState.NEEDS_OCR: "Chờ nhận dạng chữ (OCR)",
    ArticleState.FAILED: "Lỗi xử lý",
}


@dataclass
class Tally:
    """What one run did; ``done`` counts mails sent or written (dry-run)."""

    kind: str
    done: int = 0
    skipped: int = 0
    failed: int = 0
    refused: int = 0
    disabled: bool = False
    stopped: str | None = None  # why the run stopped early (server unavailable)

    def count(self, status: str | None) -> None:
        if status in DONE:
            self.done += 1
        elif status == NotificationState.FAILED:
            self.failed += 1
        elif status == NotificationState.REFUSED:
            self.refused += 1

    def summary(self) -> str:
        if self.disabled:
            return f"{self.kind}: disabled (notify.{self.kind}.enabled = false)"
        text = (
            f"{self.kind}: {self.done} sent, {self.skipped} skipped, {self.failed} failed, "
            f"{self.refused} refused"
        )
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: notification jobs need an aware time")
    return now


@contextmanager
def _outbox(
    engine: Engine, cfg: NotifyConfig, now: datetime, transport: Transport | None
) -> Iterator[Outbox]:
    t = transport or make_transport(cfg)
    box = Outbox(engine, cfg, t, now=now)
    try:
        box.reap_stale()
        yield box
    finally:
        t.close()


def _send(box: Outbox, tally: Tally, **kw: Any) -> bool:
    """Send one mail; False when the server is unavailable and the run must stop."""
    try:
        tally.count(box.send(**kw))
    except ServerUnavailable as err:
        tally.failed += 1
        tally.stopped = str(err)
        return False
    return True


def _directory(config: Config) -> UnitDirectory | None:
    if config.tagging is None:
        return None
    return UnitDirectory.load(config.tagging.units_file)


# --- acknowledgements ---------------------------------------------------------------------


def acknowledge_new(engine: Engine, config: Config, *, now: datetime | None = None) -> int:
    """Acknowledge receipt to the sender of each new message that produced an article."""
    return run_ack(engine, config, load(config), now=now).done


def _ack_candidates(s: Session, cfg: NotifyConfig, since: datetime, now: datetime) -> list[int]:
    """New messages with no ack row yet, then failed acks whose retry window is open."""
    oldest = max(since, now - timedelta(days=cfg.ack.max_age_days))
    fresh = s.execute(
        select(Message.id)
        .where(
            Message.status == MessageState.INGESTED,
            Message.received_at >= oldest,
            Message.received_at <= now,
            ~exists().where(Notification.message_pk == Message.id, Notification.kind == "ack"),
        )
        .order_by(Message.received_at, Message.id)
    ).scalars()
    retry = s.execute(
        select(Notification.message_pk).where(
            Notification.kind == "ack",
            Notification.status == NotificationState.FAILED,
            Notification.created_at >= now - timedelta(hours=cfg.retry_hours),
            Notification.message_pk.is_not(None),
        )
    ).scalars()
    return [*fresh, *(pk for pk in retry if pk is not None)]


def _recent_acks(s: Session, address: str, now: datetime) -> int:
    return s.execute(
        select(func.count(Notification.id)).where(
            Notification.kind == "ack",
            Notification.recipient == address,
            Notification.status.in_(
                [
                    NotificationState.SENT,
                    NotificationState.DRY_RUN,
                    NotificationState.SENDING,
                    NotificationState.UNKNOWN,
                ]
            ),
            Notification.created_at > now - timedelta(hours=24),
        )
    ).scalar_one()


@dataclass(frozen=True)
class _AckSkip:
    key: str
    reason: str
    recipient: str
    unit: str | None


@dataclass(frozen=True)
class _AckSend:
    key: str
    msg: EmailMessage
    recipient: str
    unit: str | None


def _plan_ack(
    s: Session, pk: int, cfg: NotifyConfig, directory: UnitDirectory | None, now: datetime
) -> _AckSkip | _AckSend | None:
    """What to do about one message: skip it (and why) or the mail to send."""
    row = s.get(Message, pk)
    if row is None:
        return None
    key = make_key("ack", row.message_id)
    titles = [
        t or "(chưa đọc được tiêu đề)"
        for t in s.execute(
            select(Article.title)
            .where(Article.message_pk == pk, Article.status != ArticleState.DUPLICATE)
            .order_by(Article.ordinal)
        ).scalars()
    ]
    reason = ack_refusal(row, cfg)
    if reason is None and not titles:
        reason = "no new article in this message"
    if reason is None and _recent_acks(s, row.from_addr, now) >= ACK_LOOP_LIMIT:
        reason = (
            f"more than {ACK_LOOP_LIMIT} acknowledgements to this address in 24 hours (loop guard)"
        )
    if reason is not None:
        return _AckSkip(key=key, reason=reason, recipient=row.from_addr, unit=row.unit)
    unit = directory.get(row.unit) if directory and row.unit else None
    refs = parse_stored_headers(row.headers_text).get_all("References") or []
    msg = ack_mail(
        cfg,
        to=row.from_addr,
        greeting=unit.name if unit else (row.from_name or "Quý đơn vị"),
        subject=row.subject,
        received_at=row.received_at,
        titles=titles,
        message_id=row.message_id,
        message_id_generated=row.message_id_generated,
        references=[r.strip("<>") for ref in refs for r in str(ref).split()],
        now=now,
    )
    return _AckSend(key=key, msg=msg, recipient=row.from_addr, unit=row.unit)


def run_ack(
    engine: Engine,
    config: Config,
    cfg: NotifyConfig,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
) -> Tally:
    tally = Tally("ack")
    if not cfg.ack.enabled:
        tally.disabled = True
        return tally
    now = _now(now)
    directory = _directory(config)
    with _outbox(engine, cfg, now, transport) as box:
        since = cfg.ack.since or box.mark_enabled("ack")
        with box.sessions() as s:
            candidates = _ack_candidates(s, cfg, since, now)
        _AckRun(box, cfg, directory, candidates).run(tally)
    return tally


class _MailRun(Runner[Any, Tally]):
    """A job's loop over its mails: a mail the server cannot take now ends the run (the
    rest waits for the next one, see the module docstring)."""

    halts = (ServerUnavailable,)

    def _halted(self, item: Any, err: Exception, tally: Tally) -> None:
        tally.failed += 1
        tally.stopped = str(err)


class _AckRun(_MailRun):
    """One acknowledgement per candidate message (a message's pk)."""

    def __init__(
        self, box: Outbox, cfg: NotifyConfig, directory: UnitDirectory | None, pks: list[int]
    ) -> None:
        self.box, self.cfg, self.directory, self.pks = box, cfg, directory, pks

    def _claim(self) -> list[int]:
        return self.pks  # each mail is claimed by the outbox as it is sent

    def _dispose(self, pk: int, tally: Tally) -> None:
        box = self.box
        with box.sessions() as s:
            plan = _plan_ack(s, pk, self.cfg, self.directory, box.now)
        if plan is None:
            return
        if isinstance(plan, _AckSkip):
            if box.state(plan.key) is None:
                tally.skipped += box.skip(
                    kind="ack",
                    key=plan.key,
                    reason=plan.reason,
                    recipients=[plan.recipient],
                    message_pk=pk,
                    unit=plan.unit,
                )
            return
        tally.count(
            box.send(
                kind="ack",
                key=plan.key,
                msg=plan.msg,
                recipients=[plan.recipient],
                message_pk=pk,
                unit=plan.unit,
            )
        )

    def _record_failure(self, pk: int, err: Exception, tally: Tally) -> None:
        log.exception("acknowledgement of message pk=%s: unexpected error", pk)
        tally.failed += 1
        with self.box.sessions() as s:
            row = s.get(Message, pk)
            if row is None:
                return
            key, unit = make_key("ack", row.message_id), row.unit
        self.box.record_error(
            kind="ack", key=key, error=f"{type(err).__name__}: {err}", message_pk=pk, unit=unit
        )


# --- reminders ----------------------------------------------------------------------------


def remind_units(engine: Engine, config: Config, *, now: datetime | None = None) -> int:
    """Remind each unit that has sent nothing in its current period, N days before it ends."""
    return run_remind(engine, config, load(config), now=now).done


def _sent_something(s: Session, code: str, start: datetime, end: datetime) -> bool:
    """Anything from the unit in ``[start, end)`` that may count: an article that is not a
    duplicate or rejected (the compliance report's rule), or a message still being
    processed or failed (the unit did send; nagging it would be wrong)."""
    article = s.execute(
        select(Article.id)
        .join(Message, Article.message_pk == Message.id)
        .where(
            func.coalesce(Article.unit, Message.unit) == code,
            Message.received_at >= start,
            Message.received_at < end,
            Article.status.not_in([ArticleState.DUPLICATE, ArticleState.REJECTED]),
            Article.duplicate_of_id.is_(None),
        )
        .limit(1)
    ).first()
    if article is not None:
        return True
    message = s.execute(
        select(Message.id)
        .where(
            Message.unit == code,
            Message.received_at >= start,
            Message.received_at < end,
            Message.status.in_([MessageState.RECEIVED, MessageState.FAILED]),
        )
        .limit(1)
    ).first()
    return message is not None


def run_remind(
    engine: Engine,
    config: Config,
    cfg: NotifyConfig,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
) -> Tally:
    tally = Tally("remind")
    if not cfg.remind.enabled:
        tally.disabled = True
        return tally
    now = _now(now)
    directory = _directory(config)
    if directory is None:
        tally.stopped = "no unit directory (tagging.units_file)"
        return tally
    with _outbox(engine, cfg, now, transport) as box:
        _RemindRun(box, cfg, directory).run(tally)
    return tally


class _RemindRun(_MailRun):
    """One reminder per unit of the directory whose period ends within ``days_before``
    and that has sent nothing in it."""

    def __init__(self, box: Outbox, cfg: NotifyConfig, directory: UnitDirectory) -> None:
        self.box, self.cfg, self.directory = box, cfg, directory
        self.window = timedelta(days=cfg.remind.days_before)
        self.key: str | None = None  # the reminder being worked on, once known

    def _claim(self) -> UnitDirectory:
        return self.directory  # each mail is claimed by the outbox as it is sent

    def _dispose(self, unit: Unit, tally: Tally) -> None:
        box, cfg, now = self.box, self.cfg, self.box.now
        self.key = None
        period = period_of(now, unit.cadence, cfg.timezone)
        start, end = period_bounds(period, cfg.timezone)
        if not end - self.window <= now < end:
            return
        key = self.key = make_key("remind", f"{unit.code}:{period}")
        if not box.may_send(key):
            return
        with box.sessions() as s:
            if _sent_something(s, unit.code, start, end):
                return
        recipients = [a.lower() for a in unit.addresses if not cfg.is_own(a)]
        if not recipients:
            tally.skipped += box.skip(
                kind="reminder",
                key=key,
                reason="the unit has no address in the unit directory",
                unit=unit.code,
            )
            return
        msg = reminder_mail(
            cfg,
            to=recipients,
            unit_name=unit.name,
            period_label=period_label(period),
            last_day=end - timedelta(seconds=1),
            now=now,
        )
        tally.count(
            box.send(kind="reminder", key=key, msg=msg, recipients=recipients, unit=unit.code)
        )

    def _record_failure(self, unit: Unit, err: Exception, tally: Tally) -> None:
        log.exception("reminder to unit %s: unexpected error", unit.code)
        tally.failed += 1
        if self.key is not None:  # else it failed before its mail had a name: logged only
            self.box.record_error(
                kind="reminder", key=self.key, error=f"{type(err).__name__}: {err}", unit=unit.code
            )


# --- the editors' digest ------------------------------------------------------------------


def send_digest(engine: Engine, config: Config, *, now: datetime | None = None) -> int:
    """The editors' daily digest of what waits for review, once per local day."""
    return run_digest(engine, config, load(config), now=now).done


def _unit_name(directory: UnitDirectory | None, code: str | None) -> str:
    if not code:
        return "chưa rõ đơn vị"
    unit = directory.get(code) if directory else None
    return unit.name if unit else code


def _digest_data(
    s: Session, cfg: NotifyConfig, directory: UnitDirectory | None, now: datetime
) -> DigestData:
    limit = cfg.digest.max_items
    counts: dict[str, int] = dict(
        s.execute(select(Article.status, func.count(Article.id)).group_by(Article.status)).all()
    )
    unit_col = func.coalesce(Article.unit, Message.unit)
    base = select(Article.title, unit_col, Article.meta, Article.error).join(
        Message, Article.message_pk == Message.id
    )

    def items(rows: list[Any], note: Callable[[Any, Any], str]) -> list[PendingItem]:
        return [
            PendingItem(
                title=title or "(chưa đọc được tiêu đề)",
                unit=_unit_name(directory, unit),
                note=note(meta, error),
            )
            for title, unit, meta, error in rows
        ]

    flagged_q = and_(Article.status == ArticleState.PENDING_REVIEW, Article.flagged.is_(True))
    flagged = items(
        list(s.execute(base.where(flagged_q).order_by(Article.id.desc()).limit(limit)).all()),
        lambda meta, _e: "; ".join(
            dict.fromkeys(flag_label(r) for r in (meta or {}).get("review_reasons", []))
        )[:200],
    )
    failed_articles = items(
        list(
            s.execute(
                base.where(Article.status == ArticleState.FAILED)
                .order_by(Article.id.desc())
                .limit(limit)
            ).all()
        ),
        lambda _m, error: error_label(error)[:200],
    )
    # A failed message whose failed article is listed already is not listed twice.
    lone_failure = and_(
        Message.status == MessageState.FAILED, ~exists().where(Article.message_pk == Message.id)
    )
    failed_messages = [
        PendingItem(
            title=f"Thư “{subject or '(không có tiêu đề)'}” của {sender}",
            unit=_unit_name(directory, unit),
            note=error_label(error)[:200],
        )
        for subject, sender, unit, error in s.execute(
            select(Message.subject, Message.from_addr, Message.unit, Message.error)
            .where(lone_failure)
            .order_by(Message.id.desc())
            .limit(limit)
        ).all()
    ]
    failed_total = (
        counts.get(ArticleState.FAILED, 0)
        + s.execute(select(func.count(Message.id)).where(lone_failure)).scalar_one()
    )
    newest = items(
        list(
            s.execute(
                base.where(Article.status == ArticleState.PENDING_REVIEW)
                .order_by(Message.received_at.desc(), Article.id.desc())
                .limit(limit)
            ).all()
        ),
        lambda _m, _e: "",
    )
    return DigestData(
        article_counts={
            label: counts[state] for state, label in _STATE_LABELS.items() if counts.get(state)
        },
        new_today=s.execute(
            select(func.count(Article.id))
            .join(Message, Article.message_pk == Message.id)
            .where(Message.received_at > now - timedelta(hours=24), Message.received_at <= now)
        ).scalar_one(),
        flagged=flagged,
        failed=(failed_messages + failed_articles)[:limit],
        newest=newest,
        pending_total=counts.get(ArticleState.PENDING_REVIEW, 0),
        flagged_total=s.execute(select(func.count(Article.id)).where(flagged_q)).scalar_one(),
        failed_total=failed_total,
    )


def run_digest(
    engine: Engine,
    config: Config,
    cfg: NotifyConfig,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
) -> Tally:
    tally = Tally("digest")
    if not cfg.digest.enabled:
        tally.disabled = True
        return tally
    now = _now(now)
    local = now.astimezone(cfg.tz)
    if local.time() < cfg.digest.time:
        tally.stopped = f"not before {cfg.digest.time:%H:%M} local time"
        return tally
    key = make_key("digest", local.date().isoformat())
    recipients = [a for a in cfg.editors if not cfg.is_own(a)]
    with _outbox(engine, cfg, now, transport) as box:
        if not box.may_send(key):
            return tally
        with box.sessions() as s:
            data = _digest_data(s, cfg, _directory(config), now)
        if data.empty and cfg.digest.skip_empty:
            log.info("digest %s: nothing waits for review; no mail", local.date())
            return tally
        msg = digest_mail(cfg, to=recipients, day=f"{local:%d/%m/%Y}", data=data, now=now)
        _send(box, tally, kind="digest", key=key, msg=msg, recipients=recipients)
    return tally


# --- alerts -------------------------------------------------------------------------------


def send_alert(
    engine: Engine,
    config: Config,
    *,
    key: str,
    subject: str,
    body: str,
    now: datetime | None = None,
) -> bool:
    """A mail to the admins, once per ``key``; True if it was sent (or written) by this call.

    The caller chooses how often the same problem may be mailed by what it puts in
    ``key`` (the worker uses "<mailbox>:<local date>": at most one mail per day). A transient
    failure is retried by the next call with the same key.
    """
    cfg = load(config)
    if not cfg.alert.enabled:
        log.info("alert %s not mailed (notify.alert.enabled = false): %s", key, subject)
        return False
    return run_alert(engine, cfg, key=key, subject=subject, body=body, now=now)


def run_alert(
    engine: Engine,
    cfg: NotifyConfig,
    *,
    key: str,
    subject: str,
    body: str,
    now: datetime | None = None,
    transport: Transport | None = None,
) -> bool:
    now = _now(now)
    dedupe = key if key.startswith("alert:") else make_key("alert", key)
    recipients = [a for a in cfg.admins if not cfg.is_own(a)]
    tally = Tally("alert")
    with _outbox(engine, cfg, now, transport) as box:
        if not box.may_send(dedupe):
            return False
        msg: EmailMessage = alert_mail(cfg, to=recipients, subject=subject, body=body, now=now)
        _send(box, tally, kind="alert", key=dedupe, msg=msg, recipients=recipients)
    return tally.done == 1
