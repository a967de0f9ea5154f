"""Backfilled mail is counted when it was received, not when it was copied (issue 13): an
.eml import and a Maildir source date a message by its top Received header, then its Date
header, when older than the file, then by the file's time, never in the future, and record
which one they used (``Message.received_source``). On SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.ingest.sources.maildir import MaildirSource
from dienhinh.report.compliance import compliance
from dienhinh.store.models import Message
from factory import article_text, make_email
from helpers import deliver, ingestor

ICT = timezone(timedelta(hours=7))
SENT = datetime(2018, 3, 22, 14, 5, tzinfo=ICT)  # make_email's Date
RECEIVED = datetime(2018, 3, 22, 14, 7, 30, tzinfo=ICT)
FUTURE = "Sat, 01 Jan 2039 08:00:00 +0700"


def _mail(n: int, *, received: str | None = None, date: datetime | None = SENT) -> bytes:
    title, paras = article_text(600 + n)
    raw = make_email(
        subject=title,
        message_id=f"<backfill-{n}@laocai.gov.vn>",
        date=date,
        text=title + "\n\n" + "\n\n".join(paras) + "\n",
    )
    if date is None:  # make_email always writes one: take it out again
        raw = b"\n".join(line for line in raw.split(b"\n") if not line.startswith(b"Date:"))
    if received is not None:
        raw = f"Received: from mx.laocai.gov.vn by mail.laocai.gov.vn; {received}\n".encode() + raw
    return raw


def _dates(ing) -> dict[str, tuple[datetime, str]]:
    with Session(ing.engine) as s:
        return {
            mid: (at, source)
            for mid, at, source in s.execute(
                select(Message.message_id, Message.received_at, Message.received_source)
            )
        }


def test_eml_import_dates_by_received_then_date_then_file(make_config, tmp_path: Path) -> None:
    config = make_config()
    folder = tmp_path / "thu cu"
    folder.mkdir()
    files = {
        1: _mail(1, received="Thu, 22 Mar 2018 14:07:30 +0700"),
        2: _mail(2),  # no Received header: the Date
        3: _mail(3, received=FUTURE),  # hostile: a Received date in the future
        4: _mail(4, received=FUTURE, date=None),  # nothing believable: the file's time
        5: _mail(5, date=None),  # no header date at all: the file's time
    }
    file_time = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    for n, raw in files.items():
        p = folder / f"{n}.eml"
        p.write_bytes(raw)
        os.utime(p, (file_time.timestamp(), file_time.timestamp()))
    ing = ingestor(config)
    before = datetime.now(UTC)
    report = ing.import_from(FileImportSource([folder]))
    assert report.ok and report.stored == 5
    got = _dates(ing)
    assert got["backfill-1@laocai.gov.vn"] == (RECEIVED, "received-header")
    assert got["backfill-2@laocai.gov.vn"] == (SENT, "date-header")
    assert got["backfill-3@laocai.gov.vn"] == (SENT, "date-header")
    assert got["backfill-4@laocai.gov.vn"] == (file_time, "file-mtime")
    assert got["backfill-5@laocai.gov.vn"] == (file_time, "file-mtime")
    assert all(at <= before for at, _source in got.values())  # never in the future

    # The report counts them in March 2018, not in the month they were imported.
    with Session(ing.engine) as s:
        rows = compliance(s, config, 2018)
    march = next(r for r in rows if r.unit == "bat-xat" and r.period == "2018-03")
    assert march.received == 3


def test_a_maildir_cloned_today_keeps_its_2018_dates(make_config) -> None:
    """The demo's case: a Maildir whose files were all written today (a git clone) holds
    mail of 2018; a message with no date at all keeps the file's time, as before."""
    config = make_config()
    md = config.mailbox.url.path
    deliver(md, _mail(11))
    deliver(md, _mail(12, received="Thu, 22 Mar 2018 14:07:30 +0700"))
    deliver(md, _mail(13, received=FUTURE))
    deliver(md, _mail(14, date=None))
    ing = ingestor(config)
    start = datetime.now(UTC)
    assert ing.poll(MaildirSource.from_config(config.mailbox)).stored == 4
    got = _dates(ing)
    assert got["backfill-11@laocai.gov.vn"] == (SENT, "date-header")
    assert got["backfill-12@laocai.gov.vn"] == (RECEIVED, "received-header")
    assert got["backfill-13@laocai.gov.vn"] == (SENT, "date-header")
    at, source = got["backfill-14@laocai.gov.vn"]
    assert source == "file-mtime" and start - timedelta(minutes=5) < at <= datetime.now(UTC)
