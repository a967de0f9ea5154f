"""The ``[report]`` section of ``config.toml``: the quota each unit must meet.

``core/config.py`` keeps ``[report]`` unchecked in ``Config.raw``; this loader checks it
and gives defaults, so a typo stops the command with one line naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dienhinh.core.config import Config
from dienhinh.core.errors import ConfigError

__all__ = ["ReportConfig", "load"]


@dataclass(frozen=True)
class ReportConfig:
    """The minimum number of distinct articles a unit must send per period, by cadence
    (districts and the city report monthly, every other unit quarterly), and whether an
    article whose extraction failed counts as received."""

    monthly_minimum: int = 1
    quarterly_minimum: int = 1
    count_failed: bool = False

    def minimum(self, cadence: str) -> int:
        return self.monthly_minimum if cadence == "monthly" else self.quarterly_minimum


_KEYS = {"monthly_minimum": int, "quarterly_minimum": int, "count_failed": bool}


def load(config: Config) -> ReportConfig:
    """The checked ``[report]`` section (defaults when it is absent)."""
    section: Any = config.raw.get("report", {})
    if not isinstance(section, Mapping):
        raise ConfigError("report", "must be a table")
    for key, value in section.items():
        want = _KEYS.get(key)
        if want is None:
            raise ConfigError(f"report.{key}", f"unknown key (expected one of {sorted(_KEYS)})")
        # bool is an int: true where a number is wanted is a mistake, and the reverse too.
        if type(value) is not want:
            kind = "an integer" if want is int else "true/false"
            raise ConfigError(f"report.{key}", f"has value {value!r}, expected {kind}")
        if isinstance(value, int) and value < 0:
            raise ConfigError(f"report.{key}", f"must be 0 or more, got {value}")
    return ReportConfig(**dict(section))
