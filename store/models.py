"""Typed SQLAlchemy 2.x models.

State columns hold the string values of the enums in ``core/states.py``; only
``store/states.py`` (its transition tables) changes them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from dienhinh.core.states import PostActionState, PublicationState, RunState

__all__ = [
    "Article",
    "ArticleBand",
    "ArticleRead",
    "ArticleSearch",
    "Asset",
    "AuditLog",
    "Base",
    "Delivery",
    "Lease",
    "LoginThrottle",
    "MailboxState",
    "Message",
    "Notification",
    "PollRun",
    "Publication",
    "ReprocessRequest",
    "SenderAddress",
    "Tag",
    "User",
    "WebSession",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and
    PostgreSQL (timestamptz) alike. A naive datetime is a bug and is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}  # noqa: RUF012 - SQLAlchemy's API


class MailboxState(Base):
    """Where polling of one mailbox folder stands (paperless's ProcessedMail, per folder)."""

    __tablename__ = "mailbox_state"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_poll_started_at: Mapped[datetime | None]
    last_poll_finished_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class Lease(Base):
    """A time-limited lock row: one poll per mailbox folder at a time."""

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(500), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Message(Base):
    """One email as the Board received it. Raw bytes live in the blob store under sha256."""

    __tablename__ = "message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(1000), unique=True)
    message_id_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(index=True)
    # Where received_at came from (ingest.received.SOURCES): "server", "received-header",
    # "date-header", "file-mtime" or "clock"; None for messages stored before it was kept.
    received_source: Mapped[str | None] = mapped_column(String(20))
    date_header: Mapped[datetime | None]
    from_addr: Mapped[str] = mapped_column(String(500), default="")
    from_name: Mapped[str] = mapped_column(String(500), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # Indexed for the dashboard's "failed or waiting for a retry" list (migration 0006).
    transient: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # "Cần xem" (issue 12, migration 0009): the message yielded no article although it came
    # from a known unit (attributed, or a learned sender address) or carried an attachment
    # not accounted as an article. It waits for an editor's decision ("no article",
    # confirmed, or a reprocess); the compliance report shows its unit-period "chưa rõ"
    # meanwhile. ``decided_by``/``decided_at`` record who closed the question and when.
    review_needed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    unit: Mapped[str | None] = mapped_column(String(100), index=True)
    unit_confidence: Mapped[float | None]
    # None: the receiving server said nothing; False: an official address failed
    # SPF/DKIM/DMARC ("unverified sender"); True: it passed.
    sender_verified: Mapped[bool | None] = mapped_column(Boolean)
    # Why an editor should look: "unverified sender", "no convincing unit evidence", ...
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    cover_note: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    headers_text: Mapped[str] = mapped_column(Text, default="")
    defects: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    deliveries: Mapped[list[Delivery]] = relationship(back_populates="message")
    articles: Mapped[list[Article]] = relationship(
        back_populates="message", order_by="Article.ordinal"
    )
    assets: Mapped[list[Asset]] = relationship(
        back_populates="message", order_by="Asset.id", foreign_keys="Asset.message_pk"
    )


class Delivery(Base):
    """One place a message was seen: a mailbox folder + UIDVALIDITY + UID, a Maildir key
    or an imported file. The same Message-ID delivered twice is one Message with two
    deliveries; each delivery's own bytes are kept too."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", "location", name="uq_delivery_place"),
        Index("ix_delivery_post_action", "post_action_state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    mailbox: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0)
    uid: Mapped[int] = mapped_column(BigInteger, default=0)
    location: Mapped[str] = mapped_column(String(1000), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending -> done | failed (retried) ; "none" when no post-action is configured.
    post_action_state: Mapped[str] = mapped_column(String(20), default=PostActionState.NONE)
    post_action_error: Mapped[str | None] = mapped_column(Text)
    # A failed post-action is tried again by the first poll after post_action_next_at
    # (exponential backoff over post_action_attempts).
    post_action_attempts: Mapped[int] = mapped_column(Integer, default=0)
    post_action_next_at: Mapped[datetime | None]

    message: Mapped[Message] = relationship(back_populates="deliveries")


class Article(Base):
    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("message_pk", "ordinal", name="uq_article_message_ordinal"),
        Index("ix_article_status_created", "status", "created_at"),
        # The console's unit and "flagged" filters and their state counts, from the index
        # alone (migration 0006).
        Index("ix_article_unit_status", "unit", "status"),
        Index("ix_article_flagged_status", "flagged", "status"),
        # The state of a list of articles (a search's, a campaign's) from the index alone
        # (migration 0007).
        Index("ix_article_id_status", "id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    lead: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    header_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    text_sha256: Mapped[str] = mapped_column(String(64), default="", index=True)
    document_sha256: Mapped[str] = mapped_column(String(64), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"))
    # A corrected later version ("bản sửa") points at the article it revises; the editor
    # compares the two and uses the revision's text or keeps the original's (the article
    # page lists an article's revisions through this index, migration 0011).
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"), index=True)
    similarity: Mapped[float | None]
    # MinHash signature of the matching form of the text (ingest/similarity.py), for
    # confirming near-duplicate candidates found through ArticleBand.
    signature: Mapped[list[int] | None] = mapped_column(JSON)
    # Facts for later stages: forwarded-from senders, legacy encoding, OCR details.
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    unit: Mapped[str | None] = mapped_column(String(100), index=True)
    campaigns: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject_type: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(40))
    # True when a tag is below the review threshold or the unit is unsure: the console's
    # "flagged" filter.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # The editor's chosen cover photo (one of ``images``); None: the first photo.
    cover_asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset.id", use_alter=True, name="fk_article_cover_asset")
    )
    reject_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Where the article lives on the portal (the first publisher that gave a URL).
    published_url: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's API

    message: Mapped[Message] = relationship(back_populates="articles")
    images: Mapped[list[Asset]] = relationship(
        back_populates="article", order_by="Asset.position", foreign_keys="Asset.article_pk"
    )


class Asset(Base):
    """A stored file: an attachment of the email or an image from inside a document."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("message.id"), index=True)
    article_pk: Mapped[int | None] = mapped_column(ForeignKey("article.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(500), default="")
    role: Mapped[str] = mapped_column(String(20))
    caption: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    part_path: Mapped[str] = mapped_column(String(100), default="")
    # An attachment's account (core.types.AttachmentOutcome: "article", "official-document",
    # "refused", ...); "photo"/"image" for images kept with an article. ``error`` is the
    # reason, with a stable leading code ("encrypted: ...", "over-limit: ...").
    used_as: Mapped[str] = mapped_column(String(40), default="")
    error: Mapped[str | None] = mapped_column(Text)
    # What the sender's mail client declared (``content_type`` is what the bytes are).
    declared_type: Mapped[str] = mapped_column(String(200), default="")
    # Perceptual hash of a photo (64-bit dHash, hex): a recompressed resend still matches.
    phash: Mapped[str | None] = mapped_column(String(16), index=True)

    message: Mapped[Message] = relationship(back_populates="assets", foreign_keys=[message_pk])
    article: Mapped[Article | None] = relationship(
        back_populates="images", foreign_keys=[article_pk]
    )


class ArticleBand(Base):
    """Locality-sensitive-hashing bands of an article's MinHash: articles sharing a band
    are near-duplicate candidates, found with one indexed lookup instead of a scan."""

    __tablename__ = "article_band"

    band: Mapped[str] = mapped_column(String(40), primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Tag(Base):
    """One tag with its confidence and the evidence behind it (the console's "why").

    ``field`` is "unit" (message-level: article_id is NULL), "campaign", "subject_type"
    or "kind". ``tagger`` names the classifier, or "editor:<login>" for a person's choice.
    """

    __tablename__ = "tag"
    # With article_id: the console's campaign filter is a list of ids read from the index.
    __table_args__ = (Index("ix_tag_field_value_article", "field", "value", "article_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(100))
    confidence: Mapped[float]
    # core.evidence items ({"kind": ..., values}); rows written before they were data
    # hold English strings, which the console no longer shows as such.
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    tagger: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SenderAddress(Base):
    """An address an editor attributed to a unit: later mail from it counts as that unit.
    Undoing sets ``active`` to False (the row stays, for the audit trail).

    ``created_by`` is who taught it last, ``source_article_id`` / ``source_message_pk``
    the article and message it was taught from (plain ids, like the audit log's: a
    reprocess replaces articles, and the admins' page still finds the message)."""

    __tablename__ = "sender_address"

    address: Mapped[str] = mapped_column(String(500), primary_key=True)
    unit: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    source_article_id: Mapped[int | None] = mapped_column(Integer)
    source_message_pk: Mapped[int | None] = mapped_column(Integer)


class AuditLog(Base):
    """Every state change and editor action: who, when, what, before/after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)


class PollRun(Base):
    """One run of poll/import/reprocess: what it did and how it ended."""

    __tablename__ = "poll_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # poll | import | reprocess
    mailbox: Mapped[str] = mapped_column(String(500), default="")
    holder: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default=RunState.RUNNING)  # RunState
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    articles: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A console account. ``role`` is "editor" or "admin"; a disabled account keeps its row
    (the audit log names it)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20), default="editor")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class WebSession(Base):
    """A server-side console session. The cookie holds a random token; only its sha256 is
    stored here, so a database leak gives no usable cookie. Logging in always creates a new
    row (no session fixation); logging out or disabling the user deletes them."""

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ip: Mapped[str] = mapped_column(String(100), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")


class LoginThrottle(Base):
    """Failed-login counters (review/auth.py): one row per (login, client address) pair
    and one per address. ``key`` is a sha256 of what it counts, so a login typed by
    mistake (a password in the login field) is never stored. ``failures`` counts attempts
    since the last success (an attempt is counted before its password is checked, and a
    success takes it back). ``blocked_until`` and ``last_attempt`` are Unix times in seconds:
    numbers rather than timestamps, so that one conditional UPDATE compares and advances
    them the same way on SQLite and PostgreSQL."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)
    last_attempt: Mapped[float] = mapped_column(Float, default=0.0, index=True)


class ReprocessRequest(Base):
    """A "Chạy lại" asked for in the console: the web process never extracts mail itself;
    the worker's ``reprocess`` job (or `dienhinh reprocess --requested`) takes open
    requests, re-runs their messages and records the outcome here. ``taken_by`` and
    ``taken_at`` name the worker doing it (a claim older than an hour is taken over, its
    worker having died); ``done_at`` and ``outcome`` say when and how it ended."""

    __tablename__ = "reprocess_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(
        ForeignKey("message.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[str] = mapped_column(String(200), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_by: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = mapped_column(String(1000))


class Publication(Base):
    """One article on one publication target (feed, export folder, WordPress).

    ``status`` (states.PublicationState): queued -> published, or failed after the last
    retry; a retry waits in queued with ``attempts`` and ``next_attempt_at`` set.
    ``remote_id``/``url`` are what the portal answered; a retry looks the post up by the
    article's idempotency key before creating one, so a timeout never makes two posts.
    """

    __tablename__ = "publication"
    __table_args__ = (
        UniqueConstraint("article_id", "target", name="uq_publication_article_target"),
        Index("ix_publication_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=PublicationState.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    remote_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    # A worker holding this row (several workers on PostgreSQL claim rows, never both).
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None]


class Notification(Base):
    """Every mail the system sends (or writes in dry-run mode). ``dedupe_key`` makes each
    notification happen once: "ack:<message-id>", "remind:<unit>:<period>",
    "digest:<date>", "alert:<mailbox>:<date>"."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_kind_created", "kind", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # ack | reminder | digest | alert
    dedupe_key: Mapped[str] = mapped_column(String(700), unique=True)
    recipient: Mapped[str] = mapped_column(String(1000), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # NotificationState
    error: Mapped[str | None] = mapped_column(Text)
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("message.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str | None] = mapped_column(String(1000))  # the dry-run file
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ArticleSearch(Base):
    """The search form of an article for the console's diacritic-insensitive search.

    ``folded`` is ``dienhinh.core.text.fold`` of the title, lead, text, subject and sender
    (never shown). ``updated_at`` is the article's own ``updated_at`` when it was indexed: a
    row whose value differs from the article's is stale and re-indexed by
    ``dienhinh.review.search.refresh``, so ingest writes articles without knowing about search.
    Migration 0005 adds the full-text index beside it: an FTS5 table ``article_fts`` kept in
    step by triggers on SQLite, a GIN index on ``to_tsvector('simple', folded)`` on
    PostgreSQL. Deleting an article deletes its row (cascade). ``title`` is the folded title
    alone, with an index of its own (migration 0015: FTS5 ``article_fts_title``, a GIN index
    ``article_fts_title``): a common search ranks the titles holding its words first.
    ``status`` is the article's state, in the full-text index too (migration 0016).
    """

    __tablename__ = "article_search"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    updated_at: Mapped[datetime] = mapped_column(index=True)
    folded: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The article's state (migration 0016), so a search's state counts and pages come from
    # the full-text index alone: written by ``search.refresh`` with the row, and kept in
    # step by a trigger on ``article.status`` whoever changes it.
    status: Mapped[str] = mapped_column(String(20), default="", server_default="")


class ArticleRead(Base):
    """An article an editor has opened in the console (the queue shows the others as
    "chưa đọc", to that editor). One row per editor and article, written the first time
    the article page is shown; deleting the article or the account deletes it."""

    __tablename__ = "article_read"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


# Finding the articles changed since the search index last saw them reads this index only
# (on SQLite a scan of the article rows would walk every text's overflow pages).
Index("ix_article_updated_at", Article.updated_at)
