""".zip attachments → their members as :class:`~dienhinh.core.types.Part`, in memory.

Units zip a document with its photos ("file nén kèm theo") and the members must reach the
same extractors as attachments do. An archive is untrusted input, and the classic attacks
are all cheap to send, so everything is decided from the central directory *before* a
byte is inflated:

- too many members (``max_archive_members``), or a total declared size over
  ``max_archive_total_bytes``, or a member declared larger than ``max_attachment_bytes``;
- a member that inflates more than ``max_compression_ratio`` times its packed size (a zip
  bomb; only members over ``_RATIO_FLOOR`` are judged, a small text file of blanks
  compresses 200:1 honestly);
- archives nested deeper than ``max_archive_depth``.

Any of these refuses the whole archive (:class:`ArchiveLimit`, a ``LimitExceeded``): its
attachment is listed as failed with the reason, and the rest of the message goes on. The
declared sizes may lie, so each member is also read with a cap (at most the limit + 1
bytes) and an overrun refuses the archive too. Encrypted members are not opened (there is
no password to try); they are reported and the other members go on.

Member names are display names only (blobs are stored by hash): they are decoded as the
zip says (UTF-8 flag), else re-decoded from the raw cp437 bytes as UTF-8 or windows-1258
(Vietnamese Windows tools write the OEM code page without the flag), and sanitised like
attachment names. A .docx or .odt is a zip too; ``mime.sniff_type`` tells them apart by
their members, so only plain archives are opened here.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from dienhinh.core.config import IngestConfig
from dienhinh.core.errors import LimitExceeded, MalformedDocument
from dienhinh.core.text import nfc
from dienhinh.core.types import Part, PartError
from dienhinh.ingest.mime import ZIP_TYPE, sanitize_filename, sniff_type

__all__ = [
    "ArchiveLimit",
    "Expanded",
    "check_package",
    "expand_archive",
    "is_archive",
    "member_name",
    "read_member",
]

_RATIO_FLOOR = 1024 * 1024  # members smaller than this are never judged by their ratio
_CHUNK = 256 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError)
# Tool debris, not content: macOS resource forks and Finder/Explorer files.
_DEBRIS = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
# Types by extension when the bytes say nothing: only for text, which has no magic
# number. A .doc, .odt or .rtf is recognised by its bytes, never by its name.
_BY_EXTENSION = {
    ".txt": "text/plain",
    ".htm": "text/html",
    ".html": "text/html",
}


class ArchiveLimit(LimitExceeded):
    """Raised when an archive (or one nested in it) is over a configured limit; the whole
    archive is refused."""


@dataclass
class Expanded:
    """The members of one archive, nested archives flattened, in archive order."""

    parts: list[Part] = field(default_factory=list)
    errors: list[PartError] = field(default_factory=list)  # members skipped (encrypted)


@dataclass
class _Budget:
    members: int
    total: int


def is_archive(part: Part) -> bool:
    """A plain .zip (sniffed, so a mislabelled one counts; a .docx does not)."""
    return part.content_type == ZIP_TYPE and part.payload[:2] == b"PK"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author typed it, NFC.

    zipfile decodes names without the UTF-8 flag (0x800) as cp437; Vietnamese names in
    such archives are really UTF-8 (7-Zip, macOS) or windows-1258 (older Windows tools).
    The raw bytes are recovered and tried in that order."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return nfc(name)
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return nfc(name)
    for cs in ("utf-8", "cp1258"):
        try:
            return nfc(raw.decode(cs))
        except UnicodeDecodeError:
            continue
    return nfc(name)


def _is_debris(name: str) -> bool:
    base = posixpath.basename(name.replace("\\", "/"))
    return name.startswith("__MACOSX/") or base.startswith("._") or base in _DEBRIS


def _content_type(payload: bytes, name: str) -> str:
    sniffed = sniff_type(payload)
    if sniffed:
        return sniffed
    ext = posixpath.splitext(name.lower())[1]
    return _BY_EXTENSION.get(ext, "application/octet-stream")


def _check_directory(
    infos: list[zipfile.ZipInfo], label: str, limits: IngestConfig, budget: _Budget
) -> None:
    """Refuse the archive on its central directory alone, before inflating anything."""
    budget.members -= len(infos)
    if budget.members < 0:
        raise ArchiveLimit(
            f"{label}: more than max_archive_members ({limits.max_archive_members}) members"
        )
    declared = 0
    for info in infos:
        if info.file_size > limits.max_attachment_bytes:
            raise ArchiveLimit(
                f"{label}: member {member_name(info)!r} declares {info.file_size} bytes, over "
                f"max_attachment_bytes ({limits.max_attachment_bytes})"
            )
        if info.file_size > _RATIO_FLOOR and (
            info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
        ):
            raise ArchiveLimit(
                f"{label}: member {member_name(info)!r} inflates {info.file_size} bytes from "
                f"{info.compress_size}, over max_compression_ratio "
                f"({limits.max_compression_ratio}); a zip bomb?"
            )
        declared += info.file_size
    if declared > budget.total:
        raise ArchiveLimit(
            f"{label}: members declare {declared} bytes in all, over "
            f"max_archive_total_bytes ({limits.max_archive_total_bytes})"
        )


def check_package(zf: zipfile.ZipFile, label: str, limits: IngestConfig) -> None:
    """Bound a document package (.docx, .odt) like an archive, before any member is
    inflated: member count, declared sizes, compression ratio and total. A 150 kB mail
    must not inflate to a 37 MB document.xml. Raises :class:`ArchiveLimit`."""
    budget = _Budget(members=limits.max_archive_members, total=limits.max_archive_total_bytes)
    infos = [i for i in zf.infolist() if not i.is_dir()]
    _check_directory(infos, label, limits, budget)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    """A package member, never more than ``cap`` bytes whatever its header declares
    (raises :class:`ArchiveLimit` past it)."""
    return _read_capped(zf, info, cap, label)


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    """Read a member, never more than ``cap`` + 1 bytes whatever its header declares."""
    out = bytearray()
    with zf.open(info) as fh:
        while len(out) <= cap:
            chunk = fh.read(min(_CHUNK, cap + 1 - len(out)))
            if not chunk:
                break
            out += chunk
    if len(out) > cap:
        raise ArchiveLimit(
            f"{label}: member {member_name(info)!r} inflates past its limit ({cap} bytes); "
            "its header understates its size"
        )
    return bytes(out)


def _expand(
    payload: bytes,
    path: str,
    label: str,
    depth: int,
    limits: IngestConfig,
    budget: _Budget,
    out: Expanded,
) -> None:
    if depth > limits.max_archive_depth:
        raise ArchiveLimit(
            f"{label}: archives nested deeper than max_archive_depth ({limits.max_archive_depth})"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(payload))
    except _ZIP_ERRORS as err:
        raise MalformedDocument(f"{label}: not a readable .zip ({err})") from err
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not _is_debris(i.filename)]
        _check_directory(infos, label, limits, budget)
        for index, info in enumerate(infos, 1):
            name = sanitize_filename(member_name(info)) or f"member-{index}"
            member_path = f"{path}/zip:{index}"
            if info.flag_bits & 0x1:
                out.errors.append(
                    PartError(
                        part_path=member_path,
                        filename=name,
                        kind="failed",
                        error=f"{label}: member {name!r} is encrypted (password-protected); "
                        "not opened",
                    )
                )
                continue
            cap = min(info.file_size, limits.max_attachment_bytes, budget.total)
            try:
                data = _read_capped(zf, info, cap, label)
            except ArchiveLimit:
                raise
            except (*_ZIP_ERRORS, RuntimeError) as err:
                raise MalformedDocument(f"{label}: member {name!r} is damaged ({err})") from err
            budget.total -= len(data)
            ctype = _content_type(data, name)
            if ctype == ZIP_TYPE:
                _expand(data, member_path, f"{label} › {name}", depth + 1, limits, budget, out)
                continue
            out.parts.append(
                Part(
                    path=member_path,
                    content_type=ctype,
                    payload=data,
                    filename=name,
                    disposition="attachment",
                    declared_type=ctype,
                )
            )


def expand_archive(part: Part, limits: IngestConfig) -> Expanded:
    """The members of ``part`` (a .zip), nested archives included, as Parts with paths
    like ``"2/zip:1"`` and ``"2/zip:3/zip:1"``. Raises :class:`ArchiveLimit` (refused as a
    whole) or ``MalformedDocument`` (not a readable zip)."""
    label = part.filename or f"part {part.path}"
    out = Expanded()
    budget = _Budget(members=limits.max_archive_members, total=limits.max_archive_total_bytes)
    _expand(part.payload, part.path, label, 1, limits, budget, out)
    return out
