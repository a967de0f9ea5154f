"""The interface every mail source implements (IMAP, Maildir, files to import).

Contract (RFC 2119 words):
- ``open()`` MUST connect/select and return the folder's UIDVALIDITY (0 for sources
  without UIDs). A UID source MAY set ``uidnext`` to the folder's UIDNEXT as ``open()``
  found it (every message then in the folder has a smaller UID); None when unknown. The
  poll's quick check (ingest/pipeline.py) uses it to skip the listing when no UID can be
  above the last one stored. Account-level failures MUST raise ``AccountError`` with a
  plain-language ``user_message``; a dropped connection MUST raise ``ConnectionLost``.
- ``list_new(after_uid, known)`` MUST return the items not yet stored, oldest first: for
  UID sources, every UID greater than ``after_uid`` (selection by UID range only, never a
  non-ASCII SEARCH); for others, every item whose ``location`` is not in ``known``. Its cost
  SHOULD be proportional to the new mail, not to the mailbox.
- ``fetch(items)`` MUST return the exact bytes of each item and MUST NOT change flags
  (IMAP: ``BODY.PEEK[]``). Items that vanished are skipped.
- ``post_action(items)`` is called only after each item and everything extracted from it
  are committed. It MUST be idempotent and MUST NOT delete mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from dienhinh.core.types import RawMail

__all__ = ["MailSource", "SourceItem"]


@dataclass(frozen=True)
class SourceItem:
    uid: int = 0  # IMAP UID; 0 for Maildir/files
    location: str = ""  # Maildir key or file path; "" for IMAP
    size: int = 0  # bytes, when the source knows it cheaply (for batching)


class MailSource(Protocol):
    key: str  # MailboxURL.key or "import:<path>": identity for leases and tracking
    supports_uids: bool
    uidnext: int | None  # UIDNEXT as open() found it; None when unknown or not a UID source

    def open(self) -> int: ...

    def close(self) -> None: ...

    def list_new(self, after_uid: int, known: Iterable[str] = ()) -> list[SourceItem]: ...

    def fetch(self, items: Sequence[SourceItem]) -> Iterator[RawMail]: ...

    def post_action(self, items: Sequence[SourceItem]) -> None: ...

    def __enter__(self) -> MailSource: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
