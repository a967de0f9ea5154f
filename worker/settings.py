"""The ``[worker]`` section: when each scheduled job runs, and the IMAP IDLE options.

The schema is core/config_sections.py (``WorkerConfig``), checked with the whole file by
``core.config.load_config``: a bad value raises :class:`ConfigError` naming the key. Times
of day are local times in ``config.timezone`` (Asia/Ho_Chi_Minh): the Board thinks in its
own day.
"""

from __future__ import annotations

from dienhinh.core.config import Config
from dienhinh.core.config_sections import (
    IDLE_REFRESH_MAX_SECONDS,
    RETRAIN_CHOICES,
    WorkerConfig,
)

__all__ = ["IDLE_REFRESH_MAX_SECONDS", "RETRAIN_CHOICES", "WorkerConfig", "load"]


def load(config: Config) -> WorkerConfig:
    """The checked ``[worker]`` section; absent keys take the defaults."""
    return config.worker
