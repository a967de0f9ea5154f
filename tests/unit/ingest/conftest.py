from __future__ import annotations

from pathlib import Path

import pytest

from dienhinh.ingest.context import ExtractContext


@pytest.fixture
def ctx(tmp_path: Path) -> ExtractContext:
    return ExtractContext(blob_root=tmp_path / "blobs")
