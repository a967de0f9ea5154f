"""A message's state follows from the account of its parts (issue 12, "nothing silent").

Two rules live here, used by the fast path's writer (ingest/writer.py) and the slow lane
(ingest/slowlane.py) alike:

* :func:`needs_review`: a message that yielded no article although it came from a known
  unit (attributed, or an address an editor attributed before) or carried an attachment
  not accounted as an article waits for an editor ("cần xem"), and its unit-period reads
  "chưa rõ" in the compliance report until the editor decides.
* :func:`settle_after_slow_lane`: after a conversion or OCR ended, the message's state and
  reason are made true again: no readable article left and none waiting -> ``failed``,
  with a reason naming each unreadable part and its cause; a readable article after a
  failure -> ``ingested``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dienhinh.core.official_kinds import KINDS
from dienhinh.core.states import waiting_note
from dienhinh.core.types import AttachmentOutcome
from dienhinh.store.models import Article, Asset, Message, SenderAddress
from dienhinh.store.states import ArticleState, MessageState, transition

__all__ = [
    "QUIET_OUTCOMES",
    "READABLE_STATES",
    "account_attachments",
    "is_learned_sender",
    "needs_review",
    "settle_after_slow_lane",
    "waiting_note",
]

# An article in one of these states has text someone can read.
READABLE_STATES = frozenset(
    {
        ArticleState.PENDING_REVIEW,
        ArticleState.APPROVED,
        ArticleState.PUBLISHED,
        ArticleState.REJECTED,
        ArticleState.DUPLICATE,
    }
)
_WAITING_STATES = frozenset({ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR})
# Outcomes that do not call for an editor on their own: an article, and the signature
# image or logo any mail (an auto-reply's letterhead too) carries.
QUIET_OUTCOMES = frozenset({AttachmentOutcome.ARTICLE.value, AttachmentOutcome.LOGO.value})


def needs_review(
    status: str,
    *,
    unit: str | None,
    learned_sender: bool,
    outcomes: Iterable[str],
    automatic: bool = False,
) -> bool:
    """True when a message ending in ``status`` must be put in front of an editor:
    it yielded no article (``no-article`` or ``failed``) and it came from a known unit or
    carried an attachment whose outcome (``outcomes``) is not an article (nor a logo).
    A machine-written ``no-article`` (``automatic``: a unit's auto-reply, a bounce) holds
    no article whoever it came from, and calls for nobody."""
    if status not in (MessageState.NO_ARTICLE, MessageState.FAILED):
        return False
    if automatic and status == MessageState.NO_ARTICLE:
        return False
    if unit or learned_sender:
        return True
    return any(o not in QUIET_OUTCOMES for o in outcomes)


def is_learned_sender(session: Session, address: str) -> bool:
    address = (address or "").strip().lower()
    if not address:
        return False
    return (
        session.execute(
            select(SenderAddress.address).where(
                SenderAddress.address == address, SenderAddress.active.is_(True)
            )
        ).first()
        is not None
    )


def account_attachments(
    session: Session,
    art: Article,
    used_as: AttachmentOutcome,
    error: str | None,
    *,
    only_waiting: bool = False,
) -> None:
    """Record what the slow lane made of ``art``'s attachment(s): the document it was read
    from, or the page images it was OCR'd from (the email's own parts, not the images
    kept inside a document). ``only_waiting``: leave the parts already settled (pages
    the OCR judged one by one)."""
    if art.document_sha256:
        shas = {art.document_sha256}
    else:  # photographed pages: the pages, not the photos of people kept with them
        pages = [im for im in art.images if im.role == "document"] or list(art.images)
        shas = {im.sha256 for im in pages}
    shas.discard("")
    if not shas:
        return
    query = update(Asset).where(
        Asset.message_pk == art.message_pk,
        Asset.article_pk.is_(None),
        Asset.sha256.in_(sorted(shas)),
    )
    if only_waiting:
        query = query.where(Asset.used_as == AttachmentOutcome.WAITING.value)
    session.execute(
        query.values(used_as=used_as.value, error=error).execution_options(
            synchronize_session=False
        )
    )


def settle_after_slow_lane(session: Session, msg: Message, *, actor: str) -> None:
    """Make ``msg``'s state and reason true after one of its articles left the slow lane
    (read, failed, or found to be an official document and removed). Called before the
    slow lane commits; the session holds the article's new state."""
    session.flush()
    states = list(
        session.execute(
            select(Article.status, Article.origin, Article.source, Article.error)
            .where(Article.message_pk == msg.id)
            .order_by(Article.ordinal)
        ).all()
    )
    if not states:
        _settle_no_article(session, msg, actor=actor)
        return
    failed = [(o or s, e or "unreadable") for st, o, s, e in states if st == ArticleState.FAILED]
    readable = any(st in READABLE_STATES for st, *_ in states)
    waiting = [(o or s, str(st)) for st, o, s, _e in states if st in _WAITING_STATES]
    if readable or waiting:
        notes = [waiting_note(waiting)] if waiting else []
        if failed:
            # Named, as extraction names them (ingest/extract.py _message_state).
            notes.append(
                f"{len(failed)} of {len(states)} documents could not be read: "
                + "; ".join(f"{name}: {err}" for name, err in failed[:10])
            )
        if readable and msg.status == MessageState.FAILED:
            transition(
                session, msg, MessageState.INGESTED, actor=actor, reason="text from the slow lane"
            )
        if msg.status == MessageState.INGESTED:
            msg.reason = "; ".join(notes) or None
            if readable and msg.review_needed and msg.decided_at is None:
                msg.review_needed = False  # an article came out after all
        return
    if not failed or msg.status != MessageState.INGESTED:
        return  # not a state the slow lane decides
    # Same wording as extraction's (ingest/extract.py), so both read alike.
    reason = "no readable article: " + "; ".join(f"{name}: {err}" for name, err in failed)
    transition(session, msg, MessageState.FAILED, actor=actor, reason=reason)
    msg.reason = reason
    _review(session, msg, MessageState.FAILED)


def _review(session: Session, msg: Message, status: str) -> None:
    outcomes = session.execute(
        select(Asset.used_as).where(Asset.message_pk == msg.id, Asset.article_pk.is_(None))
    ).scalars()
    msg.review_needed = needs_review(
        status,
        unit=msg.unit,
        learned_sender=is_learned_sender(session, msg.from_addr),
        outcomes=list(outcomes),
    )
    msg.decided_by = msg.decided_at = None


_OFFICIAL = AttachmentOutcome.OFFICIAL_DOCUMENT.value
_COVER = AttachmentOutcome.COVER_LETTER.value


def _settle_no_article(session: Session, msg: Message, *, actor: str) -> None:
    """No article row is left: the document(s) the slow lane read were official documents
    (a giấy mời sent as .doc). The message is ``no-article`` with the reason extraction
    gives the same mail (ingest/extract.py), a dispatch kept as a cover letter has no
    article to cover any more, and pictures have no article to go with."""
    if msg.status != MessageState.INGESTED:
        return
    parts = list(
        session.execute(
            select(Asset).where(Asset.message_pk == msg.id, Asset.article_pk.is_(None))
        ).scalars()
    )
    named: list[str] = []
    for att in parts:
        if att.used_as == _COVER:
            att.used_as = _OFFICIAL
            att.error = _OFFICIAL + (att.error or "").removeprefix(_COVER)
        if att.used_as == _OFFICIAL:
            named.append(_official_detail(att.filename or f"part {att.part_path}", att.error))
        elif att.used_as == AttachmentOutcome.PHOTO.value:
            att.used_as = AttachmentOutcome.NOT_ARTICLE.value
            att.error = "not-article: a picture, and no article in this message"
    reason = "not an article: official document (" + "; ".join(named) + ")"
    transition(session, msg, MessageState.NO_ARTICLE, actor=actor, reason=reason)
    msg.reason = reason
    _review(session, msg, MessageState.NO_ARTICLE)


def _official_detail(name: str, error: str | None) -> str:
    """ "invitation: giay-moi.doc, Số 45/GM-UBND" from the attachment's reason
    "official-document: giấy mời, Số 45/GM-UBND" (extraction's wording)."""
    detail = (error or "").partition(":")[2].strip()
    kind, sep, number = detail.partition(", ")
    english = {v[0]: v[1] for v in KINDS.values()}.get(kind, kind or "official document")
    return f"{english}: {name}" + (f", {number}" if sep else "")
