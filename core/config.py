"""The one place that reads configuration: ``config.toml`` and its environment overrides.

Precedence: environment (``DIENHINH_*``) > the TOML file > defaults written here. The whole
file is one typed schema (the section dataclasses below and in core/config_sections.py,
read by core/config_schema.py): an unknown section or key, a value of the wrong type or a
bad value raises :class:`ConfigError` naming the key, in one line, whatever command runs.
Secrets are read from the environment or from a file named in the config and are held in
:class:`Secret`, whose ``repr`` is masked. No other module reads ``os.environ`` for
configuration (tests/unit/core/test_config_schema.py checks it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dienhinh.core.config_schema import (
    Context,
    Secret,
    as_float,
    at_least,
    between,
    build,
    check_positive,
    is_loopback,
    lower_tuple,
    matches,
    one_of,
    optional_path,
    path_or,
    positive,
    read_secret_file,
    server_address,
    setting,
)
from dienhinh.core.config_sections import (
    ENV_SMTP_PASSWORD,
    ENV_WP_PASSWORD,
    NotifyConfig,
    PublishSettings,
    ReportConfig,
    ReviewConfig,
    WorkerConfig,
)
from dienhinh.core.errors import ConfigError

__all__ = [
    "ENV_CONFIG",
    "ENV_DATABASE_URL",
    "ENV_DATA_DIR",
    "ENV_IMAP_PASSWORD",
    "ENV_LOG_JSON",
    "ENV_MAILBOX_URL",
    "ENV_SMTP_PASSWORD",
    "ENV_WP_PASSWORD",
    "TAGGERS",
    "WEBMAIL_DOMAINS",
    "Config",
    "DatabaseConfig",
    "IngestConfig",
    "LoggingConfig",
    "MailboxConfig",
    "MailboxURL",
    "Secret",
    "TaggingConfig",
    "check_positive",
    "config_from_mapping",
    "is_loopback",
    "load_config",
    "parse_mailbox_url",
    "read_secret_file",
    "with_environ",
]

ENV_CONFIG = "DIENHINH_CONFIG"
ENV_DATABASE_URL = "DIENHINH_DATABASE_URL"
ENV_MAILBOX_URL = "DIENHINH_MAILBOX_URL"
ENV_IMAP_PASSWORD = "DIENHINH_IMAP_PASSWORD"  # noqa: S105 - a variable name, not a password
ENV_DATA_DIR = "DIENHINH_DATA_DIR"
ENV_LOG_JSON = "DIENHINH_LOG_JSON"

POST_ACTIONS = ("none", "flag", "move")

# The taggers ``tagging.taggers`` may name, and whether each runs once per message or per
# article. dienhinh.classifiers.BUILTINS must register exactly these (it checks at import),
# so the file is checked here without core importing the classifiers.
TAGGERS = {"unit": "message", "campaign": "article", "subject_type": "article", "kind": "article"}

# Personal webmail: a sender there is attributed to a unit only from what the mail says.
# The one default (config.toml repeats it; classifiers.units uses it when given none).
WEBMAIL_DOMAINS = (
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
    scheme, host, port = server_address(
        parts,
        key,
        {"imaps": 993, "imap+starttls": 143, "imap": 143},
        "imaps, imap+starttls, imap or maildir",
    )
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


def _data_dir(value: str, ctx: Context, key: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else ctx.base / p


@dataclass(frozen=True)
class PathsConfig:
    # Raw messages (raw/), attachments and images (blobs/) and the SQLite file live here.
    data_dir: Path = setting("var", toml=str, env=ENV_DATA_DIR, convert=_data_dir)


def _database_url(value: str, ctx: Context, key: str) -> str:
    url = value or f"sqlite:///{ctx.data_dir / 'dienhinh.sqlite3'}"
    if "://" not in url:
        raise ConfigError(key, f"has value {url!r}, expected a SQLAlchemy URL")
    return url


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = setting("", toml=str, env=ENV_DATABASE_URL, convert=_database_url)


def _mailbox_url(value: str, ctx: Context, key: str) -> MailboxURL:
    return parse_mailbox_url(value, key=key, base=ctx.base)


@dataclass(frozen=True)
class MailboxConfig:
    url: MailboxURL = setting("", toml=str, env=ENV_MAILBOX_URL, convert=_mailbox_url)
    # DIENHINH_IMAP_PASSWORD, else the first line of password_file.
    password: Secret = field(default_factory=lambda: Secret(""))
    post_action: str = setting("none", toml=str, checks=[one_of(POST_ACTIONS)])
    flag: str = setting("$DienhinhProcessed", toml=str)
    processed_folder: str = setting("Processed", toml=str)
    batch_size: int = setting(100, toml=int, checks=[positive])
    batch_max_bytes: int = setting(32 * 1024 * 1024, toml=int, checks=[positive])
    timeout_seconds: float = setting(60.0, toml=(int, float), convert=as_float, checks=[positive])
    tls_verify: bool = setting(True, toml=bool)
    ca_file: Path | None = setting(None, toml=str, convert=optional_path)
    lease_seconds: int = setting(300, toml=int, checks=[positive])
    password_file: Path | None = setting(None, toml=str, convert=optional_path)

    @staticmethod
    def finish(values: dict[str, Any], ctx: Context, prefix: str) -> None:
        values["password"] = Secret(
            ctx.env.get(ENV_IMAP_PASSWORD, "")
            or read_secret_file(values["password_file"], base=ctx.base, key="mailbox.password_file")
        )
        if values["post_action"] == "flag" and not values["flag"]:
            raise ConfigError(f"{prefix}.flag", "is empty but post_action is 'flag'")


@dataclass(frozen=True)
class IngestConfig:
    workers: int = setting(0, toml=int, checks=[at_least(0, "must be 0 (one per core) or more")])
    parallel_threshold: int = setting(16, toml=int, checks=[positive])
    max_message_bytes: int = setting(60 * 1024 * 1024, toml=int, checks=[positive])
    max_attachment_bytes: int = setting(40 * 1024 * 1024, toml=int, checks=[positive])
    max_mime_depth: int = setting(20, toml=int, checks=[positive])
    max_mime_parts: int = setting(500, toml=int, checks=[positive])
    max_header_bytes: int = setting(256 * 1024, toml=int, checks=[positive])
    min_article_chars: int = setting(400, toml=int, checks=[positive])
    retry_backoff_seconds: int = setting(300, toml=int, checks=[positive])
    max_attempts: int = setting(6, toml=int, checks=[positive])
    # Archives (.zip attachments) are opened in memory within these bounds (zip bombs).
    max_archive_depth: int = setting(3, toml=int, checks=[positive])
    max_archive_members: int = setting(200, toml=int, checks=[positive])
    max_archive_total_bytes: int = setting(200 * 1024 * 1024, toml=int, checks=[positive])
    max_compression_ratio: int = setting(100, toml=int, checks=[positive])
    # Forwards inside forwards (message/rfc822 or inline blocks) followed this deep.
    max_forward_depth: int = setting(5, toml=int, checks=[positive])
    # The fast path of one message (MIME, documents, tagging) past this many seconds is
    # stopped and the message failed "timeout: ..." (a parser looping on hostile input).
    extraction_timeout_seconds: int = setting(300, toml=int, checks=[positive])
    conversion_timeout_seconds: int = setting(120, toml=int, checks=[positive])
    ocr_timeout_seconds: int = setting(180, toml=int, checks=[positive])
    ocr_languages: str = setting(
        "vie",
        toml=str,
        checks=[matches(r"[A-Za-z_]+(?:\+[A-Za-z_]+)*", "Tesseract codes ('vie', 'vie+eng')")],
    )
    ocr_max_pages: int = setting(20, toml=int, checks=[positive])
    slow_lane_budget_seconds: int = setting(300, toml=int, checks=[positive])


def _upper(value: str, ctx: Context, key: str) -> str:
    return value.upper()


@dataclass(frozen=True)
class LoggingConfig:
    level: str = setting(
        "INFO", toml=str, convert=_upper, checks=[one_of(("DEBUG", "INFO", "WARNING", "ERROR"))]
    )
    # One JSON object per line (for journald/ELK) instead of plain text.
    json: bool = setting(False, toml=bool, env=ENV_LOG_JSON)


def _taggers(value: list[str] | None, ctx: Context, key: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    for name in value:
        if name not in TAGGERS:
            raise ConfigError(key, f"unknown tagger {name!r}; known: {sorted(TAGGERS)}")
        if TAGGERS[name] != "article":
            raise ConfigError(key, f"{name!r} runs once per message, not per article")
    if len(set(value)) != len(value):
        raise ConfigError(key, "names a tagger twice")
    return tuple(value)


def _calibration_file(value: str | None, ctx: Context, key: str) -> Path | None:
    """Absent: the shipped classifiers/calibration.json; "": None (the taggers' raw scores,
    what `dienhinh calibrate` fits on)."""
    if value == "":
        return None
    return path_or(lambda c: c.package_dir / "classifiers" / "calibration.json")(value, ctx, key)


def _decision_file(value: str | None, ctx: Context, key: str) -> Path | None:
    """Absent: the shipped classifiers/campaign_decision.json; "": None (the campaign
    rules decide alone, what `dienhinh fit-campaigns` fits on)."""
    if value == "":
        return None
    return path_or(lambda c: c.package_dir / "classifiers" / "campaign_decision.json")(
        value, ctx, key
    )


@dataclass(frozen=True)
class TaggingConfig:
    """Where the unit directory and campaigns live, and how sure a tag must be. The one
    type: the extraction processes receive it (with ``learned`` filled in) and the
    classifiers read it."""

    units_file: Path = setting(
        toml=str, convert=path_or(lambda ctx: ctx.package_dir / "units.toml")
    )
    campaigns_file: Path = setting(
        toml=str, convert=path_or(lambda ctx: ctx.package_dir / "campaigns.toml")
    )
    # The learned campaign model, written by `dienhinh retrain`.
    model_file: Path = setting(
        toml=str, convert=path_or(lambda ctx: ctx.data_dir / "campaign-model.pickle")
    )
    review_threshold: float = setting(
        0.6,
        toml=(int, float),
        convert=as_float,
        checks=[between(0, 1, "must be between 0 and 1")],
    )
    official_domains: tuple[str, ...] = setting(
        ("laocai.gov.vn",), toml=list, items=str, convert=lower_tuple
    )
    webmail_domains: tuple[str, ...] = setting(
        WEBMAIL_DOMAINS, toml=list, items=str, convert=lower_tuple
    )
    # The article taggers to run, by name and in order (classifiers.BUILTINS); None: all.
    taggers: tuple[str, ...] | None = setting(None, toml=list, items=str, convert=_taggers)
    # Raw tagger score -> probability (classifiers/calibration.py); None: raw scores.
    calibration_file: Path | None = setting(None, toml=str, convert=_calibration_file)
    # The campaign decision's fitted weights (classifiers/decision.py); None: rules alone.
    campaign_decision_file: Path | None = setting(None, toml=str, convert=_decision_file)
    # (address, unit) pairs editors confirmed: not in the file, filled from the database
    # by the ingest before each run (ingest/pipeline.py).
    learned: tuple[tuple[str, str], ...] = ()


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
    # The other packages' sections (core/config_sections.py), checked with the rest.
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    publish: PublishSettings = field(default_factory=PublishSettings)
    worker: WorkerConfig = field(default_factory=WorkerConfig)
    review: ReviewConfig = field(default_factory=ReviewConfig)
    report: ReportConfig = field(default_factory=ReportConfig)

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"


# Every table of config.toml and the dataclass that reads it; "timezone" is the only key
# outside a table.
SECTIONS: dict[str, type] = {
    "paths": PathsConfig,
    "database": DatabaseConfig,
    "mailbox": MailboxConfig,
    "ingest": IngestConfig,
    "logging": LoggingConfig,
    "tagging": TaggingConfig,
    "notify": NotifyConfig,
    "publish": PublishSettings,
    "worker": WorkerConfig,
    "review": ReviewConfig,
    "report": ReportConfig,
}
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def default_config_path() -> Path:
    """The configuration shipped with the package (the repository's config.toml)."""
    return Path(__file__).resolve().parent.parent / "config.toml"


def load_config(
    path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Config:
    """Read, check and return the configuration.

    ``path`` (from ``--config``) wins over ``DIENHINH_CONFIG``, which wins over
    ``./config.toml`` and then the packaged default. ``environ`` defaults to the process
    environment: the only place the product reads it for configuration.
    """
    env = os.environ if environ is None else environ
    cfg_path: Path
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


def _timezone(data: Mapping[str, Any]) -> str:
    tz = data.get("timezone", DEFAULT_TIMEZONE)
    if not isinstance(tz, str):
        raise ConfigError("timezone", f"has value {tz!r} of the wrong type, expected a string")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except (KeyError, ValueError) as err:  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError("timezone", f"unknown time zone {tz!r}") from err
    return tz


def config_from_mapping(
    data: Mapping[str, Any], *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Build a Config from already-parsed TOML (tests use this directly; ``environ``
    defaults to none at all here, so a test never picks up the caller's variables)."""
    env: Mapping[str, str] = {} if environ is None else environ
    for name, value in data.items():
        if name == "timezone":
            continue
        if name not in SECTIONS:
            problem = "unknown section" if isinstance(value, Mapping) else "unknown key"
            raise ConfigError(name, problem)
    tz = _timezone(data)
    ctx = Context(
        base=path.parent if path is not None else Path.cwd(),
        data_dir=Path(),
        timezone=tz,
        env=env,
        package_dir=Path(__file__).resolve().parent.parent,
    )
    paths = build(PathsConfig, data.get("paths", {}), "paths", ctx)
    ctx = Context(
        base=ctx.base, data_dir=paths.data_dir, timezone=tz, env=env, package_dir=ctx.package_dir
    )
    sections = {
        name: build(cls, data.get(name, {}), name, ctx)
        for name, cls in SECTIONS.items()
        if name != "paths"
    }
    # The secrets of the other packages' sections (the IMAP one: MailboxConfig.finish).
    sections["notify"] = replace(
        sections["notify"], password=Secret(env.get(ENV_SMTP_PASSWORD, ""))
    )
    publish = sections["publish"]
    sections["publish"] = replace(
        publish,
        wordpress=replace(publish.wordpress, password=Secret(env.get(ENV_WP_PASSWORD, ""))),
    )
    return Config(path=path, data_dir=paths.data_dir, timezone=tz, raw=data, **sections)


def with_environ(config: Config, environ: Mapping[str, str]) -> Config:
    """``config`` read again with ``environ`` as its environment (the package loaders'
    ``environ=`` argument, for tests and tools that hand one in)."""
    return config_from_mapping(config.raw, path=config.path, environ=environ)
