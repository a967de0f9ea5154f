"""The ``[worker]`` section: when each scheduled job runs, and the IMAP IDLE options.

Read from ``Config.raw`` (core/config.py leaves the table to this loader). Every value is
checked here; a bad one raises :class:`ConfigError` naming the key. Times of day are
local times in ``config.timezone`` (Asia/Ho_Chi_Minh): the Board thinks in its own day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from dienhinh.core.config import Config
from dienhinh.core.errors import ConfigError

__all__ = ["RETRAIN_CHOICES", "WorkerConfig", "load"]

RETRAIN_CHOICES = ("off", "nightly", "weekly")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
# RFC 2177: a client should re-issue IDLE at least every 29 minutes, or the server may
# log it out as inactive.
IDLE_REFRESH_MAX_SECONDS = 29 * 60


@dataclass(frozen=True)
class WorkerConfig:
    poll_minutes: int = 10
    daily_at: time = time(2, 30)
    process_minutes: int = 1
    publish_minutes: int = 5
    retrain: str = "weekly"
    retrain_at: time = time(3, 30)
    retrain_day: str = "sun"
    acknowledge_minutes: int = 5
    remind_at: time = time(8, 0)
    health_minutes: int = 5
    stale_after_minutes: int = 60
    misfire_grace_seconds: int = 600
    job_lease_seconds: int = 3600
    idle: bool = False
    idle_refresh_seconds: int = 600
    idle_watchdog_seconds: int = 0
    idle_reconnect_max_seconds: int = 300

    def watchdog_seconds(self, imap_timeout: float) -> float:
        """How long without a sign of life before the watchdog restarts IDLE. ``0`` in the
        file means: one refresh period plus two IMAP timeouts plus a margin, which a healthy
        connection (proved alive at least at every refresh) never exceeds."""
        if self.idle_watchdog_seconds:
            return float(self.idle_watchdog_seconds)
        return self.idle_refresh_seconds + 2 * imap_timeout + 30


_KEYS: dict[str, type | tuple[type, ...]] = {
    "poll_minutes": int,
    "daily_at": str,
    "process_minutes": int,
    "publish_minutes": int,
    "retrain": str,
    "retrain_at": str,
    "retrain_day": str,
    "acknowledge_minutes": int,
    "remind_at": str,
    "health_minutes": int,
    "stale_after_minutes": int,
    "misfire_grace_seconds": int,
    "job_lease_seconds": int,
    "idle": bool,
    "idle_refresh_seconds": int,
    "idle_watchdog_seconds": int,
    "idle_reconnect_max_seconds": int,
}


def _time(key: str, value: str) -> time:
    m = _TIME.fullmatch(value.strip())
    if not m:
        raise ConfigError(key, f"has value {value!r}, expected a local time HH:MM")
    return time(int(m.group(1)), int(m.group(2)))


def _check(raw: Mapping[str, Any]) -> None:
    for k, v in raw.items():
        want = _KEYS.get(k)
        if want is None:
            raise ConfigError(f"worker.{k}", "unknown key")
        types = want if isinstance(want, tuple) else (want,)
        if (isinstance(v, bool) and bool not in types) or not isinstance(v, types):
            names = " or ".join(t.__name__ for t in types)
            raise ConfigError(f"worker.{k}", f"has value {v!r}, expected {names}")


def load(config: Config) -> WorkerConfig:
    """Read and check ``[worker]``; absent keys take the defaults above."""
    raw = config.raw.get("worker", {})
    if not isinstance(raw, Mapping):
        raise ConfigError("worker", "must be a table")
    _check(raw)
    d = WorkerConfig()
    cfg = WorkerConfig(
        poll_minutes=raw.get("poll_minutes", d.poll_minutes),
        daily_at=_time("worker.daily_at", raw["daily_at"]) if "daily_at" in raw else d.daily_at,
        process_minutes=raw.get("process_minutes", d.process_minutes),
        publish_minutes=raw.get("publish_minutes", d.publish_minutes),
        retrain=raw.get("retrain", d.retrain),
        retrain_at=(
            _time("worker.retrain_at", raw["retrain_at"]) if "retrain_at" in raw else d.retrain_at
        ),
        retrain_day=str(raw.get("retrain_day", d.retrain_day)).lower(),
        acknowledge_minutes=raw.get("acknowledge_minutes", d.acknowledge_minutes),
        remind_at=_time("worker.remind_at", raw["remind_at"])
        if "remind_at" in raw
        else d.remind_at,
        health_minutes=raw.get("health_minutes", d.health_minutes),
        stale_after_minutes=raw.get("stale_after_minutes", d.stale_after_minutes),
        misfire_grace_seconds=raw.get("misfire_grace_seconds", d.misfire_grace_seconds),
        job_lease_seconds=raw.get("job_lease_seconds", d.job_lease_seconds),
        idle=raw.get("idle", d.idle),
        idle_refresh_seconds=raw.get("idle_refresh_seconds", d.idle_refresh_seconds),
        idle_watchdog_seconds=raw.get("idle_watchdog_seconds", d.idle_watchdog_seconds),
        idle_reconnect_max_seconds=raw.get(
            "idle_reconnect_max_seconds", d.idle_reconnect_max_seconds
        ),
    )
    for k in (
        "poll_minutes",
        "health_minutes",
        "stale_after_minutes",
        "misfire_grace_seconds",
        "job_lease_seconds",
        "idle_refresh_seconds",
        "idle_reconnect_max_seconds",
    ):
        if getattr(cfg, k) <= 0:
            raise ConfigError(f"worker.{k}", f"must be positive, got {getattr(cfg, k)!r}")
    for k in ("process_minutes", "publish_minutes", "acknowledge_minutes", "idle_watchdog_seconds"):
        if getattr(cfg, k) < 0:
            raise ConfigError(f"worker.{k}", f"must be 0 (off) or more, got {getattr(cfg, k)!r}")
    if cfg.retrain not in RETRAIN_CHOICES:
        raise ConfigError(
            "worker.retrain", f"has value {cfg.retrain!r}, expected one of {RETRAIN_CHOICES}"
        )
    if cfg.retrain_day not in _DAYS:
        raise ConfigError(
            "worker.retrain_day", f"has value {cfg.retrain_day!r}, expected one of {_DAYS}"
        )
    if cfg.idle_refresh_seconds > IDLE_REFRESH_MAX_SECONDS:
        raise ConfigError(
            "worker.idle_refresh_seconds",
            f"is {cfg.idle_refresh_seconds}; RFC 2177 wants IDLE re-issued at least every "
            f"{IDLE_REFRESH_MAX_SECONDS} s (29 minutes)",
        )
    if cfg.idle_watchdog_seconds and cfg.idle_watchdog_seconds <= cfg.idle_refresh_seconds:
        raise ConfigError(
            "worker.idle_watchdog_seconds",
            "must be longer than idle_refresh_seconds (a healthy connection proves itself "
            "alive only once per refresh on a quiet server), or 0 for automatic",
        )
    return cfg
