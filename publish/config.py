"""The ``[publish]`` section of ``config.toml``: which targets, how to retry, and each
target's own table (``[publish.feed]``, ``[publish.folder]``, ``[publish.wordpress]``).

:func:`load` checks the section and returns frozen settings; a bad value raises
:class:`ConfigError` naming the key. :func:`configure` also remembers the settings as the
process default, which is where :func:`dienhinh.publish.queue.enqueue` takes its targets
from when it is not given any (the console calls ``configure(config)`` once at start-up).

The WordPress Application Password is a secret: it comes from ``DIENHINH_WP_PASSWORD``
or from the file named by ``publish.wordpress.password_file``, never from config.toml.
It is read here (not in core/config.py) because ``[publish]`` is this package's section,
and only when a WordPress publisher is built (``WordPressSettings.secret()``), so the
console, which loads these settings but never talks to WordPress, starts without it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dienhinh.core.config import Config, Secret, check_positive, is_loopback
from dienhinh.core.errors import ConfigError

__all__ = [
    "ENV_WP_PASSWORD",
    "FeedSettings",
    "FolderSettings",
    "PublishSettings",
    "WordPressSettings",
    "configure",
    "configured",
    "load",
    "reset",
]

ENV_WP_PASSWORD = "DIENHINH_WP_PASSWORD"  # noqa: S105 - a variable name, not a password
WP_STATUSES = ("draft", "publish")


@dataclass(frozen=True)
class FeedSettings:
    title: str = "Gương điển hình tiên tiến tỉnh Lào Cai"
    # Feed-level author (Atom requires one); entries name their unit instead.
    author: str = "Ban Thi đua - Khen thưởng tỉnh Lào Cai"
    # Entry ids are "<tag_prefix>:article:<id>" (RFC 4151 tag URIs): they never change,
    # even if the console moves to another host name.
    tag_prefix: str = "tag:laocai.gov.vn,2024:dienhinh"
    limit: int = 50


@dataclass(frozen=True)
class FolderSettings:
    path: Path


@dataclass(frozen=True)
class WordPressSettings:
    url: str = ""
    user: str = ""
    password: Secret = field(default_factory=lambda: Secret(""))  # from the environment
    password_file: Path | None = None
    status: str = "draft"
    timeout_seconds: float = 30.0
    tls_verify: bool = True
    slug_prefix: str = "dienhinh"

    @property
    def api(self) -> str:
        return self.url.rstrip("/") + "/wp-json/wp/v2"

    def secret(self) -> Secret:
        """The Application Password: ``DIENHINH_WP_PASSWORD``, else the first line of
        ``password_file``. Read here, when a publisher is built, not when the settings are
        loaded: the console loads them too and never needs the secret."""
        if self.password:
            return self.password
        if self.password_file is None:
            raise ConfigError(
                "publish.wordpress.password_file",
                f"no WordPress Application Password: set {ENV_WP_PASSWORD} or name a file here",
            )
        try:
            value = self.password_file.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise ConfigError(
                "publish.wordpress.password_file",
                f"cannot read {self.password_file}: {err.strerror}",
            ) from err
        if not value:
            raise ConfigError("publish.wordpress.password_file", f"{self.password_file} is empty")
        return Secret(value)


@dataclass(frozen=True)
class PublishSettings:
    targets: tuple[str, ...]
    folder: FolderSettings
    feed: FeedSettings = FeedSettings()
    wordpress: WordPressSettings = WordPressSettings()
    max_attempts: int = 6
    retry_backoff_seconds: int = 60
    max_backoff_seconds: int = 6 * 3600
    claim_seconds: int = 900
    batch_size: int = 50


_TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "targets": list,
    "max_attempts": int,
    "retry_backoff_seconds": int,
    "max_backoff_seconds": int,
    "claim_seconds": int,
    "batch_size": int,
    "feed": dict,
    "folder": dict,
    "wordpress": dict,
}
_FEED_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "author": str,
    "tag_prefix": str,
    "limit": int,
}
_FOLDER_KEYS: dict[str, type | tuple[type, ...]] = {"path": str}
_WP_KEYS: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "user": str,
    "password_file": str,
    "status": str,
    "timeout_seconds": (int, float),
    "tls_verify": bool,
    "slug_prefix": str,
}


def _table(
    data: Mapping[str, Any], prefix: str, schema: Mapping[str, type | tuple[type, ...]]
) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ConfigError(prefix, "must be a table")
    for key, value in data.items():
        want = schema.get(key)
        if want is None:
            raise ConfigError(f"{prefix}.{key}", "unknown key")
        types = want if isinstance(want, tuple) else (want,)
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(f"{prefix}.{key}", f"has value {value!r} of the wrong type")
    return data


def load(config: Config, *, environ: Mapping[str, str] | None = None) -> PublishSettings:
    """Check ``[publish]`` and return its settings (defaults where keys are absent)."""
    from dienhinh.publish import publisher_names

    env = os.environ if environ is None else environ
    section = _table(config.raw.get("publish", {}), "publish", _TOP_KEYS)
    base = config.path.parent if config.path is not None else Path.cwd()

    targets = tuple(section.get("targets", ["feed"]))
    known = publisher_names()
    for t in targets:
        if t not in known:
            raise ConfigError("publish.targets", f"unknown target {t!r}, expected some of {known}")
    if len(set(targets)) != len(targets):
        raise ConfigError("publish.targets", "names a target twice")

    feed_t = _table(section.get("feed", {}), "publish.feed", _FEED_KEYS)
    feed = FeedSettings(**feed_t)
    check_positive("publish.feed.limit", feed.limit)
    if not feed.tag_prefix.startswith("tag:") or "," not in feed.tag_prefix:
        raise ConfigError(
            "publish.feed.tag_prefix",
            f"has value {feed.tag_prefix!r}, expected an RFC 4151 tag such as "
            "'tag:laocai.gov.vn,2024:dienhinh'",
        )

    folder_t = _table(section.get("folder", {}), "publish.folder", _FOLDER_KEYS)
    folder_path = Path(folder_t["path"]) if folder_t.get("path") else config.data_dir / "export"
    if not folder_path.is_absolute():
        folder_path = base / folder_path

    wp_t = _table(section.get("wordpress", {}), "publish.wordpress", _WP_KEYS)
    url = str(wp_t.get("url", "")).strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError("publish.wordpress.url", f"has value {url!r}, expected https://HOST")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ConfigError(
                "publish.wordpress.url",
                f"plain http:// is only allowed on loopback, not {parts.hostname}: the "
                "Application Password would cross the network in clear; use https",
            )
        if parts.username or parts.password:
            raise ConfigError("publish.wordpress.url", "must not contain a user or password")
    elif "wordpress" in targets:
        raise ConfigError("publish.wordpress.url", "is empty but 'wordpress' is a target")
    status = wp_t.get("status", "draft")
    if status not in WP_STATUSES:
        raise ConfigError(
            "publish.wordpress.status", f"has value {status!r}, expected one of {WP_STATUSES}"
        )
    pw_file = str(wp_t.get("password_file", ""))
    pw_path = (
        (Path(pw_file) if Path(pw_file).is_absolute() else base / pw_file) if pw_file else None
    )
    wordpress = WordPressSettings(
        url=url,
        user=str(wp_t.get("user", "")),
        password=Secret(env.get(ENV_WP_PASSWORD, "")),
        password_file=pw_path,
        status=status,
        timeout_seconds=float(wp_t.get("timeout_seconds", WordPressSettings.timeout_seconds)),
        tls_verify=bool(wp_t.get("tls_verify", True)),
        slug_prefix=str(wp_t.get("slug_prefix", WordPressSettings.slug_prefix)),
    )
    check_positive("publish.wordpress.timeout_seconds", wordpress.timeout_seconds)
    if "wordpress" in targets and not wordpress.user:
        raise ConfigError("publish.wordpress.user", "is empty but 'wordpress' is a target")
    if not wordpress.slug_prefix or not all(
        c.isascii() and (c.isalnum() or c == "-") for c in wordpress.slug_prefix
    ):
        raise ConfigError("publish.wordpress.slug_prefix", "must be ASCII letters, digits and -")

    settings = PublishSettings(
        targets=targets,
        folder=FolderSettings(path=folder_path),
        feed=feed,
        wordpress=wordpress,
        **{
            k: section[k]
            for k in (
                "max_attempts",
                "retry_backoff_seconds",
                "max_backoff_seconds",
                "claim_seconds",
                "batch_size",
            )
            if k in section
        },
    )
    for k in (
        "max_attempts",
        "retry_backoff_seconds",
        "max_backoff_seconds",
        "claim_seconds",
        "batch_size",
    ):
        check_positive(f"publish.{k}", getattr(settings, k))
    return settings


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
