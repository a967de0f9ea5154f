"""Fixtures for the notification tests (helpers in notifykit.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dienhinh.core.config import Config
from notifykit import Env, make_env


@pytest.fixture
def notify_env(make_config: Callable[..., Config], tmp_path: Path) -> Callable[..., Env]:
    """``notify_env(**notify_section) -> Env`` on the test's database (SQLite and PG)."""

    def build(**notify: Any) -> Env:
        return make_env(make_config, tmp_path, **notify)

    return build
