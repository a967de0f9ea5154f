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

Containers: a .zip is opened (``ingest/archive.py``) and its members are taken like
attachments (source "zip-docx", "zip-pdf" ...); an over-limit archive fails alone. A
forwarded message (attached message/rfc822, or a forward block in the body, see
``ingest/forward.py``) keeps its original sender in ``forwarded_from`` so the article is
attributed to the unit, not the forwarder; its documents are "forwarded-docx" ..., and the
forwarder's own note is the cover note. When containers nest, the innermost names the
source (a zip inside a forward gives "zip-docx"); legacy encodings stay in the flags.

An account of every attachment (issue 12): the sniffed type (``mime.sniff_type``: ZIP
members, OLE2 streams, RTF, magic numbers) chooses the extractor, and each attachment
ends with an :class:`~dienhinh.core.types.AttachmentOutcome` and, but for an article or
a photo, a reason with a stable leading code ("encrypted: ...", "over-limit: ...",
"unreadable: ...", "unsupported: ...", "official-document: ...", "logo: ...",
"not-article: ...", "needs-conversion: ..."). Official documents (``ingest/official.py``)
are recorded, never counted. The message's state follows from its parts: no article and
a refused part is ``failed`` with a reason naming the part and the cause; articles and a
refused part are ``ingested`` with a reason naming the refused parts.
"""

from __future__ import annotations

import logging
import posixpath
import re
from dataclasses import dataclass, field
from typing import Final

from dienhinh.core.errors import (
    ExtractionError,
    LimitExceeded,
    MalformedDocument,
    NeedsConversion,
    NeedsOCR,
)
from dienhinh.core.noise import classify_noise
from dienhinh.core.states import ArticleState, MessageState, waiting_note
from dienhinh.core.text import collapse_ws, fold, nfc, scrub
from dienhinh.core.types import (
    ArticleDraft,
    Asset,
    Attachment,
    AttachmentOutcome,
    ForwardOrigin,
    Outcome,
    Part,
    PartError,
)
from dienhinh.ingest.archive import expand_archive, is_archive
from dienhinh.ingest.article import clean_subject, split_body_article, tidy_title
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extractors import BODY_EXTRACTORS, Extractor, Registry, default_registry
from dienhinh.ingest.extractors.html import signature_facts
from dienhinh.ingest.forward import forwards_kept
from dienhinh.ingest.mime import (
    DOCX_TYPE,
    ENCRYPTED_OFFICE_TYPE,
    ODF_OTHER_TYPE,
    ODT_TYPE,
    OLE_OTHER_TYPE,
    OOXML_OTHER_TYPE,
    BodyParts,
    ParsedMail,
    decode_text,
    parse_message,
    sniff_type,
)
from dienhinh.ingest.official import (
    OfficialVerdict,
    classify_drafts,
    classify_lines,
    sends_an_article,
)
from dienhinh.ingest.split import split_pasted
from dienhinh.store.blobs import BlobStore

__all__ = ["PHOTO_TYPES", "ImageVerdict", "error_reason", "extract_message", "image_verdict"]

log = logging.getLogger(__name__)

PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
_NO_BODY = "no article: no body text and no document attached"


# Articles that wait for the slow lane (a conversion or OCR) before anyone can read them.
_WAITING = frozenset({ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR})


@dataclass
class _Photo:
    part: Part
    attachment: Attachment


@dataclass
class _Extraction:
    """One message's extraction in progress: what the steps below read and fill in."""

    ctx: ExtractContext
    registry: Registry
    store: BlobStore
    outcome: Outcome
    parsed: ParsedMail
    documents: list[ArticleDraft] = field(default_factory=list)
    photos: list[_Photo] = field(default_factory=list)
    by_path: dict[str, Attachment] = field(default_factory=dict)
    parts: dict[str, Part] = field(default_factory=dict)
    signature_cids: frozenset[str] = frozenset()  # cid images inside the sender's signature
    # Documents recognised as official documents (giấy mời, công văn, ...), not articles.
    officials: list[tuple[Attachment, OfficialVerdict]] = field(default_factory=list)


def _settle(att: Attachment, outcome: AttachmentOutcome, reason: str = "") -> None:
    """Record what became of an attachment: its outcome and, but for an article or a
    photo, the reason (a stable leading code, see core.types.AttachmentOutcome)."""
    att.used_as = outcome.value
    att.error = "" if outcome in (AttachmentOutcome.ARTICLE, AttachmentOutcome.PHOTO) else reason


def error_reason(err: ExtractionError) -> str:
    """An extraction error as an attachment reason with its leading code."""
    text = str(err)
    if isinstance(err, LimitExceeded):
        return f"over-limit: {text}"
    if "password-protected" in text or "encrypted" in text.lower():
        return f"encrypted: {text}"
    if isinstance(err, NeedsConversion):
        return f"needs-conversion: {text}"
    if isinstance(err, NeedsOCR):
        return f"needs-ocr: {text}"
    return f"unreadable: {text}"


@dataclass(frozen=True)
class ImageVerdict:
    """What an image attachment is before it may be a photo: ``outcome`` None means a
    decodable picture big enough to be a photo (or a photographed page)."""

    outcome: AttachmentOutcome | None
    reason: str = ""


# Under these an image is a logo, an icon or a signature banner, never an article's photo:
# a phone photo is thousands of pixels wide, a photo scaled for a document a few hundred.
LOGO_MAX_PIXELS = 128 * 128
LOGO_MAX_SIDE = 48  # a 600 x 40 banner is a letterhead strip


def image_verdict(payload: bytes) -> ImageVerdict:
    """Decode an image with Pillow (at a reduced scale for JPEG, so a phone photo costs a
    few milliseconds): an image that does not decode is not a photo, a small one is a
    logo. The caller tells signature images apart by their cid."""
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(payload)) as im:
                width, height = im.size
                im.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        return ImageVerdict(AttachmentOutcome.REFUSED, f"over-limit: image too large ({err})")
    # Pillow's decoders raise many kinds of error on damaged input (OSError, SyntaxError,
    # ValueError, struct.error, IndexError, ...); any of them means "not decodable".
    except Exception as err:  # noqa: BLE001
        return ImageVerdict(
            AttachmentOutcome.REFUSED,
            f"unreadable: not a decodable image ({type(err).__name__}: {str(err)[:120]})",
        )
    if width * height < LOGO_MAX_PIXELS or min(width, height) < LOGO_MAX_SIDE:
        return ImageVerdict(AttachmentOutcome.LOGO, f"logo: small image ({width}x{height} px)")
    return ImageVerdict(None)


def _signature_cids(scope: BodyParts | None) -> frozenset[str]:
    """The ``cid:`` images shown inside the sender's signature block of an HTML body
    (Gmail, Outlook and Thunderbird mark it): logos, not photos."""
    if scope is None or scope.html is None or b"cid:" not in scope.html.payload:
        return frozenset()
    return signature_facts(decode_text(scope.html.payload, scope.html.charset)).cids


def _path_key(path: str) -> tuple[int, ...]:
    """Sort key of a part path: "2" < "2/zip:1" < "2/zip:1/zip:3" < "2.1" < "3"."""
    key: list[int] = []
    for n, segment in enumerate(path.split("/")):
        if n:
            key.append(-1)  # members come right after their archive
            segment = segment.partition(":")[2]
        key.extend(int(x) if x.isdigit() else 0 for x in segment.split("."))
    return tuple(key)


# The source a legacy document's (sniffed) content type names.
_LEGACY_BY_TYPE = {
    "application/msword": "doc",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
    "application/vnd.oasis.opendocument.text": "odt",
    ENCRYPTED_OFFICE_TYPE: "docx",  # an encrypted .docx/.xlsx: OOXML in an OLE2 wrapper
}


def _source_name(ex: Extractor, part: Part) -> str:
    """The article source of a document that could not be read now: from what its bytes
    are (the sniffed type), never from the name the sender typed (an .odt named .rtf is
    an "odt"; an "extension" of 178 characters once overflowed article.source, fuzz
    regression tests/fuzz/regressions/long-extension.eml)."""
    if ex.name in ("docx", "pdf"):
        return ex.name
    return _LEGACY_BY_TYPE.get(part.content_type, "doc")


def _forward_chain(parsed: ParsedMail, path: str) -> list[ForwardOrigin]:
    """The attached messages (outermost first) a part sits in."""
    scopes = sorted((s for s in parsed.forwards if path.startswith(s + ".")), key=len)
    return [parsed.forwards[s] for s in scopes]


def _container(path: str, chain: list[ForwardOrigin]) -> str:
    if "/zip:" in path:
        return "zip"
    return "forwarded" if chain else ""


def _with_container(source: str, container: str) -> str:
    # "docx-tcvn3" inside a zip is "zip-docx": the flags still say legacy-encoding.
    return f"{container}-{source.split('-')[0]}" if container else source


def _run_document(st: _Extraction, ex: Extractor, part: Part, att: Attachment) -> None:
    label = part.filename or f"part {part.path}"
    try:
        drafts = ex.extract(part, st.ctx)
    except ExtractionError as err:
        early = _waiting_official(part) if isinstance(err, NeedsConversion) else None
        if early is not None:
            _settle(att, AttachmentOutcome.OFFICIAL_DOCUMENT, early.reason())
            st.officials.append((att, early))
            return
        if isinstance(err, NeedsConversion | NeedsOCR):
            status, kind = (
                (ArticleState.NEEDS_CONVERSION, "needs-conversion")
                if isinstance(err, NeedsConversion)
                else (ArticleState.NEEDS_OCR, "needs-ocr")
            )
            _settle(att, AttachmentOutcome.WAITING, f"{status}: {err}")
        else:
            status = ArticleState.FAILED
            kind = "limit" if isinstance(err, LimitExceeded) else "failed"
            _settle(att, AttachmentOutcome.REFUSED, error_reason(err))
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
        waiting = [d for d in drafts if d.status in _WAITING]
        verdict = classify_drafts(drafts) if drafts and not waiting else None
        if verdict is not None and verdict.official:
            # Not an article: recorded with its kind and number, never counted.
            _settle(att, AttachmentOutcome.OFFICIAL_DOCUMENT, verdict.reason())
            st.officials.append((att, verdict))
            log.info("part %s (%s): %s", part.path, part.filename, verdict.reason())
            return
        if drafts and len(waiting) == len(drafts):
            _settle(att, AttachmentOutcome.WAITING, f"{waiting[0].status}: {waiting[0].error}")
        elif drafts:
            _settle(att, AttachmentOutcome.ARTICLE)
        else:
            _settle(att, AttachmentOutcome.NOT_ARTICLE, "not-article: the document has no text")
        for d in drafts:
            if d.status == ArticleState.NEEDS_OCR:
                st.outcome.errors.append(
                    PartError(
                        part_path=part.path, filename=part.filename, error=d.error, kind="needs-ocr"
                    )
                )
    chain = _forward_chain(st.parsed, part.path)
    container = _container(part.path, chain)
    for d in drafts:
        d.document_sha256 = att.sha256
        d.source = _with_container(d.source, container)
        d.forwarded_from = [*chain, *d.forwarded_from]
    st.documents.extend(drafts)


def _waiting_official(part: Part) -> OfficialVerdict | None:
    """An .odt waiting for LibreOffice whose text (read cheaply from content.xml, already
    bounded by the extractor) is an official document: recorded now, never queued as an
    article. Other kinds need the converter to be read and are judged after it."""
    if part.content_type != ODT_TYPE:
        return None
    from dienhinh.ingest.convert import odt_text

    try:
        text = odt_text(part.payload, part.filename or part.path)
    except MalformedDocument:
        return None
    verdict = classify_lines(text.split("\n"))
    return verdict if verdict.official else None


def _register(st: _Extraction, part: Part) -> Attachment:
    att = Attachment(
        sha256=st.store.put(part.payload),
        size=part.size,
        content_type=part.content_type,
        filename=part.filename,
        part_path=part.path,
        declared_type=part.declared_type or part.content_type,
    )
    st.by_path[part.path] = att
    st.parts[part.path] = part
    st.outcome.attachments.append(att)
    return att


def _open_archive(st: _Extraction, part: Part, att: Attachment) -> None:
    try:
        expanded = expand_archive(part, st.ctx.limits)
    except (LimitExceeded, MalformedDocument) as err:
        _settle(att, AttachmentOutcome.REFUSED, error_reason(err))
        kind = "limit" if isinstance(err, LimitExceeded) else "failed"
        st.outcome.errors.append(
            PartError(part_path=part.path, filename=part.filename, error=str(err), kind=kind)
        )
        return
    st.outcome.errors.extend(expanded.errors)
    # Encrypted members are not opened: each is listed, refused, with the reason.
    for err in expanded.errors:
        st.outcome.attachments.append(
            Attachment(
                sha256="",
                size=0,
                content_type="",
                filename=err.filename,
                part_path=err.part_path,
                used_as=AttachmentOutcome.REFUSED.value,
                error=f"encrypted: {err.error}",
            )
        )
    if expanded.errors and not expanded.parts:
        _settle(
            att,
            AttachmentOutcome.REFUSED,
            f"encrypted: password-protected zip ({len(expanded.errors)} members not opened)",
        )
        return
    _settle(att, AttachmentOutcome.ARCHIVE, f"archive: {len(expanded.parts)} members")
    for member in expanded.parts:
        _take(st, member)


# Types a sender may declare for a document we read: a part declared so whose bytes are
# something else is refused as unreadable (not "unsupported").
_DOCUMENT_TYPES = frozenset(
    {
        DOCX_TYPE,
        ODT_TYPE,
        "application/pdf",
        "application/msword",
        "application/vnd.ms-word",
        "application/rtf",
        "text/rtf",
    }
)
_DOCUMENT_EXTENSIONS = frozenset({".docx", ".doc", ".odt", ".rtf", ".pdf"})
# Sniffed kinds that only say "a container": a damaged document may look like one.
_GENERIC_TYPES = frozenset({OLE_OTHER_TYPE, OOXML_OTHER_TYPE, ODF_OTHER_TYPE, "application/zip"})


def _take(st: _Extraction, part: Part) -> None:
    att = _register(st, part)
    if is_archive(part):
        _open_archive(st, part, att)
        return
    ex = st.registry.choose(part)
    if ex is not None and ex.name not in BODY_EXTRACTORS:
        _run_document(st, ex, part, att)
    elif part.content_type.startswith("image/"):
        _take_image(st, part, att)
    elif ex is not None:
        _take_text(st, ex, part, att)
    elif part.content_type.startswith("multipart/"):
        _take_broken_multipart(st, part, att)
    elif part.content_type in _SIGNATURE_TYPES:
        # A signed message's signature: part of every S/MIME or PGP mail, no document.
        # Refusing it made a signed note with a short body "failed".
        _settle(
            att, AttachmentOutcome.NOT_ARTICLE, f"not-article: a signature ({part.content_type})"
        )
    elif part.content_type in _SPREADSHEET_TYPES and not _sent_as_document(part):
        # A table of figures (a tally of articles sent, a KPI sheet, an award list): what
        # a unit sends beside or instead of an article, read by people, never an article's
        # text. "Refused" made a spreadsheet-only report a failed message. One sent as a
        # document (named .docx, typed as Word) stays refused: the unit meant to attach
        # an article, and the message fails, naming it.
        _settle(
            att,
            AttachmentOutcome.NOT_ARTICLE,
            f"not-article: a spreadsheet, a table of figures ({part.content_type})",
        )
    else:
        _refuse(st, part, att, _unsupported_reason(part))


# Spreadsheets by their (sniffed) type: Excel 2007+, Excel 97-2003, OpenDocument.
_SPREADSHEET_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)


# The signature parts of multipart/signed (RFC 1847, 3156, 8551) and the keys PGP mail
# carries with it.
_SIGNATURE_TYPES = frozenset(
    {
        "application/pgp-signature",
        "application/pgp-keys",
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
    }
)


def _take_broken_multipart(st: _Extraction, part: Part, att: Attachment) -> None:
    """A multipart the MIME parser could not split (its boundary never appears in its body,
    or a nested part reuses its parent's boundary) arrives as one leaf. Saying "multipart/
    mixed is not a document kind" would blame the kind; the message's structure is broken.
    An empty one lost nothing (its parts were read as its parent's); one with content lost
    that content, which the reason says."""
    if not part.payload.strip():
        _settle(
            att,
            AttachmentOutcome.NOT_ARTICLE,
            f"not-article: an empty {part.content_type} container (no parts of its own)",
        )
        return
    _refuse(
        st,
        part,
        att,
        f"unreadable: a {part.content_type} part whose boundary is not found in its body "
        f"(broken message structure); its {part.size} bytes not read",
    )


def _unsupported_reason(part: Part) -> str:
    """Why a part no extractor takes is refused: "unreadable" when it was sent as a
    document (type or name) and its bytes are no known kind, or only a generic container
    (a damaged document); "unsupported" for what is plainly something else (an .xlsx
    named .docx is a spreadsheet, whatever its name)."""
    ext = posixpath.splitext(part.filename.lower())[1]
    declared = part.declared_type or part.content_type
    sniffed = sniff_type(part.payload)
    as_document = _sent_as_document(part)
    if as_document and (sniffed is None or sniffed in _GENERIC_TYPES):
        what = f"named {part.filename!r}" if ext in _DOCUMENT_EXTENSIONS else f"sent as {declared}"
        return (
            f"unreadable: {what} but the bytes are not such a document "
            f"(read as {part.content_type})"
        )
    hint = f" (named {part.filename!r})" if as_document and part.filename else ""
    return f"unsupported: {part.content_type} is not a document kind that is read{hint}"


def _sent_as_document(part: Part) -> bool:
    """Declared as a document kind, or named like one."""
    ext = posixpath.splitext(part.filename.lower())[1]
    declared = part.declared_type or part.content_type
    return declared in _DOCUMENT_TYPES or ext in _DOCUMENT_EXTENSIONS


def _refuse(st: _Extraction, part: Part, att: Attachment, reason: str) -> None:
    _settle(att, AttachmentOutcome.REFUSED, reason)
    log.info("part %s (%s) refused: %s", part.path, part.filename or "no name", reason)


def _take_text(st: _Extraction, ex: Extractor, part: Part, att: Attachment) -> None:
    """A text or HTML file attached (not the mail body): read like a body, and an article
    when it is long enough to be one; a short one is a note, not an article."""
    drafts = ex.extract(part, st.ctx)
    text = "\n\n".join(d.text for d in drafts if d.text).strip()
    if len(text) < st.ctx.limits.min_article_chars:
        _settle(
            att,
            AttachmentOutcome.NOT_ARTICLE,
            f"not-article: a text file of {len(text)} characters, too short for an article",
        )
        return
    verdict = classify_lines(text.split("\n"))
    if verdict.official:
        _settle(att, AttachmentOutcome.OFFICIAL_DOCUMENT, verdict.reason())
        st.officials.append((att, verdict))
        return
    draft = drafts[0]
    draft.text = text
    draft.origin = part.filename or part.path
    draft.images = []
    _settle(att, AttachmentOutcome.ARTICLE)
    chain = _forward_chain(st.parsed, part.path)
    draft.document_sha256 = att.sha256
    draft.source = _with_container(
        "txt" if ex.name == "text" else "html", _container(part.path, chain)
    )
    draft.forwarded_from = list(chain)
    st.documents.append(draft)


def _take_image(st: _Extraction, part: Part, att: Attachment) -> None:
    verdict = image_verdict(part.payload)
    if verdict.outcome is not None:
        _settle(att, verdict.outcome, verdict.reason)
        return
    if part.content_id and part.content_id in st.signature_cids:
        _settle(att, AttachmentOutcome.LOGO, "logo: an image in the sender's signature")
        return
    st.photos.append(_Photo(part, att))


def _attachments(st: _Extraction, parsed: ParsedMail, inline_used: set[str]) -> None:
    for part in parsed.attachments:
        if part.path in inline_used:
            # Shown by the HTML body; placed when the body is placed, unless it is not a
            # picture worth keeping (undecodable, a logo, a signature image).
            att = _register(st, part)
            verdict = image_verdict(part.payload)
            if verdict.outcome is not None:
                _settle(att, verdict.outcome, verdict.reason)
            elif part.content_id and part.content_id in st.signature_cids:
                _settle(att, AttachmentOutcome.LOGO, "logo: an image in the sender's signature")
            continue
        _take(st, part)
    st.outcome.attachments.extend(parsed.skipped)
    st.outcome.attachments.sort(key=lambda a: _path_key(a.part_path))


def _body_drafts(st: _Extraction, bodies: BodyParts, subject: str) -> list[ArticleDraft]:
    """The body's own text, then its inline forwards (outermost first); quoted blocks
    that are a reply's history rather than a forward are dropped."""
    part = bodies.html or bodies.plain
    if part is None:
        return []
    ex = st.registry.choose(part)
    if ex is None:
        return []
    drafts = ex.extract(part, st.ctx)
    if len(drafts) > 1:
        kept = forwards_kept(
            drafts[-1].forwarded_from,
            subject,
            texts=[d.text for d in drafts],
            min_chars=st.ctx.limits.min_article_chars,
        )
        drafts = drafts[: 1 + kept]
    if bodies.scope:
        chain = _forward_chain(st.parsed, bodies.scope + ".")
        if bodies.scope in st.parsed.forwards:
            chain.append(st.parsed.forwards[bodies.scope])
        for d in drafts:
            d.forwarded_from = [*chain, *d.forwarded_from]
    return drafts


# --- photos ----------------------------------------------------------------------------------

# "bai1-anh2.jpg", "Bai 2 - anh 1.jpg", "b2_1.jpg": the article a photo belongs to.
_ARTICLE_NUMBER = re.compile(r"(?<![a-z])(?:bai|b)\s*[-_ ]?\s*(\d{1,2})(?!\d)")
_NAME_NOISE = frozenset(
    {
        "anh",
        "hinh",
        "bai",
        "img",
        "dsc",
        "image",
        "photo",
        "jpg",
        "jpeg",
        "png",
        "file",
        "scan",
        "chup",
        "viet",
        "docx",
        "doc",
        "pdf",
    }
)


def _stem(name: str) -> str:
    return fold(posixpath.splitext(name)[0])


def _similarity(a: str, b: str) -> int:
    """Length of the common prefix of two folded file-name stems ("bai1.docx" and
    "bai1_anh2.jpg" share "bai1")."""
    x, y = _stem(a), _stem(b)
    n = 0
    for c1, c2 in zip(x, y, strict=False):
        if c1 != c2:
            break
        n += 1
    return n


def _number(name: str) -> int | None:
    m = _ARTICLE_NUMBER.search(_stem(name))
    return int(m[1]) if m else None


def _doc_numbers(documents: list[ArticleDraft]) -> list[int | None]:
    """The article number of each document: "split:2/3" for a split file, else the
    number in its file name ("bai2.docx"); when no name has one, the order."""
    numbers: list[int | None] = []
    for d in documents:
        split = next((f for f in d.flags if f.startswith("split:")), "")
        numbers.append(int(split[6:].partition("/")[0]) if split else _number(d.origin))
    if all(n is None for n in numbers):
        return list(range(1, len(documents) + 1))
    return numbers


def _title_overlap(photo: str, title: str) -> int:
    words = {w for w in re.split(r"[^a-z0-9]+", _stem(photo)) if len(w) >= 3} - _NAME_NOISE
    return len(words & set(re.split(r"[^a-z0-9]+", fold(title))))


def _unique_best(scores: list[int], floor: int) -> int | None:
    best = max(scores)
    return scores.index(best) if best >= floor and scores.count(best) == 1 else None


def _photo_target(
    photo: _Photo,
    index: int,
    documents: list[ArticleDraft],
    numbers: list[int | None],
    n_photos: int,
) -> int | None:
    """Which document a photo attached beside several belongs to, by (in order): the
    article number in its name, a file-name prefix shared with one document, words of one
    title in its name, and the order when there are as many photos as documents."""
    name = photo.part.filename
    n = _number(name)
    if n is not None and numbers.count(n) == 1:
        return numbers.index(n)
    found = _unique_best([_similarity(name, d.origin) for d in documents], 3)
    if found is None:
        found = _unique_best([_title_overlap(name, d.title) for d in documents], 1)
    if found is None and n_photos == len(documents):
        found = index
    return found


def _place_photos(st: _Extraction, articles: list[ArticleDraft]) -> None:
    if not articles:
        return
    documents = [a for a in articles if a.document_sha256]
    numbers = _doc_numbers(documents)
    for index, photo in enumerate(st.photos):
        target = articles[0]
        if len(documents) > 1:
            found = _photo_target(photo, index, documents, numbers, len(st.photos))
            if found is not None:
                target = documents[found]
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
        _settle(photo.attachment, AttachmentOutcome.PHOTO)


# --- assembly --------------------------------------------------------------------------------


# A cover note beside a document is a few lines; a body this long past its greeting is an
# article of its own ("one saved as .docx, one pasted": nothing may be lost behind the
# document).
PASTED_BESIDE_WORDS: Final = 150
_PROBE_WORDS = 25
_PROSE_WORDS = 20
_PROSE_PARAGRAPHS = 3
ANNOUNCED_PASTED_WORDS: Final = 100  # a short piece the note says is pasted below


def _pasted_beside(
    st: _Extraction, own: ArticleDraft | None, subject: str, documents: list[ArticleDraft]
) -> ArticleDraft | None:
    """An article pasted in the body beside attached documents, or None: a long body that
    reads as an article (its title, its paragraphs) and is not a document's own text pasted
    again (its opening words are in no document)."""
    if own is None or len(own.text.split()) < PASTED_BESIDE_WORDS:
        return None
    article, _ = split_body_article(own, subject=subject, min_chars=st.ctx.limits.min_article_chars)
    if article is None:
        return None
    # Prose, not a signature's disclaimer: paragraphs of Vietnamese sentences.
    prose = [
        p
        for p in article.text.split("\n\n")
        if len(p.split()) >= _PROSE_WORDS and fold(p) != p.lower()
    ]
    # A note that says a piece is pasted below ("bài ngắn ... em dán ngay dưới đây") is
    # believed for a short piece of one paragraph; otherwise it takes an article's shape.
    announced = _PASTED_BELOW.search(fold(collapse_ws(own.text[:_LETTER_OPENING_CHARS])))
    need, words = (
        (1, ANNOUNCED_PASTED_WORDS) if announced else (_PROSE_PARAGRAPHS, PASTED_BESIDE_WORDS)
    )
    if len(prose) < need or sum(len(p.split()) for p in prose) < words:
        return None
    probe = " ".join(fold(article.text).split()[:_PROBE_WORDS])
    if any(probe in " ".join(fold(d.text).split()) for d in documents):
        return None
    if _covering_letter(own.text):
        return None
    return article


_LETTER_OPENING_CHARS = 800


def _covering_letter(text: str) -> bool:
    """A long, formal cover letter for the attached article: addressed ("Kính gửi: Ban Thi
    đua ...") and saying in its opening that it sends the article ("xin trân trọng gửi kèm
    theo đây bài viết ..."), however many paragraphs it runs to (why the piece was chosen,
    its length, whom to ask). A pasted article opens with its title or its story."""
    opening = fold(collapse_ws(text[:_LETTER_OPENING_CHARS]))
    return (
        opening.startswith(("kinh gui", "kinh trinh", "kinh goi"))
        and sends_an_article(opening)
        and _PASTED_BELOW.search(opening) is None
    )


# "bài chi đoàn em dán bên dưới", "nội dung như sau", "bài viết dưới đây": the letter
# goes on with a pasted article.
_PASTED_BELOW = re.compile(r"\b(?:dan (?:ben |o )?duoi|ben duoi|duoi day|nhu sau|ngay duoi)\b")


def _body_article(
    st: _Extraction, parsed: ParsedMail, top: list[ArticleDraft], subject: str
) -> tuple[ArticleDraft | None, str]:
    """The article a body carries, if any: a forwarded message in it first (innermost
    first: that is what was forwarded), then the sender's own text, then the bodies of
    attached messages."""
    candidates = [*reversed(top[1:]), *top[:1]]
    for b in parsed.bodies:
        if b.scope:
            scoped = _body_drafts(st, b, parsed.forwards.get(b.scope, ForwardOrigin()).subject)
            candidates += [*reversed(scoped[1:]), *scoped[:1]]
    reason = _NO_BODY
    for draft in candidates:
        article, why = split_body_article(
            draft, subject=subject, min_chars=st.ctx.limits.min_article_chars
        )
        if article is not None:
            return article, ""
        reason = why
    return None, reason


_SIG_DELIMITER = re.compile(r"^--\s*$")
_QUOTE_START = re.compile(
    r"^(>|On .+ wrote:|Vào .+ đã viết:|-{3,}\s*(Original|Forwarded|Thư)|From:|Từ:)", re.IGNORECASE
)


_CLOSING = re.compile(
    r"^(tran trong|tran thanh cam on|xin cam on|tran thanh|tran trong cam on|kinh thu|"
    r"thanks|thank you|best regards|regards|than ai)\b"
)


# How a letter names its addressee: a quoted reminder's "Kính gửi: UBND huyện X".
_ADDRESSED: Final = ("kính gửi", "kinh gui", "kính gởi", "kinh goi")
QUOTED_TEXT_MAX: Final = 20_000
# Signs that a body quotes another mail (a reply's or a forward's header line).
_QUOTING: Final = (
    "đã viết", "da viet", "wrote:", "original message", "thư gốc", "tin nhắn gốc",
    "forwarded message", "\n>", "from:", "từ:", "gửi lúc",
)  # fmt: skip


def _addressed_history(scope: BodyParts | None) -> str:
    """The whole text of a body that holds an addressed letter ("Kính gửi: ..."), quoted
    history included (capped), or "": the body cleaners drop a reply's quoted history, but
    whom a quoted Board reminder was addressed to is the unit now answering it (the unit
    tagger reads it; classifiers/units.py). The text part when there is one, else the
    HTML's text; most mail holds no such line and costs one decode and a search."""
    if scope is None:
        return ""
    part = scope.plain or scope.html
    if part is None:
        return ""
    text = nfc(decode_text(part.payload, part.charset))
    low = text.lower()
    # Most cover notes open "Kính gửi Ban ...": only a body that quotes a mail is read on.
    if not any(k in low for k in _ADDRESSED) or not any(q in low for q in _QUOTING):
        return ""
    if part is scope.html:
        from bs4 import BeautifulSoup

        text = BeautifulSoup(text, "lxml").get_text("\n")
    return text[:QUOTED_TEXT_MAX]


def _signature(scope: BodyParts | None) -> str:
    """The sender's signature block: the lines after a "-- " delimiter (up to a quoted
    reply), or else the short lines after a closing formula ("Trân trọng!") at the end.
    The body cleaners drop it from the text, but it names the sending unit. A body sent
    as text and HTML is read in both: Gmail's HTML keeps a delimiter its text part lacks."""
    if scope is None:
        return ""
    texts: list[str] = []
    if scope.plain is not None:
        texts.append(decode_text(scope.plain.payload, scope.plain.charset))
    if scope.html is not None:
        facts = signature_facts(decode_text(scope.html.payload, scope.html.charset))
        if facts.block_text is not None:
            return collapse_lines(facts.block_text)
        texts.append(facts.text)
    for text in texts:
        block = _delimited_signature(text.replace("\r\n", "\n").split("\n"))
        if block:
            return block
    for text in texts:
        block = _closing_signature(text.replace("\r\n", "\n").split("\n"))
        if block:
            return block
    return ""


def _delimited_signature(lines: list[str]) -> str:
    for i, line in enumerate(lines):
        if _SIG_DELIMITER.match(line):
            block = []
            for nxt in lines[i + 1 :]:
                if _QUOTE_START.match(nxt.strip()):
                    break
                if nxt.strip():
                    block.append(nxt.strip())
                if len(block) >= 10:
                    break
            return "\n".join(block)
    return ""


def _closing_signature(lines: list[str]) -> str:
    """Short lines after the last closing formula near the end of the sender's own text
    (a quoted reply below ends it)."""
    own = []
    for line in lines:
        if _QUOTE_START.match(line.strip()):
            break
        if line.strip():
            own.append(line.strip())
    tail = own[-12:]
    for i in range(len(tail) - 1, -1, -1):
        if _CLOSING.match(fold(tail[i])):
            block = [x for x in tail[i + 1 :] if len(x) <= 120][:8]
            return "\n".join(block)
    return ""


def collapse_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())[:2000]


def _scanned_pages(st: _Extraction, subject: str) -> ArticleDraft | None:
    """Photos of a printed article (no document, no article in the body): an `image-scan`
    article that waits for OCR, with the pages in order (by the numbers in their file
    names, else as attached). Ordinary photos (people, places) are told apart by what
    the image shows (``ocr.looks_like_text_page``), never by its name; only this rare case
    pays for it. Each page waits (outcome ``waiting``) until the slow lane reads it."""
    from dienhinh.ingest.ocr import looks_like_text_page, page_order

    pages = [ph for ph in st.photos if looks_like_text_page(ph.part.payload)]
    if not pages:
        return None
    pages = [pages[i] for i in page_order([ph.part.filename for ph in pages])]
    images = []
    for position, ph in enumerate(pages):
        ph.attachment.used_as = "waiting"
        ph.attachment.error = "waiting: photographed page, to be read by OCR"
        images.append(
            Asset(
                sha256=ph.attachment.sha256,
                size=ph.part.size,
                content_type=ph.part.content_type,
                filename=ph.part.filename,
                role="document",  # the article's source, apart from its illustrations
                position=position,
                part_path=ph.part.path,
            )
        )
    st.photos = [ph for ph in st.photos if ph not in pages]
    return ArticleDraft(
        title=clean_subject(subject),
        text="",
        source="image-scan",
        origin=", ".join(ph.part.filename or ph.part.path for ph in pages)[:1000],
        status=ArticleState.NEEDS_OCR,
        images=images,
        flags=["ocr"],
        error="photographed pages: waiting for OCR",
    )


def extract_message(
    data: bytes, ctx: ExtractContext, *, registry: Registry | None = None
) -> Outcome:
    """Parse one raw email and extract its articles. See the module docstring."""
    return _scrubbed(_extract(data, ctx, registry))


def _scrubbed(outcome: Outcome) -> Outcome:
    """Remove control characters from every text the outcome carries: the one place
    between parsers and storage, so no parser has to remember it."""
    h = outcome.headers
    for name in ("subject", "from_name", "from_addr", "raw_headers", "message_id"):
        setattr(h, name, scrub(getattr(h, name)))
    outcome.cover_note = scrub(outcome.cover_note)
    outcome.body_text = scrub(outcome.body_text)
    outcome.signature = scrub(outcome.signature)
    if outcome.reason:
        outcome.reason = scrub(outcome.reason)
    for att in outcome.attachments:
        att.filename = scrub(att.filename)
    for art in outcome.articles:
        art.title, art.text, art.lead = scrub(art.title), scrub(art.text), scrub(art.lead)
        art.header_lines = [scrub(line) for line in art.header_lines]
        for img in art.images:
            img.filename, img.caption = scrub(img.filename), scrub(img.caption)
    return outcome


def _extract(data: bytes, ctx: ExtractContext, registry: Registry | None) -> Outcome:
    parsed = parse_message(data, ctx.limits)
    if not data.strip():
        # Not a mail without an article but no mail at all (a server or storage fault):
        # failed, so it is seen, never a quiet "no article".
        return Outcome(
            headers=parsed.headers,
            status=MessageState.FAILED,
            reason=f"empty message: {len(data)} bytes, no headers and no body",
        )
    if parsed.fatal:
        return Outcome(
            headers=parsed.headers,
            status=MessageState.FAILED,
            reason=parsed.fatal,
            errors=parsed.errors,
            defects=parsed.defects,
        )
    outcome = Outcome(
        headers=parsed.headers,
        status=MessageState.NO_ARTICLE,
        errors=list(parsed.errors),
        defects=list(parsed.defects),
    )
    st = _Extraction(
        ctx=ctx,
        registry=registry or default_registry(),
        store=ctx.blob_store(),
        outcome=outcome,
        parsed=parsed,
    )
    subject = parsed.headers.subject

    top_scope = parsed.bodies[0] if parsed.bodies and parsed.bodies[0].scope == "" else None
    top = _body_drafts(st, top_scope, subject) if top_scope is not None else []
    own = top[0] if top else None
    inline_used = {a.part_path for d in top for a in d.images}
    st.signature_cids = _signature_cids(top_scope)
    _attachments(st, parsed, inline_used)
    for d in top:  # a body's logos and undecodable images are no photos of its article
        d.images = [a for a in d.images if not st.by_path[a.part_path].used_as]
    outcome.body_text = "\n\n".join(d.text for d in top if d.text)
    outcome.signature = _signature(top_scope)
    outcome.quoted_text = _addressed_history(top_scope)
    inline_chain = top[-1].forwarded_from if len(top) > 1 else []

    if parsed.message is not None:
        # A document read, an official document or a refused part: the soft noise rules
        # (a short question, an invitation by its subject) do not speak for such a message.
        has_document = bool(st.documents or st.officials) or any(
            a.used_as == AttachmentOutcome.REFUSED for a in outcome.attachments
        )
        verdict = classify_noise(
            parsed.message, parsed.headers, outcome.body_text, has_document=has_document
        )
        if verdict is not None:
            # Not an article: kept and visible with the reason, never queued for review.
            outcome.cover_note = outcome.body_text
            outcome.reason = f"not an article: {verdict.reason}"
            outcome.automatic = verdict.automatic
            for att in outcome.attachments:
                # What was refused for a cause of its own (encrypted, over a limit) says so.
                if not att.error.startswith(("encrypted:", "over-limit:")):
                    _settle(att, AttachmentOutcome.NOT_ARTICLE, f"not-article: {verdict.reason}")
            return outcome

    articles: list[ArticleDraft] = list(st.documents)
    reason = _NO_BODY
    if articles:
        outcome.cover_note = own.text if own is not None else ""
        pasted = _pasted_beside(st, own, subject, articles)
        if pasted is not None:
            articles.extend(split_pasted(pasted))
        # Photos pasted into a cover note go with the documents.
        st.photos[:0] = [
            _Photo(st.parts[a.part_path], st.by_path[a.part_path]) for d in top for a in d.images
        ]
        if inline_chain:  # documents re-attached by a forward written inline (Gmail)
            for d in articles:
                if not d.forwarded_from:
                    d.forwarded_from = list(inline_chain)
                    d.source = _with_container(d.source, "forwarded")
    else:
        article, reason = _body_article(st, parsed, top, subject)
        body_verdict = classify_lines([article.title, article.text]) if article else None
        if body_verdict is not None and body_verdict.official:
            reason = (
                f"not an article: official document ({body_verdict.english} in the mail body"
                + (f", Số {body_verdict.number}" if body_verdict.number else "")
                + ")"
            )
            article = None
        if article is not None:
            # Only pictures kept as pictures (not logos, not undecodable) go with it.
            article.images = [
                a
                for a in article.images
                if a.part_path not in st.by_path
                or st.by_path[a.part_path].used_as in ("", AttachmentOutcome.PHOTO)
            ]
            if own is not None and article.forwarded_from:
                outcome.cover_note = own.text  # the forwarder's note
                used = {a.part_path for a in article.images}
                article.images += [a for d in top for a in d.images if a.part_path not in used]
            if not outcome.cover_note and article.cover:
                # The sender's lines above the article in its own body: its note.
                outcome.cover_note = article.cover
            for position, img in enumerate(article.images):
                img.position = position
                _settle(st.by_path[img.part_path], AttachmentOutcome.PHOTO)
            articles.extend(split_pasted(article))
    if not articles and st.photos:
        scan = _scanned_pages(st, subject)
        if scan is not None:
            articles.append(scan)
            reason = None
    _place_photos(st, articles)
    for article in articles:
        article.title = tidy_title(article.title)
        if not article.title:
            article.title = clean_subject(
                article.forwarded_from[-1].subject if article.forwarded_from else subject
            ) or clean_subject(subject)
    outcome.articles = articles
    outcome.forwarded_from = next(
        (list(a.forwarded_from) for a in articles if a.forwarded_from),
        list(inline_chain) or _first_scope_chain(parsed),
    )
    _settle_rest(st, bool(articles))
    if articles:
        for att, verdict in st.officials:
            # A dispatch sent with the article (công văn gửi kèm) is its cover letter.
            if verdict.kind == "cong-van" or verdict.about_article:
                _settle(att, AttachmentOutcome.COVER_LETTER, verdict.reason("cover-letter"))
    elif st.officials:
        reason = (
            "not an article: official document ("
            + "; ".join(
                f"{v.english}: {_part_name(a)}" + (f", Số {v.number}" if v.number else "")
                for a, v in st.officials
            )
            + ")"
        )
    _message_state(outcome, articles, reason)
    return outcome


def _settle_rest(st: _Extraction, has_article: bool) -> None:
    """Every attachment the assembly did not use ends with an outcome too: pictures with
    no article to go with, pictures a body showed but the body was not the article."""
    for att in st.outcome.attachments:
        if att.used_as:
            continue
        part = st.parts.get(att.part_path)
        if part is not None and part.content_type.startswith("image/"):
            why = (
                "a picture in the cover note, not placed with a document"
                if has_article
                else "a picture, and no article in this message"
            )
            _settle(att, AttachmentOutcome.NOT_ARTICLE, f"not-article: {why}")
        else:
            _settle(att, AttachmentOutcome.NOT_ARTICLE, "not-article: not used by any article")


def _part_name(att: Attachment) -> str:
    return att.filename or f"part {att.part_path}"


def _named(name: str, error: str | None) -> str:
    """``name: error`` unless the reader's error already starts with that name (the
    readers label their errors with the file name, or "part N" for a nameless part)."""
    error = error or ""
    return error if error.startswith(f"{name}: ") else f"{name}: {error}"


def _message_state(outcome: Outcome, articles: list[ArticleDraft], reason: str | None) -> None:
    """The message's state follows from its parts: an article came out (ingested, with
    the refused parts named), or none did and a part was refused (failed, naming it and
    the cause), or none did and nothing was refused (no-article)."""
    refused = [a for a in outcome.attachments if a.used_as == AttachmentOutcome.REFUSED]
    documents = {a.document_sha256 for a in articles if a.document_sha256}
    others = [a for a in refused if not (a.sha256 and a.sha256 in documents)]
    named = "; ".join(_named(_part_name(a), a.error) for a in others[:10])
    if len(others) > 10:
        named += f"; and {len(others) - 10} more"
    if articles and all(a.status == ArticleState.FAILED for a in articles):
        # Nothing readable: the message waits in `failed` (visible, reprocessable), with
        # each unreadable document kept as a failed article carrying its error.
        outcome.status = MessageState.FAILED
        outcome.reason = "no readable article: " + "; ".join(
            _named(a.origin or a.source, a.error) for a in articles
        )
        if named:
            outcome.reason += f"; refused: {named}"
    elif articles:
        outcome.status = MessageState.INGESTED
        failed = [a for a in articles if a.status == ArticleState.FAILED]
        waiting = [a for a in articles if a.status in _WAITING]
        notes = []
        if waiting:
            # Not finished: the slow lane reads these.
            notes.append(waiting_note((a.origin or a.source, a.status) for a in waiting))
        if failed:
            notes.append(
                f"{len(failed)} of {len(articles)} documents could not be read: "
                + "; ".join(_named(a.origin or a.source, a.error) for a in failed[:10])
            )
        if named:
            notes.append(f"refused: {named}")
        outcome.reason = "; ".join(notes) or None
    elif refused:
        outcome.status = MessageState.FAILED
        outcome.reason = f"no article: {named}"
    else:
        outcome.reason = reason
        # "no document attached" while pictures or short text files were attached: the
        # reason names them and what they were, so the message's account is not only in
        # its attachment rows (outside mail: a photo alone read "no document attached").
        kept = [
            a
            for a in outcome.attachments
            if a.error and a.used_as not in ("", AttachmentOutcome.LOGO)
        ]
        if reason and reason.startswith("no article:") and kept:
            listed = "; ".join(_named(_part_name(a), a.error) for a in kept[:5])
            if len(kept) > 5:
                listed += f"; and {len(kept) - 5} more"
            outcome.reason = f"{reason}; attached, not an article: {listed}"


def _first_scope_chain(parsed: ParsedMail) -> list[ForwardOrigin]:
    if not parsed.forwards:
        return []
    first = min(parsed.forwards, key=_path_key)
    return [*_forward_chain(parsed, first), parsed.forwards[first]]
