"""Word 97-2003 (.doc), OpenDocument text (.odt) and RTF files: recognised by their bytes,
converted later by the slow lane (LibreOffice, ``ingest/convert.py``).

They become an article with status "needs-conversion" (the editor sees that a document
arrived) until the slow lane converts them. The kind comes from the sniffed content type
(``ingest/mime.py``), confirmed by the magic number here: a file named ``.doc`` or
declared ``application/msword`` whose bytes are something else is not taken. A
password-protected Office file (an OLE2 ``EncryptedPackage``, whatever its name) is
taken here only to fail with that reason (the attachment is refused "encrypted: ...").
An .odt is bounded like a zip attachment before it waits.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import ClassVar

from dienhinh.core.errors import MalformedDocument, NeedsConversion
from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.archive import check_package
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.mime import ENCRYPTED_OFFICE_TYPE, is_rtf

__all__ = ["LegacyExtractor"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TYPES = {
    "application/msword": ".doc",
    "application/vnd.ms-word": ".doc",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/vnd.oasis.opendocument.text": ".odt",
}


def _bytes_agree(kind: str, payload: bytes) -> bool:
    if kind == ".doc":
        return payload.startswith(_OLE2)
    if kind == ".rtf":
        return is_rtf(payload)
    return payload.startswith(b"PK\x03\x04")


class LegacyExtractor:
    name: ClassVar[str] = "legacy-document"

    def score(self, part: Part) -> int | None:
        if part.content_type == ENCRYPTED_OFFICE_TYPE:
            return 50  # refused in extract() with the reason, as a failed document
        kind = _TYPES.get(part.content_type)
        if kind is not None and _bytes_agree(kind, part.payload):
            return 50
        return None

    def extract(self, part: Part, ctx: ExtractContext) -> list[ArticleDraft]:
        label = part.filename or f"part {part.path}"
        if "EncryptedPackage".encode("utf-16-le") in part.payload:
            raise MalformedDocument(f"{label}: password-protected document")
        if _TYPES.get(part.content_type) == ".odt":
            try:
                with zipfile.ZipFile(io.BytesIO(part.payload)) as zf:
                    check_package(zf, label, ctx.limits)  # ArchiveLimit: refused now
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as err:
                raise MalformedDocument(f"{label}: not a readable .odt ({err})") from err
        raise NeedsConversion(f"{label}: {part.content_type} waits for conversion")
