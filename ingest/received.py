"""When the Board received a message: the instant the compliance report counts it in.

A mail server says it (IMAP's INTERNALDATE). A file does not: a Maildir or an .eml file
copied, unpacked or cloned today has today's modification time, so taking that time put
the demo's 2018 mail, and any backfilled archive, into the month it was imported. For
files the headers speak first, when they are older than the file:

1. the first (top) ``Received:`` header's date: the last server's, the Board's own;
2. the ``Date:`` header: the sender's clock;
3. the file's modification time;
4. the clock, when nothing else is known.

A header date is never taken when it lies in the future (a hostile or broken header must
not push a message into a period not yet begun) nor when it is later than the file (the
file cannot hold mail received after it was written). Which one was used is stored with
the message (``Message.received_source``), so a surprising date can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

__all__ = ["SOURCES", "ReceivedAt", "choose_received_at"]

SERVER: Final = "server"
RECEIVED_HEADER: Final = "received-header"
DATE_HEADER: Final = "date-header"
FILE_MTIME: Final = "file-mtime"
CLOCK: Final = "clock"
SOURCES: Final = (SERVER, RECEIVED_HEADER, DATE_HEADER, FILE_MTIME, CLOCK)


@dataclass(frozen=True, slots=True)
class ReceivedAt:
    at: datetime  # aware
    source: str  # one of SOURCES


def choose_received_at(
    *,
    internal_date: datetime | None,
    file_time: datetime | None,
    received_header: datetime | None,
    date_header: datetime | None,
    now: datetime | None = None,
) -> ReceivedAt:
    """The receipt time of one message and where it came from (see the module's rules).
    Every datetime given must be aware."""
    now = now or datetime.now(UTC)
    if internal_date is not None:
        return ReceivedAt(internal_date, SERVER)
    latest = min(now, file_time) if file_time is not None else now
    for when, source in ((received_header, RECEIVED_HEADER), (date_header, DATE_HEADER)):
        if when is not None and when <= latest:
            return ReceivedAt(when, source)
    if file_time is not None:
        return ReceivedAt(min(file_time, now), FILE_MTIME)
    return ReceivedAt(now, CLOCK)
