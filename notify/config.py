"""The ``[notify]`` section: which mails are sent, to whom, and through which SMTP server.

Everything is off by default: a fresh installation never writes to anybody. Each kind of
mail (``ack``, ``remind``, ``digest``, ``alert``) has its own ``enabled`` flag, so the Board
can start with the editors' digest and turn acknowledgements on once it trusts them.

The section's schema is core/config_sections.py (checked with the whole file by
``core.config.load_config``): the SMTP URL is checked like the IMAP one, TLS is required
except on loopback, the password never sits in the URL or in ``config.toml``
(``DIENHINH_SMTP_PASSWORD`` or ``notify.password_file``). This loader adds what depends on
the command: ``--dry-run``, the password file (read only by the commands that mail), and
that enabled mail has somewhere to go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from dienhinh.core.config import Config, Secret, read_secret_file, with_environ
from dienhinh.core.config_sections import (
    ENV_SMTP_PASSWORD,
    AckConfig,
    AlertConfig,
    DigestConfig,
    NotifyConfig,
    RemindConfig,
    SmtpURL,
    parse_smtp_url,
)
from dienhinh.core.errors import ConfigError

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


def load(
    config: Config, *, environ: Mapping[str, str] | None = None, dry_run: bool | None = None
) -> NotifyConfig:
    """The checked ``[notify]`` section, with the SMTP password (``DIENHINH_SMTP_PASSWORD``
    as core/config.py read it, else ``notify.password_file``). ``environ`` reads the section
    again with that environment instead (tests); ``dry_run`` (the command's ``--dry-run``)
    overrides ``notify.dry_run``."""
    if environ is not None:
        config = with_environ(config, environ)
    cfg = config.notify
    if not cfg.password:
        base = config.path.parent if config.path is not None else Path.cwd()
        cfg = replace(
            cfg,
            password=Secret(
                read_secret_file(cfg.password_file, base=base, key="notify.password_file")
            ),
        )
    if dry_run is not None:
        cfg = replace(cfg, dry_run=dry_run)
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
