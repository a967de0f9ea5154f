"""Step one for every message: keep its exact bytes and a row for it, committed, before
anything else happens.

The same Message-ID delivered again (a second copy, a resync after a UIDVALIDITY change,
an import of mail already polled) becomes a new *delivery* of the existing message; its
bytes are kept too (content-addressed, so identical bytes cost nothing).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dienhinh.core.states import PostActionState
from dienhinh.core.types import RawMail
from dienhinh.ingest.identity import HeaderFacts, body_sha256, header_facts
from dienhinh.ingest.received import ReceivedAt, choose_received_at
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Delivery, Message, utcnow
from dienhinh.store.states import MessageState, initial

__all__ = ["StoreResult", "store_raw", "store_raw_batch"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    message_pk: int
    new_message: bool
    new_delivery: bool


def _received(raw: RawMail, facts: HeaderFacts) -> ReceivedAt:
    """The receipt time: the server's, else the headers' when older than the file (a
    backfill), else the file's, else now (``ingest.received``)."""
    return choose_received_at(
        internal_date=raw.internal_date,
        file_time=raw.file_time,
        received_header=facts.received,
        date_header=facts.date,
        now=utcnow(),
    )


def store_raw(
    session: Session, blobs: BlobStore, raw: RawMail, *, post_action: bool
) -> StoreResult:
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

    facts = header_facts(raw.data)
    body_hash = body_sha256(raw.data)
    msg, created = _find_or_create(
        session, raw, sha, body_hash, facts.message_id, facts.generated, _received(raw, facts)
    )
    delivery = Delivery(
        message_pk=msg.id,
        mailbox=raw.mailbox,
        uidvalidity=raw.uidvalidity,
        uid=raw.uid,
        location=raw.location,
        sha256=sha,
        post_action_state=PostActionState.PENDING if post_action else PostActionState.NONE,
    )
    session.add(delivery)
    session.flush()
    if not created:
        log.info(
            "message %s delivered again at %s uid=%s; kept as one message",
            msg.message_id,
            raw.mailbox,
            raw.uid,
        )
    return StoreResult(msg.id, new_message=created, new_delivery=True)


def store_raw_batch(
    session: Session, blobs: BlobStore, raws: list[RawMail], *, post_action: bool
) -> list[StoreResult]:
    """``store_raw`` for a whole fetched batch in a handful of statements.

    The common case (a message not seen before, once in the batch) is recorded with one
    multi-row INSERT for the messages and one for the deliveries. Everything else (a
    place already recorded, a Message-ID already stored or repeated within the batch) goes
    through ``store_raw`` one by one, after the bulk insert, so it sees those rows.
    """
    facts = []
    for raw in raws:
        sha = blobs.put(raw.data, durable=False)
        hf = header_facts(raw.data)
        facts.append((raw, sha, hf.message_id, hf.generated, _received(raw, hf)))
    mailbox = raws[0].mailbox if raws else ""
    same_box = all(r.mailbox == mailbox for r in raws)
    known_places: set[tuple[int, int, str]] = set()
    known_ids: set[str] = set()
    if raws and same_box:
        uids = sorted({r.uid for r in raws})
        locations = sorted({r.location for r in raws})
        known_places = {
            (v, u, loc)
            for v, u, loc in session.execute(
                select(Delivery.uidvalidity, Delivery.uid, Delivery.location).where(
                    Delivery.mailbox == mailbox,
                    Delivery.uid.in_(uids),
                    Delivery.location.in_(locations),
                )
            )
        }
        known_ids = set(
            session.execute(
                select(Message.message_id).where(
                    Message.message_id.in_(sorted({f[2] for f in facts}))
                )
            ).scalars()
        )
    fresh, rest = [], []
    seen: set[str] = set()
    for f in facts:
        raw, _sha, mid = f[0], f[1], f[2]
        if (
            not same_box
            or (raw.uidvalidity, raw.uid, raw.location) in known_places
            or mid in known_ids
            or mid in seen
        ):
            rest.append(f)
        else:
            seen.add(mid)
            fresh.append(f)
    results: list[StoreResult] = []
    if fresh:
        rows = [
            {
                "message_id": mid,
                "message_id_generated": generated,
                "sha256": sha,
                "body_sha256": body_sha256(raw.data),
                "size": len(raw.data),
                "received_at": received.at,
                "received_source": received.source,
                "status": str(MessageState.RECEIVED),
                "from_addr": "",
                "from_name": "",
                "subject": "",
                "transient": False,
                "attempts": 0,
                "cover_note": "",
                "headers_text": "",
                "defects": [],
                "meta": {},
            }
            for raw, sha, mid, generated, received in fresh
        ]
        try:
            with session.begin_nested():
                # A plain multi-row INSERT, then the ids by Message-ID (unique): SQLite cannot
                # return a multi-row INSERT's ids in parameter order.
                session.execute(insert(Message), rows)
                by_mid = dict(
                    session.execute(
                        select(Message.message_id, Message.id).where(
                            Message.message_id.in_([r["message_id"] for r in rows])
                        )
                    ).all()
                )
                ids = [by_mid[r["message_id"]] for r in rows]
                session.execute(
                    insert(Delivery),
                    [
                        {
                            "message_pk": pk,
                            "mailbox": raw.mailbox,
                            "uidvalidity": raw.uidvalidity,
                            "uid": raw.uid,
                            "location": raw.location,
                            "sha256": sha,
                            "post_action_state": (
                                PostActionState.PENDING if post_action else PostActionState.NONE
                            ),
                            "post_action_error": None,
                        }
                        for pk, (raw, sha, *_r) in zip(ids, fresh, strict=True)
                    ],
                )
            results.extend(StoreResult(pk, new_message=True, new_delivery=True) for pk in ids)
        except IntegrityError:
            # Another worker stored one of these meanwhile (PostgreSQL): one by one instead.
            rest = fresh + rest
    for raw, *_r in rest:
        results.append(store_raw(session, blobs, raw, post_action=post_action))
    return results


def _find_or_create(
    session: Session,
    raw: RawMail,
    sha: str,
    body_hash: str,
    mid: str,
    generated: bool,
    received: ReceivedAt,
) -> tuple[Message, bool]:
    candidate = mid
    for _attempt in range(3):
        msg = session.execute(
            select(Message).where(Message.message_id == candidate)
        ).scalar_one_or_none()
        if msg is not None:
            if msg.sha256 == sha or msg.body_sha256 == body_hash:
                return msg, False
            # Same Message-ID, different content: not the same message (a broken mailer
            # reusing ids). Keep it as its own message under a derived, stable id.
            log.warning(
                "Message-ID %s reused for different content %s; stored separately", mid, sha[:12]
            )
            candidate = f"{mid[:980]}~{sha[:12]}"  # within message_id's 1000 characters
            continue
        msg = Message(
            message_id=candidate,
            message_id_generated=generated,
            sha256=sha,
            body_sha256=body_hash,
            size=len(raw.data),
            received_at=received.at,
            received_source=received.source,
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
