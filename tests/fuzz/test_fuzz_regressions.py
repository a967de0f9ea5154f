"""Replay every failure the fuzzer found, reduced to a small fixture in regressions/.

Each ``regressions/<name>.eml`` goes through the same checks as the fuzz cases (parse,
the whole fast path, the taggers), and ``EXPECT`` adds what that bug's fix promises.
A new finding: save the reduced bytes there and add a line to ``EXPECT`` saying what was
wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzzkit import LIMITS, check_outcome

from dienhinh.classifiers.tagging import tag_outcome
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.mime import parse_message

HERE = Path(__file__).parent / "regressions"
FIXTURES = sorted(HERE.glob("*.eml"))


def _long_extension(outcome) -> None:
    # A legacy document named "a.xxx...x" (178-character extension): article.source came
    # from the extension and overflowed its 40-character column (PostgreSQL refused the
    # message). Now a known kind only. Its bytes are an OLE2 file without a WordDocument
    # stream, so the declared application/msword is not believed: refused, named.
    assert outcome.articles == []
    (att,) = outcome.attachments
    assert att.used_as == "refused" and att.error.startswith("unreadable: ")
    assert outcome.status == "failed" and att.filename in (outcome.reason or "")


def _broken_from_name(outcome) -> None:
    # One flipped bit in the base64 display name of From: mail-parser's get_addresses
    # raised HeaderParseError and the whole message failed as an internal error. Now the
    # address is kept and the name is what could be decoded.
    assert outcome.headers.from_addr == "ubnd-batxat@laocai.gov.vn"
    assert outcome.status == "no-article" and "internal" not in (outcome.reason or "")


def _subject_kept(outcome) -> None:
    # An encoded word whose charset name holds 8-bit bytes (CharsetError) or a NUL
    # (ValueError from both decoders) stopped the message; now the subject stays as written.
    assert outcome.headers.subject.endswith("3/2018")
    assert outcome.headers.from_addr == "ubnd-batxat@laocai.gov.vn"


def _body_charset_nul(outcome) -> None:
    # charset="windows-1258\x00" on a cp1258 body: bytes.decode raised ValueError out of
    # decode_text. Now the label is skipped like an unknown one, and cp1258 is tried.
    assert "Kính gửi Ban Thi đua" in outcome.body_text


def _docx_waits(outcome) -> None:
    # A .docx whose w: namespace is damaged: the fast path finds no w:body, python-docx
    # opens it but its root has no ``body``: AttributeError out of the extractor, the
    # message failed as an internal error. Then that document failed alone, with a
    # reason; now it waits for LibreOffice (which reads more than we do) before failing.
    (article,) = outcome.articles
    assert article.status == "needs-conversion" and "bai.docx" in article.error
    assert outcome.attachments[0].used_as == "waiting"
    assert "internal" not in (outcome.reason or "")


def _long_content_type(outcome) -> None:
    # Content-Type "application/xxx...x" (312 characters) went to asset.content_type, a
    # 200-character column: PostgreSQL refused the message. Now read as unlabelled bytes.
    (att,) = outcome.attachments
    assert att.content_type == "application/octet-stream"
    assert any("content type over" in d for d in outcome.defects)
    assert att.used_as == "refused" and att.error.startswith("unsupported: ")


def _filename_trailing_space(outcome) -> None:
    # A 200-character name of "A A A ...": the cut at 180 characters left a trailing
    # blank, so sanitize_filename was not stable (check_outcome asserts it is).
    (att,) = outcome.attachments
    assert len(att.filename) <= 180 and not att.filename.endswith(" ")


def _noise_from(outcome) -> None:
    # A From header that is only a damaged encoded word (broken base64, or 8-bit bytes in
    # the charset name), so no address: the noise rules read From again through
    # noise._header_str, which let HeaderParseError/CharsetError escape.
    assert outcome.status == "no-article" and outcome.headers.from_addr == ""


def _from_address_nfd(outcome) -> None:
    # A raw UTF-8 From address holding "u" + U+0301: from_addr was stored decomposed
    # (every other stored text is NFC, and matching against the directory is on NFC).
    assert outcome.headers.from_addr == "\u00fabnd-batxat@laocai.gov.vn"


def _lean_charset_idna(outcome) -> None:
    # A base64 attachment big enough to be cut out before parsing (ingest/leanparse.py)
    # in a part declaring charset=idna: reading the part's text raised UnicodeError.
    (att,) = outcome.attachments
    assert att.filename == "bai.txt" and att.size == 15000
    assert "internal" not in (outcome.reason or "")


EXPECT = {
    "long-extension": _long_extension,
    "broken-from-name": _broken_from_name,
    "subject-charset-8bit": _subject_kept,
    "subject-charset-nul": _subject_kept,
    "body-charset-nul": _body_charset_nul,
    "docx-wrong-namespace": _docx_waits,
    "long-content-type": _long_content_type,
    "filename-trailing-space": _filename_trailing_space,
    "noise-from-broken-base64": _noise_from,
    "noise-from-charset-8bit": _noise_from,
    "from-address-nfd": _from_address_nfd,
    "lean-body-charset-idna": _lean_charset_idna,
}


_REFUSED_ONLY = {"fz-long-extension@x", "fz-long-ctype@x", "fz-name-space@x"}


def test_every_fixture_has_its_expectation():
    assert {p.stem for p in FIXTURES} == set(EXPECT)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_regression_replays(path, fuzz_ctx, tagging):
    data = path.read_bytes()
    parse_message(data, LIMITS)
    outcome = extract_message(data, fuzz_ctx)
    check_outcome(outcome, data, fuzz_ctx.limits, fuzz_ctx.blob_root)
    tags = tag_outcome(outcome, tagging)
    assert len(tags.articles) == len(outcome.articles)
    EXPECT[path.stem](outcome)


def test_regressions_through_a_poll_on_each_database(make_config):
    """All fixtures in one Maildir, polled on SQLite and PostgreSQL (``db_url``): the
    column-width bugs (long extension, long content type) made PostgreSQL refuse the
    message ('could not store the extraction'); each must now be stored, byte for byte, in
    a visible state, and the poll must end normally."""
    from dienhinh.ingest.sources.maildir import MaildirSource
    from helpers import deliver, ingestor, messages

    config = make_config()
    raws = [p.read_bytes() for p in FIXTURES]
    for raw in raws:
        deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    report = ing.poll(MaildirSource.from_config(config.mailbox))
    assert report.ok, report.error
    msgs = messages(ing)
    assert {ing.raw_blobs.read(m.sha256) for m in msgs} == set(raws)
    for m in msgs:
        assert m.status in ("ingested", "no-article", "failed"), (m.message_id, m.status)
        # Only the messages whose one attachment is refused (unknown bytes) fail.
        assert m.status != "failed" or m.message_id in _REFUSED_ONLY, (m.message_id, m.reason)
        assert "could not store" not in (m.reason or "") and "internal" not in (m.reason or "")
