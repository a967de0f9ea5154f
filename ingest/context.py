"""What an extraction needs to know, frozen and picklable (it crosses into pool workers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dienhinh.core.config import IngestConfig
from dienhinh.store.blobs import BlobStore

if TYPE_CHECKING:  # not imported at run time: the poll's start-up does not load the taggers
    from dienhinh.classifiers.tagging import TaggingSettings

__all__ = ["ExtractContext"]


@dataclass(frozen=True)
class ExtractContext:
    """Limits and the blob store root. Extractors write images and attachments to the
    blob store themselves (content-addressed, so a retry never duplicates) and return
    only hashes, so large bytes never travel back between processes."""

    blob_root: Path
    limits: IngestConfig = field(default_factory=IngestConfig)
    tagging: TaggingSettings | None = None  # None: extract only (tests, tools)

    def blob_store(self) -> BlobStore:
        """Where extractors put attachments and images. Not fsync'ed one by one: they are
        derived from the raw message, which is durable, and a reprocess re-creates them."""
        return BlobStore(self.blob_root, durable=False)
