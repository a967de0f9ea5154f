"""Messages forwarded or quoted inline in a mail body: where they start and who sent them.

A unit often mails its article to a colleague or a personal address, and that person
forwards it to the Board. The article must be attributed to the unit, not the forwarder,
so the original sender is kept (:class:`~dienhinh.core.types.ForwardOrigin`), with the
signature it closed with. Attached forwards (message/rfc822) are read by
``mime.forward_origin``; this module finds the inline ones, in the lines of a decoded body
(plain text, or HTML flattened to lines by ``extractors/html.py``).

What each mail client writes is a table, :data:`CLIENT_FORMATS` (separator lines per
client and locale), with :data:`HEADER_WORDS` (the names of the header lines under a
separator) and :data:`REPLY_WORDS` (the "On … wrote:" line of a reply); every pattern
here is built from these tables. Sources for the words, all public: Thunderbird's
Vietnamese localisation (``mime.properties``: "-------- Thư Gốc --------" opens a
forward, headers "Tiêu đề", "Ngày", "Từ", "Tới", "Trả lời Tới"; ``headerFields.ftl``:
"Đến", "Chủ đề"), talon's test data ("Vào 14:24 8 tháng 6, 2017, Hùng Nguyễn <…> đã
viết:"; Outlook HTML fixtures whose header lines wrap mid-value), a Vietnamese write-up
of Gmail mail ("Vào Th 4, 10 thg 6, 2020 vào lúc 08:40, … đã viết:", forwards under
"---------- Forwarded message ---------" with English header names). The rest are the
clients' well-known English forms and their Vietnamese interfaces as users report them.

Two kinds of block:

- a *forward* separator says "forwarded" (Gmail, Yahoo, Zimbra, Thunderbird, Apple
  Mail, mutt): always a forward;
- a *quoted* block is what replies write too: Outlook's "-----Original Message-----"
  ("-----Thư gốc-----"), its "From:/Sent:" header block (Vietnamese "Từ:/Đã gửi:/Đến:/
  Chủ đề:", often under a "____" rule), Zimbra's "From:/To:/Sent:" block, and Outlook on
  the web's ``#divRplyFwdMsg`` (the HTML extractor turns it into :data:`QUOTE_SENTINEL`).
  :func:`forwards_kept` drops such a block as a reply's quotation when the subject of the
  message holding it says "reply" (RE:, TL:, Trả lời:) and not "forward"; otherwise
  (FW:, CT:, or a subject the forwarder rewrote) it is a forward.

Each block opens a section; sections nest (a forward of a forward) down to ``max_depth``,
and markers deeper than that stay plain text. Lines quoted with ">" never hold markers,
and after a reply line ("On … wrote:", "Vào … đã viết:", also when the client wrapped it
over two or three lines) nothing is split: what follows is a quotation.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal

from dienhinh.core.mailwords import (
    ADDRESS_IN_TEXT,
    BOARD_ADDRESSES,
    is_board_reminder,
    is_forward_subject,
    is_reply_subject,
)
from dienhinh.core.text import collapse_ws, fold, nfc
from dienhinh.core.types import ForwardOrigin

__all__ = [
    "CLIENT_FORMATS",
    "HEADER_WORDS",
    "QUOTE_SENTINEL",
    "REPLY_WORDS",
    "SIGNATURE_END",
    "SIGNATURE_START",
    "ClientFormat",
    "Section",
    "forwards_kept",
    "header_field",
    "is_forward_marker",
    "is_reply_line",
    "may_be_marker",
    "parse_forward_date",
    "reply_line_end",
    "separator_kind",
    "split_sections",
]

QUOTE_SENTINEL = "\x02"  # a line of its own: "a quoted message starts here" (from HTML)
# Lines of their own around a signature the HTML marked (Gmail's .gmail_signature,
# Thunderbird's .moz-signature): the cleaners drop what is between, and a forwarded
# message's signature is read from there.
SIGNATURE_START = "\x04"
SIGNATURE_END = "\x05"

Kind = Literal["own", "forward", "quoted"]


# --- the clients ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientFormat:
    """The separator lines one client writes above a forwarded or quoted message, in one
    interface language. Words are folded (no diacritics, lower case).

    ``dashed``: the text between runs of dashes ("---------- Forwarded message
    ---------"); ``intro``: a line of its own ending with a colon ("Begin forwarded
    message:"); ``kind``: "forward" when the line can only open a forward, "quoted" when
    replies write it too."""

    client: str
    locale: str
    kind: Literal["forward", "quoted"]
    dashed: tuple[str, ...] = ()
    intro: tuple[str, ...] = ()
    note: str = ""


CLIENT_FORMATS: tuple[ClientFormat, ...] = (
    ClientFormat("gmail", "en", "forward", dashed=("forwarded message",)),
    ClientFormat(
        "gmail",
        "vi",
        "forward",
        dashed=("thu da chuyen tiep", "thu chuyen tiep", "thu duoc chuyen tiep"),
        note="web and phone apps; headers often stay English (From/Date/Subject/To)",
    ),
    ClientFormat("yahoo", "en", "forward", dashed=("forwarded message",)),
    ClientFormat("yahoo", "vi", "forward", dashed=("thu da chuyen tiep", "thu chuyen tiep")),
    ClientFormat("zimbra", "en", "forward", dashed=("forwarded message",)),
    ClientFormat(
        "zimbra",
        "vi",
        "forward",
        dashed=("tin nhan da chuyen tiep", "tin nhan chuyen tiep", "tin nhan duoc chuyen tiep"),
    ),
    ClientFormat("zimbra", "en", "quoted", dashed=("original message",)),
    ClientFormat("zimbra", "vi", "quoted", dashed=("tin nhan goc", "thu goc")),
    ClientFormat("thunderbird", "en", "forward", dashed=("forwarded message",)),
    # mime.properties 1041 (MIME_FORWARDED_MESSAGE_HTML_USER_WROTE) = "-------- Thư Gốc
    # --------": a forward in Thunderbird, but Outlook's "Thư gốc" opens replies too.
    ClientFormat("thunderbird", "vi", "quoted", dashed=("thu goc",)),
    ClientFormat("outlook", "en", "quoted", dashed=("original message",)),
    ClientFormat("outlook", "vi", "quoted", dashed=("thu goc", "tin nhan goc", "thu ban dau")),
    ClientFormat("apple", "en", "forward", intro=("begin forwarded message",)),
    ClientFormat(
        "apple",
        "vi",
        "forward",
        intro=("bat dau thu duoc chuyen tiep", "bat dau thu chuyen tiep"),
    ),
    ClientFormat("mutt", "en", "forward", dashed=("forwarded message from",)),
)

# Header names under a separator (folded), per field: English (Gmail keeps them in its
# Vietnamese interface), Outlook VN, Gmail VN, Thunderbird VN, Yahoo/Zimbra VN.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "from": ("from", "tu", "nguoi gui"),
    "date": ("date", "sent", "ngay", "da gui", "gui luc", "ngay gui", "thoi gian"),
    "subject": ("subject", "tieu de", "chu de"),
    "to": ("to", "toi", "den", "gui toi", "gui den", "nguoi nhan"),
    "cc": ("cc", "bcc"),
    "reply-to": ("reply-to", "reply to", "tra loi toi", "tra loi den"),
    "other": ("organization", "to chuc", "importance", "muc do quan trong"),
}

# A reply's attribution line: starts with the first word, ends with one of the others.
REPLY_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("on", ("wrote",)),
    "vi": ("vao", ("da viet",)),
}

# Outlook's rule above its header block ("_" * 32), Thunderbird/Zimbra's <hr> flattened.
_RULE = re.compile(r"^[_\u2014\u2500-]{10,}$")


def _alternation(words: object) -> str:
    items = sorted({w for w in words}, key=len, reverse=True)  # type: ignore[attr-defined]
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


def _separator_pattern(kind: str) -> re.Pattern[str]:
    dashed = [w for f in CLIENT_FORMATS if f.kind == kind for w in f.dashed]
    intro = [w for f in CLIENT_FORMATS if f.kind == kind for w in f.intro]
    parts = []
    if dashed:
        # "forwarded message from x@y" (mutt) carries more text before the closing dashes.
        parts.append(rf"^[-=]{{2,}}\s*(?:{_alternation(dashed)})(?:\s.*?)?\s*[-=]{{2,}}$")
    if intro:
        parts.append(rf"^(?:{_alternation(intro)})\s*:?$")
    return re.compile("|".join(parts) or r"(?!)")


_SEPARATORS: dict[str, re.Pattern[str]] = {
    "forward": _separator_pattern("forward"),
    "quoted": _separator_pattern("quoted"),
}
_FIELD_OF = {w: name for name, words in HEADER_WORDS.items() for w in words}
_HEADER = re.compile(rf"^\*?({_alternation(_FIELD_OF)})\s*\*?\s*:\s*(.*)$")
_REPLY_START = re.compile(rf"^(?:{_alternation(s for s, _ in REPLY_WORDS.values())})\b")
_REPLY_END = re.compile(
    rf"\b(?:{_alternation(w for _, ends in REPLY_WORDS.values() for w in ends)})\s*:$"
)
_REPLY_REACH = 3  # lines a wrapped attribution line may take ("On …,\nName <\na@b> wrote:")
_MARKS = re.compile("\x01(?:\x02[1-4])?")  # the HTML extractor's title (and level) mark


def _unmark(line: str) -> str:
    return _MARKS.sub("", line.strip())


# First characters of every line that can be a marker: most body lines are prose, and
# folding each of them would cost more than the rest of the split.
_MARKER_STARTS = frozenset("-_=*\u2014\u2500\x01" + QUOTE_SENTINEL)
_WORD_STARTS = frozenset(
    w[:3]
    for w in (
        *(s for s, _ in REPLY_WORDS.values()),
        *(i for f in CLIENT_FORMATS for i in f.intro),
    )
)
_HEADER_REACH = 26  # the longest header name ("Mức độ quan trọng") and its colon fit here


def separator_kind(line: str) -> Literal["forward", "quoted"] | None:
    """Whether a line is a client's separator, and of which kind (see CLIENT_FORMATS)."""
    key = fold(_unmark(line))
    if _SEPARATORS["forward"].match(key):
        return "forward"
    if _SEPARATORS["quoted"].match(key):
        return "quoted"
    return None


def is_forward_marker(line: str) -> bool:
    """An unambiguous "this is a forwarded message" line (Gmail, Yahoo, Zimbra,
    Thunderbird, Apple Mail, mutt), in English or Vietnamese."""
    return separator_kind(line) == "forward"


def header_field(line: str) -> tuple[str, str] | None:
    """("from" | "date" | "subject" | "to" | "cc" | "reply-to" | "other", value as
    written) when the line is a header line of a forward block, else None."""
    m = _HEADER.match(fold(_unmark(line)))
    if m is None:
        return None
    # The value from the original line (the folded one lost its diacritics).
    value = line.split(":", 1)[1].strip() if ":" in line else ""
    return _FIELD_OF[re.sub(r"\s+", " ", m[1])], value


def reply_line_end(lines: list[str], i: int) -> int | None:
    """When a reply's attribution line starts at ``lines[i]`` ("On … wrote:", "Vào …
    đã viết:", possibly wrapped over the next lines), the index of the line after it."""
    key = fold(lines[i].strip())
    if not _REPLY_START.match(key):
        return None
    for j in range(i, min(len(lines), i + _REPLY_REACH)):
        part = key if j == i else fold(lines[j].strip())
        if j > i and (not part or header_field(lines[j]) is not None):
            return None
        if _REPLY_END.search(part):
            if len(" ".join(fold(x) for x in lines[i : j + 1])) > 400:
                return None
            return j + 1
    return None


def is_reply_line(lines: list[str], i: int) -> bool:
    """A reply's attribution line starts at ``lines[i]`` (see :func:`reply_line_end`)."""
    return reply_line_end(lines, i) is not None


@dataclass
class Section:
    """A stretch of a body: the sender's own text (``kind == "own"``, always the first),
    or a message forwarded or quoted inside it, with the headers its block showed."""

    kind: Kind
    lines: list[str] = field(default_factory=list)
    origin: ForwardOrigin | None = None
    depth: int = 0


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
# Outlook VN: "06 Tháng Mười Hai 2026 09:15"; months named by their number word.
_VI_MONTH_WORDS = {
    "mot": 1,
    "gieng": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
    "muoi mot": 11,
    "muoi hai": 12,
    "chap": 12,
}
_VI_WORD_DATE = re.compile(
    r"\b(\d{1,2})\s*thang\s+("
    + "|".join(sorted(_VI_MONTH_WORDS, key=len, reverse=True))
    + r")\s*,?\s*(?:nam\s*)?(\d{4})\b"
)
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
    vào lúc 16:40", "Thứ Hai, 29 tháng 4, 2019 4:40 CH", "29 Tháng Tư 2019 16:40",
    "29/04/2019 16:40". Without a
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
    elif m := _VI_WORD_DATE.search(key):
        day, month, year = int(m[1]), _VI_MONTH_WORDS[m[2]], int(m[3])
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

_HEADER_BLOCK_REACH = 6  # header lines of an Outlook/Zimbra block read to find its date
_HEADER_GAP = 4  # blank lines between two of them (an HTML paragraph each: see below)


def _header_block_at(lines: list[str], i: int) -> bool:
    """A header block with no separator starts here (Outlook, Zimbra, Hotmail): a run of
    header lines that names the sender and a date or subject ("From:/Sent:/To:/Subject:",
    "Từ:/Đã gửi:/Đến:/Chủ đề:", Hotmail's "Date:/Subject:/From:/To:")."""
    names: set[str] = set()
    read = 0
    j, n = i, len(lines)
    while j < n and read < _HEADER_BLOCK_REACH:
        head = header_field(lines[j])
        if head is None:
            break
        names.add(head[0])
        read += 1
        j += 1
        # Blank lines between header lines: an HTML body writing each header as a
        # paragraph of its own (Outlook's block pasted or rebuilt as <p>s) is flattened
        # to one line each with blank lines between; _read_headers skips them too.
        k = j
        while k < n and k - j < _HEADER_GAP and not lines[k].strip():
            k += 1
        if k < n and lines[k].strip():
            j = k
    return "from" in names and bool(names & {"date", "subject"})


_ON_BEHALF = re.compile(r"\s+(?:on behalf of|thay mặt(?: cho)?)\s+.*$", re.IGNORECASE)


def _origin(headers: dict[str, str]) -> ForwardOrigin:
    raw_from = headers.get("from", "")
    # Outlook writes "Name [mailto:addr]" and "Name [mailto:addr] On Behalf Of other";
    # Gmail "Name <addr>"; some only an address.
    raw_from = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", raw_from)
    raw_from = _ON_BEHALF.sub("", nfc(raw_from))
    name, addr = email.utils.parseaddr(raw_from)
    if "@" not in addr:
        found = ADDRESS_IN_TEXT.search(raw_from)
        if found is not None:
            addr = found[0]
            name = raw_from.replace(found[0], "").strip(" <>()\"'")
        else:
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
    """Header lines from ``i`` (blank lines before them allowed, and between them in
    Thunderbird's and Apple Mail's flattened tables); returns the headers and the index of
    the first line after the block."""
    n = len(lines)
    while i < n and not lines[i].strip():
        i += 1
    headers: dict[str, str] = {}
    end = i
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        head = header_field(lines[i])
        if head is None:
            break
        name, value = head
        if (
            not value
            and name in ("from", "date", "subject")
            and i + 1 < n
            and lines[i + 1].strip()
            and header_field(lines[i + 1]) is None
        ):
            # a table cell flattened to its own line: "Từ:" then "Name <a@b>"
            value = lines[i + 1].strip()
            i += 1
        headers.setdefault(name, value)
        i += 1
        end = i
    return headers, end


def _unquote_line(line: str) -> str:
    stripped = line.lstrip()
    return stripped[1:].removeprefix(" ") if stripped.startswith(">") else line


def _read_quoted_headers(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """Header lines quoted with ">" right after a separator: read one quote level down.
    The lines consumed are headers only; the quoted body after them stays in the section
    (and is unquoted with it)."""
    view = [_unquote_line(ln) for ln in lines[start : start + 4 * _HEADER_BLOCK_REACH]]
    headers, end = _read_headers(view, 0)
    if not headers:
        return {}, start
    return headers, start + end


def may_be_marker(stripped: str) -> bool:
    """Whether a line could be a marker or header at all: most body lines are prose, and
    folding every one of them would cost more than the rest of the split."""
    return (
        stripped[0] in _MARKER_STARTS
        or ":" in stripped[:_HEADER_REACH]
        or fold(stripped[:4])[:3] in _WORD_STARTS
    )


_CLOSING = re.compile(
    r"^(tran trong|tran thanh cam on|chan thanh cam on|xin cam on|kinh thu|than ai|"
    r"thanks|thank you|best regards|regards|kind regards)\b"
)
_SIGNATURE_LINES = 8
_SIGNATURE_LINE_MAX = 120


def section_signature(lines: list[str]) -> str:
    """The signature a message closes with: the lines the HTML marked as one, the lines
    after its "-- " delimiter, or the short lines after a closing formula ("Trân
    trọng!") among its last lines."""
    text = [ln.strip() for ln in lines]
    if SIGNATURE_START in text:
        start = text.index(SIGNATURE_START) + 1
        end = text.index(SIGNATURE_END, start) if SIGNATURE_END in text[start:] else len(text)
        block = [x for x in text[start:end] if x and x not in ("--", SIGNATURE_START)]
        return "\n".join(block[:_SIGNATURE_LINES])
    for i, line in enumerate(text):
        if line in ("--", "-- ") or lines[i].rstrip(" \xa0") == "--":
            block = [x for x in text[i + 1 :] if x and not x.startswith(">")]
            return "\n".join(block[:_SIGNATURE_LINES])
    own = [x for x in text if x and not x.startswith(">")]
    tail = own[-12:]
    for i in range(len(tail) - 1, -1, -1):
        if _CLOSING.match(fold(tail[i])):
            block = [x for x in tail[i + 1 :] if len(x) <= _SIGNATURE_LINE_MAX]
            return "\n".join(block[:_SIGNATURE_LINES])
    return ""


# A chat app's messages copied into a mail (Zalo and WhatsApp on a computer): "[09:14,
# 12/03/2020] Giàng Seo Pao - PNV Mường Khương: Chị ơi em gửi bài tháng 3 ạ", or
# "12/03/2020, 09:14 - Name: text". Who says it, then what (a long message runs on over
# the next lines).
_CHAT_LINE = re.compile(
    r"^\[(?:\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPpSsCc][Mmah])?,\s*\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{1,2}/\d{1,2}/\d{2,4},?\s*\d{1,2}:\d{2}(?::\d{2})?)\]\s*([^:\[\]]{2,80}?):\s?(.*)$"
)
# What a chat shows for a picture, a sticker or a file: nothing of the piece's text.
_CHAT_PLACEHOLDER = re.compile(r"^\[(?:hinh anh|anh|photo|image|sticker|file|video|tep)[^\]]*\]$")


def chat_speaker(line: str) -> tuple[str, str, str] | None:
    """(when, who, what) of a chat message line, or None."""
    line = line.strip()
    m = _CHAT_LINE.match(line)
    if m is None:
        return None
    return line[1 : line.index("]")], m[1].strip(), m[2]


def _chat_section(lines: list[str], i: int) -> tuple[Section, int] | None:
    """A chat copied into the body from line ``i`` on: a forward whose original sender is
    the first speaker (who sent the piece), with that speaker's messages as its text; the
    other side's replies ("Chị nhận rồi nhé em") are left out. None when fewer than two
    lines are chat messages (one bracketed line is no transcript)."""
    first = chat_speaker(lines[i])
    if first is None:
        return None
    when, who, _ = first
    found = [chat_speaker(ln) for ln in lines[i:]]
    if sum(f is not None for f in found) < 2:
        return None
    origin = ForwardOrigin(from_name=who, date_text=when, via="chat")
    section = Section(kind="forward", origin=origin, depth=1)
    speaking = True
    for line, said in zip(lines[i:], found, strict=True):
        if said is not None:
            speaking = said[1] == who
            text = said[2]
        else:
            text = line
        if not speaking:
            continue
        if _CHAT_PLACEHOLDER.match(fold(text.strip())):
            continue
        section.lines.append(text)
    return section, len(lines)


def split_sections(lines: list[str], *, max_depth: int) -> list[Section]:
    """The body's own text, then each forwarded or quoted message in it, outermost
    first. A chat copied into the body (``_chat_section``) is the last: what follows it
    is its own."""
    sections = [Section(kind="own")]
    current = sections[0]
    n = len(lines)
    i = 0
    replied = False
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if current.kind == "own" and stripped.startswith("[") and not replied:
            chat = _chat_section(lines, i)
            if chat is not None:
                current, i = chat
                sections.append(current)
                continue
        if replied or not stripped or stripped.startswith(">") or current.depth >= max_depth:
            current.lines.append(line)
            i += 1
            continue
        if not may_be_marker(stripped):
            current.lines.append(line)
            i += 1
            continue
        kind: Kind | None = None
        start = i + 1
        if stripped == QUOTE_SENTINEL:
            kind = "quoted"
        elif (found := separator_kind(stripped)) is not None:
            kind = found
        elif _header_block_at(lines, i):
            kind, start = "quoted", i
            if current.lines and _RULE.match(current.lines[-1].strip()):
                current.lines.pop()  # Outlook's "____" rule above the block
        elif is_reply_line(lines, i):
            replied = True
        if kind is None:
            current.lines.append(line)
            i += 1
            continue
        headers, i = _read_headers(lines, start)
        if not headers:
            # Apple Mail's text part quotes the whole forward, headers included ("> From:").
            headers, i = _read_quoted_headers(lines, start)
        origin = _origin(headers)
        origin.via = "inline-quoted" if kind == "quoted" else "inline"
        current = Section(kind=kind, origin=origin, depth=current.depth + 1)
        sections.append(current)
    for section in sections[1:]:
        _unquote(section)
        if section.origin is not None:
            section.origin.signature = section_signature(section.lines)
    return sections


def _unquote(section: Section) -> None:
    """Some clients quote a forwarded body with "> ": remove one level when every
    non-blank line has it."""
    body = [ln for ln in section.lines if ln.strip()]
    if body and all(ln.lstrip().startswith(">") for ln in body):
        section.lines = [
            ln.lstrip()[1:].removeprefix(" ") if ln.strip() else ln for ln in section.lines
        ]


def forwards_kept(
    origins: list[ForwardOrigin],
    subject: str,
    *,
    texts: Sequence[str] = (),
    min_chars: int = 0,
    board: Collection[str] = BOARD_ADDRESSES,
) -> int:
    """How many of a body's inline forwards (outermost first) are forwards.

    A quoted block (``via == "inline-quoted"``: Outlook, Zimbra, "Original Message") is
    the quotation of a reply when the subject of the message that holds it (the mail's
    subject, then each forward's own) says "reply" and not "forward": that block and
    everything after it are dropped, as a reply's quoted history always was. Under a
    forward's subject (FW:, CT:) it is a forward. Under a subject that says neither (the
    sender retyped it) it is a forward too (forwarders retype subjects, replies keep
    their RE:/TL:), unless the text above it, ``texts[n]`` for the n-th block, is itself
    an article (``min_chars`` or more): then the sender wrote the article and the block
    is the history it answered.

    A block that is the Board's own mail (its address, or its reminder's wording: see
    :func:`is_board_reminder`) is never a forward of an article, whatever the subjects
    say: a unit answering the reminder under a retyped subject, with a short note above
    the quoted reminder, must not have the reminder counted as its article."""
    context = subject
    for n, origin in enumerate(origins):
        block = texts[n + 1] if n + 1 < len(texts) else ""
        if is_board_reminder(origin, block, board):
            return n
        if origin.via == "inline-quoted" and not is_forward_subject(context):
            if is_reply_subject(context):
                return n
            if min_chars and n < len(texts) and len(texts[n].strip()) >= min_chars:
                return n
        context = origin.subject
    return len(origins)
