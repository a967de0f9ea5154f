"""The ``[notify]`` section: which mails are sent, to whom, and through which SMTP server.

Everything is off by default: a fresh installation never writes to anybody. Each kind of
mail (``ack``, ``remind``, ``digest``, ``alert``) has its own ``enabled`` flag, so the Board
can start with the editors' digest and turn acknowledgements on once it trusts them.

The SMTP URL is checked like the IMAP one (``core.config.parse_mailbox_url``): TLS is
required except on loopback, the password never sits in the URL or in ``config.toml``
(``DIENHINH_SMTP_PASSWORD`` or ``notify.password_file``), a bad value raises
:class:`ConfigError` naming the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from dienhinh.core.config import Config, Secret, check_positive, is_loopback, read_secret_file
from dienhinh.core.errors import ConfigError
from dienhinh.core.mailwords import BOARD_ADDRESS

__all__ = [
    "ENV_SMTP_PASSWORD",
    "AckConfig",
    "AlertConfig",
    "DigestConfig",
    "NotifyConfig",
    "RemindConfig",
    "SmtpURL",
    "load",
    "parse_smtp_url",
]

ENV_SMTP_PASSWORD = "DIENHINH_SMTP_PASSWORD"  # noqa: S105 - a variable name, not a password

_DEFAULT_PORTS = {"smtps": 465, "smtp+starttls": 587, "smtp": 25}
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


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
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ConfigError(
            key, f"unknown scheme {parts.scheme!r}; use smtps, smtp+starttls or smtp (loopback)"
        )
    host = parts.hostname or ""
    if not host:
        raise ConfigError(key, "has no host")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as err:
        raise ConfigError(key, f"bad port: {err}") from err
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


@dataclass(frozen=True)
class AckConfig:
    """Acknowledgements of receipt to the senders of new articles."""

    enabled: bool = False
    # Only mail received at or after this moment is acknowledged; None = the moment the
    # feature was first enabled, recorded in the database by the first run.
    since: datetime | None = None
    # Mail received longer ago than this is never acknowledged (a week-late "received"
    # note confuses more than it helps, e.g. after a long outage or a reprocess).
    max_age_days: int = 7
    # Acknowledge only messages attributed to a unit (less backscatter to forged senders).
    require_unit: bool = False


@dataclass(frozen=True)
class RemindConfig:
    """Reminders to units that have sent nothing in the current period."""

    enabled: bool = False
    days_before: int = 5  # how many days before the period ends


@dataclass(frozen=True)
class DigestConfig:
    """The editors' daily digest of what waits for review."""

    enabled: bool = False
    time: time = time(7, 30)  # local time; not sent earlier in the day
    max_items: int = 15  # titles listed per section
    skip_empty: bool = True  # no mail on a day when nothing waits


@dataclass(frozen=True)
class AlertConfig:
    """Operational alerts to admins (a mailbox not polled for too long)."""

    enabled: bool = False


@dataclass(frozen=True)
class NotifyConfig:
    smtp_url: SmtpURL | None = None
    password: Secret = field(default_factory=lambda: Secret(""))
    from_address: str = BOARD_ADDRESS
    from_name: str = "Ban Thi đua - Khen thưởng tỉnh Lào Cai"
    own_addresses: tuple[str, ...] = ()  # other addresses of the Board: never mailed
    admins: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    console_url: str = ""
    dry_run: bool = False
    dry_run_dir: Path = Path("var/outbox")
    timeout_seconds: float = 30.0
    tls_verify: bool = True
    ca_file: Path | None = None
    sending_timeout_minutes: int = 15
    retry_hours: int = 48
    timezone: str = "Asia/Ho_Chi_Minh"
    ack: AckConfig = AckConfig()
    remind: RemindConfig = RemindConfig()
    digest: DigestConfig = DigestConfig()
    alert: AlertConfig = AlertConfig()

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


_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {
        "smtp_url": str,
        "password_file": str,
        "from_address": str,
        "from_name": str,
        "own_addresses": list,
        "admins": list,
        "editors": list,
        "console_url": str,
        "dry_run": bool,
        "dry_run_dir": str,
        "timeout_seconds": (int, float),
        "tls_verify": bool,
        "ca_file": str,
        "sending_timeout_minutes": int,
        "retry_hours": int,
    },
    "ack": {"enabled": bool, "since": (str, datetime), "max_age_days": int, "require_unit": bool},
    "remind": {"enabled": bool, "days_before": int},
    "digest": {"enabled": bool, "time": (str, time), "max_items": int, "skip_empty": bool},
    "alert": {"enabled": bool},
}


def _typed(key: str, value: Any, types: type | tuple[type, ...]) -> Any:
    want = types if isinstance(types, tuple) else (types,)
    if (isinstance(value, bool) and bool not in want) or not isinstance(value, want):
        names = " or ".join(t.__name__ for t in want)
        raise ConfigError(key, f"has value {value!r}, expected {names}")
    return value


def _check_keys(data: Mapping[str, Any]) -> None:
    for k, v in data.items():
        if k in _KEYS and k != "":
            if not isinstance(v, Mapping):
                raise ConfigError(f"notify.{k}", "must be a table ([notify.{k}])")
            for sk, sv in v.items():
                if sk not in _KEYS[k]:
                    raise ConfigError(f"notify.{k}.{sk}", "unknown key")
                _typed(f"notify.{k}.{sk}", sv, _KEYS[k][sk])
        elif k in _KEYS[""]:
            _typed(f"notify.{k}", v, _KEYS[""][k])
        else:
            raise ConfigError(f"notify.{k}", "unknown key")


def _addresses(key: str, values: list[Any]) -> tuple[str, ...]:
    out = []
    for v in values:
        if not isinstance(v, str) or not _ADDRESS.fullmatch(v.strip()):
            raise ConfigError(key, f"has {v!r}, expected a mail address")
        out.append(v.strip().lower())
    return tuple(out)


def _since(value: str | datetime, tz: ZoneInfo) -> datetime | None:
    if value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(value)
        except ValueError as err:
            raise ConfigError(
                "notify.ack.since", f"has value {value!r}, expected an ISO date and time"
            ) from err
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)


def _time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    m = _TIME.fullmatch(value.strip())
    if not m:
        raise ConfigError("notify.digest.time", f"has value {value!r}, expected HH:MM")
    return time(int(m.group(1)), int(m.group(2)))


def load(
    config: Config, *, environ: Mapping[str, str] | None = None, dry_run: bool | None = None
) -> NotifyConfig:
    """Read ``[notify]`` from ``config.raw``; the SMTP password from ``environ`` (default:
    the process environment, as ``core.config`` does for the IMAP one) or the named file.
    ``dry_run`` (the command's ``--dry-run``) overrides ``notify.dry_run``."""
    env = os.environ if environ is None else environ
    raw = config.raw.get("notify", {})
    if not isinstance(raw, Mapping):
        raise ConfigError("notify", "must be a table")
    _check_keys(raw)
    base = config.path.parent if config.path is not None else Path.cwd()
    tz = ZoneInfo(config.timezone)

    def section(name: str) -> Mapping[str, Any]:
        value = raw.get(name, {})
        return value if isinstance(value, Mapping) else {}

    ack, rem, dig, alr = (section(n) for n in ("ack", "remind", "digest", "alert"))
    ack_cfg = AckConfig(
        enabled=ack.get("enabled", False),
        since=_since(ack.get("since", ""), tz),
        max_age_days=ack.get("max_age_days", AckConfig.max_age_days),
        require_unit=ack.get("require_unit", False),
    )
    check_positive("notify.ack.max_age_days", ack_cfg.max_age_days)
    remind_cfg = RemindConfig(
        enabled=rem.get("enabled", False),
        days_before=rem.get("days_before", RemindConfig.days_before),
    )
    check_positive("notify.remind.days_before", remind_cfg.days_before)
    digest_cfg = DigestConfig(
        enabled=dig.get("enabled", False),
        time=_time(dig.get("time", DigestConfig.time)),
        max_items=dig.get("max_items", DigestConfig.max_items),
        skip_empty=dig.get("skip_empty", True),
    )
    check_positive("notify.digest.max_items", digest_cfg.max_items)

    from_address = raw.get("from_address", NotifyConfig.from_address).strip().lower()
    if not _ADDRESS.fullmatch(from_address):
        raise ConfigError("notify.from_address", f"has value {from_address!r}, not an address")

    smtp_text = raw.get("smtp_url", "")
    smtp_url = parse_smtp_url(smtp_text) if smtp_text else None

    password = env.get(ENV_SMTP_PASSWORD, "") or read_secret_file(
        raw.get("password_file", ""), base=base, key="notify.password_file"
    )

    dry_dir = Path(raw["dry_run_dir"]) if raw.get("dry_run_dir") else config.data_dir / "outbox"
    if not dry_dir.is_absolute():
        dry_dir = base / dry_dir
    ca_file = raw.get("ca_file")

    cfg = NotifyConfig(
        smtp_url=smtp_url,
        password=Secret(password),
        from_address=from_address,
        from_name=raw.get("from_name", NotifyConfig.from_name),
        own_addresses=_addresses("notify.own_addresses", raw.get("own_addresses", [])),
        admins=_addresses("notify.admins", raw.get("admins", [])),
        editors=_addresses("notify.editors", raw.get("editors", [])),
        console_url=raw.get("console_url", ""),
        dry_run=raw.get("dry_run", False) if dry_run is None else dry_run,
        dry_run_dir=dry_dir,
        timeout_seconds=float(raw.get("timeout_seconds", NotifyConfig.timeout_seconds)),
        tls_verify=raw.get("tls_verify", True),
        ca_file=(base / ca_file) if ca_file else None,
        sending_timeout_minutes=raw.get(
            "sending_timeout_minutes", NotifyConfig.sending_timeout_minutes
        ),
        retry_hours=raw.get("retry_hours", NotifyConfig.retry_hours),
        timezone=config.timezone,
        ack=ack_cfg,
        remind=remind_cfg,
        digest=digest_cfg,
        alert=AlertConfig(enabled=alr.get("enabled", False)),
    )
    for k in ("timeout_seconds", "sending_timeout_minutes", "retry_hours"):
        check_positive(f"notify.{k}", getattr(cfg, k))
    if cfg.sending_timeout_minutes * 60 <= cfg.timeout_seconds * 3:
        raise ConfigError(
            "notify.sending_timeout_minutes",
            "must be well above timeout_seconds (an attempt still running is not 'stale')",
        )
    _check_reachable(cfg)
    return cfg


def _check_reachable(cfg: NotifyConfig) -> None:
    """Enabled mail needs somewhere to go: an SMTP server (or dry-run) and recipients."""
    enabled = [n for n in ("ack", "remind", "digest", "alert") if getattr(cfg, n).enabled]
    if enabled and not cfg.dry_run and cfg.smtp_url is None:
        raise ConfigError(
            "notify.smtp_url", f"is empty but notify.{enabled[0]}.enabled is true (or dry_run)"
        )
    if cfg.digest.enabled and not cfg.editors:
        raise ConfigError("notify.editors", "is empty but notify.digest.enabled is true")
    if cfg.alert.enabled and not cfg.admins:
        raise ConfigError("notify.admins", "is empty but notify.alert.enabled is true")
    if cfg.smtp_url is not None and cfg.smtp_url.username and not cfg.password and not cfg.dry_run:
        raise ConfigError(
            "notify.smtp_url",
            f"names user {cfg.smtp_url.username!r} but no password is set "
            f"({ENV_SMTP_PASSWORD} or notify.password_file)",
        )
