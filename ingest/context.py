"""What an extraction needs to know, frozen and picklable (it crosses into pool workers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dienhinh.core.config import IngestConfig

__all__ = ["ExtractContext"]


@dataclass(frozen=True)
class ExtractContext:
    """Limits and the blob store root. Extractors write images and attachments to the
    blob store themselves (content-addressed, so a retry never duplicates) and return
    only hashes, so large bytes never travel back between processes."""

    blob_root: Path
    limits: IngestConfig = field(default_factory=IngestConfig)
