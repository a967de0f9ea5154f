"""The ``[publish]`` section of ``config.toml``: which targets, how to retry, and each
target's own table (``[publish.feed]``, ``[publish.folder]``, ``[publish.wordpress]``).

The section's schema is core/config_sections.py, checked with the whole file by
``core.config.load_config`` (a bad value raises :class:`ConfigError` naming the key).
:func:`load` returns it; :func:`configure` also remembers the settings as the process
default, which is where :func:`dienhinh.publish.queue.enqueue` takes its targets from when
it is not given any (the console calls ``configure(config)`` once at start-up).

The WordPress Application Password is a secret: it comes from ``DIENHINH_WP_PASSWORD``
(read with the rest of the configuration) or from the file named by
``publish.wordpress.password_file``, never from config.toml. The file is read only when a
WordPress publisher is built (``WordPressSettings.secret()``), so the console, which loads
these settings but never talks to WordPress, starts without it.
"""

from __future__ import annotations

from collections.abc import Mapping

from dienhinh.core.config import Config, with_environ
from dienhinh.core.config_sections import (
    ENV_WP_PASSWORD,
    WP_STATUSES,
    FeedSettings,
    FolderSettings,
    PublishSettings,
    WordPressSettings,
)
from dienhinh.core.errors import ConfigError

__all__ = [
    "ENV_WP_PASSWORD",
    "WP_STATUSES",
    "FeedSettings",
    "FolderSettings",
    "PublishSettings",
    "WordPressSettings",
    "configure",
    "configured",
    "load",
    "reset",
]


def load(config: Config, *, environ: Mapping[str, str] | None = None) -> PublishSettings:
    """The checked ``[publish]`` settings (defaults where keys are absent). ``environ``
    reads the section again with that environment instead (tests)."""
    if environ is not None:
        config = with_environ(config, environ)
    return config.publish


_configured: list[PublishSettings] = []


def configure(config: Config, *, environ: Mapping[str, str] | None = None) -> PublishSettings:
    """Load the settings and make them the process default (for ``enqueue``)."""
    settings = load(config, environ=environ)
    _configured[:] = [settings]
    return settings


def configured() -> PublishSettings:
    """The settings set by :func:`configure`; a ConfigError if it was never called."""
    if not _configured:
        raise ConfigError(
            "publish.targets",
            "not configured in this process: call dienhinh.publish.config.configure(config) "
            "at start-up, or pass targets= to enqueue()",
        )
    return _configured[0]


def reset() -> None:
    """Forget the process default (FOR TESTS ONLY)."""
    _configured.clear()
