"""Mailbox sync: what the ingest does with the mailbox itself.

Under the poll's lease (taken by ingest/run.py, renewed here while it works) and after its
UIDVALIDITY check (ingest/run.py: a change resyncs the folder; messages already stored are
recognised by Message-ID and content): list what is new, cut it into batches
(``mailbox.batch_size`` / ``batch_max_bytes``), fetch each batch and commit its raw bytes
and rows (fsync'ed blobs first, then the rows; ``last_uid`` advances only over a
contiguous run of committed UIDs), and run the post-action (flag, move) for deliveries
whose message is done, recording a refusal on each delivery and retrying it later with a
growing delay.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.config import Config
from dienhinh.core.errors import ConnectionLost, SourceError
from dienhinh.core.types import RawMail
from dienhinh.ingest.run import RunReport
from dienhinh.ingest.sources.base import MailSource, SourceItem
from dienhinh.store.blobs import BlobStore
from dienhinh.store.lease import renew
from dienhinh.store.models import Delivery, MailboxState, Message, utcnow
from dienhinh.store.states import MessageState, PostActionState, transition

__all__ = ["MailboxSync"]

log = logging.getLogger(__name__)
_ACTOR = "ingest"  # who moves a delivery's post-action state (no audit row: its own ledger)

# Fetched messages are recorded this many at a time (one multi-row INSERT).
_STORE_SLICE = 25
# The longest wait between two tries of a failed post-action.
_POST_ACTION_MAX_DELAY = 24 * 3600


def _slices(items: Iterable[RawMail], n: int) -> Iterator[list[RawMail]]:
    chunk: list[RawMail] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class MailboxSync:
    """One mailbox's side of the ingest: lease, UIDVALIDITY, batches, raw storage,
    post-actions and the mailbox's state row."""

    def __init__(
        self, config: Config, sessions: sessionmaker[Session], raw_blobs: BlobStore
    ) -> None:
        self.config = config
        self.sessions = sessions
        self.raw_blobs = raw_blobs
        self._lease: tuple[str, str] | None = None

    @contextmanager
    def holding(self, lease: tuple[str, str] | None) -> Iterator[None]:
        """Renew a poll's lease (name, holder) while the block works (``renew_lease``);
        None: a run that holds no lease (an import)."""
        self._lease = lease
        try:
            yield
        finally:
            self._lease = None

    def renew_lease(self) -> None:
        """Keep the poll's lease alive while it works (a long first ingest of a big mailbox
        outlasts lease_seconds; a dead poller's lease still expires soon)."""
        if self._lease is not None:
            renew(self.sessions, *self._lease, self.config.mailbox.lease_seconds)

    def known_locations(self, source: MailSource) -> list[str]:
        with self.sessions() as s:
            return list(
                s.execute(select(Delivery.location).where(Delivery.mailbox == source.key)).scalars()
            )

    def batches(self, items: Sequence[SourceItem]) -> Iterator[list[SourceItem]]:
        size, max_bytes = self.config.mailbox.batch_size, self.config.mailbox.batch_max_bytes
        batch: list[SourceItem] = []
        nbytes = 0
        for item in items:
            if batch and (len(batch) >= size or nbytes + item.size > max_bytes):
                yield batch
                batch, nbytes = [], 0
            batch.append(item)
            nbytes += item.size
        if batch:
            yield batch

    def fetch_and_store(
        self,
        source: MailSource,
        batch: Sequence[SourceItem],
        uidvalidity: int,
        post_action: bool,
        report: RunReport,
    ) -> list[int]:
        """Fetch one batch and commit every message's raw bytes and row, advancing last_uid
        only over a contiguous run of committed UIDs."""
        from dienhinh.ingest.rawstore import store_raw_batch  # not needed by an idle poll

        pks: list[int] = []
        expected = [i.uid for i in batch]
        stored_uids: set[int] = set()
        with self.sessions() as s:
            try:
                # Stored in slices as they arrive: a connection lost mid-batch keeps the
                # slices already stored.
                for slice_ in _slices(source.fetch(batch), _STORE_SLICE):
                    report.fetched += len(slice_)
                    results = store_raw_batch(s, self.raw_blobs, slice_, post_action=post_action)
                    stored_uids.update(raw.uid for raw in slice_)
                    for res in results:
                        if res.new_message:
                            report.stored += 1
                            pks.append(res.message_pk)
            finally:
                # Whatever was stored before an error is kept: the blobs are made durable,
                # then the rows committed; last_uid covers only the contiguous prefix.
                if stored_uids or pks:
                    self.raw_blobs.sync()
                if source.supports_uids and stored_uids:
                    upto = 0
                    for uid in expected:
                        if uid not in stored_uids:
                            break
                        upto = uid
                    if upto:
                        state = self.state(s, source.key)
                        state.last_uid = max(state.last_uid, upto)
                s.commit()
        return pks

    def _post_action_delay(self, attempts: int) -> timedelta:
        """How long a delivery waits after its ``attempts``-th failed post-action:
        ``retry_backoff_seconds`` doubled at each failure, at most a day."""
        base = max(1, self.config.ingest.retry_backoff_seconds)
        return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), _POST_ACTION_MAX_DELAY))

    @staticmethod
    def due_post_actions(key: str, now: datetime) -> Select[tuple[Delivery]]:
        """The deliveries of mailbox ``key`` whose post-action is due at ``now``: their
        message is done, and they are pending, or failed with their retry time come."""
        return (
            select(Delivery)
            .join(Message, Message.id == Delivery.message_pk)
            .where(
                Delivery.mailbox == key,
                (Delivery.post_action_state == PostActionState.PENDING)
                | (
                    (Delivery.post_action_state == PostActionState.FAILED)
                    & (
                        Delivery.post_action_next_at.is_(None)
                        | (Delivery.post_action_next_at <= now)
                    )
                ),
                Message.status != MessageState.RECEIVED,
            )
        )

    def post_actions(self, source: MailSource, report: RunReport | None = None) -> int:
        """Apply the post-action to every delivery of this mailbox whose message is done:
        the pending ones, and the failed ones whose retry time has come. A failure is
        recorded on each delivery (its error, attempts and next try) and in ``report``."""
        now = utcnow()
        with self.sessions() as s:
            rows = (
                s.execute(
                    self.due_post_actions(source.key, now).order_by(Delivery.uid, Delivery.id)
                )
                .scalars()
                .all()
            )
            if not rows:
                return 0
            items = [SourceItem(uid=d.uid, location=d.location) for d in rows]
            try:
                source.post_action(items)
            except ConnectionLost:
                raise
            except SourceError as err:
                reason = err.user_message or str(err)
                for d in rows:
                    transition(s, d, PostActionState.FAILED, actor=_ACTOR, audit=False)
                    d.post_action_error = reason
                    d.post_action_attempts = (d.post_action_attempts or 0) + 1
                    d.post_action_next_at = now + self._post_action_delay(d.post_action_attempts)
                s.commit()
                log.error(
                    "%s: post-action %r failed for %d message(s), retried on a later poll: %s",
                    source.key,
                    self.config.mailbox.post_action,
                    len(rows),
                    err,
                )
                if report is not None:
                    report.post_actions_failed += len(rows)
                    report.post_action_error = reason
                return 0
            for d in rows:
                transition(s, d, PostActionState.DONE, actor=_ACTOR, audit=False)
                d.post_action_error = None
                d.post_action_next_at = None
            s.commit()
            return len(rows)

    @staticmethod
    def state(s: Session, key: str) -> MailboxState:
        state = s.get(MailboxState, key)
        if state is None:
            state = MailboxState(key=key, uidvalidity=0, last_uid=0, consecutive_failures=0)
            s.add(state)
            s.flush()
        return state
