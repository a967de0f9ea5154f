"""One run over a mail source, as far as it needs no ORM: a poll's lease, the mailbox's
state, UIDVALIDITY, the quick check and the run's record (SQL in store/quick.py). The
work itself (listing, fetch and store, extraction, post-actions, retries, the slow lane)
is the Ingestor's (ingest/pipeline.py), asked for only when there is some: a poll with
nothing to do, which is what `dienhinh poll` from a timer finds nearly every time, imports
neither the pipeline nor SQLAlchemy (issue 15: 0.5 s, process start included).

The quick check: right after SELECT, a poll has nothing to do when the folder holds no UID
above ``last_uid`` (SELECT's UIDNEXT is at most ``last_uid`` + 1, read after the
UIDVALIDITY check, which sets ``last_uid`` to 0 on a new UIDVALIDITY), no post-action of
this mailbox is due, no message waits for a retry whose time has come, and no article
waits for a conversion or OCR. Mail that left the folder (expunged, moved) creates no
work: a listing only looks above ``last_uid``, and a due post-action is checked here. A
source that gives no UIDNEXT (Maildir, some servers) always runs in full.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from dienhinh.core.config import Config
from dienhinh.core.errors import ConnectionLost, SourceError, StorageError
from dienhinh.ingest.sources.actions import post_action_named
from dienhinh.ingest.sources.base import MailSource
from dienhinh.store import quick
from dienhinh.store.dbapi import Connect, database_errors
from dienhinh.store.lease import lease

__all__ = ["MailboxRun", "RunReport", "Work"]

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    kind: str
    mailbox: str = ""
    fetched: int = 0
    stored: int = 0
    processed: int = 0
    articles: int = 0
    failed: int = 0
    post_actions: int = 0
    # Deliveries whose post-action failed in this run (retried by later polls), and the
    # server's answer to the last one that failed.
    post_actions_failed: int = 0
    post_action_error: str | None = None
    converted: int = 0
    ocred: int = 0
    waiting: int = 0  # articles still waiting for conversion/OCR after this run
    error: str | None = None
    message_pks: list[int] = field(default_factory=list)
    # A poll whose quick check found nothing to do: the listing, post-actions, retries
    # and slow lane were skipped.
    idle: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def counts(self) -> dict[str, int]:
        """What the run's record keeps."""
        return {
            "fetched": self.fetched,
            "stored": self.stored,
            "processed": self.processed,
            "articles": self.articles,
            "failed": self.failed,
        }


class Work(Protocol):
    """What a run does when there is something to do (the Ingestor)."""

    def sync(
        self,
        source: MailSource,
        uidvalidity: int,
        report: RunReport,
        *,
        post_action: bool,
        lease: tuple[str, str] | None,
    ) -> None:
        """The mailbox's part, while the source is open: due post-actions, the listing,
        fetch, store and extract batch by batch, due retries; a poll's ``lease`` (name,
        holder) is renewed meanwhile."""

    def slow_lane(self, report: RunReport) -> None:
        """Conversions and OCR, once the source is closed."""

    def stopping(self) -> bool:
        """A stop was asked for (the worker's SIGTERM): no slow lane then."""

    def close(self) -> None:
        """Give back what the work holds (the extraction pool, unwritten claims)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MailboxRun:
    """Polls and imports over one database: ``connect`` gives its connections, ``work()``
    the :class:`Work` of a run that has some (called only then); ``holder`` is recorded on
    runs that hold no lease."""

    def __init__(
        self,
        config: Config,
        connect: Connect,
        work: Callable[[], Work],
        *,
        holder: str = "",
    ) -> None:
        self.config = config
        self.connect = connect
        self.work = work
        self.holder = holder

    def poll(self, source: MailSource) -> RunReport:
        """One pass over a mailbox folder, under its lease. Raises LeaseHeld at once if
        another poll holds it; source failures are recorded, not raised."""
        name = f"poll:{source.key}"
        with lease(self.connect, name, self.config.mailbox.lease_seconds) as holder:
            action = post_action_named(self.config.mailbox.post_action)
            return self._run(
                source, kind="poll", post_action=action.changes_mail, lease=(name, holder)
            )

    def import_from(self, source: MailSource) -> RunReport:
        return self._run(source, kind="import", post_action=False, lease=None)

    def _nothing_to_do(self, source: MailSource) -> bool:
        """The quick check (module docstring)."""
        uidnext = getattr(source, "uidnext", None)
        if not source.supports_uids or not uidnext:
            return False
        with self.connect() as db:
            return quick.nothing_to_do(db, source.key, uidnext, _utcnow())

    def _check_uidvalidity(self, source: MailSource, uidvalidity: int) -> None:
        with self.connect() as db:
            previous = quick.set_uidvalidity(
                db, source.key, uidvalidity, supports_uids=source.supports_uids
            )
        if previous is not None:
            log.warning(
                "%s: UIDVALIDITY changed %s -> %s; resyncing the whole folder "
                "(messages already stored are recognised by Message-ID and content)",
                source.key,
                previous,
                uidvalidity,
            )

    def record(self, report: RunReport, *, holder: str, started: datetime | None = None) -> None:
        """The run's row in ``poll_run`` (also for runs that are not over a source: the
        Ingestor's ``reprocess``)."""
        finished = _utcnow()
        with self.connect() as db:
            quick.record_run(
                db,
                kind=report.kind,
                mailbox=report.mailbox,
                holder=holder,
                started=started or finished,
                finished=finished,
                error=report.error,
                counts=report.counts(),
            )

    def _run(
        self,
        source: MailSource,
        *,
        kind: str,
        post_action: bool,
        lease: tuple[str, str] | None,
    ) -> RunReport:
        report = RunReport(kind=kind, mailbox=source.key)
        work: Work | None = None
        started = _utcnow()
        with self.connect() as db:
            quick.start_run(db, source.key, started)
        try:
            uidvalidity = source.open()
            try:
                self._check_uidvalidity(source, uidvalidity)
                report.idle = kind == "poll" and self._nothing_to_do(source)
                if report.idle:
                    log.info("%s %s: nothing new (quick check)", kind, source.key)
                else:
                    work = self.work()
                    work.sync(source, uidvalidity, report, post_action=post_action, lease=lease)
            finally:
                source.close()
            if work is not None and not work.stopping():
                work.slow_lane(report)
        except SourceError as err:
            report.error = err.user_message
            kind_word = "connection lost" if isinstance(err, ConnectionLost) else "mailbox error"
            log.error("%s %s: %s: %s", kind, source.key, kind_word, err)
        except StorageError as err:
            report.error = f"storage error (will retry on the next poll): {err}"
            log.error("%s %s: %s", kind, source.key, err)
        except database_errors() as err:
            report.error = (
                f"database error (will retry on the next poll): {err.__class__.__name__}: {err}"
            )
            log.error("%s %s: %s", kind, source.key, report.error)
        finally:
            if work is not None:
                work.close()
            try:
                with self.connect() as db:
                    quick.finish_run(db, source.key, _utcnow(), report.error)
                self.record(report, holder=lease[1] if lease else self.holder, started=started)
            except database_errors() as err:
                # The database itself is away: the error is in the log; the next poll,
                # with the database back, records its own run.
                log.error("%s %s: could not record the run: %s", kind, source.key, err)
        return report
