"""The slow lane: legacy documents through LibreOffice and scans through Tesseract.

The common path never waits for these (a conversion costs seconds, an OCR page more):
extraction marks such articles `needs-conversion` / `needs-ocr` at once, and this stage
works through them after the fast path, one at a time, within a time budget per run.
When the tool is missing the article simply waits, visible, and is picked up by the
first run after the tool is installed (or by `dienhinh reprocess --failed`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from dienhinh.core.errors import ExtractionError, MalformedDocument, NeedsConversion, NeedsOCR
from dienhinh.core.states import SLOW_LANE_STATES
from dienhinh.core.text import body_without_lead, lead_and_body
from dienhinh.core.types import ArticleDraft, AttachmentOutcome, ForwardOrigin, MailHeaders
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.official import OfficialVerdict, classify_drafts
from dienhinh.store.account import account_attachments, settle_after_slow_lane
from dienhinh.store.audit import record_audit
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import (
    Article,
    ArticleBand,
    ArticleSearch,
    Asset,
    Message,
    Publication,
    Tag,
)
from dienhinh.store.states import ArticleState, transition

__all__ = ["SlowReport", "run_slow_lane"]

log = logging.getLogger(__name__)

ACTOR = "slow-lane"
# The reasons of the ``ocr-page`` outcome (every outcome but article and photo has one).
OCR_PAGE_REASON = "ocr-page: a photographed page, read by OCR into the article"
OCR_SCAN_REASON = "ocr-page: a scanned document, read by OCR into the article"


@dataclass
class SlowReport:
    converted: int = 0
    ocred: int = 0
    failed: int = 0
    official: int = 0  # read, and found to be official documents (not articles)
    waiting: int = 0  # articles still waiting after this run (no tool, or out of time)


def _tools() -> tuple[bool, bool]:
    from dienhinh.ingest.convert import available_converters
    from dienhinh.ingest.ocr import tesseract_available

    return bool(available_converters()), tesseract_available()


def _run(article: Article, ctx: ExtractContext, blobs: BlobStore) -> list[ArticleDraft]:
    from dienhinh.ingest.convert import convert_legacy
    from dienhinh.ingest.ocr import ocr_pdf

    if article.status == ArticleState.NEEDS_CONVERSION:
        return convert_legacy(blobs.read(article.document_sha256), article.origin, ctx)
    if article.document_sha256:
        return ocr_pdf(blobs.read(article.document_sha256), ctx)
    return _ocr_pages(article, ctx, blobs)


def _ocr_pages(article: Article, ctx: ExtractContext, blobs: BlobStore) -> list[ArticleDraft]:
    """Photographed pages → one article; each page's attachment ends ``ocr-page``, or
    ``refused`` with the reason when OCR found no text on it (or it did not decode).
    Raises MalformedDocument when no page had text (the article then fails)."""
    from dienhinh.ingest.ocr import ocr_photographed_pages, page_order

    # The pages are the images stored as the article's document; the photos that came with
    # them are its illustrations, or a page the page test passed over (a sparse last
    # page): OCR tries those too, and keeps them as pages only when it reads enough text.
    # (Articles stored before pages had their own role have only pages.)
    pages = [a for a in article.images if a.role == "document"]
    photos = [a for a in article.images if a.role == "photo"] if pages else []
    images = pages + photos if pages else list(article.images)
    order = page_order([a.filename for a in images])
    images = [images[i] for i in order]
    maybe = frozenset(n for n, a in enumerate(images) if a in photos)
    scan = ocr_photographed_pages(
        [(blobs.read(a.sha256), a.filename) for a in images], ctx, maybe=maybe
    )
    s = Session.object_session(article)
    attachments = {}
    if s is not None:
        attachments = {
            a.part_path: a
            for a in s.execute(
                select(Asset).where(
                    Asset.message_pk == article.message_pk,
                    Asset.article_pk.is_(None),
                    Asset.part_path.in_([img.part_path for img in images]),
                )
            ).scalars()
        }
    for img, page in zip(images, scan.pages, strict=True):
        if page.photo:
            continue  # stays the article's photo, as extraction placed it
        img.role = "document"  # a page: the article's source, not an illustration
        att = attachments.get(img.part_path)
        if att is None:
            continue
        att.used_as, att.error = page.outcome, page.error or OCR_PAGE_REASON
        if page.error:
            log.warning("article %s: page %s refused: %s", article.id, img.filename, page.error)
    if scan.article is None:
        reasons = "; ".join(
            f"{i.filename or i.part_path}: {p.error}"
            for i, p in zip(images, scan.pages, strict=True)
            if not p.photo
        )
        raise MalformedDocument(f"OCR found no text ({reasons})")
    return [scan.article]


def run_slow_lane(
    sessions: sessionmaker[Session],
    ctx: ExtractContext | Callable[[], ExtractContext],
    *,
    budget_seconds: float = 300.0,
) -> SlowReport:
    """Convert / OCR waiting articles, oldest first, until done or out of time. ``ctx``
    may be given as a function, called only when an article waits (the common case, none,
    then costs one query)."""
    from dienhinh.ingest.apply import link_duplicates, text_fingerprint
    from dienhinh.ingest.similarity import minhash

    report = SlowReport()
    waiting_states = list(SLOW_LANE_STATES)
    with sessions() as s:
        by_state = dict(
            s.execute(
                select(Article.status, func.count(Article.id))
                .where(Article.status.in_(waiting_states))
                .group_by(Article.status)
            ).all()
        )
    if not by_state:
        return report  # the common case: no tool is even looked for
    can_convert, can_ocr = _tools()
    wanted = [
        st
        for st, ok in zip(waiting_states, (can_convert, can_ocr), strict=True)
        if ok and by_state.get(st)
    ]
    report.waiting = sum(n for st, n in by_state.items() if st not in wanted)
    if not wanted:
        return report
    with sessions() as s:
        ids = list(
            s.execute(
                select(Article.id).where(Article.status.in_(wanted)).order_by(Article.id)
            ).scalars()
        )
    if callable(ctx):
        ctx = ctx()
    blobs = ctx.blob_store()
    deadline = time.monotonic() + budget_seconds
    for art_id in ids:
        if time.monotonic() > deadline:
            log.info(
                "slow lane: time budget used, %d article(s) left for the next run",
                len(ids) - report.converted - report.ocred - report.failed,
            )
            break
        with sessions() as s:
            art = s.get(Article, art_id)
            if art is None or art.status not in wanted:
                continue
            kind = "conversion" if art.status == ArticleState.NEEDS_CONVERSION else "OCR"
            started = time.monotonic()
            try:
                drafts = _run(art, ctx, blobs)
            except (NeedsConversion, NeedsOCR) as err:
                log.warning("article %s still waits: %s", art.id, err)
                report.waiting += 1
                continue
            except ExtractionError as err:
                art.error = f"{kind} failed: {err}"
                transition(s, art, ArticleState.FAILED, actor=ACTOR, reason=art.error)
                _settle_failed(s, art)
                s.commit()
                report.failed += 1
                log.error("article %s: %s", art.id, art.error)
                continue
            if not drafts:
                art.error = f"{kind} found no text"
                transition(s, art, ArticleState.FAILED, actor=ACTOR, reason=art.error)
                _settle_failed(s, art)
                s.commit()
                report.failed += 1
                continue
            msg = s.get(Message, art.message_pk)
            assert msg is not None
            verdict = classify_drafts(drafts)
            if verdict.official:
                # A giấy mời or công văn sent as .doc/.odt/.rtf or as a scan: not an
                # article, judged as the fast path judges a .docx (ingest/extract.py).
                _settle_official(s, art, msg, verdict)
                s.commit()
                report.official += 1
                if kind == "OCR":
                    report.ocred += 1
                else:
                    report.converted += 1
                continue
            if ctx.tagging is not None and msg.unit is None:
                _late_unit(s, msg, drafts, ctx)
            hint = f"{msg.subject}\n{msg.cover_note}"
            next_ordinal = (
                s.execute(
                    select(func.max(Article.ordinal)).where(Article.message_pk == msg.id)
                ).scalar_one()
                or 0
            ) + 1
            for i, draft in enumerate(drafts):
                target = art
                if i > 0:  # the converted document held several articles
                    target = Article(
                        message_pk=msg.id,
                        ordinal=next_ordinal,
                        source=draft.source,
                        status=art.status,
                        document_sha256=art.document_sha256,
                        origin=art.origin,
                        meta={},
                    )
                    next_ordinal += 1
                    s.add(target)
                    s.flush()
                _fill(s, target, draft, msg.id)
                if ctx.tagging is not None:
                    _tag(s, target, draft, msg, ctx)
                whole = lead_and_body(target.lead, target.text)
                target.text_sha256 = text_fingerprint(whole) if whole.strip() else ""
                target.signature = list(minhash(whole)) if whole.strip() else None
                target.meta = {
                    **(target.meta or {}),
                    "slow_lane_seconds": round(time.monotonic() - started, 2),
                }
                transition(
                    s, target, ArticleState.PENDING_REVIEW, actor=ACTOR, reason=f"text from {kind}"
                )
                if not _copy_in_message(s, target, kind):
                    link_duplicates(s, target, hint=hint)
            if art.document_sha256 and kind == "OCR":  # a scanned PDF
                account_attachments(s, art, AttachmentOutcome.OCR_PAGE, OCR_SCAN_REASON)
            elif art.document_sha256:
                account_attachments(s, art, AttachmentOutcome.ARTICLE, None)
            # (Photographed pages were settled one by one by _ocr_pages: a page without
            # text stays refused beside the pages that were read.)
            settle_after_slow_lane(s, msg, actor=ACTOR)
            s.commit()
            if kind == "OCR":
                report.ocred += 1
            else:
                report.converted += 1
    with sessions() as s:
        report.waiting = s.execute(
            select(func.count(Article.id)).where(Article.status.in_(waiting_states))
        ).scalar_one()
    return report


# A text read in the slow lane whose shingles lie at least this much in another article
# of the same message is a copy of part of it: the scanned signed last page sent beside
# the .docx, the PDF print of a document also attached as .doc (OCR's misreadings keep the
# share under 1.0).
COPY_CONTAINMENT = 0.7


def _copy_in_message(s: Session, art: Article, kind: str) -> bool:
    """Mark ``art`` a duplicate of the article of its own message it copies part of, with
    the reason in words; True when it did. The de-duplication proper looks only at other
    messages (a message's articles are distinct pieces)."""
    from dienhinh.ingest.similarity import containment

    text = lead_and_body(art.lead, art.text)
    if not text.strip():
        return False
    others = s.execute(
        select(Article).where(
            Article.message_pk == art.message_pk,
            Article.id != art.id,
            Article.status.not_in([*SLOW_LANE_STATES, ArticleState.FAILED]),
            Article.duplicate_of_id.is_(None),
        )
    ).scalars()
    for other in others:
        whole = lead_and_body(other.lead, other.text)
        if len(whole) < len(text):
            continue
        share = containment(text, whole)
        if share >= COPY_CONTAINMENT:
            reason = (
                f"copy of part of article {other.id} of the same message "
                f"({share:.0%} of its text there; read by {kind})"
            )
            art.duplicate_of_id = other.id
            art.similarity = round(share, 3)
            art.meta = {**(art.meta or {}), "duplicate_reason": reason}
            transition(s, art, ArticleState.DUPLICATE, actor=ACTOR, reason=reason)
            return True
    return False


def _settle_official(s: Session, art: Article, msg: Message, verdict: OfficialVerdict) -> None:
    """The document just read is an official document: its attachment says so (a cover
    letter when it is a dispatch sent with an article of the same message, as extraction
    decides), the article that waited for it is removed (an official document is never
    an article, and was never one to an editor: it had no text), and the message's state
    follows (no-article when it was the only document)."""
    others = s.execute(
        select(func.count(Article.id)).where(
            Article.message_pk == msg.id,
            Article.id != art.id,
            Article.status != ArticleState.FAILED,
        )
    ).scalar_one()
    if others and (verdict.kind == "cong-van" or verdict.about_article):
        outcome, reason = AttachmentOutcome.COVER_LETTER, verdict.reason("cover-letter")
    else:
        outcome, reason = AttachmentOutcome.OFFICIAL_DOCUMENT, verdict.reason()
    account_attachments(s, art, outcome, reason)
    log.info("article %s (%s): %s; removed", art.id, art.origin, reason)
    record_audit(
        s,
        actor=ACTOR,
        object_type="article",
        object_id=art.id,
        action="deleted",
        before={"status": art.status, "origin": art.origin, "message_id": msg.message_id},
        reason=reason,
    )
    for column in (Article.duplicate_of_id, Article.revision_of_id):
        s.execute(update(Article).where(column == art.id).values({column: None}))
    # Statements, not the ORM's cascade: the article's images may be loaded (OCR'd pages),
    # and the ORM would try to detach rows these statements removed.
    for model, column in (
        (Tag, Tag.article_id),
        (ArticleBand, ArticleBand.article_id),
        (ArticleSearch, ArticleSearch.article_id),
        (Publication, Publication.article_id),
        (Asset, Asset.article_pk),
        (Article, Article.id),
    ):
        s.execute(
            delete(model).where(column == art.id).execution_options(synchronize_session=False)
        )
    s.expunge(art)
    settle_after_slow_lane(s, msg, actor=ACTOR)


def _settle_failed(s: Session, art: Article) -> None:
    """The account of a conversion or OCR that failed: its attachment is refused with the
    cause, and the message fails when none of its articles is readable (state bookkeeping,
    store/account.py)."""
    account_attachments(
        s,
        art,
        AttachmentOutcome.REFUSED,
        f"unreadable: {art.error}",
        # photographed pages the OCR refused one by one keep their own reasons
        only_waiting=not art.document_sha256,
    )
    msg = s.get(Message, art.message_pk)
    if msg is not None:
        settle_after_slow_lane(s, msg, actor=ACTOR)


def _fill(s: Session, art: Article, draft: ArticleDraft, message_pk: int) -> None:
    art.title = draft.title or art.title
    art.lead = draft.lead
    art.text = body_without_lead(draft.lead, draft.text)  # the lead is not repeated
    art.source = draft.source
    art.flags = sorted(set(art.flags or []) | set(draft.flags))
    art.header_lines = list(draft.header_lines)
    art.error = None
    if draft.images:
        s.execute(delete(Asset).where(Asset.article_pk == art.id, Asset.role == "embedded-image"))
        for pos, img in enumerate(draft.images):
            s.add(
                Asset(
                    message_pk=message_pk,
                    article_pk=art.id,
                    sha256=img.sha256,
                    size=img.size,
                    content_type=img.content_type,
                    filename=img.filename,
                    role=img.role,
                    caption=img.caption,
                    position=pos,
                    part_path=img.part_path,
                    used_as="photo" if img.role == "photo" else "image",
                )
            )
    s.execute(delete(ArticleBand).where(ArticleBand.article_id == art.id))


def _headers(msg: Message) -> MailHeaders:
    return MailHeaders(
        message_id=msg.message_id,
        message_id_generated=msg.message_id_generated,
        from_addr=msg.from_addr,
        from_name=msg.from_name,
        subject=msg.subject,
        date=msg.date_header,
    )


def _forward_chain(msg: Message) -> list[ForwardOrigin]:
    """The forward chain the message keeps in its meta (ingest.apply.origins)."""
    chain = []
    for o in (msg.meta or {}).get("forwarded_from") or []:
        try:
            when = datetime.fromisoformat(o["date"]) if o.get("date") else None
        except (TypeError, ValueError):
            when = None
        chain.append(
            ForwardOrigin(
                from_name=o.get("from_name") or "",
                from_addr=o.get("from_addr") or "",
                subject=o.get("subject") or "",
                date=when,
                date_text=o.get("date_text") or "",
                via=o.get("via") or "",
                signature=o.get("signature") or "",
            )
        )
    return chain


def _late_unit(s: Session, msg: Message, drafts: list[ArticleDraft], ctx: ExtractContext) -> None:
    """A message whose unit nothing named while its document waited: the converted text
    (its letterhead, its closing "TM. UBND ...") may name it. Attributed again with what
    the message keeps, the unit is set on the message and its articles (an editor's choice
    is never replaced: this runs only while the message has no unit), audited."""
    from dienhinh.classifiers.tagging import late_unit
    from dienhinh.ingest.apply import tag_row

    assert ctx.tagging is not None
    found = late_unit(
        drafts,
        ctx.tagging,
        headers=_headers(msg),
        cover_note=msg.cover_note,
        forwarded_from=_forward_chain(msg),
    )
    if found.tag is None:
        return
    before = {"unit": msg.unit, "flags": list(msg.flags or [])}
    msg.unit = found.tag.value
    msg.unit_confidence = found.tag.confidence
    msg.flags = list(found.flags)
    s.execute(
        delete(Tag).where(Tag.message_pk == msg.id, Tag.article_id.is_(None), Tag.field == "unit")
    )
    s.execute(Tag.__table__.insert(), [tag_row(msg.id, None, found.tag)])
    s.execute(update(Article).where(Article.message_pk == msg.id).values(unit=msg.unit))
    record_audit(
        s,
        actor=ACTOR,
        object_type="message",
        object_id=msg.id,
        action="assign-unit",
        before=before,
        after={"unit": msg.unit, "flags": list(msg.flags), "confidence": msg.unit_confidence},
        reason="unit from the converted document",
    )
    log.info("message %s: unit %s found in its converted document", msg.id, msg.unit)


def _tag(s: Session, art: Article, draft: ArticleDraft, msg: Message, ctx: ExtractContext) -> None:
    """Tag an article whose text has just arrived; the message's unit is already known."""
    from dienhinh.classifiers.tagging import tag_article
    from dienhinh.ingest.apply import tag_columns, tag_row, with_review_reasons

    assert ctx.tagging is not None
    headers = _headers(msg)
    tags = tag_article(
        draft,
        ctx.tagging,
        headers=headers,
        unit_code=msg.unit,
        unit_flags=list(msg.flags or []),
        unit_confidence=msg.unit_confidence,
    )
    for column, value in tag_columns(msg.unit, tags).items():
        setattr(art, column, value)
    art.meta = with_review_reasons(art.meta or {}, tags)
    s.execute(delete(Tag).where(Tag.article_id == art.id))
    if tags.suggestions:
        s.execute(Tag.__table__.insert(), [tag_row(msg.id, art.id, t) for t in tags.suggestions])
