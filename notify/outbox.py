"""The ledger of outgoing mail: every notification happens once, and none is lost silently.

Each mail has a ``dedupe_key`` ("ack:<message-id>", "remind:<unit>:<period>",
"digest:<local date>", "alert:<key>") that is UNIQUE in the ``notification`` table. Sending
goes in three committed steps:

1. **claim**: INSERT the row as ``sending`` (``sent_at`` holds the moment the attempt began).
   The unique constraint decides who sends: a second worker, or a second run, gets an
   IntegrityError and leaves it. A ``failed`` row (a transient failure) younger than
   ``notify.retry_hours`` is claimed again by a conditional UPDATE (``WHERE status =
   'failed'``), which only one worker can win.
2. **send** through the transport.
3. **record** the result: ``sent``/``dry-run``, ``failed`` (retried by a later run),
   ``refused`` (5xx, never retried).

A crash between 1 and 3 leaves the row in ``sending``. Whether the server had accepted the
mail is then unknowable (it may have answered 250 to the end of DATA just before the
crash), so such a row is **never resent automatically**: a later run that finds it older
than ``notify.sending_timeout_minutes`` marks it ``unknown`` and logs a warning. Losing one
acknowledgement is better than mailing a unit twice, and the row says what happened; an
admin who wants it sent deletes the row. Rows that were decided against are ``skipped``
with the reason in ``error``, so "why did this sender get no acknowledgement?" has an
answer in the database. An unexpected error (a bug) while a job works on one mail is
recorded on that mail by :meth:`Outbox.record_error` (the jobs' runner boundary): ``unknown``
if it was claimed (it may have gone), ``failed`` if nothing was sent yet.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.states import NotificationState
from dienhinh.notify.config import NotifyConfig
from dienhinh.notify.transport import (
    PermanentSendError,
    ServerUnavailable,
    TransientSendError,
    Transport,
)
from dienhinh.store.models import Notification
from dienhinh.store.states import check_transition

__all__ = ["DONE", "MAX_KEY", "Outbox", "make_key"]

log = logging.getLogger(__name__)

MAX_KEY = 700  # Notification.dedupe_key's length


DONE = frozenset({NotificationState.SENT, NotificationState.DRY_RUN})


def make_key(prefix: str, ident: str) -> str:
    """``prefix:ident``, or ``prefix:sha256:<hex>`` when that would not fit the column (a
    hostile Message-ID can be 1000 characters long)."""
    key = f"{prefix}:{ident}"
    if len(key) <= MAX_KEY:
        return key
    return f"{prefix}:sha256:{hashlib.sha256(ident.encode('utf-8')).hexdigest()}"


class Outbox:
    """Claims, sends and records notifications for one job run (one ``now``)."""

    def __init__(
        self, engine: Engine, cfg: NotifyConfig, transport: Transport, *, now: datetime
    ) -> None:
        if now.tzinfo is None:
            raise ValueError(f"naive datetime {now!r}")
        self.cfg = cfg
        self.transport = transport
        self.now = now
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._sending: set[str] = set()  # keys this outbox claimed and has not recorded

    # --- reading -------------------------------------------------------------------

    def state(self, key: str) -> str | None:
        with self.sessions() as s:
            return s.execute(
                select(Notification.status).where(Notification.dedupe_key == key)
            ).scalar_one_or_none()

    def may_send(self, key: str) -> bool:
        """True if nothing is recorded under ``key`` or its last attempt failed transiently
        (whether the retry window is still open is checked by the claim)."""
        return self.state(key) in (None, NotificationState.FAILED)

    def retry_since(self) -> datetime:
        return self.now - timedelta(hours=self.cfg.retry_hours)

    # --- housekeeping -----------------------------------------------------------------

    def reap_stale(self) -> int:
        """Mark ``sending`` rows older than ``sending_timeout_minutes`` as ``unknown``."""
        limit = self.now - timedelta(minutes=self.cfg.sending_timeout_minutes)
        with self.sessions() as s:
            stale = list(
                s.execute(
                    select(Notification).where(
                        Notification.status == NotificationState.SENDING,
                        Notification.sent_at < limit,
                    )
                ).scalars()
            )
            for row in stale:
                started = row.sent_at
                changed = s.execute(
                    update(Notification)
                    .where(
                        Notification.id == row.id, Notification.status == NotificationState.SENDING
                    )
                    .values(
                        status=check_transition(
                            Notification,
                            NotificationState.SENDING,
                            NotificationState.UNKNOWN,
                            row.dedupe_key,
                        ),
                        sent_at=None,
                        error=f"interrupted while sending (attempt began {started:%Y-%m-%d %H:%M}"
                        " UTC); it may or may not have been delivered, so it is not resent "
                        "automatically (delete this row to send it again)",
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
                if changed:
                    log.warning(
                        "notification %s was interrupted while sending to %s; marked unknown "
                        "and not resent",
                        row.dedupe_key,
                        row.recipient,
                        extra={"notification_key": row.dedupe_key},
                    )
            s.commit()
        return len(stale)

    def mark_enabled(self, kind: str) -> datetime:
        """When ``kind`` was first enabled: recorded by the first run, read by the later ones.
        Mail older than this is backlog and is never answered."""
        key = f"enabled:{kind}"
        with self.sessions() as s:
            found: datetime | None = s.execute(
                select(Notification.created_at).where(Notification.dedupe_key == key)
            ).scalar_one_or_none()
            if found is not None:
                return found
            s.add(
                Notification(
                    kind=kind,
                    dedupe_key=key,
                    status=NotificationState.ENABLED,
                    subject=f"{kind} notifications enabled",
                    error="marker: mail received before this moment is not answered",
                    created_at=self.now,
                )
            )
            try:
                s.commit()
            except IntegrityError:  # another worker recorded it first: use theirs
                s.rollback()
                theirs: datetime = s.execute(
                    select(Notification.created_at).where(Notification.dedupe_key == key)
                ).scalar_one()
                return theirs
            log.info("%s notifications: first run, backlog before %s is skipped", kind, self.now)
            return self.now

    # --- writing ----------------------------------------------------------------------

    def skip(
        self,
        *,
        kind: str,
        key: str,
        reason: str,
        recipients: Sequence[str] = (),
        subject: str = "",
        message_pk: int | None = None,
        unit: str | None = None,
    ) -> bool:
        """Record a decision not to send; False if ``key`` was already recorded."""
        with self.sessions() as s:
            first = self._insert(
                s,
                kind=kind,
                dedupe_key=key,
                status=NotificationState.SKIPPED,
                recipient=", ".join(recipients)[:1000],
                subject=subject,
                error=reason,
                message_pk=message_pk,
                unit=unit,
            )
        if not first:
            return False
        log.info("notification %s skipped: %s", key, reason, extra={"notification_key": key})
        return True

    def _insert(self, s: Session, **fields: object) -> bool:
        """Add and commit the notification row ``fields`` describe (created now); False,
        rolled back, when its dedupe key is recorded already."""
        s.add(Notification(created_at=self.now, **fields))
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
            return False
        return True

    def _claim(
        self,
        *,
        kind: str,
        key: str,
        recipient: str,
        subject: str,
        message_pk: int | None,
        unit: str | None,
    ) -> bool:
        with self.sessions() as s:
            if self._insert(
                s,
                kind=kind,
                dedupe_key=key,
                status=NotificationState.SENDING,
                recipient=recipient,
                subject=subject,
                message_pk=message_pk,
                unit=unit,
                sent_at=self.now,
            ):
                self._sending.add(key)
                return True
            retried = s.execute(
                update(Notification)
                .where(
                    Notification.dedupe_key == key,
                    Notification.status == NotificationState.FAILED,
                    Notification.created_at >= self.retry_since(),
                )
                .values(
                    status=check_transition(
                        Notification, NotificationState.FAILED, NotificationState.SENDING, key
                    ),
                    sent_at=self.now,
                    recipient=recipient,
                    subject=subject,
                )
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            s.commit()
            if retried == 1:
                self._sending.add(key)
            return bool(retried == 1)

    def _finish(self, key: str, *, status: str, **values: object) -> None:
        """Record how the claimed attempt on ``key`` ended (it was ``sending``)."""
        values["status"] = check_transition(Notification, NotificationState.SENDING, status, key)
        with self.sessions() as s:
            s.execute(
                update(Notification)
                .where(Notification.dedupe_key == key)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            s.commit()
        self._sending.discard(key)

    def record_error(
        self,
        *,
        kind: str,
        key: str,
        error: str,
        message_pk: int | None = None,
        unit: str | None = None,
    ) -> None:
        """Record an unexpected error (a bug) on ``key``'s notification. One this outbox
        claimed becomes ``unknown``: the transport may have handed it to the server, so it
        is never resent automatically, as after a crash. One with no row yet becomes
        ``failed``: nothing was sent, and a later run retries it within ``retry_hours``.
        Anything already recorded is left as it is."""
        error = f"internal error: {error}"
        if key in self._sending:
            self._finish(key, status=NotificationState.UNKNOWN, error=error, sent_at=None)
            return
        with self.sessions() as s:
            self._insert(
                s,
                kind=kind,
                dedupe_key=key,
                status=NotificationState.FAILED,
                error=error,
                message_pk=message_pk,
                unit=unit,
            )

    def send(
        self,
        *,
        kind: str,
        key: str,
        msg: EmailMessage,
        recipients: Sequence[str],
        message_pk: int | None = None,
        unit: str | None = None,
    ) -> str | None:
        """Claim ``key``, send ``msg`` and record how it went; returns the row's new status,
        or None when the key was already taken (sent, skipped, or another worker's).

        Raises :class:`ServerUnavailable` after recording it: the caller stops its run.
        """
        recipient = ", ".join(recipients)[:1000]
        subject = str(msg["Subject"] or "")
        if not self._claim(
            kind=kind,
            key=key,
            recipient=recipient,
            subject=subject,
            message_pk=message_pk,
            unit=unit,
        ):
            return None
        extra = {"notification_key": key, "notification_kind": kind}
        try:
            done = self.transport.send(
                msg, sender=self.cfg.from_address, recipients=recipients, key=key
            )
        except PermanentSendError as err:
            self._finish(key, status=NotificationState.REFUSED, error=str(err), sent_at=None)
            log.warning("notification %s to %s refused: %s", key, recipient, err, extra=extra)
            return NotificationState.REFUSED
        except TransientSendError as err:
            self._finish(key, status=NotificationState.FAILED, error=str(err), sent_at=None)
            log.warning(
                "notification %s to %s failed (retried later): %s",
                key,
                recipient,
                err,
                extra=extra,
            )
            if isinstance(err, ServerUnavailable):
                raise
            return NotificationState.FAILED
        error = "refused by the server: " + "; ".join(done.refused) if done.refused else None
        self._finish(key, status=done.status, path=done.path, error=error, sent_at=self.now)
        log.info(
            "notification %s %s to %s: %s%s",
            key,
            "written" if done.status == NotificationState.DRY_RUN else "sent",
            recipient,
            subject,
            f" ({done.path})" if done.path else "",
            extra={**extra, "mail_message_id": str(msg["Message-ID"])},
        )
        return str(done.status)
