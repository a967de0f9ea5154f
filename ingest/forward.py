"""Messages forwarded inline in a mail body: where they start and who sent them.

A unit often mails its article to a colleague or a personal address, and that person
forwards it to the Board. The article must be attributed to the unit, not the forwarder,
so the original sender is kept (:class:`~dienhinh.core.types.ForwardOrigin`). Attached
forwards (message/rfc822) are read by ``mime.forward_origin``; this module finds the
inline ones, in the lines of a decoded body (plain text, or HTML flattened to lines):

- unambiguous markers: Gmail "---------- Forwarded message ---------" (Vietnamese Gmail
  "---------- Thư đã chuyển tiếp ---------"), Thunderbird/Yahoo "-------- Forwarded
  Message --------", Apple Mail "Begin forwarded message:", mutt "----- Forwarded message
  from ... -----";
- header blocks that replies use too: Outlook's "-----Original Message-----", its
  "From: … / Sent: …" block (Vietnamese Outlook "Từ: … / Đã gửi: …", often after a
  "____" rule), and Outlook on the web's ``#divRplyFwdMsg`` (the HTML extractor turns it
  into :data:`QUOTE_SENTINEL`). These are *quoted* sections: the assembly keeps them as
  forwards only when the subject of the message holding them says "forward" (FW:, Fwd:,
  TR:, CT:), and otherwise drops them as the quoted message of a reply, as before
  (:func:`forwards_kept`).

Each forward opens a section; sections nest (a forward of a forward) down to
``max_depth``, and markers deeper than that stay plain text. Lines quoted with ">" never
hold markers, and after a reply marker ("On … wrote:", "Vào … đã viết:") nothing is split:
what follows is a quotation.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal

from dienhinh.core.text import collapse_ws, fold, nfc
from dienhinh.core.types import ForwardOrigin

__all__ = [
    "QUOTE_SENTINEL",
    "Section",
    "forwards_kept",
    "is_forward_marker",
    "is_forward_subject",
    "parse_forward_date",
    "split_sections",
]

QUOTE_SENTINEL = "\x02"  # a line of its own: "a quoted message starts here" (from HTML)

_FORWARD_MARKER = re.compile(
    r"^-{2,}\s*(?:forwarded message|thu da chuyen tiep|thu chuyen tiep|thu duoc chuyen tiep|"
    r"tin nhan chuyen tiep|tin nhan da chuyen tiep)\s*-{2,}$"
    r"|^begin forwarded message\s*:?$"
    r"|^-{2,}\s*forwarded message from\s.*-{2,}$"
)
_QUOTED_MARKER = re.compile(r"^-{2,}\s*(?:original message|tin nhan goc|thu goc)\s*-{2,}$")
_RULE = re.compile(r"^[_\u2014\u2500-]{10,}$")
_REPLY = re.compile(r"^(?:on|vao)\b.{0,200}\b(?:wrote|da viet)\s*:?$")
# Header names, folded (no diacritics): English, Vietnamese Gmail and Outlook.
_HEADER = re.compile(
    r"^(from|tu|date|ngay|sent|da gui|gui luc|subject|tieu de|chu de|to|toi|den|cc|bcc|"
    r"reply-to|tra loi toi)\s*:\s*(.*)$"
)
_FROM_NAMES = {"from", "tu"}
_DATE_NAMES = {"date", "ngay", "sent", "da gui", "gui luc"}
_SUBJECT_NAMES = {"subject", "tieu de", "chu de"}
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:(?:re|tl|aw|sv)\s*:\s*)*(?:fw|fwd|tr|ct|chuyen tiep|wg|rv)\s*(?:\[\d+\])?\s*:",
)

Kind = Literal["own", "forward", "quoted"]
_MARKER_STARTS = frozenset("-_\u2014\u2500\x01" + QUOTE_SENTINEL)
_HEADER_REACH = 24  # the longest header name ("Trả lời tới") and its colon fit in this


@dataclass
class Section:
    """A stretch of a body: the sender's own text (``kind == "own"``, always the first),
    or a message forwarded inside it, with the headers the forward showed."""

    kind: Kind
    lines: list[str] = field(default_factory=list)
    origin: ForwardOrigin | None = None
    depth: int = 0


def is_forward_marker(line: str) -> bool:
    """An unambiguous "this is a forwarded message" line (Gmail, Thunderbird, Apple)."""
    return bool(_FORWARD_MARKER.match(fold(line.strip())))


def is_forward_subject(subject: str) -> bool:
    """Whether a subject says "forwarded" (Fwd:, FW:, TR:, CT:, "Chuyển tiếp:")."""
    return bool(_FORWARD_SUBJECT.match(fold(subject)))


# --- dates as forward blocks write them ----------------------------------------------------

_ICT = timezone(timedelta(hours=7))
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for m in names
}
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|sa|ch)?\b")
_VI_DATE = re.compile(r"\b(\d{1,2})\s*(?:thg|thang)\s*(\d{1,2})\s*,?\s*(?:nam\s*)?(\d{4})\b")
_NUM_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_EN_DATE = re.compile(
    r"\b(?:([a-z]{3,9})\.?\s+(\d{1,2})|(\d{1,2})\s+([a-z]{3,9})\.?),?\s+(\d{4})\b"
)
# "29 Apr 2019 16:40:00": RFC 5322's order. parsedate is lenient enough to misread
# "April 29, 2019 4:40 PM" (it drops the PM), so only this shape goes to it.
_RFC_DATE = re.compile(r"\b\d{1,2} [A-Za-z]{3} \d{4} \d{1,2}:\d{2}")
_OFFSET = re.compile(r"(?:gmt|utc)\s*([+-])(\d{1,2})(?::?(\d{2}))?")


def parse_forward_date(text: str) -> datetime | None:
    """A forward block's date line → aware datetime, or None.

    RFC 5322 dates (Apple Mail, mutt) are parsed as such. Gmail and Outlook write dates for
    people, in the reader's language: "Mon, Apr 29, 2019 at 4:40 PM", "Th 2, 29 thg 4, 2019
    vào lúc 16:40", "Thứ Hai, 29 tháng 4, 2019 4:40 CH", "29/04/2019 16:40". Without a
    stated offset the time is taken as Asia/Ho_Chi_Minh (+07:00), where units write.
    """
    text = collapse_ws(text)
    if not text:
        return None
    if _RFC_DATE.search(text):
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=_ICT)
    key = fold(text)
    day = month = year = None
    if (m := _VI_DATE.search(key)) or (m := _NUM_DATE.search(key)):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _EN_DATE.search(key):
        name = m[1] or m[4]
        month = _MONTHS.get(name)
        day = int(m[2] or m[3])
        year = int(m[5])
    if day is None or month is None or year is None:
        return None
    hour = minute = second = 0
    if t := _TIME.search(key):
        hour, minute, second = int(t[1]), int(t[2]), int(t[3] or 0)
        if t[4] in ("pm", "ch") and hour < 12:
            hour += 12
        elif t[4] in ("am", "sa") and hour == 12:
            hour = 0
    tz = _ICT
    if o := _OFFSET.search(key):
        delta = timedelta(hours=int(o[2]), minutes=int(o[3] or 0))
        tz = timezone(-delta if o[1] == "-" else delta)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


# --- splitting -----------------------------------------------------------------------------


def _header(line: str) -> tuple[str, str] | None:
    m = _HEADER.match(fold(line.strip()))
    if m is None:
        return None
    # The value from the original line (the folded one lost its diacritics).
    value = line.split(":", 1)[1].strip() if ":" in line else ""
    return m[1], value


def _outlook_block_at(lines: list[str], i: int) -> bool:
    """An Outlook header block starts here: "From:" then, within two lines, a date line."""
    head = _header(lines[i])
    if head is None or head[0] not in _FROM_NAMES:
        return False
    for j in (i + 1, i + 2):
        if j < len(lines):
            nxt = _header(lines[j])
            if nxt is not None and nxt[0] in _DATE_NAMES:
                return True
    return False


def _origin(headers: dict[str, str]) -> ForwardOrigin:
    raw_from = headers.get("from", "")
    # Outlook writes "Name [mailto:addr]"; Gmail "Name <addr>"; some only an address.
    raw_from = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", raw_from)
    name, addr = email.utils.parseaddr(raw_from)
    if "@" not in addr:
        name, addr = raw_from, ""
    date_text = headers.get("date", "")
    return ForwardOrigin(
        from_name=nfc(collapse_ws(name.strip().strip('"'))),
        from_addr=addr.strip().lower(),
        subject=nfc(collapse_ws(headers.get("subject", ""))),
        date=parse_forward_date(date_text),
        date_text=date_text,
        via="inline",
    )


def _read_headers(lines: list[str], i: int) -> tuple[dict[str, str], int]:
    """Header lines from ``i`` (blank lines before them allowed); returns the headers
    and the index of the first line after the block."""
    n = len(lines)
    while i < n and not lines[i].strip():
        i += 1
    headers: dict[str, str] = {}
    while i < n:
        head = _header(lines[i])
        if head is None:
            break
        name, value = head
        if name in _FROM_NAMES:
            headers.setdefault("from", value)
        elif name in _DATE_NAMES:
            headers.setdefault("date", value)
        elif name in _SUBJECT_NAMES:
            headers.setdefault("subject", value)
        i += 1
    return headers, i


def _candidate(stripped: str) -> bool:
    """Whether a line could be a marker or header at all: most body lines are prose, and
    folding every one of them would cost more than the rest of the split."""
    return (
        stripped[0] in _MARKER_STARTS
        or ":" in stripped[:_HEADER_REACH]
        or stripped[:3].lower() in ("on ", "vào", "vao", "beg")
    )


def split_sections(lines: list[str], *, max_depth: int) -> list[Section]:
    """The body's own text, then each forwarded message in it, outermost first."""
    sections = [Section(kind="own")]
    current = sections[0]
    n = len(lines)
    i = 0
    replied = False
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if replied or not stripped or stripped.startswith(">") or current.depth >= max_depth:
            current.lines.append(line)
            i += 1
            continue
        if not _candidate(stripped):
            current.lines.append(line)
            i += 1
            continue
        key = fold(stripped.replace("\x01", ""))
        kind: Kind | None = None
        start = i + 1
        if stripped == QUOTE_SENTINEL or _QUOTED_MARKER.match(key):
            kind = "quoted"
        elif _FORWARD_MARKER.match(key):
            kind = "forward"
        elif _outlook_block_at(lines, i):
            kind, start = "quoted", i
            if current.lines and _RULE.match(current.lines[-1].strip()):
                current.lines.pop()  # Outlook's "____" rule above the block
        elif _REPLY.match(key):
            replied = True
        if kind is None:
            if stripped != QUOTE_SENTINEL:
                current.lines.append(line)
            i += 1
            continue
        headers, i = _read_headers(lines, start)
        origin = _origin(headers)
        origin.via = "inline-quoted" if kind == "quoted" else "inline"
        current = Section(kind=kind, origin=origin, depth=current.depth + 1)
        sections.append(current)
    for section in sections[1:]:
        _unquote(section)
    return sections


def _unquote(section: Section) -> None:
    """Some clients quote a forwarded body with "> ": remove one level when every
    non-blank line has it."""
    body = [ln for ln in section.lines if ln.strip()]
    if body and all(ln.lstrip().startswith(">") for ln in body):
        section.lines = [
            ln.lstrip()[1:].removeprefix(" ") if ln.strip() else ln for ln in section.lines
        ]


def forwards_kept(origins: list[ForwardOrigin], subject: str) -> int:
    """How many of a body's inline forwards (outermost first) are forwards.

    A quoted one (``via == "inline-quoted"``) counts only when the subject of the message
    that holds it (the mail's subject, then each forward's own) says "forward". The first
    that does not is a reply's quotation: it and everything after it are dropped, as a
    reply's quoted history always was."""
    context = subject
    for n, origin in enumerate(origins):
        if origin.via == "inline-quoted" and not is_forward_subject(context):
            return n
        context = origin.subject
    return len(origins)
