"""The one place that reads configuration.

Precedence: environment (``DIENHINH_*``) > the TOML file > defaults written here.
Every value is checked when loaded; a bad one raises :class:`ConfigError` naming the
key. Secrets are read from the environment or from a file named in the config and are
held in :class:`Secret`, whose ``repr`` is masked. No other module reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dienhinh.core.errors import ConfigError

__all__ = [
    "Config",
    "DatabaseConfig",
    "IngestConfig",
    "LoggingConfig",
    "MailboxConfig",
    "MailboxURL",
    "Secret",
    "TaggingConfig",
    "load_config",
    "parse_mailbox_url",
]

ENV_CONFIG = "DIENHINH_CONFIG"
ENV_DATABASE_URL = "DIENHINH_DATABASE_URL"
ENV_MAILBOX_URL = "DIENHINH_MAILBOX_URL"
ENV_IMAP_PASSWORD = "DIENHINH_IMAP_PASSWORD"  # noqa: S105 - a variable name, not a password
ENV_DATA_DIR = "DIENHINH_DATA_DIR"
ENV_LOG_JSON = "DIENHINH_LOG_JSON"

POST_ACTIONS = ("none", "flag", "move")
_OCR_LANGUAGES = re.compile(r"[A-Za-z_]+(?:\+[A-Za-z_]+)*")


class Secret:
    """A string that never shows itself in ``repr``, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class MailboxURL:
    """A parsed mailbox URL.

    ``imaps://USER@HOST:993/INBOX``, ``imap+starttls://USER@HOST:143/INBOX``,
    ``imap://USER@127.0.0.1:PORT/INBOX`` (plain IMAP, loopback only) or
    ``maildir:///ABS/PATH`` / ``maildir:relative/path``.
    """

    scheme: str  # "imaps" | "imap+starttls" | "imap" | "maildir"
    host: str = ""
    port: int = 0
    username: str = ""
    folder: str = "INBOX"
    path: Path | None = None

    @property
    def is_imap(self) -> bool:
        return self.scheme != "maildir"

    @property
    def key(self) -> str:
        """Stable identity of the mailbox folder, used for leases and UID tracking."""
        if self.scheme == "maildir":
            return f"maildir:{self.path}"
        return f"imap:{self.username}@{self.host}:{self.port}/{self.folder}"

    def display(self) -> str:
        return self.key


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: where a plain (unencrypted) protocol is
    allowed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_mailbox_url(
    url: str, *, key: str = "mailbox.url", base: Path | None = None
) -> MailboxURL:
    """Parse and check a mailbox URL; raise ConfigError naming ``key`` if it is wrong."""
    if not url:
        raise ConfigError(key, "is empty; give imaps://USER@HOST/INBOX or maildir:///PATH")
    if url.startswith("maildir:"):
        rest = url[len("maildir:") :]
        if rest.startswith("//"):
            rest = rest[2:]
        if not rest:
            raise ConfigError(key, "maildir URL has no path")
        p = Path(unquote(rest))
        if not p.is_absolute():
            p = (base or Path.cwd()) / p
        return MailboxURL(scheme="maildir", path=p, folder="")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default_ports = {"imaps": 993, "imap+starttls": 143, "imap": 143}
    if scheme not in default_ports:
        raise ConfigError(
            key, f"unknown scheme {parts.scheme!r}; use imaps, imap+starttls, imap or maildir"
        )
    host = parts.hostname or ""
    if not host:
        raise ConfigError(key, "has no host")
    try:
        port = parts.port or default_ports[scheme]
    except ValueError as err:
        raise ConfigError(key, f"bad port: {err}") from err
    username = unquote(parts.username or "")
    if not username:
        raise ConfigError(key, "has no user (imaps://USER@HOST/INBOX)")
    if parts.password:
        raise ConfigError(
            key,
            f"must not contain a password; use {ENV_IMAP_PASSWORD} or mailbox.password_file",
        )
    if scheme == "imap" and not is_loopback(host):
        raise ConfigError(
            key,
            f"plain imap:// is only allowed on loopback, not {host}; use imaps or imap+starttls",
        )
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxURL(scheme=scheme, host=host, port=port, username=username, folder=folder)


@dataclass(frozen=True)
class DatabaseConfig:
    url: str


@dataclass(frozen=True)
class MailboxConfig:
    url: MailboxURL
    password: Secret
    post_action: str = "none"
    flag: str = "$DienhinhProcessed"
    processed_folder: str = "Processed"
    batch_size: int = 100
    batch_max_bytes: int = 32 * 1024 * 1024
    timeout_seconds: float = 60.0
    tls_verify: bool = True
    ca_file: Path | None = None
    lease_seconds: int = 300


@dataclass(frozen=True)
class IngestConfig:
    workers: int = 0
    parallel_threshold: int = 16
    max_message_bytes: int = 60 * 1024 * 1024
    max_attachment_bytes: int = 40 * 1024 * 1024
    max_mime_depth: int = 20
    max_mime_parts: int = 500
    max_header_bytes: int = 256 * 1024
    min_article_chars: int = 400
    retry_backoff_seconds: int = 300
    max_attempts: int = 6
    # Archives (.zip attachments) are opened in memory within these bounds (zip bombs).
    max_archive_depth: int = 3
    max_archive_members: int = 200
    max_archive_total_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 100
    # Forwards inside forwards (message/rfc822 or inline blocks) followed this deep.
    max_forward_depth: int = 5
    # The fast path of one message (MIME, documents, tagging) past this many seconds is
    # stopped and the message failed "timeout: ..." (a parser looping on hostile input).
    extraction_timeout_seconds: int = 300
    conversion_timeout_seconds: int = 120
    ocr_timeout_seconds: int = 180
    ocr_languages: str = "vie"
    ocr_max_pages: int = 20
    slow_lane_budget_seconds: int = 300


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"
    json: bool = False


@dataclass(frozen=True)
class TaggingConfig:
    """Where the unit directory and campaigns live, and how sure a tag must be."""

    units_file: Path
    campaigns_file: Path
    model_file: Path  # the learned campaign model, written by `dienhinh retrain`
    review_threshold: float = 0.6
    official_domains: tuple[str, ...] = ("laocai.gov.vn",)
    webmail_domains: tuple[str, ...] = (
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.com.vn",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "zing.vn",
    )
    # The article taggers to run, by name and in order (classifiers.BUILTINS); None: all.
    taggers: tuple[str, ...] | None = None
    # Raw tagger score -> probability (classifiers/calibration.py); None: raw scores.
    calibration_file: Path | None = None


@dataclass(frozen=True)
class Config:
    path: Path | None
    data_dir: Path
    timezone: str
    database: DatabaseConfig
    mailbox: MailboxConfig
    ingest: IngestConfig
    logging: LoggingConfig
    tagging: TaggingConfig | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"


# --- schema ------------------------------------------------------------------------------

_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"timezone": str},
    "paths": {"data_dir": str},
    "database": {"url": str},
    "mailbox": {
        "url": str,
        "password_file": str,
        "post_action": str,
        "flag": str,
        "processed_folder": str,
        "batch_size": int,
        "batch_max_bytes": int,
        "timeout_seconds": (int, float),
        "tls_verify": bool,
        "ca_file": str,
        "lease_seconds": int,
    },
    "ingest": {
        "workers": int,
        "parallel_threshold": int,
        "max_message_bytes": int,
        "max_attachment_bytes": int,
        "max_mime_depth": int,
        "max_mime_parts": int,
        "max_header_bytes": int,
        "min_article_chars": int,
        "retry_backoff_seconds": int,
        "max_attempts": int,
        "max_archive_depth": int,
        "max_archive_members": int,
        "max_archive_total_bytes": int,
        "max_compression_ratio": int,
        "max_forward_depth": int,
        "slow_lane_budget_seconds": int,
        "extraction_timeout_seconds": int,
        "conversion_timeout_seconds": int,
        "ocr_timeout_seconds": int,
        "ocr_languages": str,
        "ocr_max_pages": int,
    },
    "logging": {"level": str, "json": bool},
    "tagging": {
        "units_file": str,
        "campaigns_file": str,
        "model_file": str,
        "review_threshold": (int, float),
        "official_domains": list,
        "webmail_domains": list,
        "taggers": list,
        "calibration_file": str,
    },
}

# Sections owned by other packages (console, publishing, worker, notifications, reports); each
# is checked by its own loader (reading Config.raw), so here they need only be tables.
_OPEN_SECTIONS = {"review", "publish", "worker", "notify", "report"}


def _check(data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        if isinstance(value, dict):
            if name in _OPEN_SECTIONS:
                continue
            if name not in _SCHEMA or name == "":
                raise ConfigError(name, "unknown section")
            for k, v in value.items():
                types = _SCHEMA[name].get(k)
                if types is None:
                    raise ConfigError(f"{name}.{k}", "unknown key")
                _check_type(f"{name}.{k}", v, types)
        else:
            types = _SCHEMA[""].get(name)
            if types is None:
                raise ConfigError(name, "unknown key")
            _check_type(name, value, types)


def _check_type(key: str, value: Any, types: type | tuple[type, ...]) -> None:
    want = types if isinstance(types, tuple) else (types,)
    # bool is a subclass of int; a boolean where a number is wanted is a mistake.
    if isinstance(value, bool) and bool not in want:
        raise ConfigError(key, f"has value {value!r}, expected {_names(want)}")
    if not isinstance(value, want):
        raise ConfigError(key, f"has value {value!r}, expected {_names(want)}")


def _names(types: tuple[type, ...]) -> str:
    return " or ".join(
        {"str": "a string", "int": "an integer", "float": "a number", "bool": "true/false"}[
            t.__name__
        ]
        for t in types
    )


def check_positive(key: str, value: float) -> None:
    """Raise ConfigError naming ``key`` unless ``value`` is above zero."""
    if value <= 0:
        raise ConfigError(key, f"must be positive, got {value!r}")


def read_secret_file(name: str, *, base: Path, key: str) -> str:
    """The one-line secret in the file ``name`` (relative to ``base``); "" when no file is
    named. An unreadable file is a ConfigError naming ``key``."""
    if not name:
        return ""
    path = Path(name)
    if not path.is_absolute():
        path = base / path
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ConfigError(key, f"cannot read {path}: {err}") from err


def default_config_path() -> Path:
    """The configuration shipped with the package (the repository's config.toml)."""
    return Path(__file__).resolve().parent.parent / "config.toml"


def load_config(
    path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Config:
    """Read, check and return the configuration.

    ``path`` (from ``--config``) wins over ``DIENHINH_CONFIG``, which wins over
    ``./config.toml`` and then the packaged default.
    """
    env = os.environ if environ is None else environ
    cfg_path: Path | None
    if path is not None:
        cfg_path = Path(path)
    elif env.get(ENV_CONFIG):
        cfg_path = Path(env[ENV_CONFIG])
    elif Path("config.toml").is_file():
        cfg_path = Path("config.toml")
    else:
        cfg_path = default_config_path()
    try:
        with cfg_path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as err:
        raise ConfigError("--config", f"file {cfg_path} does not exist") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(str(cfg_path), f"is not valid TOML: {err}") from err
    return config_from_mapping(data, path=cfg_path.resolve(), environ=env)


def config_from_mapping(
    data: Mapping[str, Any], *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Build a Config from already-parsed TOML (tests use this directly)."""
    env = {} if environ is None else environ
    _check(data)
    base = path.parent if path is not None else Path.cwd()

    def section(name: str) -> Mapping[str, Any]:
        value = data.get(name, {})
        return value if isinstance(value, Mapping) else {}

    paths, db, mb, ing, log, tag = (
        section(n) for n in ("paths", "database", "mailbox", "ingest", "logging", "tagging")
    )

    data_dir = Path(env.get(ENV_DATA_DIR) or paths.get("data_dir", "var"))
    if not data_dir.is_absolute():
        data_dir = base / data_dir

    db_url = env.get(ENV_DATABASE_URL) or db.get("url", "")
    if not db_url:
        db_url = f"sqlite:///{data_dir / 'dienhinh.sqlite3'}"
    if "://" not in db_url:
        raise ConfigError("database.url", f"has value {db_url!r}, expected a SQLAlchemy URL")

    mailbox_url = parse_mailbox_url(
        env.get(ENV_MAILBOX_URL) or mb.get("url", ""),
        key=ENV_MAILBOX_URL if env.get(ENV_MAILBOX_URL) else "mailbox.url",
        base=base,
    )
    password = env.get(ENV_IMAP_PASSWORD, "") or read_secret_file(
        mb.get("password_file", ""), base=base, key="mailbox.password_file"
    )

    post_action = mb.get("post_action", "none")
    if post_action not in POST_ACTIONS:
        raise ConfigError(
            "mailbox.post_action", f"has value {post_action!r}, expected one of {POST_ACTIONS}"
        )
    ca_file = mb.get("ca_file")
    mailbox = MailboxConfig(
        url=mailbox_url,
        password=Secret(password),
        post_action=post_action,
        flag=mb.get("flag", MailboxConfig.flag),
        processed_folder=mb.get("processed_folder", MailboxConfig.processed_folder),
        batch_size=mb.get("batch_size", MailboxConfig.batch_size),
        batch_max_bytes=mb.get("batch_max_bytes", MailboxConfig.batch_max_bytes),
        timeout_seconds=float(mb.get("timeout_seconds", MailboxConfig.timeout_seconds)),
        tls_verify=mb.get("tls_verify", True),
        ca_file=(base / ca_file) if ca_file else None,
        lease_seconds=mb.get("lease_seconds", MailboxConfig.lease_seconds),
    )
    for k in ("batch_size", "batch_max_bytes", "timeout_seconds", "lease_seconds"):
        check_positive(f"mailbox.{k}", getattr(mailbox, k))
    if mailbox.post_action == "flag" and not mailbox.flag:
        raise ConfigError("mailbox.flag", "is empty but post_action is 'flag'")

    ingest = IngestConfig(**{k: ing[k] for k in ing})
    for k, v in ing.items():
        if k not in ("workers", "ocr_languages"):
            check_positive(f"ingest.{k}", v)
    if not _OCR_LANGUAGES.fullmatch(ingest.ocr_languages):
        raise ConfigError(
            "ingest.ocr_languages",
            f"has value {ingest.ocr_languages!r}, expected Tesseract codes ('vie', 'vie+eng')",
        )
    if ingest.workers < 0:
        raise ConfigError("ingest.workers", "must be 0 (one per core) or more")

    json_env = env.get(ENV_LOG_JSON)
    logging_cfg = LoggingConfig(
        level=str(log.get("level", "INFO")).upper(),
        json=(json_env.lower() in ("1", "true", "yes"))
        if json_env
        else bool(log.get("json", False)),
    )
    if logging_cfg.level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("logging.level", f"has value {logging_cfg.level!r}")

    tz = data.get("timezone", "Asia/Ho_Chi_Minh")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except (KeyError, ValueError) as err:  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError("timezone", f"unknown time zone {tz!r}") from err

    def _file(key: str, default: Path) -> Path:
        value = tag.get(key)
        p = Path(value) if value else default
        return p if p.is_absolute() else base / p

    package_dir = Path(__file__).resolve().parent.parent
    tagging = TaggingConfig(
        units_file=_file("units_file", package_dir / "units.toml"),
        campaigns_file=_file("campaigns_file", package_dir / "campaigns.toml"),
        model_file=_file("model_file", data_dir / "campaign-model.pickle"),
        review_threshold=float(tag.get("review_threshold", TaggingConfig.review_threshold)),
        official_domains=tuple(
            str(d).lower() for d in tag.get("official_domains", TaggingConfig.official_domains)
        ),
        webmail_domains=tuple(
            str(d).lower() for d in tag.get("webmail_domains", TaggingConfig.webmail_domains)
        ),
        taggers=tuple(str(n) for n in tag["taggers"]) if "taggers" in tag else None,
        # "" keeps the taggers' raw scores (what `dienhinh calibrate` fits on).
        calibration_file=(
            _file("calibration_file", package_dir / "classifiers" / "calibration.json")
            if tag.get("calibration_file", None) != ""
            else None
        ),
    )
    if not 0 < tagging.review_threshold <= 1:
        raise ConfigError("tagging.review_threshold", "must be between 0 and 1")
    if tagging.taggers is not None:
        from dienhinh.classifiers.tagging import article_taggers

        article_taggers(tagging.taggers)  # an unknown name fails here, naming the key

    return Config(
        path=path,
        data_dir=data_dir,
        timezone=tz,
        database=DatabaseConfig(url=db_url),
        mailbox=mailbox,
        ingest=ingest,
        logging=logging_cfg,
        tagging=tagging,
        raw=data,
    )
