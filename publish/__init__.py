"""Publication: the queue of approved articles and the publishers that put them out.

Publishers (``base.Publisher``: ``name`` + ``publish(item) -> Receipt``, idempotent on
``item.key``) are registered in ONE explicit tuple, :data:`PUBLISHERS`, below; the
configuration picks them by name (``publish.targets``; an unknown name is a ConfigError
naming that key):

- ``feed``: the Atom feed the console serves at ``/feed.atom`` (``atom.py``);
- ``folder``: one directory per article with HTML, photos and a JSON manifest (``folder.py``);
- ``wordpress``: a WordPress portal over its REST API (``wordpress.py``).

The queue (``queue.py``) is the only code that changes a Publication's state:

- ``enqueue(session, article, *, actor, targets=None)``: one Publication per target. With
  ``targets=None`` the targets come from the process default that
  ``dienhinh.publish.config.configure(config)`` sets: the console calls ``configure``
  once when it starts, then ``enqueue`` on every approval with the same signature the
  worker uses. Not configured -> ConfigError naming ``publish.targets`` (never a silent
  guess). Tests pass ``targets=`` explicitly.
- ``withdraw``, ``retry`` and ``run_queue(engine, config)``: claim due rows, publish each
  inside its own catch boundary, retry with exponential backoff, record failures.

An article becomes ``published`` (with ``published_at`` and ``published_url``) when every
publication it has (cancelled ones aside) is published.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dienhinh.core.config_sections import PUBLISH_TARGETS

from .atom import FeedPublisher
from .folder import FolderPublisher
from .wordpress import WordPressPublisher

if TYPE_CHECKING:
    from dienhinh.core.config import Config

    from .base import Publisher
    from .config import PublishSettings

__all__ = ["PUBLISHERS", "build_publishers", "publisher_names"]

PUBLISHERS: tuple[type[FeedPublisher] | type[FolderPublisher] | type[WordPressPublisher], ...] = (
    FeedPublisher,
    FolderPublisher,
    WordPressPublisher,
)

_names = [p.name for p in PUBLISHERS]
if len(set(_names)) != len(_names):  # a duplicate name is a programming error (Mailman)
    raise RuntimeError(f"two publishers share a name: {_names}")
if tuple(_names) != PUBLISH_TARGETS:  # the schema checks publish.targets against these
    raise RuntimeError(f"publishers {_names} differ from core's PUBLISH_TARGETS {PUBLISH_TARGETS}")


def publisher_names() -> tuple[str, ...]:
    return tuple(_names)


def build_publishers(settings: PublishSettings, config: Config) -> dict[str, Publisher]:
    """An instance of each configured target's publisher, by name."""
    by_name = {p.name: p for p in PUBLISHERS}
    return {t: by_name[t].from_settings(settings, config) for t in settings.targets}
