"""The export contract the Board's other tools rely on (field names are fixed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dienhinh.core.text import lead_and_body
from dienhinh.store.models import Article, Asset, Message
from dienhinh.store.states import MessageState

__all__ = ["export_articles", "export_messages"]

_CHUNK = 500


def _iso(dt: datetime | None, tz: ZoneInfo) -> str | None:
    return dt.astimezone(tz).isoformat() if dt else None


def _message_status(msg: Message) -> tuple[str, str | None]:
    """Map internal states to the contract's four values."""
    if msg.status == MessageState.RECEIVED:
        # Waiting for a retry after a transient failure, or not processed yet.
        return "failed", msg.reason or "not processed yet"
    return msg.status, msg.reason


def _attachments(session: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The account of each message's attachments (the email's own parts, not the images
    found inside its documents): name, type as sniffed from the bytes, outcome
    (core.types.AttachmentOutcome) and reason (None for an article or a photo)."""
    out: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return out
    for mpk, name, ctype, used_as, error in session.execute(
        select(Asset.message_pk, Asset.filename, Asset.content_type, Asset.used_as, Asset.error)
        .where(Asset.message_pk.in_(ids), Asset.article_pk.is_(None))
        .order_by(Asset.message_pk, Asset.id)
    ):
        out.setdefault(mpk, []).append(
            {"name": name, "type": ctype, "outcome": used_as, "reason": error}
        )
    return out


def export_messages(session: Session, *, tz: str = "Asia/Ho_Chi_Minh") -> Iterator[dict[str, Any]]:
    zone = ZoneInfo(tz)
    counts = dict(
        session.execute(
            select(Article.message_pk, func.count(Article.id)).group_by(Article.message_pk)
        ).all()
    )
    last = 0
    while True:
        rows = (
            session.execute(
                select(Message).where(Message.id > last).order_by(Message.id).limit(_CHUNK)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        attachments = _attachments(session, [m.id for m in rows])
        for msg in rows:
            status, reason = _message_status(msg)
            yield {
                "message_id": msg.message_id,
                "received_at": _iso(msg.received_at, zone),
                "from": msg.from_addr,
                "subject": msg.subject,
                "status": status,
                "reason": reason,
                "unit": msg.unit,
                "articles": counts.get(msg.id, 0),
                "attachments": attachments.get(msg.id, []),
            }
        last = rows[-1].id


def export_articles(session: Session) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        rows = (
            session.execute(
                select(Article)
                .where(Article.id > last)
                .order_by(Article.id)
                .limit(_CHUNK)
                .options(selectinload(Article.images), selectinload(Article.message))
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for art in rows:
            yield {
                "id": art.id,
                "message_id": art.message.message_id,
                "unit": art.unit,
                "campaigns": list(art.campaigns or []),
                "subject_type": art.subject_type,
                "kind": art.kind,
                "title": art.title,
                "text": lead_and_body(art.lead, art.text),  # the whole text, as before
                "images": [
                    {
                        "filename": im.filename,
                        "sha256": im.sha256,
                        "content_type": im.content_type,
                        "caption": im.caption,
                        "size": im.size,
                    }
                    for im in art.images
                ],
                "source": art.source,
                "status": art.status,
                "duplicate_of": art.duplicate_of_id,
                "revision_of": art.revision_of_id,
                "flags": list(art.flags or []),
                "error": art.error,
            }
        last = rows[-1].id
