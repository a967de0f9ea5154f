"""The sections of config.toml that other packages use: ``[notify]``, ``[publish]``,
``[worker]``, ``[review]`` and ``[report]``, declared on the one schema (core/config_schema.py).

They live in core so that :func:`dienhinh.core.config.load_config` checks the whole file at
once: a typo anywhere stops every command with one line naming the key. Each package's
``config`` module re-exports its section and adds what only it can decide (the notify
loader's ``--dry-run``, the process default of the publisher's targets).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from dienhinh.core.config_schema import (
    Context,
    Secret,
    as_float,
    as_tuple,
    at_least,
    at_most,
    is_loopback,
    one_of,
    optional_path,
    path_or,
    positive,
    server_address,
    setting,
    table,
    time_of_day,
)
from dienhinh.core.errors import ConfigError

__all__ = [
    "BOARD_ADDRESS",
    "ENV_SMTP_PASSWORD",
    "ENV_WP_PASSWORD",
    "PUBLISH_TARGETS",
    "AckConfig",
    "AlertConfig",
    "DigestConfig",
    "FeedSettings",
    "FolderSettings",
    "NotifyConfig",
    "PublishSettings",
    "RemindConfig",
    "ReportConfig",
    "ReviewConfig",
    "SmtpURL",
    "WordPressSettings",
    "WorkerConfig",
    "parse_smtp_url",
]

# The Board's mailbox: where units send articles and where its reminders come from (the
# default of notify.from_address; core/mailwords.py matches mail from it). Here rather than
# in core/mailwords.py so that reading the configuration needs none of the mail-text rules
# (every command's start-up, the idle poll's included).
BOARD_ADDRESS: Final = "btdkt-snv@laocai.gov.vn"

ENV_SMTP_PASSWORD = "DIENHINH_SMTP_PASSWORD"  # noqa: S105 - a variable name, not a password
ENV_WP_PASSWORD = "DIENHINH_WP_PASSWORD"  # noqa: S105 - a variable name, not a password

# The publishers ``publish.targets`` may name. dienhinh.publish.PUBLISHERS must register
# exactly these (it checks at import), so the whole file is checked here without core
# importing the publish package.
PUBLISH_TARGETS = ("feed", "folder", "wordpress")


# --- [notify] ------------------------------------------------------------------------------

_DEFAULT_SMTP_PORTS = {"smtps": 465, "smtp+starttls": 587, "smtp": 25}
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


@dataclass(frozen=True)
class SmtpURL:
    """``smtps://USER@HOST:465``, ``smtp+starttls://USER@HOST:587`` or
    ``smtp://127.0.0.1:PORT`` (plain SMTP, loopback only: a local relay or a test server).
    The user is optional: an internal relay may accept the Board's server without AUTH."""

    scheme: str  # "smtps" | "smtp+starttls" | "smtp"
    host: str
    port: int
    username: str = ""

    def display(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str, *, key: str = "notify.smtp_url") -> SmtpURL:
    """Parse and check an SMTP URL; raise ConfigError naming ``key`` if it is wrong."""
    if not url:
        raise ConfigError(key, "is empty; give smtps://USER@HOST:465 or smtp+starttls://...")
    parts = urlsplit(url)
    scheme, host, port = server_address(
        parts, key, _DEFAULT_SMTP_PORTS, "smtps, smtp+starttls or smtp (loopback)"
    )
    if parts.password:
        raise ConfigError(
            key, f"must not contain a password; use {ENV_SMTP_PASSWORD} or notify.password_file"
        )
    if scheme == "smtp" and not is_loopback(host):
        raise ConfigError(
            key,
            f"plain smtp:// is only allowed on loopback, not {host}; use smtps or smtp+starttls",
        )
    if parts.path not in ("", "/"):
        raise ConfigError(key, f"has a path {parts.path!r}; an SMTP URL has none")
    return SmtpURL(scheme=scheme, host=host, port=port, username=unquote(parts.username or ""))


def _smtp_url(value: str, ctx: Context, key: str) -> SmtpURL | None:
    return parse_smtp_url(value, key=key) if value else None


def _addresses(value: Sequence[str], ctx: Context, key: str) -> tuple[str, ...]:
    out = []
    for v in value:
        if not _ADDRESS.fullmatch(v.strip()):
            raise ConfigError(key, f"has {v!r}, expected a mail address")
        out.append(v.strip().lower())
    return tuple(out)


def _address(value: str, ctx: Context, key: str) -> str:
    address = value.strip().lower()
    if not _ADDRESS.fullmatch(address):
        raise ConfigError(key, f"has value {address!r}, not an address")
    return address


def _since(value: str | datetime | None, ctx: Context, key: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(value)
        except ValueError as err:
            raise ConfigError(key, f"has value {value!r}, expected an ISO date and time") from err
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=ZoneInfo(ctx.timezone))


@dataclass(frozen=True)
class AckConfig:
    """Acknowledgements of receipt to the senders of new articles."""

    enabled: bool = setting(False, toml=bool)
    # Only mail received at or after this moment is acknowledged; None = the moment the
    # feature was first enabled, recorded in the database by the first run.
    since: datetime | None = setting(None, toml=(str, datetime), convert=_since)
    # Mail received longer ago than this is never acknowledged (a week-late "received"
    # note confuses more than it helps, e.g. after a long outage or a reprocess).
    max_age_days: int = setting(7, toml=int, checks=[positive])
    # Acknowledge only messages attributed to a unit (less backscatter to forged senders).
    require_unit: bool = setting(False, toml=bool)


@dataclass(frozen=True)
class RemindConfig:
    """Reminders to units that have sent nothing in the current period."""

    enabled: bool = setting(False, toml=bool)
    days_before: int = setting(5, toml=int, checks=[positive])  # days before the period ends


@dataclass(frozen=True)
class DigestConfig:
    """The editors' daily digest of what waits for review."""

    enabled: bool = setting(False, toml=bool)
    # Local time; not sent earlier in the day.
    time: time = setting(time(7, 30), toml=(str, time), convert=time_of_day("HH:MM"))
    max_items: int = setting(15, toml=int, checks=[positive])  # titles listed per section
    skip_empty: bool = setting(True, toml=bool)  # no mail on a day when nothing waits


@dataclass(frozen=True)
class AlertConfig:
    """Operational alerts to admins (a mailbox not polled for too long)."""

    enabled: bool = setting(False, toml=bool)


@dataclass(frozen=True)
class NotifyConfig:
    smtp_url: SmtpURL | None = setting(None, toml=str, convert=_smtp_url)
    # The SMTP password: DIENHINH_SMTP_PASSWORD (set by core/config.py), else the file below
    # (read by dienhinh.notify.config.load, so only the commands that mail need it readable).
    password: Secret = field(default_factory=lambda: Secret(""))
    password_file: Path | None = setting(None, toml=str, convert=optional_path)
    from_address: str = setting(BOARD_ADDRESS, toml=str, convert=_address)
    from_name: str = setting("Ban Thi đua - Khen thưởng tỉnh Lào Cai", toml=str)
    # Other addresses of the Board: never mailed.
    own_addresses: tuple[str, ...] = setting((), toml=list, items=str, convert=_addresses)
    admins: tuple[str, ...] = setting((), toml=list, items=str, convert=_addresses)
    editors: tuple[str, ...] = setting((), toml=list, items=str, convert=_addresses)
    console_url: str = setting("", toml=str)
    dry_run: bool = setting(False, toml=bool)
    dry_run_dir: Path = setting(
        Path("var/outbox"),
        toml=str,
        default_from=lambda ctx: ctx.data_dir / "outbox",
        convert=path_or(lambda ctx: ctx.data_dir / "outbox"),
    )
    timeout_seconds: float = setting(30.0, toml=(int, float), convert=as_float, checks=[positive])
    tls_verify: bool = setting(True, toml=bool)
    ca_file: Path | None = setting(None, toml=str, convert=optional_path)
    sending_timeout_minutes: int = setting(15, toml=int, checks=[positive])
    retry_hours: int = setting(48, toml=int, checks=[positive])
    timezone: str = "Asia/Ho_Chi_Minh"  # the file's top-level timezone
    ack: AckConfig = table(AckConfig)
    remind: RemindConfig = table(RemindConfig)
    digest: DigestConfig = table(DigestConfig)
    alert: AlertConfig = table(AlertConfig)

    @staticmethod
    def finish(values: dict[str, Any], ctx: Context, prefix: str) -> None:
        values["timezone"] = ctx.timezone
        if values["sending_timeout_minutes"] * 60 <= values["timeout_seconds"] * 3:
            raise ConfigError(
                f"{prefix}.sending_timeout_minutes",
                "must be well above timeout_seconds (an attempt still running is not 'stale')",
            )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def domain(self) -> str:
        """Our domain, for Message-IDs."""
        return self.from_address.rpartition("@")[2]

    def is_own(self, address: str) -> bool:
        """True for any address of the Board itself (loop prevention)."""
        a = address.strip().strip("<>").lower()
        return a == self.from_address.lower() or a in self.own_addresses

    def with_dry_run(self) -> NotifyConfig:
        return replace(self, dry_run=True)


# --- [publish] -----------------------------------------------------------------------------

WP_STATUSES = ("draft", "publish")


def _tag_prefix(value: str) -> str | None:
    if value.startswith("tag:") and "," in value:
        return None
    return (
        f"has value {value!r}, expected an RFC 4151 tag such as 'tag:laocai.gov.vn,2024:dienhinh'"
    )


@dataclass(frozen=True)
class FeedSettings:
    title: str = setting("Gương điển hình tiên tiến tỉnh Lào Cai", toml=str)
    # Feed-level author (Atom requires one); entries name their unit instead.
    author: str = setting("Ban Thi đua - Khen thưởng tỉnh Lào Cai", toml=str)
    # Entry ids are "<tag_prefix>:article:<id>" (RFC 4151 tag URIs): they never change,
    # even if the console moves to another host name.
    tag_prefix: str = setting("tag:laocai.gov.vn,2024:dienhinh", toml=str, checks=[_tag_prefix])
    limit: int = setting(50, toml=int, checks=[positive])


@dataclass(frozen=True)
class FolderSettings:
    # The export folder, relative to config.toml; empty: <data_dir>/export.
    path: Path = setting(
        Path("var/export"),
        toml=str,
        default_from=lambda ctx: ctx.data_dir / "export",
        convert=path_or(lambda ctx: ctx.data_dir / "export"),
    )


def _portal_url(value: str, ctx: Context, key: str) -> str:
    url = value.strip()
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, f"has value {url!r}, expected https://HOST")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            key,
            f"plain http:// is only allowed on loopback, not {parts.hostname}: the "
            "Application Password would cross the network in clear; use https",
        )
    if parts.username or parts.password:
        raise ConfigError(key, "must not contain a user or password")
    return url


def _slug_prefix(value: str) -> str | None:
    ok = value and all(c.isascii() and (c.isalnum() or c == "-") for c in value)
    return None if ok else "must be ASCII letters, digits and -"


@dataclass(frozen=True)
class WordPressSettings:
    url: str = setting("", toml=str, convert=_portal_url)
    user: str = setting("", toml=str)
    # DIENHINH_WP_PASSWORD (set by core/config.py); else password_file, read by secret()
    # when a publisher is built.
    password: Secret = field(default_factory=lambda: Secret(""))
    password_file: Path | None = setting(None, toml=str, convert=optional_path)
    status: str = setting("draft", toml=str, checks=[one_of(WP_STATUSES)])
    timeout_seconds: float = setting(30.0, toml=(int, float), convert=as_float, checks=[positive])
    tls_verify: bool = setting(True, toml=bool)
    slug_prefix: str = setting("dienhinh", toml=str, checks=[_slug_prefix])

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


def _targets(value: tuple[str, ...]) -> str | None:
    for t in value:
        if t not in PUBLISH_TARGETS:
            return f"unknown target {t!r}, expected some of {PUBLISH_TARGETS}"
    if len(set(value)) != len(value):
        return "names a target twice"
    return None


@dataclass(frozen=True)
class PublishSettings:
    targets: tuple[str, ...] = setting(
        ("feed",), toml=list, items=str, convert=as_tuple, checks=[_targets]
    )
    folder: FolderSettings = table(FolderSettings)
    feed: FeedSettings = table(FeedSettings)
    wordpress: WordPressSettings = table(WordPressSettings)
    max_attempts: int = setting(6, toml=int, checks=[positive])
    retry_backoff_seconds: int = setting(60, toml=int, checks=[positive])
    max_backoff_seconds: int = setting(6 * 3600, toml=int, checks=[positive])
    claim_seconds: int = setting(900, toml=int, checks=[positive])
    batch_size: int = setting(50, toml=int, checks=[positive])

    @staticmethod
    def finish(values: dict[str, Any], ctx: Context, prefix: str) -> None:
        if "wordpress" in values["targets"]:
            for key in ("url", "user"):
                if not getattr(values["wordpress"], key):
                    raise ConfigError(
                        f"{prefix}.wordpress.{key}", "is empty but 'wordpress' is a target"
                    )


# --- [worker] ------------------------------------------------------------------------------

RETRAIN_CHOICES = ("off", "nightly", "weekly")
RETRAIN_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# RFC 2177: a client should re-issue IDLE at least every 29 minutes, or the server may
# log it out as inactive.
IDLE_REFRESH_MAX_SECONDS = 29 * 60

_WHEN = time_of_day()
_OFF_OR_MORE = at_least(0, "must be 0 (off) or more, got {value!r}")


def _lower(value: str, ctx: Context, key: str) -> str:
    return value.lower()


@dataclass(frozen=True)
class WorkerConfig:
    poll_minutes: int = setting(10, toml=int, checks=[positive])
    daily_at: time = setting(time(2, 30), toml=str, convert=_WHEN)
    process_minutes: int = setting(1, toml=int, checks=[_OFF_OR_MORE])
    publish_minutes: int = setting(5, toml=int, checks=[_OFF_OR_MORE])
    retrain: str = setting("weekly", toml=str, checks=[one_of(RETRAIN_CHOICES)])
    retrain_at: time = setting(time(3, 30), toml=str, convert=_WHEN)
    retrain_day: str = setting("sun", toml=str, convert=_lower, checks=[one_of(RETRAIN_DAYS)])
    acknowledge_minutes: int = setting(5, toml=int, checks=[_OFF_OR_MORE])
    remind_at: time = setting(time(8, 0), toml=str, convert=_WHEN)
    health_minutes: int = setting(5, toml=int, checks=[positive])
    stale_after_minutes: int = setting(60, toml=int, checks=[positive])
    misfire_grace_seconds: int = setting(600, toml=int, checks=[positive])
    job_lease_seconds: int = setting(3600, toml=int, checks=[positive])
    idle: bool = setting(False, toml=bool)
    idle_refresh_seconds: int = setting(
        600,
        toml=int,
        checks=[
            positive,
            at_most(
                IDLE_REFRESH_MAX_SECONDS,
                "is {value}; RFC 2177 wants IDLE re-issued at least every {maximum} s (29 minutes)",
            ),
        ],
    )
    idle_watchdog_seconds: int = setting(0, toml=int, checks=[_OFF_OR_MORE])
    idle_reconnect_max_seconds: int = setting(300, toml=int, checks=[positive])

    @staticmethod
    def finish(values: dict[str, Any], ctx: Context, prefix: str) -> None:
        watchdog = values["idle_watchdog_seconds"]
        if watchdog and watchdog <= values["idle_refresh_seconds"]:
            raise ConfigError(
                f"{prefix}.idle_watchdog_seconds",
                "must be longer than idle_refresh_seconds (a healthy connection proves itself "
                "alive only once per refresh on a quiet server), or 0 for automatic",
            )

    def watchdog_seconds(self, imap_timeout: float) -> float:
        """How long without a sign of life before the watchdog restarts IDLE. ``0`` in the
        file means: one refresh period plus two IMAP timeouts plus a margin, which a healthy
        connection (proved alive at least at every refresh) never exceeds."""
        if self.idle_watchdog_seconds:
            return float(self.idle_watchdog_seconds)
        return self.idle_refresh_seconds + 2 * imap_timeout + 30


# --- [review] ------------------------------------------------------------------------------

_ONE_OR_MORE = at_least(1)


def _secure_cookies(value: str | bool, ctx: Context, key: str) -> str:
    return str(value).lower() if isinstance(value, bool) else value


def _base_url(value: str) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        return f"has value {value!r}, expected http(s)://HOST[/PATH]"
    return None


@dataclass(frozen=True)
class ReviewConfig:
    host: str = setting("127.0.0.1", toml=str)
    port: int = setting(
        8080,
        toml=int,
        checks=[_ONE_OR_MORE, at_most(65535, "has value {value}, expected a TCP port")],
    )
    # The console's public address (https://bantdkt.laocai.gov.vn/console): the Atom feed's
    # links are built on it. Never taken from a request (its Host header is the client's to
    # choose, and the feed is cached publicly); empty: /feed.atom answers 503.
    base_url: str = setting("", toml=str, checks=[_base_url])
    # "auto": Secure cookies when the request came over HTTPS; true/false force it.
    secure_cookies: str = setting(
        "auto",
        toml=(str, bool),
        convert=_secure_cookies,
        checks=[one_of(("auto", "true", "false"))],
    )
    session_idle_minutes: int = setting(120, toml=int, checks=[_ONE_OR_MORE])
    session_max_hours: int = setting(12, toml=int, checks=[_ONE_OR_MORE])
    page_size: int = setting(50, toml=int, checks=[_ONE_OR_MORE])
    # Login throttling, per (login, client address) pair and per address: after this many
    # failures in a row the next try waits lockout_base_seconds, doubling with each further
    # failure up to lockout_max_seconds. A login is never locked for other addresses.
    login_max_failures: int = setting(5, toml=int, checks=[_ONE_OR_MORE])
    ip_max_failures: int = setting(20, toml=int, checks=[_ONE_OR_MORE])
    lockout_base_seconds: int = setting(1, toml=int, checks=[_ONE_OR_MORE])
    lockout_max_seconds: int = setting(900, toml=int, checks=[_ONE_OR_MORE])
    # The console brings the search index up to date every this many seconds (0: only when
    # someone searches).
    search_refresh_seconds: int = setting(30, toml=int, checks=[at_least(0)])
    # Trust X-Forwarded-For / X-Forwarded-Proto from these proxy addresses (uvicorn's
    # --forwarded-allow-ips); empty: only loopback.
    forwarded_allow_ips: str = setting("127.0.0.1", toml=str)
    # Processes serving the console (uvicorn workers). Page rendering is Python, so one
    # process uses one core: on a server of n cores n workers let n editors be served at
    # once. The console keeps no state in memory (sessions, throttling and the search index
    # are in the database), so any worker can answer any request.
    workers: int = setting(1, toml=int, checks=[_ONE_OR_MORE])
    # An approval or a rejection can be taken back ("Hoàn tác") for this many seconds, by
    # the editor who made it and while nothing else changed the article.
    undo_seconds: int = setting(10, toml=int, checks=[_ONE_OR_MORE])


# --- [report] ------------------------------------------------------------------------------

_ZERO_OR_MORE = at_least(0, "must be 0 or more, got {value}")


@dataclass(frozen=True)
class ReportConfig:
    """The minimum number of distinct articles a unit must send per period, by cadence
    (districts and the city report monthly, every other unit quarterly), and whether an
    article whose extraction failed counts as received."""

    monthly_minimum: int = setting(1, toml=int, checks=[_ZERO_OR_MORE])
    quarterly_minimum: int = setting(1, toml=int, checks=[_ZERO_OR_MORE])
    count_failed: bool = setting(False, toml=bool)

    def minimum(self, cadence: str) -> int:
        return self.monthly_minimum if cadence == "monthly" else self.quarterly_minimum
