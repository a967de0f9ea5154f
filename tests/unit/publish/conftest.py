"""Fixtures of the publication tests; the builders are in pubtools.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dienhinh.core.config import Config
from dienhinh.publish import config as publish_config
from dienhinh.store.blobs import BlobStore
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from helpers import ENGINES
from pubtools import PubEnv


@pytest.fixture
def pub_env(make_config: Callable[..., Config], tmp_path: Path) -> Iterator[Callable[..., PubEnv]]:
    """``pub_env(**publish_section)``: a migrated database and a Config whose [publish]
    section is the default ``targets = ["feed", "folder"]`` updated with the arguments."""

    def build(**publish: Any) -> PubEnv:
        config = make_config(publish={"targets": ["feed", "folder"], **publish})
        engine = make_engine(config.database.url)
        ENGINES.append(engine)
        upgrade(engine)
        return PubEnv(config, engine, BlobStore(config.blob_dir, durable=False), tmp_path)

    yield build
    publish_config.reset()
