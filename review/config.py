"""The console's settings: the ``[review]`` section of config.toml, checked once.

``core/config.py`` keeps the section unchecked in ``Config.raw``; this loader gives it
defaults and types, and a one-line ConfigError naming the key when a value is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from dienhinh.core.config import Config
from dienhinh.core.errors import ConfigError

__all__ = ["ReviewConfig", "load"]


@dataclass(frozen=True)
class ReviewConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    # The console's public address (https://bantdkt.laocai.gov.vn/console): the Atom feed's
    # links are built on it. Never taken from a request (its Host header is the client's to
    # choose, and the feed is cached publicly); empty: /feed.atom answers 503.
    base_url: str = ""
    # "auto": Secure cookies when the request came over HTTPS; true/false force it.
    secure_cookies: str = "auto"
    session_idle_minutes: int = 120
    session_max_hours: int = 12
    page_size: int = 50
    # Login throttling, per (login, client address) pair and per address: after this many
    # failures in a row the next try waits lockout_base_seconds, doubling with each further
    # failure up to lockout_max_seconds. A login is never locked for other addresses.
    login_max_failures: int = 5
    ip_max_failures: int = 20
    lockout_base_seconds: int = 1
    lockout_max_seconds: int = 900
    # The console brings the search index up to date every this many seconds (0: only when
    # someone searches).
    search_refresh_seconds: int = 30
    # Trust X-Forwarded-For / X-Forwarded-Proto from these proxy addresses (uvicorn's
    # --forwarded-allow-ips); empty: only loopback.
    forwarded_allow_ips: str = "127.0.0.1"
    # Processes serving the console (uvicorn workers). Page rendering is Python, so one
    # process uses one core: on a server of n cores n workers let n editors be served at
    # once. The console keeps no state in memory (sessions, throttling and the search index
    # are in the database), so any worker can answer any request.
    workers: int = 1
    # An approval or a rejection can be taken back ("Hoàn tác") for this many seconds, by
    # the editor who made it and while nothing else changed the article.
    undo_seconds: int = 10


_KEYS = frozenset(f.name for f in fields(ReviewConfig))
_INTS = {
    "workers",
    "port",
    "session_idle_minutes",
    "session_max_hours",
    "page_size",
    "login_max_failures",
    "ip_max_failures",
    "lockout_base_seconds",
    "lockout_max_seconds",
    "search_refresh_seconds",
    "undo_seconds",
}


def load(config: Config) -> ReviewConfig:
    """Read ``[review]`` from ``config.raw``; raise ConfigError naming a bad key."""
    section = config.raw.get("review", {})
    if not isinstance(section, dict):
        raise ConfigError("review", "must be a table")
    values: dict[str, Any] = {}
    for key, value in section.items():
        name = f"review.{key}"
        if key not in _KEYS:
            raise ConfigError(name, "unknown key")
        if key in _INTS:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(name, f"has value {value!r}, expected an integer")
            minimum = 0 if key == "search_refresh_seconds" else 1
            if value < minimum:
                raise ConfigError(name, f"has value {value}, expected at least {minimum}")
        elif key == "secure_cookies":
            value = str(value).lower() if isinstance(value, bool) else value
            if value not in ("auto", "true", "false"):
                raise ConfigError(name, f"has value {value!r}, expected auto, true or false")
        elif not isinstance(value, str):
            raise ConfigError(name, f"has value {value!r}, expected a string")
        values[key] = value
    cfg = ReviewConfig(**values)
    if cfg.port > 65535:
        raise ConfigError("review.port", f"has value {cfg.port}, expected a TCP port")
    if cfg.base_url:
        parts = urlsplit(cfg.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ConfigError(
                "review.base_url",
                f"has value {cfg.base_url!r}, expected http(s)://HOST[/PATH]",
            )
    return cfg
