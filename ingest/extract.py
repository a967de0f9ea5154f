"""One raw email → :class:`~dienhinh.core.types.Outcome`: headers, articles, attachments.

This is the extraction stage of the pipeline. It is a pure function of the bytes and the
context, apart from writing attachments and images to the content-addressed blob store
(a retry writes nothing new). It never raises for bad input: a damaged part becomes a
:class:`PartError` (and, for a document, an article with status "failed" so the editor
sees it) and the rest of the message goes on. Only ``StorageError`` from the blob store
propagates: it is transient, and the pipeline retries the message.

Assembly rules (why, briefly): units send one document per article, often several in
one mail, with photos attached beside them; the mail body is then a cover note. Without a
document, the body is the article only if it is long enough to be one.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from dienhinh.core.errors import (
    ExtractionError,
    LimitExceeded,
    NeedsConversion,
    NeedsOCR,
)
from dienhinh.core.text import fold
from dienhinh.core.types import ArticleDraft, Asset, Attachment, Outcome, Part, PartError
from dienhinh.ingest.article import clean_subject, split_body_article
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors import BODY_EXTRACTORS, Extractor, Registry, default_registry
from dienhinh.ingest.mime import BodyParts, ParsedMail, parse_message
from dienhinh.ingest.noise import classify_noise
from dienhinh.store.blobs import BlobStore

__all__ = ["PHOTO_TYPES", "extract_message"]

PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
_NO_BODY = "no article: no body text and no document attached"


@dataclass
class _Photo:
    part: Part
    attachment: Attachment


@dataclass
class _State:
    ctx: ExtractContext
    registry: Registry
    store: BlobStore
    outcome: Outcome
    documents: list[ArticleDraft] = field(default_factory=list)
    photos: list[_Photo] = field(default_factory=list)
    by_path: dict[str, Attachment] = field(default_factory=dict)


def _path_key(path: str) -> tuple[int, ...]:
    return tuple(int(x) if x.isdigit() else 0 for x in path.split("."))


def _source_name(ex: Extractor, part: Part) -> str:
    if ex.name in ("docx", "pdf"):
        return ex.name
    ext = posixpath.splitext(part.filename.lower())[1].lstrip(".")
    return ext or "doc"


def _run_document(st: _State, ex: Extractor, part: Part, att: Attachment) -> None:
    label = part.filename or f"part {part.path}"
    try:
        drafts = ex.extract(part, st.ctx)
    except ExtractionError as err:
        if isinstance(err, NeedsConversion | NeedsOCR):
            status, kind = (
                ("needs-conversion", "needs-conversion")
                if isinstance(err, NeedsConversion)
                else ("needs-ocr", "needs-ocr")
            )
            att.used_as = "article"
        else:
            status, kind = "failed", "limit" if isinstance(err, LimitExceeded) else "failed"
            att.used_as, att.error = "failed", str(err)
        st.outcome.errors.append(
            PartError(part_path=part.path, filename=part.filename, error=str(err), kind=kind)
        )
        drafts = [
            ArticleDraft(
                title="",
                text="",
                source=_source_name(ex, part),
                origin=label,
                status=status,
                error=str(err),
            )
        ]
    else:
        att.used_as = "article"
        for d in drafts:
            if d.status == "needs-ocr":
                st.outcome.errors.append(
                    PartError(
                        part_path=part.path, filename=part.filename, error=d.error, kind="needs-ocr"
                    )
                )
    for d in drafts:
        d.document_sha256 = att.sha256
    st.documents.extend(drafts)


def _attachments(st: _State, parsed: ParsedMail, inline_used: set[str]) -> None:
    for part in parsed.attachments:
        sha = st.store.put(part.payload)
        att = Attachment(
            sha256=sha,
            size=part.size,
            content_type=part.content_type,
            filename=part.filename,
            part_path=part.path,
            used_as="ignored",
        )
        st.by_path[part.path] = att
        st.outcome.attachments.append(att)
        if part.path in inline_used:
            continue  # shown by the HTML body; placed when the body is placed
        ex = st.registry.choose(part)
        if ex is not None and ex.name not in BODY_EXTRACTORS:
            _run_document(st, ex, part, att)
        elif part.content_type in PHOTO_TYPES:
            st.photos.append(_Photo(part, att))
    st.outcome.attachments.extend(parsed.skipped)
    st.outcome.attachments.sort(key=lambda a: _path_key(a.part_path))


def _body_draft(st: _State, bodies: BodyParts) -> ArticleDraft | None:
    part = bodies.html or bodies.plain
    if part is None:
        return None
    ex = st.registry.choose(part)
    if ex is None:
        return None
    drafts = ex.extract(part, st.ctx)
    return drafts[0] if drafts else None


def _similarity(a: str, b: str) -> int:
    """Length of the common prefix of two folded file-name stems ("bai1.docx" and
    "bai1_anh2.jpg" share "bai1")."""
    x = fold(posixpath.splitext(a)[0])
    y = fold(posixpath.splitext(b)[0])
    n = 0
    for c1, c2 in zip(x, y, strict=False):
        if c1 != c2:
            break
        n += 1
    return n


def _place_photos(st: _State, articles: list[ArticleDraft]) -> None:
    if not articles:
        return
    documents = [a for a in articles if a.document_sha256]
    for index, photo in enumerate(st.photos):
        target = articles[0]
        if len(documents) > 1:
            scores = [_similarity(photo.part.filename, d.origin) for d in documents]
            best = max(scores)
            if best >= 3 and scores.count(best) == 1:
                target = documents[scores.index(best)]
            elif len(st.photos) == len(documents):
                target = documents[index]
        p = photo.part
        target.images.append(
            Asset(
                sha256=photo.attachment.sha256,
                size=p.size,
                content_type=p.content_type,
                filename=p.filename,
                role="photo",
                position=len(target.images),
                part_path=p.path,
            )
        )
        photo.attachment.used_as = "photo"


def extract_message(
    data: bytes, ctx: ExtractContext, *, registry: Registry | None = None
) -> Outcome:
    """Parse one raw email and extract its articles. See the module docstring."""
    parsed = parse_message(data, ctx.limits)
    if parsed.fatal:
        return Outcome(
            headers=parsed.headers,
            status="failed",
            reason=parsed.fatal,
            errors=parsed.errors,
            defects=parsed.defects,
        )
    outcome = Outcome(
        headers=parsed.headers,
        status="no-article",
        errors=list(parsed.errors),
        defects=list(parsed.defects),
    )
    st = _State(
        ctx=ctx,
        registry=registry or default_registry(),
        store=BlobStore(ctx.blob_root),
        outcome=outcome,
    )
    subject = parsed.headers.subject

    top = parsed.bodies[0] if parsed.bodies and parsed.bodies[0].scope == "" else None
    body = _body_draft(st, top) if top is not None else None
    inline_used = {a.part_path for a in body.images} if body is not None else set()
    _attachments(st, parsed, inline_used)
    outcome.body_text = body.text if body is not None else ""

    if parsed.message is not None:
        verdict = classify_noise(
            parsed.message, parsed.headers, outcome.body_text, has_document=bool(st.documents)
        )
        if verdict is not None:
            # Not an article: kept and visible with the reason, never queued for review.
            outcome.cover_note = outcome.body_text
            outcome.reason = f"not an article: {verdict.reason}"
            for att in outcome.attachments:
                if att.used_as in ("article", "photo"):
                    att.used_as = "ignored"
            return outcome

    articles: list[ArticleDraft] = list(st.documents)
    reason = _NO_BODY
    if articles:
        outcome.cover_note = outcome.body_text
        if body is not None:  # photos pasted into a cover note go with the documents
            parts = {p.path: p for p in parsed.attachments}
            st.photos[:0] = [
                _Photo(parts[a.part_path], st.by_path[a.part_path]) for a in body.images
            ]
    else:
        candidates = [body] if body is not None else []
        candidates += [d for b in parsed.bodies if b.scope for d in [_body_draft(st, b)] if d]
        for draft in candidates:
            article, why = split_body_article(
                draft, subject=subject, min_chars=ctx.limits.min_article_chars
            )
            if article is not None:
                for img in article.images:
                    st.by_path[img.part_path].used_as = "photo"
                articles.append(article)
                break
            reason = why
    _place_photos(st, articles)
    for article in articles:
        if not article.title:
            article.title = clean_subject(subject)
    outcome.articles = articles
    if articles:
        outcome.status = "ingested"
        failed = sum(1 for a in articles if a.status == "failed")
        outcome.reason = (
            f"{failed} of {len(articles)} documents could not be read" if failed else None
        )
    else:
        outcome.reason = reason
    return outcome
