"""Step one for every message: keep its exact bytes and a row for it, committed, before
anything else happens.

The same Message-ID delivered again (a second copy, a resync after a UIDVALIDITY change,
an import of mail already polled) becomes a new *delivery* of the existing message; its
bytes are kept too (content-addressed, so identical bytes cost nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from dienhinh.core.types import RawMail
from dienhinh.ingest.identity import body_sha256, header_facts
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Delivery, Message, utcnow
from dienhinh.store.states import MessageState, initial
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

__all__ = ["StoreResult", "store_raw"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    message_pk: int
    new_message: bool
    new_delivery: bool


def store_raw(session: Session, blobs: BlobStore, raw: RawMail, *, post_action: bool) -> StoreResult:
    """Store ``raw`` and record it; the caller calls ``blobs.sync()`` and then commits.

    The bytes are written without a per-file fsync: the caller makes the whole batch
    durable with one ``blobs.sync()`` before its rows are committed, so no row ever points
    at bytes that a crash could lose. Raises StorageError (transient) when the bytes cannot
    be written: then nothing about this message is recorded, and it will be fetched again.
    """
    sha = blobs.put(raw.data, durable=False)
    existing = session.execute(
        select(Delivery).where(
            Delivery.mailbox == raw.mailbox,
            Delivery.uidvalidity == raw.uidvalidity,
            Delivery.uid == raw.uid,
            Delivery.location == raw.location,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return StoreResult(existing.message_pk, new_message=False, new_delivery=False)

    mid, generated, header_received = header_facts(raw.data)
    body_hash = body_sha256(raw.data)
    msg, created = _find_or_create(session, raw, sha, body_hash, mid, generated, header_received)
    delivery = Delivery(
        message_pk=msg.id,
        mailbox=raw.mailbox,
        uidvalidity=raw.uidvalidity,
        uid=raw.uid,
        location=raw.location,
        sha256=sha,
        post_action_state="pending" if post_action else "none",
    )
    session.add(delivery)
    session.flush()
    if not created:
        log.info("message %s delivered again at %s uid=%s; kept as one message",
                 msg.message_id, raw.mailbox, raw.uid)
    return StoreResult(msg.id, new_message=created, new_delivery=True)


def _find_or_create(
    session: Session, raw: RawMail, sha: str, body_hash: str, mid: str, generated: bool,
    header_received: datetime | None,
) -> tuple[Message, bool]:
    candidate = mid
    for _attempt in range(3):
        msg = session.execute(select(Message).where(Message.message_id == candidate)).scalar_one_or_none()
        if msg is not None:
            if msg.sha256 == sha or msg.body_sha256 == body_hash:
                return msg, False
            # Same Message-ID, different content: not the same message (a broken mailer
            # reusing ids). Keep it as its own message under a derived, stable id.
            log.warning("Message-ID %s reused for different content %s; stored separately",
                        mid, sha[:12])
            candidate = f"{mid}~{sha[:12]}"
            continue
        msg = Message(
            message_id=candidate,
            message_id_generated=generated,
            sha256=sha,
            body_sha256=body_hash,
            size=len(raw.data),
            received_at=raw.internal_date or header_received or utcnow(),
        )
        initial(msg, MessageState.RECEIVED)
        if session.get_bind().dialect.name == "sqlite":
            # One writer at a time on SQLite: no one else can insert this id meanwhile.
            session.add(msg)
            session.flush()
            return msg, True
        try:
            with session.begin_nested():
                session.add(msg)
                session.flush()
        except IntegrityError:
            # Another worker stored the same Message-ID a moment ago: use theirs.
            continue
        return msg, True
    raise RuntimeError(f"could not store message {mid}: repeated id conflicts")
