"""When the Board received a message (ingest.received, issue 13): the server's time, else
for files the top Received header's date, then Date:, when older than the file and not in
the future, then the file's time, then the clock; always saying which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from dienhinh.ingest.identity import header_facts
from dienhinh.ingest.received import choose_received_at

ICT = timezone(timedelta(hours=7))
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
CLONED = NOW - timedelta(minutes=3)  # the demo's files: written the day they are cloned
RECEIVED = datetime(2018, 1, 16, 9, 20, 5, tzinfo=ICT)
SENT = datetime(2018, 1, 16, 9, 20, tzinfo=ICT)


def choose(**kw):
    args = {
        "internal_date": None,
        "file_time": CLONED,
        "received_header": RECEIVED,
        "date_header": SENT,
        "now": NOW,
    }
    args.update(kw)
    return choose_received_at(**args)


def test_the_top_received_header_dates_a_backfilled_file() -> None:
    got = choose()
    assert (got.at, got.source) == (RECEIVED, "received-header")


def test_without_a_received_header_the_date_header() -> None:
    got = choose(received_header=None)
    assert (got.at, got.source) == (SENT, "date-header")


def test_a_hostile_received_date_in_the_future_is_passed_over() -> None:
    future = NOW + timedelta(days=400)
    got = choose(received_header=future)
    assert (got.at, got.source) == (SENT, "date-header")
    # Both in the future: the file's time.
    got = choose(received_header=future, date_header=NOW + timedelta(seconds=1))
    assert (got.at, got.source) == (CLONED, "file-mtime")


def test_a_header_date_later_than_the_file_is_not_believed() -> None:
    old_file = datetime(2017, 6, 1, tzinfo=UTC)  # copied with its old time kept
    got = choose(file_time=old_file)
    assert (got.at, got.source) == (old_file, "file-mtime")


def test_no_usable_header_the_file_time_then_the_clock() -> None:
    got = choose(received_header=None, date_header=None)
    assert (got.at, got.source) == (CLONED, "file-mtime")
    # A file time in the future (a wrong clock on the machine that wrote it): now.
    got = choose(received_header=None, date_header=None, file_time=NOW + timedelta(days=2))
    assert (got.at, got.source) == (NOW, "file-mtime")
    got = choose(received_header=None, date_header=None, file_time=None)
    assert (got.at, got.source) == (NOW, "clock")


def test_the_server_time_wins_for_mail_from_a_server() -> None:
    server = datetime(2026, 12, 6, 9, 59, tzinfo=UTC)
    got = choose(internal_date=server, file_time=None)
    assert (got.at, got.source) == (server, "server")
    # IMAP without INTERNALDATE: the headers, never a future one.
    got = choose(file_time=None, received_header=NOW + timedelta(hours=1))
    assert (got.at, got.source) == (SENT, "date-header")


def test_header_facts_read_the_top_received_and_the_date() -> None:
    raw = (
        b"Received: from mx.laocai.gov.vn by mail.laocai.gov.vn;\r\n"
        b"\tTue, 16 Jan 2018 09:20:05 +0700\r\n"
        b"Received: from sender by mx.laocai.gov.vn; Tue, 16 Jan 2018 09:20:01 +0700\r\n"
        b"Date: Tue, 16 Jan 2018 09:20:00 +0700\r\n"
        b"Message-ID: <a@b>\r\n\r\nbody\r\n"
    )
    facts = header_facts(raw)
    assert facts.message_id == "a@b" and not facts.generated
    assert (facts.received, facts.date) == (RECEIVED, SENT)
    # Unreadable, zone-less or absurd dates are None, not an error.
    raw = b"Received: by x; 1 Jan 99999 00:00:00 +0000\r\nDate: Tue, 16 Jan 2018 09:20:00\r\n\r\n"
    facts = header_facts(raw)
    assert (facts.received, facts.date) == (None, None)
