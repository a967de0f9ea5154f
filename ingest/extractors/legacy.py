"""Word 97-2003 (.doc), OpenDocument and RTF files: recognised, not yet converted.

They become an article with status "needs-conversion" (the editor sees that a document
arrived) until a converter stage exists. A password-protected .docx is also an OLE2
file (an ``EncryptedPackage`` stream); that one fails with a clear reason instead.
"""

from __future__ import annotations

from typing import ClassVar

from dienhinh.core.errors import MalformedDocument, NeedsConversion
from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.context import ExtractContext

__all__ = ["LegacyExtractor"]

_TYPES = {
    "application/msword": ".doc",
    "application/vnd.ms-word": ".doc",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/vnd.oasis.opendocument.text": ".odt",
}
_EXTENSIONS = (".doc", ".rtf", ".odt")


class LegacyExtractor:
    name: ClassVar[str] = "legacy-document"

    def score(self, part: Part) -> int | None:
        if part.content_type in _TYPES:
            return 50
        if part.filename.lower().endswith(_EXTENSIONS) and part.content_type in (
            "application/octet-stream",
            "application/zip",
        ):
            return 20
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        label = part.filename or f"part {part.path}"
        if "EncryptedPackage".encode("utf-16-le") in part.payload:
            raise MalformedDocument(f"{label}: password-protected document")
        raise NeedsConversion(f"{label}: {part.content_type} needs conversion (not installed)")
