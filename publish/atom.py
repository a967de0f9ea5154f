"""The Atom feed (RFC 4287) of published articles, that a portal pulls from the console's
``GET /feed.atom``, and the "feed" publisher.

The feed is rendered from the database on request, so it always shows the current text:
the "feed" publisher has nothing to upload, it only records the entry's id. An article
appears in the feed when it is *published*, i.e. when every configured target has it.

Photos are linked as ``{base_url}/feed/media/{asset_id}``, a path the console serves
without login; :func:`feed_media` tells it which assets may be served there (photos of
published articles only, so the path never leaks an unreviewed attachment).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dienhinh.core.config import Config
from dienhinh.store.models import Article, Asset
from dienhinh.store.states import ArticleState

from .base import ImageItem, PublicationItem, Receipt
from .config import FeedSettings, PublishSettings
from .config import load as load_settings
from .items import article_images, item_from_article, labels
from .render import article_html

__all__ = ["ATOM_NS", "FeedPublisher", "entry_id", "feed_media", "render_feed"]

ATOM_NS = "http://www.w3.org/2005/Atom"
_A = "{%s}" % ATOM_NS  # noqa: UP031 - lxml's Clark notation
# Characters XML 1.0 cannot carry at all (an edited text might hold one).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def entry_id(settings: FeedSettings, article_id: int) -> str:
    return f"{settings.tag_prefix}:article:{article_id}"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _A + tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _text(text)
    return el


def render_feed(session: Session, config: Config, *, base_url: str, limit: int = 50) -> bytes:
    """The feed of the ``limit`` most recently published articles, newest first.

    ``base_url`` is the console's public address (``https://host``): the feed's self
    link and the photo links are made from it.
    """
    settings = load_settings(config).feed
    base = base_url.rstrip("/")
    names = labels(config)
    articles = list(
        session.execute(
            select(Article)
            .where(Article.status == ArticleState.PUBLISHED)
            .order_by(Article.published_at.desc(), Article.id.desc())
            .limit(limit)
            .options(selectinload(Article.images), selectinload(Article.message))
        ).scalars()
    )
    feed = etree.Element(_A + "feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "vi")
    _sub(feed, "id", f"{settings.tag_prefix}:feed")
    _sub(feed, "title", settings.title)
    updated = [_updated(a) for a in articles]
    _sub(feed, "updated", _rfc3339(max(updated) if updated else datetime.now(UTC)))
    author = _sub(feed, "author")
    _sub(author, "name", settings.author)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/feed.atom")
    _sub(feed, "generator", "dienhinh")

    def media(img: ImageItem) -> str:
        return f"{base}/feed/media/{img.asset_id}"

    for article, when in zip(articles, updated, strict=True):
        item = item_from_article(article, names, blobs=None)
        _entry(feed, item, article, settings, when, media)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _updated(article: Article) -> datetime:
    """The last publication: an edit reaches the feed only through re-approval and a new
    publication, so this is when the entry last changed in a way that matters (the row's
    own ``updated_at`` also moves for bookkeeping, such as the queue's writes)."""
    when: datetime = article.published_at or article.updated_at
    return when


def _entry(
    feed: etree._Element,
    item: PublicationItem,
    article: Article,
    settings: FeedSettings,
    updated: datetime,
    media: Callable[[ImageItem], str],
) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id(settings, item.article_id))
    _sub(entry, "title", item.title or f"Bài viết {item.article_id}")
    _sub(entry, "updated", _rfc3339(updated))
    if article.published_at is not None:
        _sub(entry, "published", _rfc3339(article.published_at))
    author = _sub(entry, "author")
    _sub(author, "name", item.unit_name or settings.author)
    for c in item.campaigns:
        _sub(entry, "category", term=c.code, label=c.label)
    if article.published_url:
        _sub(entry, "link", rel="alternate", type="text/html", href=article.published_url)
    cover = item.cover
    if cover is not None:
        _sub(
            entry,
            "link",
            rel="enclosure",
            type=cover.content_type,
            length=str(cover.size),
            href=media(cover),
            title=cover.caption or item.title,
        )
    if item.lead:
        _sub(entry, "summary", item.lead, type="text")
    _sub(entry, "content", article_html(item, media), type="html")


def feed_media(session: Session, asset_id: int) -> Asset | None:
    """The asset behind ``/feed/media/{asset_id}`` if it may be served without login: a
    photo (as the feed lists it) of a published article; None otherwise."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.article is None:
        return None
    article = asset.article
    if article.status != ArticleState.PUBLISHED:
        return None
    images, _ = article_images(article)
    return asset if asset in images else None


class FeedPublisher:
    """Puts an article in the Atom feed: nothing to upload (the console renders the feed
    from the database), so this only answers the entry's id, and cannot fail."""

    name: ClassVar[str] = "feed"

    def __init__(self, settings: FeedSettings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: PublishSettings, config: Config) -> FeedPublisher:
        return cls(settings.feed)

    def publish(self, item: PublicationItem) -> Receipt:
        return Receipt(remote_id=entry_id(self.settings, item.article_id))
