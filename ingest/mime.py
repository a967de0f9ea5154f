"""Raw message bytes → headers and decoded leaves (:class:`~dienhinh.core.types.Part`).

Why these libraries:

- The tree is parsed by the standard library's ``email.message_from_bytes`` with the
  ``compat32`` policy: it is about 3x faster than ``policy.default`` on unit mail
  (parsing-costs.md) and keeps the raw header values, so nothing is "fixed" before we
  look at it.
- Header *values* are decoded with mail-parser's helpers (the design card's dependency):
  ``decode_header_part`` copes with most unknown or broken charsets, ``get_addresses``
  recovers mailboxes from malformed From/To lines and reports what it guessed (both can
  still raise on hostile encoded words: ``_HEADER_ERRORS`` below),
  ``parse_mail_date`` accepts obsolete RFC 5322 syntax and says why a date is rejected,
  and ``mime_header_view`` gives a UTF-8 view of raw 8-bit Content-Type/Disposition
  headers (webmail sends Vietnamese file names that way).

Nothing here raises for bad input: problems become :class:`PartError` entries or
``defects`` strings, and the rest of the message goes on.
"""

from __future__ import annotations

import copy
import email
import email.parser
import email.utils
import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.errors import CharsetError, HeaderParseError
from email.header import Header, decode_header, make_header
from email.message import Message
from functools import lru_cache

from mailparser.utils import (
    decode_header_part,
    get_addresses,
    get_header,
    mime_header_view,
    parse_mail_date,
)

from dienhinh.core.config import IngestConfig
from dienhinh.core.text import collapse_ws, nfc
from dienhinh.core.types import Attachment, ForwardOrigin, MailHeaders, Part, PartError
from dienhinh.ingest import legacy
from dienhinh.ingest.leanparse import LeanMessage, parse_lean, payload_bytes

__all__ = [
    "DOCX_TYPE",
    "DOC_TYPE",
    "ENCRYPTED_OFFICE_TYPE",
    "ODT_TYPE",
    "RTF_TYPE",
    "ZIP_TYPE",
    "BodyParts",
    "ParsedMail",
    "decode_text",
    "forward_origin",
    "is_rtf",
    "parse_headers_only",
    "parse_message",
    "sanitize_filename",
    "sniff_type",
]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
ODT_TEMPLATE_TYPE = "application/vnd.oasis.opendocument.text-template"
ZIP_TYPE = "application/zip"
DOC_TYPE = "application/msword"
RTF_TYPE = "application/rtf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Sniffed kinds with no registered MIME type of their own.
ENCRYPTED_OFFICE_TYPE = "application/x-encrypted-office"  # OLE2 with an EncryptedPackage
OLE_OTHER_TYPE = "application/x-ole-storage"
OOXML_OTHER_TYPE = "application/x-ooxml-package"
ODF_OTHER_TYPE = "application/x-odf-package"
MAX_FILENAME_CHARS = 180
# RFC 6838 caps type and subtype at 127 characters each; a longer content type is garbage,
# and asset.content_type is a 200-character column.
MAX_TYPE_CHARS = 127
# Parts past max_mime_parts listed one by one (refused); the rest share one entry.
SKIPPED_LISTED = 20

# Declared types that are the same thing under another name; not a "mismatch".
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
    "application/x-zip-compressed": "application/zip",
    "application/x-zip": "application/zip",
    "multipart/x-zip": "application/zip",
}
# Containers we descend into; other message/* parts (delivery-status, disposition
# notifications) are reports, not content.
_MESSAGE_TYPES = {"message/rfc822", "message/global"}


@dataclass
class BodyParts:
    """The text bodies of one message scope: the message itself (``scope == ""``) or a
    message/rfc822 part inside it (``scope`` = that part's path)."""

    scope: str
    plain: Part | None = None
    html: Part | None = None


@dataclass
class ParsedMail:
    headers: MailHeaders
    bodies: list[BodyParts] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)  # every non-body leaf, in order
    skipped: list[Attachment] = field(default_factory=list)  # leaves over a limit
    errors: list[PartError] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    fatal: str = ""  # non-empty: the message as a whole cannot be processed
    message: Message | None = None  # the stdlib tree, for rules that read raw structure
    # Headers of each attached message/rfc822, by its scope (the part path): who sent the
    # message that was forwarded. Nested forwards have nested scopes ("2", "2.1.3").
    forwards: dict[str, ForwardOrigin] = field(default_factory=dict)


# --- headers -----------------------------------------------------------------------------


def _split_header_block(data: bytes) -> bytes:
    """The header block: up to the first blank line (CRLF or LF, whichever comes first).
    The second search stops where the first found its line: it was a scan of the whole
    message (a CRLF message has no bare blank line)."""
    crlf = data.find(b"\r\n\r\n")
    lf = data.find(b"\n\n", 0, crlf + 1) if crlf >= 0 else data.find(b"\n\n")
    ends = [i for i in (crlf, lf) if i >= 0]
    return data[: min(ends)] if ends else data


def _raw_text(value: str | Header | None, *, decode_words: bool = True) -> str:
    """A header value as text. Raw 8-bit values (compat32 keeps them as surrogates or as
    ``Header`` objects) are read as UTF-8, else windows-1258 (Outlook-era units), so a
    Vietnamese subject typed without MIME encoding survives."""
    if value is None:
        return ""
    if isinstance(value, Header):
        value = str(value)
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1258", "replace")
    if decode_words and "=?" in text:
        text = _decode_words(text)
    return text


# What the standard library's and mail-parser's header decoders raise on hostile input
# (found by tests/fuzz): a charset name with 8-bit bytes (CharsetError), one with a NUL
# (ValueError "embedded null character", from both decoders), broken base64 in an encoded
# word (HeaderParseError, also out of mail-parser's get_addresses).
_HEADER_ERRORS = (LookupError, UnicodeError, HeaderParseError, CharsetError, ValueError)


def _decode_words(text: str) -> str:
    """RFC 2047 encoded words decoded, with the spaces between an encoded word and plain
    text kept ("...tháng =?utf-8?...?= 3/2018" must not become "tháng3/2018", which
    mail-parser's decode_header_part does). The standard library decodes by the RFC;
    mail-parser is the fallback for what it refuses (an unknown or broken charset); when
    both refuse, the text stays as written."""
    try:
        return str(make_header(decode_header(text)))
    except _HEADER_ERRORS:
        pass
    try:
        return decode_header_part(text)
    except _HEADER_ERRORS:
        return text


def _addresses(
    value: str, defects: list[str], *, decode_names: bool = False
) -> list[tuple[str, str]]:
    """The addresses of a header value (see :func:`_read_addresses`), its defects added
    to ``defects``. A unit's mail repeats the same From and To values message after
    message, and reading one costs about 0.1 ms (mail-parser's scanner goes character by
    character in Python): the outcome of a value is kept (a pure function of it) and
    handed out as fresh copies."""
    if type(value) is not str:  # a Header (8-bit bytes) is unhashable: read each time
        return _read_addresses(value, defects, decode_names=decode_names)
    pairs, found = _addresses_of(value, decode_names)
    defects.extend(copy.deepcopy(found) if found else ())
    return list(pairs)


@lru_cache(maxsize=1024)
def _addresses_of(
    value: str, decode_names: bool
) -> tuple[tuple[tuple[str, str], ...], tuple[object, ...]]:
    found: list[str] = []
    pairs = _read_addresses(value, found, decode_names=decode_names)
    return tuple(pairs), tuple(found)


def _read_addresses(
    value: str, defects: list[str], *, decode_names: bool = False
) -> list[tuple[str, str]]:
    """mail-parser's get_addresses, which raises on a damaged encoded word in a display
    name (one flipped bit in base64 stopped the whole message: tests/fuzz regression
    broken-from-name.eml). The address still counts: the names are then decoded by
    ``_decode_words``, and as a last resort nothing is recovered from the header."""
    try:
        return get_addresses(value, defects=defects, decode_names=decode_names)
    except _HEADER_ERRORS as err:
        defects.append(f"address header: {err}")
    try:
        return [(_decode_words(n), a) for n, a in get_addresses(value, defects=defects)]
    except _HEADER_ERRORS:
        return []


def _raw_value(msg: Message, name: str) -> str | None:
    # raw_items() keeps 8-bit bytes as surrogates; get() would turn them into a Header
    # whose str() has already replaced them.
    low = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == low:
            return str(value)
    return None


def _text_header(msg: Message, name: str) -> str:
    # windows-1258 encoded words decode to base letters + combining tones: compose them.
    text = nfc(collapse_ws(_raw_text(_raw_value(msg, name))))
    if text.isascii():
        return text
    # A subject typed in a TCVN3 or VNI font ("Bµi g­¬ng CCB hiÕn ®Êt", sent as
    # iso-8859-1 by Outlook Express) is repaired as a body is.
    return legacy.repair(text)[0]


def _ids(value: str) -> list[str]:
    found = re.findall(r"<([^<>\s]+)>", value)
    if found:
        return found
    return [tok for tok in value.split() if tok]


def _date(msg: Message, defects: list[str]) -> datetime | None:
    raw = msg.get("Date")
    if raw is None:
        return None
    result = parse_mail_date(str(raw))
    defects.extend(f"date: {r}" for r in result.reasons)
    if result.value is None:
        return None
    try:
        offset = timedelta(hours=float(result.timezone))
    except (TypeError, ValueError):
        offset = timedelta(0)
    # mail-parser gives UTC; keep the sender's own offset (a quarter boundary in
    # Asia/Ho_Chi_Minh depends on it, and the raw header is the evidence).
    value: datetime = result.value
    return value.astimezone(timezone(offset))


def _headers(msg: Message, data: bytes, header_block: bytes) -> tuple[MailHeaders, list[str]]:
    defects: list[str] = []
    mid_values = _ids(str(get_header(msg, "Message-ID") or ""))
    if mid_values:
        message_id, generated = mid_values[0], False
    else:
        message_id = f"generated-{hashlib.sha256(data).hexdigest()[:32]}@dienhinh.invalid"
        generated = True
    from_pairs = _addresses(
        _raw_text(_raw_value(msg, "From"), decode_words=False), defects, decode_names=True
    )
    from_name, from_addr = from_pairs[0] if from_pairs else ("", "")
    to: list[str] = []
    for name in ("To", "Cc"):
        for value in msg.get_all(name) or []:
            to.extend(a for _, a in _addresses(value, defects) if a)
    auth = get_header(msg, "Authentication-Results")
    headers = MailHeaders(
        message_id=message_id,
        message_id_generated=generated,
        # NFC like every stored text: a raw 8-bit address may carry a combining mark
        # (found by tests/fuzz, regression from-address-nfd.eml).
        from_addr=nfc(from_addr.strip().lower()),
        from_name=nfc(collapse_ws(from_name)),
        subject=_text_header(msg, "Subject"),
        date=_date(msg, defects),
        to=to,
        in_reply_to=(_ids(str(get_header(msg, "In-Reply-To") or "")) or [""])[0],
        references=_ids(" ".join(msg.get_all("References") or [])),
        auto_submitted=str(get_header(msg, "Auto-Submitted") or "").strip(),
        precedence=str(get_header(msg, "Precedence") or "").strip().lower(),
        list_id=str(get_header(msg, "List-Id") or "").strip(),
        authentication_results=[auth] if isinstance(auth, str) and auth else list(auth or []),
        raw_headers=header_block.decode("utf-8", "replace"),
    )
    return headers, defects


def parse_headers_only(data: bytes, limits: IngestConfig) -> MailHeaders:
    """Headers of a message that will not be parsed further (over a size limit): only
    the first ``max_header_bytes`` are read, so the cost is bounded."""
    block = _split_header_block(data[: limits.max_header_bytes])
    msg = email.parser.BytesHeaderParser().parsebytes(block)
    return _headers(msg, data, block)[0]


def forward_origin(msg: Message) -> ForwardOrigin:
    """The sender, subject and date of a message/rfc822 attachment (a forward)."""
    defects: list[str] = []
    pairs = _addresses(
        _raw_text(_raw_value(msg, "From"), decode_words=False), defects, decode_names=True
    )
    name, addr = pairs[0] if pairs else ("", "")
    return ForwardOrigin(
        from_name=nfc(collapse_ws(name)),
        from_addr=nfc(addr.strip().lower()),
        subject=_text_header(msg, "Subject"),
        date=_date(msg, defects),
        date_text=collapse_ws(str(msg.get("Date") or "")),
        via="rfc822",
    )


# --- file names and types ----------------------------------------------------------------

_CONTROL = {"Cc", "Cf", "Zl", "Zp"}  # Cf: bidi overrides such as U+202E hide the extension


def sanitize_filename(name: str) -> str:
    """A display-safe file name: NFC, no directories, no control/bidi characters, no
    leading dots, at most MAX_FILENAME_CHARS (keeping the extension). It is still never
    used as a path: blobs are stored by hash."""
    name = nfc(name)
    name = "".join(" " if unicodedata.category(ch) in _CONTROL else ch for ch in name)
    name = re.split(r"[/\\]", name)[-1]
    name = collapse_ws(name).lstrip(". ")
    if name in ("", "..", "."):
        return ""
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME_CHARS - len(ext) - 1] + "." + ext
        else:
            # rstrip: a cut at a space left a trailing blank, and sanitising the result
            # again changed it (found by tests/fuzz).
            name = name[:MAX_FILENAME_CHARS].rstrip()
    return name


def _filename(view: Message) -> str:
    raw = view.get_filename() or view.get_param("name") or ""
    if isinstance(raw, tuple):  # an RFC 2231 triple compat32 could not collapse
        raw = email.utils.collapse_rfc2231_value(raw)
    text = str(raw)
    if "=?" in text:  # RFC 2047 inside a parameter: not standard, but Outlook does it
        text = _decode_words(text)
    return sanitize_filename(text)


_PACKAGE_FIRST = (b"[Content_Types].xml", b"_rels/", b"word/", b"docProps/")
# Central-directory listing and a few small members are read to name a package; a member
# bigger than this is never read for that (the mimetype member is a few dozen bytes).
_SNIFF_MEMBER_BYTES = 64 * 1024
# The main part's content type names a WordprocessingML package whatever the part is called
# (Word writes word/document.xml; other tools may not).
_WORD_MAIN = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
)
_OOXML_BY_MEMBER = (
    ("xl/workbook.xml", XLSX_TYPE),
    ("ppt/presentation.xml", PPTX_TYPE),
)


def _small_member(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = zf.getinfo(name)
        if info.file_size > _SNIFF_MEMBER_BYTES or info.flag_bits & 0x1:
            return b""
        return zf.read(info)[:_SNIFF_MEMBER_BYTES]
    except (
        KeyError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ):
        return b""


def _zip_kind(payload: bytes) -> str:
    """What a PK file is, by its members: a .docx (a WordprocessingML main part), an ODF
    document (its ``mimetype`` member: .odt or another kind), another OOXML package
    (.xlsx, .pptx, ...), an EPUB, or a plain archive. Never by the name it was sent under.

    Members are listed from the central directory (cheap: only the tiny ``mimetype`` and
    ``[Content_Types].xml`` members are inflated, and only when small). A byte search for
    "word/document.xml" is not enough: a .docx stored uncompressed inside a .zip shows the
    same bytes."""
    # Fast path for the common case, a .docx as Word writes it: its first member is one of
    # the package's own parts, and the main part is named in the bytes.
    first = payload[30 : 30 + int.from_bytes(payload[26:28], "little")]
    if first.startswith(_PACKAGE_FIRST) and b"word/document.xml" in payload:
        return DOCX_TYPE
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                kind = _small_member(zf, "mimetype").strip().decode("ascii", "replace")
                if kind in (ODT_TYPE, ODT_TEMPLATE_TYPE):
                    return ODT_TYPE  # a template (.ott) is read as the .odt it is
                if re.fullmatch(r"application/[a-z0-9.+-]{3,100}", kind):
                    return kind  # another ODF kind (.ods, .odp), EPUB
                return ODF_OTHER_TYPE
            if "word/document.xml" in names:
                return DOCX_TYPE
            if "[Content_Types].xml" in names:
                types = _small_member(zf, "[Content_Types].xml")
                if any(t in types for t in _WORD_MAIN):
                    return DOCX_TYPE
                for member, ctype in _OOXML_BY_MEMBER:
                    if member in names:
                        return ctype
                return OOXML_OTHER_TYPE
            if "META-INF/manifest.xml" in names:
                return ODF_OTHER_TYPE
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError):
        # Truncated or damaged: a byte search still names a damaged .docx as one, so the
        # extractor reports it as a damaged document (and a damaged archive as one).
        if b"word/document.xml" in payload:
            return DOCX_TYPE
        if b"mimetype" + ODT_TYPE.encode() in payload:  # .odt and .ott
            return ODT_TYPE
        return ZIP_TYPE
    return ZIP_TYPE


_UTF16 = "utf-16-le"


def _ole_kind(payload: bytes) -> str:
    """What an OLE2 compound file is, by the names of its streams (UTF-16 in the
    directory sectors): a Word .doc, a password-protected Office file (an OOXML package
    encrypted into an ``EncryptedPackage`` stream, whatever its name said), an Excel or
    PowerPoint file, or another OLE file (.msg, .msi, ...)."""
    if "EncryptedPackage".encode(_UTF16) in payload:
        return ENCRYPTED_OFFICE_TYPE
    if "WordDocument".encode(_UTF16) in payload:
        return DOC_TYPE
    if "Workbook".encode(_UTF16) in payload or "Book".encode(_UTF16) + b"\x00\x00" in payload:
        return "application/vnd.ms-excel"
    if "PowerPoint Document".encode(_UTF16) in payload:
        return "application/vnd.ms-powerpoint"
    return OLE_OTHER_TYPE


_BOM_AND_BLANKS = b"\xef\xbb\xbf \t\r\n"


def is_rtf(payload: bytes) -> bool:
    return payload[:64].lstrip(_BOM_AND_BLANKS).startswith(b"{\\rtf")


def sniff_type(payload: bytes) -> str | None:
    """The type the bytes say they are, from magic numbers and container members; None
    when unknown (plain text, HTML, unknown binaries)."""
    head = payload[:16]
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    # BMP and MZ are two letters a text could start with ("BMW ..."): their binary headers
    # (reserved zero bytes and a DIB header size; NULs in the DOS header) must be there too.
    if (
        head.startswith(b"BM")
        and payload[6:10] == b"\0\0\0\0"
        and payload[14:15] in (b"\x0c", b"(", b"4", b"8", b"@", b"l", b"|")
        and payload[15:18] == b"\0\0\0"
    ):
        return "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole_kind(payload)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(payload)
    if head.startswith(b"PK\x05\x06"):  # an empty archive
        return ZIP_TYPE
    if is_rtf(payload):
        return "application/rtf"
    if head.startswith(b"MZ") and b"\0\0" in payload[2:64]:
        return "application/x-msdownload"
    if head.startswith(b"\x7fELF"):
        return "application/x-executable"
    if head.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if payload[:512].lstrip(_BOM_AND_BLANKS).startswith(b"%PDF"):
        return "application/pdf"
    return None


# --- text --------------------------------------------------------------------------------


# Charsets where a UTF-8 try first would be wrong: not ASCII-compatible.
_WIDE_CHARSETS = ("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2", "iso-2022")


def decode_text(payload: bytes, charset: str) -> str:
    """Body bytes → NFC text.

    Labels lie: webmail and old Outlook send UTF-8 labelled us-ascii or iso-8859-1, and
    windows-1258 labelled as anything. Bytes with the high bit set are therefore tried as
    strict UTF-8 first (Vietnamese in a single-byte charset is practically never valid
    UTF-8), then as the declared charset, then windows-1258. cp1258 output is base letters
    + combining tones, hence the NFC. A us-ascii label on 8-bit bytes is never trusted
    (Python would refuse them anyway; iso-8859-1 would "succeed" with mojibake)."""
    if payload.isascii():
        return nfc(payload.decode("ascii"))
    declared = (charset or "").strip().lower()
    order = [declared, "utf-8", "cp1258"]
    if not declared.startswith(_WIDE_CHARSETS):
        order = ["utf-8", *order]
    if declared in ("us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso8859-1"):
        # Latin-1 accepts any byte: as a guess it is worse than windows-1258 here.
        order = ["utf-8", "cp1258", declared]
    for cs in order:
        if not cs:
            continue
        try:
            text = nfc(payload.decode(cs))
        # ValueError: a charset name with a NUL in it ("utf-8\x00"), found by tests/fuzz.
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
        if cs == "cp1258" and declared in _LATIN1_LABELS:
            return _tcvn3_bytes_or(payload, text)
        return text
    return nfc(payload.decode("utf-8", "replace"))


_LATIN1_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "iso8859-1"})


def _tcvn3_bytes_or(payload: bytes, cp1258_text: str) -> str:
    """Old Outlook Express sends a body typed in a TCVN3 or VNI font (.VnTime) labelled
    iso-8859-1: its bytes are legacy codes, which read as windows-1258 make half-right
    Vietnamese no repair can mend ("KƯnh gửi"). The bytes' windows-1252 reading (what Word
    stores for such text, and what ``legacy.repair`` decodes) is kept instead when, once
    repaired, it reads as Vietnamese better than the windows-1258 reading does."""
    try:
        western = payload.decode("cp1252")
    except UnicodeDecodeError:
        western = payload.decode("latin-1")
    repaired, encoding = legacy.repair(western)
    if encoding is None:
        return cp1258_text
    if legacy.syllable_share(repaired) > legacy.syllable_share(cp1258_text) + 0.1:
        return nfc(western)
    return cp1258_text


# --- the tree ----------------------------------------------------------------------------


@dataclass
class _Walk:
    limits: IngestConfig
    out: ParsedMail
    lean: LeanMessage
    leaves: int = 0
    stopped: bool = False
    scopes: dict[str, BodyParts] = field(default_factory=dict)
    related: dict[str, list[Part]] = field(default_factory=dict)

    def error(self, path: str, filename: str, message: str, kind: str = "failed") -> None:
        self.out.errors.append(
            PartError(part_path=path, filename=filename, error=message, kind=kind)
        )


def _walk(msg: Message, path: str, depth: int, scope: str, w: _Walk) -> None:
    if depth > w.limits.max_mime_depth:
        w.error(
            path, "", f"MIME nesting deeper than {w.limits.max_mime_depth}; part skipped", "limit"
        )
        w.out.skipped.append(
            Attachment(
                sha256="",
                size=0,
                content_type=msg.get_content_type()[:MAX_TYPE_CHARS],
                filename="",
                part_path=path,
                used_as="refused",
                error=(
                    f"over-limit: MIME nesting deeper than {w.limits.max_mime_depth}; "
                    "this part and what it contains not read"
                ),
            )
        )
        return
    ctype = msg.get_content_type()
    if msg.is_multipart():
        children = msg.get_payload()
        if ctype.startswith("message/"):
            if ctype not in _MESSAGE_TYPES:
                return
            scope = path or "1"
            inner = children[0] if isinstance(children, list) and children else None
            if isinstance(inner, Message):
                nested = sum(1 for s in w.out.forwards if scope.startswith(s + "."))
                if nested < w.limits.max_forward_depth:
                    w.out.forwards[scope] = forward_origin(inner)
                else:
                    w.out.defects.append(
                        f"part {scope}: forwarded message nested deeper than "
                        f"max_forward_depth ({w.limits.max_forward_depth}); sender not kept"
                    )
        if isinstance(children, list):
            for i, child in enumerate(children, 1):
                if isinstance(child, Message):
                    _walk(child, f"{path}.{i}" if path else str(i), depth + 1, scope, w)
        return
    w.leaves += 1
    if w.leaves > w.limits.max_mime_parts:
        if not w.stopped:
            w.error(
                path or "1",
                "",
                f"more than {w.limits.max_mime_parts} MIME parts; rest skipped",
                "limit",
            )
            w.stopped = True
        _skipped_leaf(msg, path or "1", ctype, w)
        return
    _leaf(msg, path or "1", ctype, scope, w)


def _skipped_leaf(msg: Message, path: str, ctype: str, w: _Walk) -> None:
    """A leaf past the MIME part limit: not decoded, but listed (refused, with the reason)
    so the message's account names it. The listing itself is bounded: past
    ``SKIPPED_LISTED`` parts one summary entry stands for the rest."""
    listed = w.leaves - w.limits.max_mime_parts
    reason = f"over-limit: the message has more than {w.limits.max_mime_parts} MIME parts"
    if listed > SKIPPED_LISTED:
        if listed == SKIPPED_LISTED + 1:
            w.out.skipped.append(
                Attachment(
                    sha256="",
                    size=0,
                    content_type="",
                    filename="",
                    part_path=path,
                    used_as="refused",
                    error=f"{reason}; this and every later part not read",
                )
            )
        return
    if ctype in ("text/plain", "text/html") and not msg.get_filename():
        return  # a body text past the limit is no attachment
    try:
        filename = _filename(mime_header_view(msg)[0])
    except _HEADER_ERRORS:
        filename = ""
    raw = msg.get_payload()
    w.out.skipped.append(
        Attachment(
            sha256="",
            size=len(raw) if isinstance(raw, str) else 0,
            content_type=ctype[:MAX_TYPE_CHARS],
            filename=filename,
            part_path=path,
            used_as="refused",
            error=f"{reason}; part not read",
            declared_type=ctype[:MAX_TYPE_CHARS],
        )
    )


def _leaf(msg: Message, path: str, ctype: str, scope: str, w: _Walk) -> None:
    if len(ctype) > MAX_TYPE_CHARS:
        # Stored as asset.content_type (200 characters): PostgreSQL refused the whole
        # message (tests/fuzz regression long-content-type.eml). Read as unlabelled bytes.
        w.out.defects.append(f"part {path}: content type over {MAX_TYPE_CHARS} characters")
        ctype = "application/octet-stream"
    view, view_defects = mime_header_view(msg)
    w.out.defects.extend(f"part {path}: {d}" for d in view_defects)
    filename = _filename(view)
    disposition = (view.get_content_disposition() or "").lower()
    raw = payload_bytes(w.lean, msg)
    payload = raw if isinstance(raw, bytes) else b""
    w.out.defects.extend(f"part {path}: {type(d).__name__}" for d in msg.defects)
    if len(payload) > w.limits.max_attachment_bytes:
        message = (
            f"{len(payload)} bytes is over max_attachment_bytes ({w.limits.max_attachment_bytes})"
        )
        w.error(path, filename, message, "limit")
        w.out.skipped.append(
            Attachment(
                sha256="",
                size=len(payload),
                content_type=sniff_type(payload[:65536]) or ctype,
                filename=filename,
                part_path=path,
                used_as="refused",
                error=f"over-limit: {message}",
                declared_type=ctype,
            )
        )
        return
    content_id = (view.get("Content-ID") or "").strip().strip("<>").strip()
    part = Part(
        path=path,
        content_type=ctype,
        payload=payload,
        filename=filename,
        disposition=disposition,
        charset=(msg.get_content_charset() or ""),
        content_id=content_id,
        declared_type=ctype,
    )
    # What the bytes are decides, text/* parts included: an RTF file sent as text/plain
    # (or a PDF a webmail labelled text/plain) is a document, never a mail body. Real
    # bodies have no magic number, so they sniff as None and stay bodies.
    sniffed = sniff_type(payload)
    is_body = (
        ctype in ("text/plain", "text/html")
        and disposition != "attachment"
        and not filename
        and sniffed is None
    )
    if is_body:
        bodies = w.scopes.get(scope)
        if bodies is None:
            bodies = w.scopes[scope] = BodyParts(scope=scope)
            w.out.bodies.append(bodies)
        slot = "plain" if ctype == "text/plain" else "html"
        if getattr(bodies, slot) is None:
            setattr(bodies, slot, part)
            if slot == "html":
                part.related = w.related.setdefault(scope, [])
            return
    declared = _ALIASES.get(ctype, ctype)
    if sniffed and sniffed != declared:
        part.content_type = sniffed
    elif declared != ctype:
        part.content_type = declared
    if content_id:
        w.related.setdefault(scope, []).append(part)
    w.out.attachments.append(part)


def parse_message(data: bytes, limits: IngestConfig) -> ParsedMail:
    """Parse one message. Over-limit input is reported in ``fatal``/``errors``, never
    raised."""
    block = _split_header_block(data)
    if len(data) > limits.max_message_bytes:
        headers = parse_headers_only(data, limits)
        return ParsedMail(
            headers=headers,
            fatal=(
                f"message is {len(data)} bytes, over max_message_bytes ({limits.max_message_bytes})"
            ),
        )
    if len(block) > limits.max_header_bytes:
        headers = parse_headers_only(data, limits)
        return ParsedMail(
            headers=headers,
            fatal=(f"header block is over max_header_bytes ({limits.max_header_bytes})"),
        )
    # parse_lean is email.message_from_bytes for ordinary mail; for big messages it keeps
    # large base64 bodies out of the parser's memory (see leanparse.py).
    try:
        lean = parse_lean(data)
    except RecursionError:
        # The standard parser recurses once per nesting level: thousands of nested
        # multiparts exhaust Python's stack before our own depth check can run.
        return ParsedMail(
            headers=parse_headers_only(data, limits),
            fatal=(
                f"MIME nesting too deep to parse (far over max_mime_depth, {limits.max_mime_depth})"
            ),
        )
    msg = lean.message
    headers, defects = _headers(msg, data, block)
    out = ParsedMail(headers=headers, defects=defects, message=msg)
    out.defects.extend(type(d).__name__ for d in msg.defects)
    w = _Walk(limits=limits, out=out, lean=lean)
    _walk(msg, "", 0, "", w)
    return out
