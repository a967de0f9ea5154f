"""Build the mail source from a Config: wiring only (engines: ``store/engines.py``)."""

from __future__ import annotations

from dienhinh.core.config import Config
from dienhinh.ingest.sources.base import MailSource

__all__ = ["make_source"]


def make_source(config: Config) -> MailSource:
    cfg = config.mailbox
    if cfg.url.scheme == "maildir":
        from dienhinh.ingest.sources.maildir import MaildirSource

        return MaildirSource.from_config(cfg)
    from dienhinh.ingest.sources.imap import ImapSource

    return ImapSource(cfg)
