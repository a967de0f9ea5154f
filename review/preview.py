"""The article as the portal will show it ("Xem trước"), before the editor approves it.

Built by the publishers' own code: ``publish.items.item_from_article`` makes the item every
target receives (title, lead, body, the photos without extraction errors, cover first) and
``publish.render.article_html`` the HTML the feed, the export folder and WordPress send.
Only the image addresses differ: the console's own ``/assets/ID`` instead of the feed's
public path or the portal's media URL. There is no second renderer to drift apart from the
first: what the preview shows is what goes out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import nh3
from markupsafe import Markup

from dienhinh.core.config import Config
from dienhinh.publish.base import ImageItem
from dienhinh.publish.items import item_from_article, labels
from dienhinh.publish.render import article_html
from dienhinh.store.models import Article

__all__ = ["PREVIEW_CHARS", "Preview", "preview", "text_preview"]

# What article_html produces; nh3 is a second, independent guard (every text in it is
# already escaped by the renderer).
_TAGS = {"p", "br", "figure", "img", "figcaption"}
_ATTRIBUTES = {"p": {"class"}, "img": {"src", "alt"}}


@dataclass(frozen=True)
class Preview:
    title: str
    body: Markup  # lead, body, photos with captions, as article_html renders them
    photos: int
    cover_asset_id: int | None
    cut: bool = False  # only the text's first PREVIEW_CHARS characters are shown


# The article page and this panel show a text's first PREVIEW_CHARS characters (a
# 3-million-character text made the page 8 MB and took chromium 14 s to lay out); the page
# links to the whole ("Xem toàn bộ", views/article.article_text).
PREVIEW_CHARS = 20_000


def text_preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The first ``limit`` characters of ``text``, cut at a space or line break when one
    is near the end (a word is not shown half)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return cut[:space] if space > limit - 200 else cut


def _console_src(img: ImageItem) -> str:
    return f"/assets/{img.asset_id}"


def preview(article: Article, config: Config) -> Preview:
    """The preview of ``article`` (its message and images loaded)."""
    item = item_from_article(article, labels(config), blobs=None)
    cut = len(item.text) > PREVIEW_CHARS
    if cut:
        item = replace(item, text=text_preview(item.text))
    html = article_html(item, _console_src)
    cover = item.cover
    return Preview(
        title=item.title,
        body=Markup(nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES)),  # noqa: S704 - cleaned
        photos=len(item.images),
        cover_asset_id=cover.asset_id if cover is not None else None,
        cut=cut,
    )
