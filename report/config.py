"""The ``[report]`` section of ``config.toml``: the quota each unit must meet.

The schema is core/config_sections.py (``ReportConfig``), checked with the whole file by
``core.config.load_config``, so a typo stops the command with one line naming the key.
"""

from __future__ import annotations

from dienhinh.core.config import Config
from dienhinh.core.config_sections import ReportConfig

__all__ = ["ReportConfig", "load"]


def load(config: Config) -> ReportConfig:
    """The checked ``[report]`` section (defaults when it is absent)."""
    return config.report
