"""What makes a message the same message: its Message-ID, or its bytes when it has none.

Read from the header block alone (``BytesHeaderParser``), so storing a raw message never
waits for a full MIME parse.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime
from typing import NamedTuple

from dienhinh.core.text import scrub

__all__ = [
    "HeaderFacts",
    "body_sha256",
    "generated_message_id",
    "header_facts",
    "normalise_message_id",
]

_HEADER_PARSER = BytesHeaderParser(policy=compat32)
_ANGLE = re.compile(r"<([^<>]*)>")


def normalise_message_id(value: str | None) -> str:
    """``<abc@host>`` -> ``abc@host``; whitespace and folding removed; '' if unusable."""
    if not value:
        return ""
    value = str(value).strip()
    m = _ANGLE.search(value)
    mid = m.group(1) if m else value
    mid = scrub("".join(mid.split()))  # no spaces or control characters (NUL breaks PostgreSQL)
    return mid[:990]


def generated_message_id(data: bytes) -> str:
    """Deterministic, so importing the same id-less file twice is still one message."""
    return f"generated-{hashlib.sha256(data).hexdigest()[:32]}@dienhinh.invalid"


def body_sha256(data: bytes) -> str:
    """Hash of everything after the header block: equal for two deliveries of one message
    even when the servers added different Received/Delivered-To headers."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        idx = data.find(sep)
        if idx != -1:
            # a memoryview slice: hashing a 35 MB body must not copy it first
            return hashlib.sha256(memoryview(data)[idx + len(sep) :]).hexdigest()
    return hashlib.sha256(b"").hexdigest()


def _header_block(data: bytes, limit: int = 512 * 1024) -> bytes:
    for sep in (b"\r\n\r\n", b"\n\n"):
        idx = data.find(sep, 0, limit)
        if idx != -1:
            return data[: idx + len(sep)]
    return data[:limit]


def _aware_date(value: str) -> datetime | None:
    """An RFC 5322 date with its offset, or None when absent, unreadable or zone-less."""
    if not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


class HeaderFacts(NamedTuple):
    message_id: str
    generated: bool  # no usable Message-ID: one derived from the bytes
    received: datetime | None  # the first (top) Received header's date: the Board's server
    date: datetime | None  # the Date header: the sender's clock


def header_facts(data: bytes) -> HeaderFacts:
    """The message's identity and the dates its headers claim (``ingest.received`` decides
    which one, if any, is its receipt time)."""
    headers = _HEADER_PARSER.parsebytes(_header_block(data))
    mid = normalise_message_id(headers.get("Message-ID") or headers.get("Message-Id"))
    generated = not mid
    if generated:
        mid = generated_message_id(data)
    received = str(headers.get("Received") or "")
    received_at = _aware_date(received.rsplit(";", 1)[1]) if ";" in received else None
    return HeaderFacts(mid, generated, received_at, _aware_date(str(headers.get("Date") or "")))
