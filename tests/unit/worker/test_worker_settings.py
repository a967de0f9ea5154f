"""The [worker] section: defaults, checks with one-line errors naming the key."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest

from dienhinh.core.config import config_from_mapping
from dienhinh.core.errors import ConfigError
from dienhinh.worker.settings import WorkerConfig, load


def _config(tmp_path: Path, **worker: Any):
    return config_from_mapping(
        {"mailbox": {"url": f"maildir://{tmp_path}/md"}, "worker": worker},
        path=tmp_path / "config.toml",
    )


def test_defaults_when_the_section_is_absent(tmp_path):
    cfg = load(config_from_mapping({"mailbox": {"url": f"maildir://{tmp_path}"}}))
    assert cfg == WorkerConfig()
    assert cfg.idle is False  # IDLE is opt-in
    assert cfg.daily_at == time(2, 30)


def test_values_are_read(tmp_path):
    cfg = load(
        _config(
            tmp_path,
            poll_minutes=3,
            daily_at="23:05",
            retrain="nightly",
            retrain_at="1:15",
            idle=True,
            idle_refresh_seconds=1200,
        )
    )
    assert (cfg.poll_minutes, cfg.daily_at, cfg.retrain, cfg.retrain_at) == (
        3,
        time(23, 5),
        "nightly",
        time(1, 15),
    )
    assert cfg.idle and cfg.idle_refresh_seconds == 1200


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"poll_minutes": 0}, "worker.poll_minutes"),
        ({"poll_minutes": "10"}, "worker.poll_minutes"),
        ({"poll_minutes": True}, "worker.poll_minutes"),
        ({"daily_at": "25:00"}, "worker.daily_at"),
        ({"daily_at": "2h30"}, "worker.daily_at"),
        ({"retrain": "hourly"}, "worker.retrain"),
        ({"retrain_day": "sunday"}, "worker.retrain_day"),
        ({"publish_minutes": -1}, "worker.publish_minutes"),
        ({"idle": "yes"}, "worker.idle"),
        ({"pol_minutes": 5}, "worker.pol_minutes"),
        # RFC 2177: IDLE must be re-issued within 29 minutes
        ({"idle_refresh_seconds": 30 * 60}, "worker.idle_refresh_seconds"),
        (
            {"idle_refresh_seconds": 600, "idle_watchdog_seconds": 600},
            "worker.idle_watchdog_seconds",
        ),
    ],
)
def test_bad_values_name_the_key(tmp_path, values, key):
    with pytest.raises(ConfigError) as info:
        load(_config(tmp_path, **values))
    assert info.value.key == key
    assert "\n" not in str(info.value)


def test_watchdog_default_covers_a_refresh_and_two_timeouts():
    cfg = WorkerConfig(idle_refresh_seconds=600)
    assert cfg.watchdog_seconds(60.0) == 600 + 120 + 30
    assert (
        WorkerConfig(idle_refresh_seconds=60, idle_watchdog_seconds=90).watchdog_seconds(60) == 90
    )
