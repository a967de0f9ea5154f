"""The extractor interface: one document kind → article drafts.

Contract (RFC 2119 words):
- ``name`` MUST be unique among registered extractors (a duplicate fails at start-up).
- ``score(part)`` MUST be cheap and MUST NOT parse the payload beyond magic bytes; it
  returns ``None`` to decline, otherwise a number where the highest wins.
- ``extract(part, ctx)`` MUST write every image it returns to the blob store under
  ``ctx.blob_root`` and return only hashes (large bytes never travel back from pool
  workers). It MUST raise an :class:`~dienhinh.core.errors.ExtractionError` subclass for
  a bad document (``MalformedDocument``, ``LimitExceeded``, ``NeedsConversion``) and MUST
  NOT raise anything else for bad input; ``StorageError`` from the blob store MAY
  propagate (it is transient and the caller retries the message).
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.context import ExtractContext

__all__ = ["Extractor"]


class Extractor(Protocol):
    name: ClassVar[str]

    def score(self, part: Part) -> int | None: ...

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]: ...
