"""Backfill from files (``dienhinh import``): mail files of any name, mbox files and Maildir
folders, given one by one or found in folders (recursively).

What a file is comes from its content, never its name: a file whose first line is an mbox
``From `` line followed by a header field is an mbox; one that starts with header fields
(``Name: value`` lines, at least one of them a field mail carries: From, Subject,
Received, ...) is one message, whatever its name (``msg_01.txt``, ``1234``, ``x.eml``).
Anything else is skipped and listed in ``FileImportSource.skipped`` with the reason, so the
command can say what it did not read. A folder with a ``new/`` or ``cur/`` subfolder is a
Maildir (a clone of a repository has no empty ``cur/``: git keeps no empty folder); its
``tmp/`` (mail still being delivered), hidden files and the server's control files
(``dovecot*``, ``courier*``, ``maildirfolder``, ``subscriptions``) are not mail and are
passed over. Hidden folders are entered only when they are Maildir++ subfolders (``.Sent``).

Each imported message is a delivery at ``import:<absolute path>[#n]`` (a Maildir message at
``import:<maildir>/<unique name>``, which stays the same when it moves from new/ to cur/),
so importing the same file twice stores nothing new, and the same Message-ID already polled
is one message.

Each message carries its file's modification time (``RawMail.file_time``): the receipt time
comes from its Received/Date headers when they are older than the file, and from that time
only when they cannot say (``ingest.received``), so an archive imported today still counts
in the months it was received.
"""

from __future__ import annotations

import logging
import mailbox
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from dienhinh.core.errors import AccountError
from dienhinh.core.types import RawMail
from dienhinh.ingest.sources.base import SourceItem

__all__ = ["FileImportSource", "Skipped", "sniff_mail"]

log = logging.getLogger(__name__)

# How much of a file is read to decide what it is.
_SNIFF_BYTES = 64 * 1024

# A header field line: a name of printable ASCII without ":" (RFC 5322 2.2), then ":".
# Whitespace before the colon is the obsolete syntax (RFC 5322 4.5), still seen in old mail.
_FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")

# Fields that mail carries and other "Name: value" text does not: one of them must be among
# the leading fields (so a note starting "Ghi chú: ..." or "Note: ..." is not taken for mail).
_MAIL_FIELDS = frozenset(
    name.encode("ascii")
    for name in (
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "delivered-to",
        "envelope-to",
        "reply-to",
        "sender",
        "in-reply-to",
        "references",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "dkim-signature",
        "authentication-results",
        "received-spf",
        "arc-seal",
        "x-mailer",
        "user-agent",
        "thread-topic",
        "thread-index",
        "x-original-to",
        "x-mozilla-status",
        "x-gm-thrid",
        "resent-from",
        "resent-date",
        "list-id",
    )
)

# Binary files people keep beside their mail, named so the skip line says what to do.
_BINARY_KINDS = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE file (an Outlook .msg? save it as .eml)"),
    (b"PK\x03\x04", "a ZIP archive (unpack it and import the folder)"),
    (b"\x1f\x8b", "a gzip file (unpack it first)"),
    (b"%PDF", "a PDF document"),
)

# Maildir files that are the server's bookkeeping, not mail.
_MAILDIR_CONTROL = re.compile(r"^(dovecot|courier|maildirfolder$|subscriptions$)", re.IGNORECASE)


@dataclass(frozen=True)
class Skipped:
    """A file ``dienhinh import`` did not read, and why. ``failure`` is True when the file
    could not be read at all (then the run counts as failed); False for files that are
    simply not mail."""

    path: Path
    reason: str
    failure: bool = False


def _lines(head: bytes) -> list[bytes]:
    return [line.rstrip(b"\r") for line in head.split(b"\n")]


def _header_block(lines: Sequence[bytes]) -> tuple[list[bytes], bool]:
    """The names of the header fields at the top of ``lines`` (up to the first line that
    is neither a field nor a continuation), and whether a blank line or the end of what
    was read came right after them."""
    names: list[bytes] = []
    for i, line in enumerate(lines):
        if not line:
            return names, True
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded continuation of the previous field
        m = _FIELD.match(line)
        if m is None:
            return names, False
        names.append(m.group(1).lower())
        if i == len(lines) - 1:
            return names, True
    return names, True


def sniff_mail(head: bytes) -> tuple[str, str]:
    """What the first bytes of a file say it is: ``("message", "")``, ``("mbox", "")``, or
    ``("skip", reason)`` with a reason starting "not mail"."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip(b"\r\n")
    if not head.strip():
        return "skip", "not mail: empty file"
    for magic, what in _BINARY_KINDS:
        if head.startswith(magic):
            return "skip", f"not mail: {what}"
    if b"\x00" in head[:8192]:
        return "skip", "not mail: binary content"
    lines = _lines(head)
    if len(head) >= _SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut short
    if lines and lines[0].startswith(b"From "):
        names, _ended = _header_block(lines[1:])
        if names:
            return "mbox", ""
        return "skip", "not mail: a 'From ' line not followed by header fields"
    names, ended = _header_block(lines)
    if not names:
        return "skip", "not mail: no header fields at the top"
    if not any(n in _MAIL_FIELDS or n.startswith(b"resent-") for n in names):
        return "skip", "not mail: the fields at the top are not mail header fields"
    if not ended and len(names) < 2:
        return "skip", "not mail: one 'Name: value' line followed by text"
    return "message", ""


def _unique_name(filename: str) -> str:
    return filename.split(":", 1)[0]


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


class FileImportSource:
    """All messages under the given paths, as one source.

    After ``list_new``, ``found`` is how many messages the paths hold (new or not) and
    ``skipped`` lists the files that were not read, with the reason.
    """

    supports_uids = False
    uidnext = None

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = [p.resolve() for p in paths]
        self.key = "import"
        # location -> (kind, file path, inner key: the mbox key or the Maildir unique name)
        self._items: dict[str, tuple[str, Path, str]] = {}
        self.skipped: list[Skipped] = []
        self.found = 0

    def open(self) -> int:
        for p in self.paths:
            if not p.exists():
                raise AccountError(f"{p} does not exist", user_message=f"nothing to import at {p}")
        return 0

    def close(self) -> None:
        self._items.clear()

    def __enter__(self) -> FileImportSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- finding the mail -------------------------------------------------------------

    def _skip(self, path: Path, reason: str, *, failure: bool = False) -> None:
        self.skipped.append(Skipped(path, reason, failure))
        if failure:
            log.error("import: %s skipped: %s", path, reason)
        else:
            log.warning("import: %s skipped: %s", path, reason)

    def _sniff(self, path: Path) -> str:
        try:
            with path.open("rb") as fh:
                head = fh.read(_SNIFF_BYTES)
        except OSError as err:
            self._skip(path, f"unreadable: {err.strerror or err}", failure=True)
            return "skip"
        kind, reason = sniff_mail(head)
        if kind == "skip":
            self._skip(path, reason)
        return kind

    def _file(self, path: Path) -> Iterator[tuple[str, str, Path, str]]:
        kind = self._sniff(path)
        if kind == "message":
            yield f"import:{path}", "message", path, ""
        elif kind == "mbox":
            try:
                box = mailbox.mbox(path, create=False)
                try:
                    keys = list(box.keys())
                finally:
                    box.close()
            except (OSError, mailbox.Error) as err:
                self._skip(path, f"unreadable: mbox could not be read: {err}", failure=True)
                return
            for n, key in enumerate(keys):
                yield f"import:{path}#{n}", "mbox", path, str(key)

    def _maildir(self, root: Path) -> Iterator[tuple[str, str, Path, str]]:
        """The messages in a Maildir's new/ and cur/, then whatever its other folders hold
        (Maildir++ subfolders, nested folders)."""
        entries: dict[str, Path] = {}
        for sub in ("new", "cur"):
            folder = root / sub
            if not folder.is_dir():
                continue
            for entry in sorted(folder.iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    entries[_unique_name(entry.name)] = entry
        # Maildir names start with the delivery time: sorted by name is arrival order.
        for name in sorted(entries):
            path = entries[name]
            kind = self._sniff(path)
            if kind == "message":
                yield f"import:{root}/{name}", "maildir", path, name
            elif kind == "mbox":
                yield from self._file(path)
        for entry in sorted(root.iterdir()):
            if entry.name in ("new", "cur", "tmp"):
                continue
            if entry.is_dir():
                yield from self._folder(entry)
            elif entry.is_file() and not (
                entry.name.startswith(".") or _MAILDIR_CONTROL.match(entry.name)
            ):
                yield from self._file(entry)

    def _folder(self, folder: Path, *, named: bool = False) -> Iterator[tuple[str, str, Path, str]]:
        """A folder's mail, recursively. A hidden one (.git, .cache) is entered only when it
        is a Maildir++ subfolder or was named on the command line (``named``)."""
        is_maildir = any((folder / sub).is_dir() for sub in ("new", "cur"))
        if folder.name.startswith(".") and not (is_maildir or named):
            return
        if is_maildir:
            yield from self._maildir(folder)
            return
        try:
            entries = sorted(folder.iterdir())
        except OSError as err:
            self._skip(folder, f"unreadable: {err.strerror or err}", failure=True)
            return
        for entry in entries:
            if entry.is_symlink() and entry.is_dir():
                continue  # no loops through links
            if entry.is_dir():
                yield from self._folder(entry)
            elif entry.is_file() and not entry.name.startswith("."):
                yield from self._file(entry)

    def _enumerate(self) -> Iterator[tuple[str, str, Path, str]]:
        """(location, kind, path, inner key) for every message."""
        for p in self.paths:
            if p.is_dir():
                yield from self._folder(p, named=True)
            else:
                yield from self._file(p)

    def list_new(self, after_uid: int, known: Iterable[str] = ()) -> list[SourceItem]:
        seen = set(known)
        items = []
        self.skipped = []
        self.found = 0
        for location, kind, path, inner in self._enumerate():
            if location in self._items:
                continue  # the same file named twice (a path and its folder)
            self._items[location] = (kind, path, inner)
            self.found += 1
            if location not in seen:
                items.append(SourceItem(location=location))
        return items

    # --- reading it -------------------------------------------------------------------

    def fetch(self, items: Sequence[SourceItem]) -> Iterator[RawMail]:
        mboxes: dict[Path, mailbox.mbox] = {}
        try:
            for item in items:
                kind, path, inner = self._items[item.location]
                try:
                    read = self._read(kind, path, inner, mboxes)
                except OSError as err:
                    self._skip(path, f"unreadable: {err.strerror or err}", failure=True)
                    continue
                if read is None:
                    self._skip(path, "vanished before it was read", failure=True)
                    continue
                data, mtime = read
                # A backfill: the headers date the mail when older than the file
                # (ingest.received), the file's time only when they cannot.
                yield RawMail(data=data, mailbox=self.key, location=item.location, file_time=mtime)
        finally:
            for box in mboxes.values():
                box.close()

    @staticmethod
    def _read(
        kind: str, path: Path, inner: str, mboxes: dict[Path, mailbox.mbox]
    ) -> tuple[bytes, datetime] | None:
        """The message's bytes and its file's modification time (an mbox's, for each of
        its messages)."""
        if kind == "mbox":
            box = mboxes.get(path) or mboxes.setdefault(path, mailbox.mbox(path, create=False))
            # get_bytes() returns the message without the mbox "From " line, as sent.
            return box.get_bytes(int(inner)), _mtime(path)
        if kind == "maildir":
            try:
                return path.read_bytes(), _mtime(path)
            except FileNotFoundError:
                # Moved between listing and reading (new/ -> cur/, a flag changed).
                root = path.parent.parent
                for sub in ("new", "cur"):
                    folder = root / sub
                    if not folder.is_dir():
                        continue
                    for entry in folder.iterdir():
                        if _unique_name(entry.name) == inner:
                            return entry.read_bytes(), _mtime(entry)
                log.warning("import: %s vanished before it was read", path)
                return None
        return path.read_bytes(), _mtime(path)

    def post_action(self, items: Sequence[SourceItem]) -> None:
        """Imported files are never changed."""
