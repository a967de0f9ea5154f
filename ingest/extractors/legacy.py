"""Word 97-2003 (.doc), OpenDocument text (.odt) and RTF files: recognised by their bytes,
converted later by the slow lane (LibreOffice, ``ingest/convert.py``).

:meth:`LegacyExtractor.extract` raises ``NeedsConversion``; extraction keeps the document as
an article waiting in ``ArticleState.NEEDS_CONVERSION`` (the editor sees that it arrived)
until the slow lane (``ingest/slowlane.py``) converts and reads it. The kind comes from the
sniffed content type (``ingest/mime.py``), confirmed by the magic number here: a file named
``.doc`` or declared ``application/msword`` whose bytes are something else is not taken. A
password-protected Office file (an OLE2 ``EncryptedPackage``, whatever its name) is taken
here only to fail with that reason (the attachment is refused "encrypted: ..."); so is a
Word .doc encrypted by Word itself (RC4 or XOR obfuscation: the ``fEncrypted`` bit of the
FIB at the start of its WordDocument stream, found by reading the OLE2 directory here,
:func:`doc_encrypted`), which LibreOffice would only fail on later. An .odt (or an .ott
template) is bounded like a zip attachment before it waits.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import ClassVar

from dienhinh.core.errors import MalformedDocument, NeedsConversion
from dienhinh.core.types import ArticleDraft, Part
from dienhinh.ingest.archive import check_package
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.mime import ENCRYPTED_OFFICE_TYPE, is_rtf

__all__ = ["LegacyExtractor", "doc_encrypted"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TYPES = {
    "application/msword": ".doc",
    "application/vnd.ms-word": ".doc",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/vnd.oasis.opendocument.text": ".odt",
}


_FREESECT, _ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_CHAIN = 1 << 16  # sectors followed in one chain (a loop in a damaged FAT ends here)


def _ole_stream_head(data: bytes, name: str, want: int = 16) -> bytes | None:
    """The first ``want`` bytes of the stream ``name`` in an OLE2 compound file (MS-CFB),
    or None when the file has no such stream or its structures do not hold together.
    Only what that needs is read: the header, the FAT sectors it lists (the first 109,
    enough for a 7 MB file with 512-byte sectors, then the DIFAT chain), the directory
    chain, and the stream's first sector (or the mini stream's, for a small stream)."""
    if len(data) < 512 or not data.startswith(_OLE2):
        return None
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        return None
    size = 1 << shift
    n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, minifat_start = struct.unpack_from("<II", data, 0x38)
    difat_start, n_difat = struct.unpack_from("<II", data, 0x44)

    def sector(i: int) -> bytes:
        at = (i + 1) * size
        return data[at : at + size] if i >= 0 and at + size <= len(data) else b""

    fat_sectors = [x for x in struct.unpack_from("<109I", data, 0x4C) if x != _FREESECT]
    nxt, seen = difat_start, 0
    while nxt not in (_FREESECT, _ENDOFCHAIN) and seen < n_difat and seen < _MAX_CHAIN:
        block = sector(nxt)
        if not block:
            return None
        entries = struct.unpack(f"<{size // 4}I", block)
        fat_sectors += [x for x in entries[:-1] if x != _FREESECT]
        nxt, seen = entries[-1], seen + 1
    fat: list[int] = []
    for i in fat_sectors[: n_fat or len(fat_sectors)]:
        block = sector(i)
        if not block:
            return None
        fat.extend(struct.unpack(f"<{size // 4}I", block))

    def chain(start: int) -> list[int]:
        out: list[int] = []
        while 0 <= start < len(fat) and start not in (_FREESECT, _ENDOFCHAIN):
            out.append(start)
            if len(out) > _MAX_CHAIN:
                break
            start = fat[start]
        return out

    directory = b"".join(sector(i) for i in chain(dir_start))
    wanted = name.encode("utf-16-le")
    root_start = -1
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at : at + 128]
        name_len = struct.unpack_from("<H", entry, 64)[0]
        kind = entry[66]
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if kind == 5:  # the root entry: its chain is the mini stream
            root_start = start
            continue
        if kind != 2 or entry[: max(0, name_len - 2)] != wanted:
            continue
        if stream_size >= cutoff:
            return sector(start)[:want] or None
        # A small stream lives in the mini stream, in 64-byte mini sectors.
        minifat = b"".join(sector(i) for i in chain(minifat_start))
        mini_next = struct.unpack(f"<{len(minifat) // 4}I", minifat)
        mini = chain(root_start)
        if start >= len(mini_next) or not mini:
            return None
        at_mini = start * 64
        big, off = divmod(at_mini, size)
        return sector(mini[big])[off : off + want] if big < len(mini) else None
    return None


def doc_encrypted(payload: bytes) -> bool:
    """True when a Word 97-2003 (or 6/95) .doc is password-protected by Word: bit
    ``fEncrypted`` (0x0100) of the flags at offset 10 of the FIB, which opens the
    WordDocument stream (wIdent 0xA5EC). False when the stream is not found or is clear."""
    head = _ole_stream_head(payload, "WordDocument", 12)
    if head is None or len(head) < 12 or head[:2] != b"\xec\xa5":
        return False
    flags = struct.unpack_from("<H", head, 10)[0]
    return bool(flags & 0x0100)


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
        if _TYPES.get(part.content_type) == ".doc" and doc_encrypted(part.payload):
            raise MalformedDocument(f"{label}: password-protected .doc")
        if _TYPES.get(part.content_type) == ".odt":
            try:
                with zipfile.ZipFile(io.BytesIO(part.payload)) as zf:
                    check_package(zf, label, ctx.limits)  # ArchiveLimit: refused now
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as err:
                raise MalformedDocument(f"{label}: not a readable .odt ({err})") from err
        raise NeedsConversion(f"{label}: {part.content_type} waits for conversion")
