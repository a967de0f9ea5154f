"""Plain data that crosses package boundaries.

Extractors and classifiers take and return these types, never a database session, so
fixture files alone can test them. Everything here is picklable: the ingest pool sends
these between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from dienhinh.core.states import ArticleState

__all__ = [
    "ArticleDraft",
    "Asset",
    "Attachment",
    "AttachmentOutcome",
    "ForwardOrigin",
    "MailHeaders",
    "Outcome",
    "Part",
    "PartError",
    "RawMail",
]

AssetRole = Literal["document", "photo", "inline-image", "embedded-image", "body", "other"]


@dataclass(frozen=True)
class RawMail:
    """One message as received, with where it came from."""

    data: bytes
    mailbox: str  # MailboxURL.key, or "import:<path>"
    uidvalidity: int = 0
    uid: int = 0  # 0 for sources without UIDs (Maildir, files)
    location: str = ""  # Maildir key or file path; informational
    internal_date: datetime | None = None  # the server's receipt time (IMAP INTERNALDATE)
    # A file's modification time (Maildir, import): its header dates are believed when
    # older (a backfill), see ingest.received.
    file_time: datetime | None = None


@dataclass
class Part:
    """One leaf of the MIME tree, decoded."""

    path: str  # "1", "2.1": position in the tree, for error messages
    content_type: str  # lower-case, as declared
    payload: bytes
    filename: str = ""  # sanitised, NFC; never used as a file-system path
    disposition: str = ""  # "attachment", "inline" or ""
    charset: str = ""
    content_id: str = ""
    declared_type: str = ""  # same as content_type unless sniffing changed it
    # Parts a text/html body may reference by ``cid:`` (same message scope), so the HTML
    # extractor can resolve inline images without a second look at the MIME tree.
    related: list[Part] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int:
        return len(self.payload)


@dataclass
class Asset:
    """A file kept with a message: an attachment, a photo, an image from inside a document.

    The bytes are already in the blob store under ``sha256`` when this object exists.
    """

    sha256: str
    size: int
    content_type: str
    filename: str
    role: AssetRole
    caption: str = ""
    position: int = 0  # order within its article (photos) or message (attachments)
    part_path: str = ""
    # A picture shown in a mail body: the text beside it (the paragraph after it, else the
    # one before), so that a body pasting several articles gives each its own pictures
    # (ingest.split.split_pasted). Not stored.
    anchor: str = ""


class AttachmentOutcome(StrEnum):
    """What became of one attachment (issue 12: an account of every part). Every part of
    a message ends in one of these, never in silence; ``Attachment.reason`` says why for
    every outcome but ``article`` and ``photo``."""

    ARTICLE = "article"  # a document read as (one or more) articles
    PHOTO = "photo"  # an illustration kept with an article
    OCR_PAGE = "ocr-page"  # a photographed or scanned page whose text was read by OCR
    WAITING = "waiting"  # an article waiting for the slow lane (conversion or OCR)
    COVER_LETTER = "cover-letter"  # a covering note ("gửi kèm bài viết ...")
    OFFICIAL_DOCUMENT = "official-document"  # giấy mời, công văn, ...: not an article
    LOGO = "logo"  # a signature image, logo or letterhead drawn as an image
    ARCHIVE = "archive"  # a .zip whose members are accounted for one by one
    NOT_ARTICLE = "not-article"  # part of a message that is not an article (auto-reply, ...)
    REFUSED = "refused"  # encrypted, over a limit, unreadable, unsupported: see the reason


@dataclass
class Attachment:
    """What the message carried, as the email listed it (for the console and exports)."""

    sha256: str
    size: int
    content_type: str  # as sniffed from the bytes (the declared type is kept apart)
    filename: str
    part_path: str
    used_as: str = ""  # an AttachmentOutcome value once extraction is done
    error: str = ""  # the reason: why refused, why not an article, ...
    declared_type: str = ""  # what the sender's mail client said it was


@dataclass
class ForwardOrigin:
    """Who sent a message that reached the Board forwarded by someone else.

    Units often send their article to a colleague or a personal address, which forwards it
    (an attached .eml, or a "Forwarded message" block in the body). The tagging stage
    attributes the article to this original sender, not to the forwarder. Values are as
    the forwarded headers show them: an inline block has no Message-ID and often only a
    localised date ("Th 2, 29 thg 4, 2019 vào lúc 16:40"), kept in ``date_text``.
    """

    from_name: str = ""
    from_addr: str = ""  # lower-case; "" when the block shows only a name
    subject: str = ""
    date: datetime | None = None  # parsed when the format is known; timezone-aware
    date_text: str = ""  # the Date/Sent line as written
    # "rfc822": an attached message; "inline": a "Forwarded message" block in the body;
    # "inline-quoted": an "Original Message"/Outlook header block, which replies use too,
    # taken as a forward because the subject did not say "reply" (RE:, TL:).
    # "chat": a chat app's messages copied into the body ("[09:14, 12/03/2020] Name: ..."),
    # whose first speaker sent the piece.
    via: Literal["rfc822", "inline", "inline-quoted", "chat"] = "inline"
    # The forwarded message's own signature (the lines after "-- ", or after a closing
    # "Trân trọng!"): a personal address often names its unit only there.
    signature: str = ""


@dataclass
class ArticleDraft:
    """An article as an extractor found it, before it is stored."""

    title: str
    # NFC, paragraphs separated by blank lines: the whole text, the lead's paragraph included
    # (the taggers and duplicate detection read it all). The stored article's body leaves
    # that paragraph out: the lead is its own field, never repeated (core.text).
    text: str
    source: str  # "docx", "pdf", "html-body", "text-body", ...
    origin: str = ""  # file name or part path it came from
    lead: str = ""  # the first paragraph when short enough to stand as the sapo
    images: list[Asset] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # "ocr", "legacy-encoding", ...
    # The article's first state: PENDING_REVIEW, or NEEDS_CONVERSION / NEEDS_OCR / FAILED
    status: str = ArticleState.PENDING_REVIEW
    error: str = ""
    header_lines: list[str] = field(default_factory=list)  # letterhead lines, for tagging
    document_sha256: str = ""
    signature: list[int] = field(default_factory=list)  # MinHash, set by the pipeline
    fingerprint: str = ""  # sha256 of the matching form of the text, set by the pipeline
    bands: list[str] = field(default_factory=list)  # the signature's LSH keys, set likewise
    # The forward chain that delivered this article, outermost first: the last entry is
    # the original sender. Empty when the article was not forwarded.
    forwarded_from: list[ForwardOrigin] = field(default_factory=list)
    # (level, text) of a mail body's <h1>-<h4> headings, in order: a newsletter pasting
    # several articles under headings of one level is split like a document (ingest.split).
    headings: list[tuple[int, str]] = field(default_factory=list)
    # A mail body's own paragraphs before the article it carries ("Kính gửi Ban ...",
    # "Ủy ban MTTQ tỉnh nhờ tôi gửi bài dưới đây"): the sender's note, which the message
    # keeps as its cover note (ingest.article.split_body_article).
    cover: str = ""


@dataclass
class PartError:
    part_path: str
    filename: str
    error: str
    kind: str = "failed"  # "failed" | "needs-conversion" | "needs-ocr" | "limit"


@dataclass
class MailHeaders:
    message_id: str  # without angle brackets; generated if absent
    message_id_generated: bool
    from_addr: str
    from_name: str
    subject: str
    date: datetime | None  # the Date: header, with its own offset
    to: list[str] = field(default_factory=list)
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    auto_submitted: str = ""
    precedence: str = ""
    list_id: str = ""
    authentication_results: list[str] = field(default_factory=list)
    raw_headers: str = ""


@dataclass
class Outcome:
    """Everything the pipeline learned from one message."""

    headers: MailHeaders
    status: str  # MessageState.INGESTED, NO_ARTICLE or FAILED
    reason: str | None = None
    articles: list[ArticleDraft] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    cover_note: str = ""
    body_text: str = ""
    signature: str = ""  # the "-- " block the body cleaners cut: evidence of the sender
    # The body's whole text, quoted history included, when it holds an addressed letter
    # ("Kính gửi: ..."): a quoted Board reminder names the unit answering it. "" otherwise.
    quoted_text: str = ""
    errors: list[PartError] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    # The taggers' verdict (classifiers.tagging.MessageTags), set by the pipeline after
    # extraction; typed loosely because core/ imports nothing from the packages above it.
    tags: Any = None
    # True when the message is machine-written noise (core/noise.py: auto-reply, delivery
    # report, receipt, list mail): "no article" then calls for no editor.
    automatic: bool = False
    # The forward chain of the message as a whole (see ArticleDraft.forwarded_from).
    forwarded_from: list[ForwardOrigin] = field(default_factory=list)
