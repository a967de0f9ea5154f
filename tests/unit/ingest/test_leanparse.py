"""Big messages parse in bounded memory and decode to the same bytes as the stdlib."""

from __future__ import annotations

import email
import os
import tracemalloc

from dienhinh.ingest.leanparse import parse_lean, payload_bytes
from factory import Attach, make_email, mixed_corpus


def _stdlib(raw: bytes) -> list[bytes | None]:
    return [
        p.get_payload(decode=True)
        for p in email.message_from_bytes(raw).walk()
        if not p.is_multipart()
    ]


def _lean(raw: bytes, threshold: int | None = None) -> list[bytes | None]:
    lean = parse_lean(raw) if threshold is None else parse_lean(raw, threshold=threshold)
    return [payload_bytes(lean, p) for p in lean.message.walk() if not p.is_multipart()]


def test_same_payloads_as_the_standard_library():
    raws = [
        *mixed_corpus(8),
        make_email(
            attachments=[
                Attach("a.bin", os.urandom(400_000), "application/octet-stream"),
                Attach("b.txt", b"xin chao " * 30, "text/plain"),
            ]
        ),
    ]
    for raw in raws:
        assert _lean(raw, threshold=0) == _stdlib(raw)


def test_base64_looking_text_body_is_restored_not_decoded():
    body = ("A" * 76 + "\n") * 4000  # a text part that only looks like base64
    raw = make_email(
        text=None, html=None, attachments=[Attach("x.txt", body.encode(), "text/plain")]
    ).replace(b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: 7bit", 1)
    assert _lean(raw, threshold=0) == _stdlib(raw)


def test_25_mb_attachment_parses_in_bounded_memory():
    big = b"\xff\xd8\xff\xe0" + os.urandom(25 * 1024 * 1024)
    raw = make_email(attachments=[Attach("anh.jpg", big, "image/jpeg")])
    tracemalloc.start()
    try:
        payloads = _lean(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert big in payloads
    assert peak < 60 * 1024 * 1024  # the stdlib alone peaks near 310 MB here


def test_broken_base64_decodes_as_the_standard_library_does():
    """A run cut out whose base64 is broken (bad padding, a stray length) is decoded by the
    standard library's lenient decoder, as without the cut."""
    import base64

    good = base64.encodebytes(os.urandom(30_000)).decode()
    for broken in (good.rstrip("=\n") + "A\n", good.rstrip("=\n") + "\n"):
        raw = make_email(attachments=[Attach("a.bin", b"x", "application/octet-stream")])
        text = raw.decode()
        encoded = base64.encodebytes(b"x").decode().strip()
        raw = text.replace(encoded, broken.strip(), 1).encode()
        assert _lean(raw) == _stdlib(raw)


def test_boundary_matcher_matches_what_the_parsers_pattern_matches():
    """The feedparser's per-boundary pattern, replaced by a literal test and one shared
    pattern (leanparse._FeedparserRe): the same lines match, with the same groups."""
    import itertools
    import re

    from dienhinh.ingest import leanparse

    separators = ["--b", "--===============0123456789==", "--a.b*c+d?(x)[y]{z}|^$\\", "--ừ ơ"]
    tails = ["", "--", " ", "\t--", "-- \t", "\n", "\r\n", "\r", "--\r\n", " \r\r\n", "x", "-"]
    for sep in separators:
        pattern = (
            "(?P<sep>" + re.escape(sep) + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
        )
        real = re.compile(pattern)
        fast = leanparse._FeedparserRe.compile(pattern)
        assert isinstance(fast, leanparse._Boundary)
        for a, b in itertools.product(tails, repeat=2):
            for line in (sep + a + b, " " + sep + a, sep[:-1] + a, a + b):
                got, want = fast.match(line), real.match(line)
                assert bool(got) == bool(want), (sep, line)
                if want:
                    for group in ("end", "ws", "linesep"):
                        assert got.group(group) == want.group(group), (sep, line, group)
    # Any other pattern is compiled as the re module does.
    assert leanparse._FeedparserRe.compile("a+b").pattern == "a+b"


def test_multiparts_parse_the_same_with_the_boundary_matcher(monkeypatch):
    import email.feedparser
    import re

    from factory import DOCX_TYPE

    raws = [
        *mixed_corpus(8),
        make_email(
            text="xin chao\r\n--not-a-boundary\r\n",
            html="<p>xin chao</p>",
            attachments=[Attach("bai.docx", b"PK\x03\x04 not really", DOCX_TYPE)],
        ),
    ]

    def _defects(part: email.message.Message) -> list[str]:
        return [type(d).__name__ for d in part.defects]

    def tree(raw: bytes) -> list[tuple[str, object, list[str]]]:
        msg = email.message_from_bytes(raw)
        return [
            (
                p.get_content_type(),
                p.get_payload(decode=True),
                [type(d).__name__ for d in p.defects],
            )
            for p in msg.walk()
        ]

    fast = [tree(raw) for raw in raws]
    monkeypatch.setattr(email.feedparser, "re", re)
    assert fast == [tree(raw) for raw in raws]


def test_runs_found_only_from_their_start_are_the_bare_class_runs():
    """The run pattern's lookbehind (a match starts only where a run starts, so shorter
    runs are read once instead of once per position) finds the very runs the bare class
    finds, wherever they stand: at the start, after a header line, between runs a byte
    short of the minimum, with CRLF or LF."""
    import random
    import re

    from dienhinh.ingest.leanparse import _MIN_RUN, _RUN

    bare = re.compile(rb"[A-Za-z0-9+/=\r\n]{%d,}" % _MIN_RUN)
    rng = random.Random(5)
    alphabet = b"ABCxyz019+/="
    for _ in range(40):
        pieces = []
        for _ in range(rng.randint(1, 6)):
            size = rng.choice([_MIN_RUN - 1, _MIN_RUN, _MIN_RUN + 1, 300, 3 * _MIN_RUN])
            line = bytes(rng.choice(alphabet) for _ in range(76))
            eol = rng.choice([b"\n", b"\r\n"])
            run = (line + eol) * (size // 77 + 1)
            pieces.append(run[:size])
            pieces.append(rng.choice([b" ", b"\n--b--\n", b"Content-Type: x\n\n", b"-"]))
        data = b"".join(pieces)
        assert [m.span() for m in _RUN.finditer(data)] == [m.span() for m in bare.finditer(data)]
