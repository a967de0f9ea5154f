"""The publisher interface and the plain data a publisher receives.

A publisher never sees a database session: the queue turns one Publication row into a
frozen :class:`PublicationItem` (text, tags with their labels, image files in the blob
store) and hands it over, so publishers are tested with nothing but a built item, and a
slow portal never holds a database transaction open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Protocol

__all__ = ["CampaignRef", "ImageItem", "PublicationItem", "Publisher", "Receipt"]


@dataclass(frozen=True)
class CampaignRef:
    """A campaign tag with its label from ``campaigns.toml`` (the code when it has none)."""

    code: str
    label: str


@dataclass(frozen=True)
class ImageItem:
    """One photo of the article. ``path`` is its file in the blob store (content-addressed,
    so never a name from the mail); ``filename`` is the sender's name, kept as data only."""

    asset_id: int
    sha256: str
    path: Path
    content_type: str
    size: int
    filename: str = ""
    caption: str = ""
    position: int = 0
    is_cover: bool = False

    @property
    def extension(self) -> str:
        """A safe file extension chosen from the content type, never from the sender."""
        return _EXTENSIONS.get(self.content_type.lower(), ".bin")


_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
}


@dataclass(frozen=True)
class PublicationItem:
    """Everything a publisher needs to put one article on one target.

    ``key`` is the article's idempotency key ("article-<id>"): publishing the same key
    twice must give the same result on the target (one post, one folder), never two.
    ``remote_id`` is what this target answered last time (None on a first publication),
    so an edited article updates the same post.
    """

    key: str
    publication_id: int
    article_id: int
    target: str
    title: str
    lead: str
    text: str
    unit_code: str | None
    unit_name: str | None
    campaigns: tuple[CampaignRef, ...]
    subject_type: str | None
    kind: str | None
    source: str
    received_at: datetime
    message_id: str
    images: tuple[ImageItem, ...] = ()
    remote_id: str | None = None
    attempt: int = 1

    @property
    def cover(self) -> ImageItem | None:
        for img in self.images:
            if img.is_cover:
                return img
        return self.images[0] if self.images else None


@dataclass(frozen=True)
class Receipt:
    """What the target answered: its id for the article and, when it has one, the public
    URL of the article's page (stored on the Publication and the Article)."""

    remote_id: str | None = None
    url: str | None = None
    detail: str = ""


class Publisher(Protocol):
    """One publication target.

    Contract: ``publish`` MUST be idempotent on ``item.key`` (a second call after a
    success, or after a failure whose outcome is unknown, such as a timeout, leaves exactly
    one copy on the target, updated); it raises
    :class:`~dienhinh.core.errors.RetryablePublishError` when a later try may succeed and
    :class:`~dienhinh.core.errors.PermanentPublishError` when it will not, with the
    target's own error text in the message. It MUST NOT touch the database.
    """

    name: ClassVar[str]

    def publish(self, item: PublicationItem) -> Receipt: ...
