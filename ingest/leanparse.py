"""Parse messages without the standard library's cost on attachments.

``email.message_from_bytes`` keeps every line of every body as a separate ``str`` while it
parses: a message with a 25 MB attachment peaks at about 310 MB of Python objects, and even
a usual 30 kB mail with a .docx and a photo spends most of its parse splitting and joining
their base64 lines. Those bodies are almost always base64 attachments, whose only use is to
be decoded once. So before parsing, runs of base64 lines (16 kB or more) are cut out of the
message and replaced by a one-line placeholder; the standard parser then sees a small
message, and the part's bytes are decoded straight from the original buffer (through a
memoryview, no copy) when asked. Measured on the benchmark's mixed mail: 0.16 ms a message
instead of 0.54. Mail without such a run (text, HTML) goes through the standard parser
untouched.
"""

from __future__ import annotations

import binascii
import email
import email.feedparser
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

__all__ = ["LeanMessage", "parse_lean", "payload_bytes"]

# A run of at least this many bytes of base64 text is cut out. One character class, not a
# repeated group of lines: the regex engine then keeps no per-repetition state (a grouped
# pattern needed 120 MB of backtracking stack on a 35 MB message).
_MIN_RUN = 16 * 1024
# A smaller message cannot hold such a run: it goes to the standard parser unscanned.
LEAN_THRESHOLD = _MIN_RUN
# The lookbehind lets a match start only where a run starts: without it the engine tried
# every position inside a shorter run again, reading on to the run's end each time
# (quadratic in the run's length: a 10 kB image cost ~50 M steps; 0.8 ms a message on
# the corpus's unit mail, 0.13 ms with it). The matches are the same: a match of the bare
# class could only start at a run's start too, being maximal and leftmost.
_RUN = re.compile(rb"(?<![A-Za-z0-9+/=\r\n])[A-Za-z0-9+/=\r\n]{%d,}" % _MIN_RUN)
_PLACEHOLDER = b"DIENHINH-LEAN-BODY-%d\n"
_PLACEHOLDER_RE = re.compile(r"^DIENHINH-LEAN-BODY-(\d+)\n?")


# --- the boundary of every multipart, without a regular expression compiled for it -------
#
# Before Python 3.13, email.feedparser compiles a regular expression for each multipart
# it meets, "(?P<sep>" + re.escape("--" + boundary) + ")(?P<end>--)?...$": boundaries are
# unique, so none is ever in re's cache, and the compilation (about 0.14 ms) was half of
# the standard parser's time on a message with one attachment, twice that with a text and
# an HTML body besides. Python 3.13's parser tests the literal with str.startswith and
# matches the fixed rest with one compiled pattern; the same is done here for the versions
# before it, through the one name the parser reads it by (``email.feedparser.re``): a
# pattern of that exact shape becomes the literal test plus the shared pattern, which
# match the same lines with the same groups; any other pattern is compiled as before. On
# 3.13 the parser no longer asks, and nothing changes.
_HEAD = "(?P<sep>"
_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_BOUNDARY_END = re.compile(_TAIL[1:])
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


class _Boundary:
    """``re.compile(_HEAD + re.escape(separator) + _TAIL)``, as the parser uses it."""

    __slots__ = ("_n", "_separator")

    def __init__(self, separator: str) -> None:
        self._separator = separator
        self._n = len(separator)

    def match(self, line: str) -> re.Match[str] | None:
        if not line.startswith(self._separator):
            return None
        return _BOUNDARY_END.match(line, self._n)


class _FeedparserRe:
    """The ``re`` module as email.feedparser sees it: the same, but for its boundaries."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    def compile(pattern: Any, flags: int = 0) -> Any:
        if (
            not flags
            and isinstance(pattern, str)
            and pattern.startswith(_HEAD)
            and pattern.endswith(_TAIL)
        ):
            escaped = pattern[len(_HEAD) : -len(_TAIL)]
            separator = _UNESCAPE.sub(r"\1", escaped)
            if re.escape(separator) == escaped:  # the literal, exactly
                return _Boundary(separator)
        return re.compile(pattern, flags)


if getattr(email.feedparser, "re", None) is re:
    email.feedparser.re = _FeedparserRe()  # type: ignore[assignment]


@dataclass
class LeanMessage:
    message: Message
    data: bytes
    runs: list[tuple[int, int]] = field(default_factory=list)  # (start, end) in data


def parse_lean(data: bytes, *, threshold: int = LEAN_THRESHOLD) -> LeanMessage:
    if len(data) < threshold:
        return LeanMessage(email.message_from_bytes(data), data)
    runs: list[tuple[int, int]] = []
    pieces: list[bytes] = []
    last = 0
    for m in _RUN.finditer(data):
        start, end = m.start(), m.end()
        if start > 0 and data[start - 1 : start] != b"\n":
            # The run began inside a line ("...Encoding: base64"): start at the next line,
            # after the blank line that ends the part's headers.
            nl = data.find(b"\n", start, end)
            if nl == -1:
                continue
            start = nl + 1
        while start < end and data[start : start + 1] in (b"\r", b"\n"):
            start += 1
        last_nl = data.rfind(b"\n", start, end)
        if last_nl == -1 or last_nl + 1 - start < _MIN_RUN // 2:
            continue
        end = last_nl + 1
        # Leave the line break before the next boundary outside the run: it belongs to
        # the boundary, and the stdlib would not count it in the payload either.
        content_end = end
        while content_end > start and data[content_end - 1 : content_end] in (b"\r", b"\n"):
            content_end -= 1
        end = content_end + (2 if data[content_end : content_end + 2] == b"\r\n" else 1)
        pieces.append(data[last:start])
        pieces.append(_PLACEHOLDER % len(runs))
        runs.append((start, end))
        last = end
    if not runs:
        return LeanMessage(email.message_from_bytes(data), data)
    pieces.append(data[last:])
    return LeanMessage(email.message_from_bytes(b"".join(pieces)), data, runs)


def payload_bytes(lean: LeanMessage, part: Message) -> bytes | None:
    """The decoded payload of a leaf, as ``part.get_payload(decode=True)`` would give it."""
    if lean.runs:
        # The parsed text as it is: get_payload() would decode it with the part's declared
        # charset, which may be one that cannot (charset=idna raises; found by tests/fuzz).
        raw = getattr(part, "_payload", None)
        if isinstance(raw, str):
            m = _PLACEHOLDER_RE.match(raw)
            if m is not None and int(m.group(1)) < len(lean.runs):
                start, end = lean.runs[int(m.group(1))]
                body = memoryview(lean.data)[start:end]
                cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
                if cte == "base64":
                    # a2b_base64 skips the line breaks itself and reads the memoryview in place.
                    try:
                        return binascii.a2b_base64(body)
                    except binascii.Error:
                        pass  # bad padding or length: the stdlib's lenient decoder below
                # Not base64 after all (a text body of base64-looking lines), or broken
                # base64: put the original text back and let the standard decoder handle it.
                text = bytes(body).decode("ascii", "surrogateescape")
                part.set_payload(text + raw[m.end() :])
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None
