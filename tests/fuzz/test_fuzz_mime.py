"""Fuzz ``ingest.mime.parse_message`` with mutated real messages.

Property: whatever the bytes, parsing returns (never raises), within the time bound,
and what it returns is usable: decoded leaves with sanitised file names and a
``type/subtype`` content type, problems reported as ``errors``/``defects``/``fatal``.
"""

from __future__ import annotations

import re

from fuzzkit import (
    ERROR_KINDS,
    LIMITS,
    MAIL_OPS,
    build,
    cases,
    clean_text,
    fuzz_settings,
    hard_timeout,
    message_seeds,
)
from hypothesis import given
from hypothesis import strategies as st

from dienhinh.ingest.mime import MAX_FILENAME_CHARS, parse_message, sanitize_filename

_CTYPE = re.compile(r"^[^/]*/[^/]*$")  # as the stdlib keeps it: one slash
MAIL_CASES = st.deferred(lambda: cases(message_seeds(), MAIL_OPS, max_size=5))


@fuzz_settings("mime")
@given(case=MAIL_CASES)
def test_parse_message_never_raises(case):
    data = build(message_seeds(), case)
    with hard_timeout():
        parsed = parse_message(data, LIMITS)
    if parsed.fatal:
        assert not parsed.attachments and not parsed.bodies
    # Header values are NFC here; control characters are scrubbed by the assembly.
    for name in ("subject", "from_name"):
        clean_text(getattr(parsed.headers, name), name, controls=False)
    assert parsed.headers.message_id
    for e in parsed.errors:
        assert e.kind in ERROR_KINDS, e
    leaves = [*parsed.attachments, *(p for b in parsed.bodies for p in (b.plain, b.html) if p)]
    assert len(leaves) <= LIMITS.max_mime_parts
    for part in leaves:
        assert isinstance(part.payload, bytes)
        assert len(part.payload) <= LIMITS.max_attachment_bytes
        assert _CTYPE.match(part.content_type), part.content_type
        assert part.filename == sanitize_filename(part.filename), part.filename
        assert len(part.filename) <= MAX_FILENAME_CHARS
        assert part.path.count(".") <= LIMITS.max_mime_depth, part.path
