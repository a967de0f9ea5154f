"""Fixtures of the fuzz tests; every test in this folder carries the ``fuzz`` marker."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzkit import LIMITS, ROOT

from dienhinh.core.config import TaggingConfig
from dienhinh.ingest.context import ExtractContext


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.fuzz)


@pytest.fixture(scope="module")
def fuzz_ctx(tmp_path_factory: pytest.TempPathFactory) -> ExtractContext:
    """One blob store for all cases of a module (hypothesis runs many cases per test; the
    store is content-addressed, so cases never disturb each other)."""
    return ExtractContext(blob_root=tmp_path_factory.mktemp("fuzz-blobs"), limits=LIMITS)


@pytest.fixture(scope="module")
def tagging(tmp_path_factory: pytest.TempPathFactory) -> TaggingConfig:
    """The shipped unit directory and campaigns; no learned model (rules only)."""
    return TaggingConfig(
        units_file=ROOT / "units.toml",
        campaigns_file=ROOT / "campaigns.toml",
        model_file=tmp_path_factory.mktemp("fuzz-model") / "absent.pkl",
    )
