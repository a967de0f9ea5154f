"""Turning an article row into the plain :class:`PublicationItem` publishers receive, and
the labels (unit names, campaign titles) every target shows instead of codes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from dienhinh.core.config import Config
from dienhinh.core.errors import PermanentPublishError
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Article, Asset, Publication

from .base import CampaignRef, ImageItem, PublicationItem

__all__ = ["Labels", "article_images", "build_item", "item_from_article", "item_key", "labels"]


@dataclass(frozen=True)
class Labels:
    """Unit code -> official name, campaign code -> title."""

    units: Mapping[str, str]
    campaigns: Mapping[str, str]

    def unit(self, code: str | None) -> str | None:
        return self.units.get(code, code) if code else None

    def campaign_refs(self, codes: list[str] | tuple[str, ...]) -> tuple[CampaignRef, ...]:
        return tuple(CampaignRef(c, self.campaigns.get(c) or c) for c in codes)


_cache: dict[tuple[Path, float, Path, float], Labels] = {}
_lock = threading.Lock()


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return -1.0


def labels(config: Config) -> Labels:
    """The labels of the configured unit directory and campaigns, read once per file
    version (the feed is rendered on every request; the directory's matcher is costly
    to build and the files change rarely)."""
    from dienhinh.classifiers.campaigns import load_campaigns
    from dienhinh.classifiers.directory import UnitDirectory

    if config.tagging is None:
        return Labels({}, {})
    uf, cf = config.tagging.units_file, config.tagging.campaigns_file
    key = (uf, _mtime(uf), cf, _mtime(cf))
    with _lock:
        hit = _cache.get(key)
        if hit is None:
            units = {u.code: u.name for u in UnitDirectory.load(uf)}
            campaigns = {c.code: c.name for c in load_campaigns(cf)}
            hit = _cache[key] = Labels(units, campaigns)
        return hit


def item_key(article_id: int) -> str:
    return f"article-{article_id}"


def article_images(article: Article) -> tuple[list[Asset], Asset | None]:
    """The article's photos in order (images only, without extraction errors) and its
    cover: the editor's choice when it is one of them, else the first."""
    images = [
        a for a in article.images if a.content_type.lower().startswith("image/") and not a.error
    ]
    cover = next((a for a in images if a.id == article.cover_asset_id), None)
    return images, cover or (images[0] if images else None)


def build_item(
    session: Session, pub: Publication, blobs: BlobStore, names: Labels
) -> PublicationItem:
    """Read everything a publisher needs for ``pub`` while the session is open.

    A photo whose file is missing from the blob store (derived files are not fsync'ed
    and come back by reprocessing the message) is a PermanentPublishError naming it: a
    retry would not bring it back, an operator must run ``dienhinh reprocess``.
    """
    article = session.get(Article, pub.article_id)
    if article is None:
        raise PermanentPublishError(f"article {pub.article_id} no longer exists")
    return item_from_article(
        article,
        names,
        blobs=blobs,
        target=pub.target,
        publication_id=pub.id,
        remote_id=pub.remote_id,
        attempt=pub.attempts + 1,
    )


def item_from_article(
    article: Article,
    names: Labels,
    *,
    blobs: BlobStore | None,
    target: str = "",
    publication_id: int = 0,
    remote_id: str | None = None,
    attempt: int = 1,
) -> PublicationItem:
    """The item for ``article``; with ``blobs`` every photo's file must exist (see
    :func:`build_item`), without it (the feed, which links to the console) paths are
    left empty."""
    message = article.message
    images, cover = article_images(article)
    items = []
    for asset in images:
        path = Path()
        if blobs is not None:
            path = blobs.path(asset.sha256)
            if not path.is_file():
                raise PermanentPublishError(
                    f"photo {asset.id} ({asset.sha256[:12]}) of article {article.id} is "
                    f"missing from the blob store; run `dienhinh reprocess {message.message_id}`"
                )
        items.append(
            ImageItem(
                asset_id=asset.id,
                sha256=asset.sha256,
                path=path,
                content_type=asset.content_type,
                size=asset.size,
                filename=asset.filename,
                caption=asset.caption,
                position=asset.position,
                is_cover=asset is cover,
            )
        )
    return PublicationItem(
        key=item_key(article.id),
        publication_id=publication_id,
        article_id=article.id,
        target=target,
        title=article.title,
        lead=article.lead,
        text=article.text,
        unit_code=article.unit,
        unit_name=names.unit(article.unit),
        campaigns=names.campaign_refs(article.campaigns or []),
        subject_type=article.subject_type,
        kind=article.kind,
        source=article.source,
        received_at=message.received_at,
        message_id=message.message_id,
        images=tuple(items),
        remote_id=remote_id,
        attempt=attempt,
    )
