"""The console's settings: the ``[review]`` section of config.toml.

The schema is core/config_sections.py (``ReviewConfig``), checked with the whole file by
``core.config.load_config``: defaults, types, and a one-line ConfigError naming the key
when a value is wrong.
"""

from __future__ import annotations

from dienhinh.core.config import Config
from dienhinh.core.config_sections import ReviewConfig

__all__ = ["ReviewConfig", "load"]


def load(config: Config) -> ReviewConfig:
    """The checked ``[review]`` section."""
    return config.review
