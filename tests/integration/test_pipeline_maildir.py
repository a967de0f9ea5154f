"""The whole ingest path on a Maildir source, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import pytest

from dienhinh.core.errors import LeaseHeld, StorageError
from dienhinh.ingest.sources.maildir import MaildirSource
from dienhinh.store.lease import lease
from dienhinh.store.models import utcnow
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email, make_jpeg
from helpers import articles, deliver, deliveries, ingestor, messages


def _docx_mail(seed: int, **kw: object) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        attachments=[
            Attach("bai.docx", doc, DOCX_TYPE),
            Attach("anh.jpg", make_jpeg(seed=seed), "image/jpeg"),
        ],
        **kw,
    )


def _source(config):
    return MaildirSource.from_config(config.mailbox)


def test_poll_stores_raw_bytes_then_articles_incrementally(make_config):
    """GIVEN two messages in the Maildir WHEN polled twice with one more in between
    THEN each is stored once, byte for byte, with its article and photo."""
    config = make_config()
    md = config.mailbox.url.path
    raws = [
        _docx_mail(1, message_id="<a1@laocai.gov.vn>"),
        _docx_mail(2, message_id="<a2@laocai.gov.vn>"),
    ]
    for r in raws:
        deliver(md, r)
    ing = ingestor(config)

    first = ing.poll(_source(config))
    assert first.ok and first.stored == 2 and first.articles == 2

    stored = messages(ing)
    assert [m.status for m in stored] == ["ingested", "ingested"]
    assert [ing.raw_blobs.read(m.sha256) for m in stored] == raws
    arts = articles(ing)
    assert all(a.status == "pending-review" and a.source == "docx" for a in arts)

    again = ing.poll(_source(config))
    assert again.ok and again.fetched == 0 and again.stored == 0

    deliver(md, _docx_mail(3, message_id="<a3@laocai.gov.vn>"))
    third = ing.poll(_source(config))
    assert third.fetched == 1 and third.stored == 1
    assert len(messages(ing)) == 3


def test_same_message_id_delivered_twice_is_one_message(make_config):
    config = make_config()
    md = config.mailbox.url.path
    raw = _docx_mail(4, message_id="<same@laocai.gov.vn>")
    deliver(md, raw)
    # the second copy went through another relay: different headers, same body
    deliver(md, b"Received: from relay2 by mx; Mon, 26 Mar 2018 08:00:00 +0700\r\n" + raw)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.fetched == 2 and report.stored == 1
    assert len(messages(ing)) == 1
    assert len(deliveries(ing)) == 2
    assert len(articles(ing)) == 1


def test_resent_article_is_marked_duplicate(make_config):
    config = make_config()
    md = config.mailbox.url.path
    deliver(md, _docx_mail(5, message_id="<orig@laocai.gov.vn>"))
    deliver(md, _docx_mail(5, message_id="<resend@laocai.gov.vn>"))
    ing = ingestor(config)
    ing.poll(_source(config))
    first, second = messages(ing)
    assert first.status == "ingested"
    assert second.status == "duplicate" and second.duplicate_of_id == first.id
    a1, a2 = articles(ing)
    assert a2.status == "duplicate" and a2.duplicate_of_id == a1.id


def test_a_failing_message_never_stops_the_rest(make_config, monkeypatch):
    """One message whose extraction crashes is `failed` with the error; the others go on,
    and `reprocess` later re-runs it from the stored bytes."""
    import dienhinh.ingest.extract as extract

    config = make_config()
    md = config.mailbox.url.path
    for i in range(3):
        deliver(md, _docx_mail(10 + i, message_id=f"<m{i}@laocai.gov.vn>"))
    real = extract.extract_message

    def flaky(data, ctx):
        if b"<m1@laocai.gov.vn>" in data:
            raise RuntimeError("parser bug")
        return real(data, ctx)

    monkeypatch.setattr(extract, "extract_message", flaky)
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.processed == 3 and report.failed == 1
    by_id = {m.message_id: m for m in messages(ing)}
    assert by_id["m1@laocai.gov.vn"].status == "failed"
    assert "parser bug" in by_id["m1@laocai.gov.vn"].reason
    assert "Traceback" in by_id["m1@laocai.gov.vn"].error
    assert by_id["m0@laocai.gov.vn"].status == by_id["m2@laocai.gov.vn"].status == "ingested"

    monkeypatch.setattr(extract, "extract_message", real)
    rep = ing.reprocess([by_id["m1@laocai.gov.vn"].id])
    assert rep.processed == 1
    assert {m.message_id: m.status for m in messages(ing)}["m1@laocai.gov.vn"] == "ingested"
    assert len(articles(ing)) == 3


def test_transient_failure_waits_and_is_retried(make_config, monkeypatch):
    import dienhinh.ingest.extract as extract

    config = make_config(ingest={"retry_backoff_seconds": 60})
    md = config.mailbox.url.path
    deliver(md, _docx_mail(20, message_id="<t@laocai.gov.vn>"))
    real = extract.extract_message

    def full_disk(data, ctx):
        raise StorageError("cannot store blob: disk full")

    monkeypatch.setattr(extract, "extract_message", full_disk)
    ing = ingestor(config)
    ing.poll(_source(config))
    (msg,) = messages(ing)
    assert msg.status == "received" and msg.transient and msg.attempts == 1
    assert "will retry" in msg.reason and msg.next_attempt_at > utcnow()

    # The disk has space again, but the retry time has not come: nothing happens.
    monkeypatch.setattr(extract, "extract_message", real)
    ing.poll(_source(config))
    assert messages(ing)[0].status == "received"

    # Time passes (we move the retry time instead of sleeping).
    from sqlalchemy import update

    from dienhinh.store.models import Message

    with ing.sessions() as s:
        s.execute(update(Message).values(next_attempt_at=utcnow()))
        s.commit()
    ing.poll(_source(config))
    (msg,) = messages(ing)
    assert msg.status == "ingested" and not msg.transient


def test_crash_after_raw_commit_loses_nothing(make_config, monkeypatch):
    """GIVEN a poll that dies right after committing raw rows (before extraction)
    WHEN the next poll runs THEN every message is processed exactly once."""
    config = make_config()
    md = config.mailbox.url.path
    for i in range(4):
        deliver(md, _docx_mail(30 + i, message_id=f"<c{i}@laocai.gov.vn>"))
    ing = ingestor(config)

    class Crash(BaseException):
        pass

    def die(*a, **k):
        raise Crash

    monkeypatch.setattr(ing, "_drain", die)  # the step after the raw rows are committed
    with pytest.raises(Crash):
        ing.poll(_source(config))
    assert [m.status for m in messages(ing)] == ["received"] * 4

    monkeypatch.undo()
    ing2 = ingestor(config)
    report = ing2.poll(_source(config))
    assert report.fetched == 0 and report.processed == 4
    assert [m.status for m in messages(ing2)] == ["ingested"] * 4
    assert len(articles(ing2)) == 4


def test_second_poll_while_one_runs_exits_at_once(make_config):
    config = make_config()
    ing = ingestor(config)
    src = _source(config)
    with (
        lease(ing.sessions, f"poll:{src.key}", 60, holder="other-host:1"),
        pytest.raises(LeaseHeld, match="already running"),
    ):
        ing.poll(src)
    assert ing.poll(src).ok  # released: the next poll runs


def test_missing_maildir_is_recorded_for_status(make_config, tmp_path):
    config = make_config(mailbox_url=f"maildir://{tmp_path / 'nowhere'}")
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert not report.ok and "does not exist" in report.error
    from sqlalchemy.orm import Session

    from dienhinh.store.overview import collect_status

    with Session(ing.engine) as s:
        st = collect_status(s)
    assert "does not exist" in st.mailboxes[0].last_error


def test_post_action_move_in_maildir(make_config):
    config = make_config(mailbox={"post_action": "move"})
    md = config.mailbox.url.path
    deliver(md, _docx_mail(40, message_id="<mv@laocai.gov.vn>"))
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.post_actions == 1
    assert not list((md / "new").iterdir())
    assert len(list((md / ".Processed" / "cur").iterdir())) == 1
    assert deliveries(ing)[0].post_action_state == "done"


def test_parallel_pool_gives_same_result(make_config):
    config = make_config(ingest={"workers": 2, "parallel_threshold": 2})
    md = config.mailbox.url.path
    for i in range(6):
        deliver(md, _docx_mail(50 + i, message_id=f"<p{i}@laocai.gov.vn>"))
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.processed == 6 and report.articles == 6
    assert all(m.status == "ingested" for m in messages(ing))


@pytest.mark.parametrize("others", [5, 23])
def test_a_worker_process_crash_fails_only_its_message(make_config, monkeypatch, others):
    """GIVEN a message whose extraction kills its worker process (as a parser segfault
    would) WHEN polled with a process pool THEN only that message is `failed`, the others
    are ingested, and the poll ends normally. With 24 messages a pool task carries several
    (ExtractionQueue._chunk_size: 3): the crash loses its task-mates' results too, and
    they are extracted again."""
    import os

    import dienhinh.ingest.extract as extract
    from dienhinh.ingest.pipeline import Ingestor

    real = extract.extract_message

    def crashing(data, ctx):
        if b"<boom@laocai.gov.vn>" in data:
            os._exit(11)
        return real(data, ctx)

    monkeypatch.setattr(extract, "extract_message", crashing)
    # fork, so the workers inherit the patched function (forkserver would re-import it)
    monkeypatch.setattr(Ingestor, "mp_start_method", "fork")
    config = make_config(ingest={"workers": 2, "parallel_threshold": 2})
    md = config.mailbox.url.path
    for i in range(others):
        if i == others // 2:
            deliver(md, _docx_mail(99, message_id="<boom@laocai.gov.vn>"))
        deliver(md, _docx_mail(60 + i, message_id=f"<ok{i}@laocai.gov.vn>"))
    ing = ingestor(config)
    assert ing.queue._chunk_size(others + 1) == (1 if others < 8 else 3)
    report = ing.poll(_source(config))
    assert report.ok and report.processed == others + 1
    assert report.failed == 1 and report.articles == others
    by_id = {m.message_id: m for m in messages(ing)}
    assert by_id["boom@laocai.gov.vn"].status == "failed"
    assert "crashed" in by_id["boom@laocai.gov.vn"].reason
    assert all(by_id[f"ok{i}@laocai.gov.vn"].status == "ingested" for i in range(others))


def test_a_refused_maildir_move_is_recorded_and_retried_later(make_config):
    """GIVEN a Maildir whose processed folder cannot be made (a file is in the way)
    WHEN polled THEN the messages are ingested, their post-action is `failed` with the
    reason and a next try, not retried before it; once due and possible, they are moved."""
    from datetime import timedelta

    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from dienhinh.store.models import Delivery

    config = make_config(mailbox={"post_action": "move"})
    md = config.mailbox.url.path
    deliver(md, _docx_mail(80, message_id="<mv1@laocai.gov.vn>"))
    (md / ".Processed").write_text("not a folder")
    ing = ingestor(config)
    report = ing.poll(_source(config))
    assert report.ok and report.processed == 1
    assert report.post_actions == 0 and report.post_actions_failed == 1
    assert "could not move processed mail" in (report.post_action_error or "")
    (d,) = deliveries(ing)
    assert d.post_action_state == "failed" and d.post_action_attempts == 1
    assert d.post_action_next_at is not None and d.post_action_next_at > utcnow()

    (md / ".Processed").unlink()
    assert ing.poll(_source(config)).post_actions == 0  # not due yet
    with Session(ing.engine) as s:
        s.execute(update(Delivery).values(post_action_next_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    again = ing.poll(_source(config))
    assert again.post_actions == 1 and again.post_actions_failed == 0
    (d,) = deliveries(ing)
    assert d.post_action_state == "done" and d.post_action_error is None
    assert list((md / ".Processed" / "cur").iterdir())


def test_a_bug_while_one_result_is_handled_fails_that_message_only(make_config):
    """GIVEN a poll in which handling one message's result raises a bug outside the
    writer (here the progress hook, on the second message) WHEN polled THEN the runner's
    boundary (core/runner.py) records the error on that message, the others are ingested,
    the poll ends normally, and the next poll does not take the failed one again."""
    config = make_config()
    md = config.mailbox.url.path
    for i in range(3):
        deliver(md, _docx_mail(80 + i, message_id=f"<h{i}@laocai.gov.vn>"))
    ing = ingestor(config)

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "extract" and done == 2:
            raise TypeError("a bug in the progress hook")

    ing.progress = progress
    report = ing.poll(_source(config))
    assert report.ok and report.processed == 3 and report.failed == 1
    # Which message is extracted second depends on the backend's claim order (PostgreSQL
    # claims half of a batch first); exactly that one fails, with the bug as its reason.
    failed = [m for m in messages(ing) if m.status == "failed"]
    assert len(failed) == 1
    assert failed[0].reason.startswith("internal error while writing: TypeError")
    assert sorted(m.status for m in messages(ing)) == ["failed", "ingested", "ingested"]
    assert len(articles(ing)) == 2
    again = ingestor(config).poll(_source(config))
    assert again.ok and again.processed == 0


def test_copies_within_one_group_link_to_the_real_ids(make_config, caplog):
    """GIVEN an article, its exact resend and its correction ("bản sửa") in one poll (one
    written group: their links are resolved after the group's single INSERT) THEN the resend
    is a duplicate and the correction a revision of the first article's stored id, and the
    LSH index names stored originals only."""
    from datetime import datetime

    from revisionkit import TEXT_SEED, revision_mail
    from sqlalchemy import select

    from dienhinh.store.models import ArticleBand
    from factory import ICT

    config = make_config()
    md = config.mailbox.url.path
    title, paras = article_text(TEXT_SEED)
    original = make_email(
        from_="Huyện đoàn Bắc Hà <huyendoan-bacha@laocai.gov.vn>",
        subject=title,
        message_id="<text-1@laocai.gov.vn>",
        date=datetime(2024, 3, 5, 9, 0, tzinfo=ICT),
        text=title + "\n\n" + "\n\n".join(paras) + "\n",
    )
    resend = original.replace(b"<text-1@laocai.gov.vn>", b"<text-1b@laocai.gov.vn>")
    deliver(md, original, name="1.eml")
    deliver(md, resend, name="2.eml")
    deliver(md, revision_mail()[0], name="3.eml")
    ing = ingestor(config)
    with caplog.at_level(logging.WARNING, logger="dienhinh.ingest.results"):
        report = ing.poll(_source(config))
    assert report.ok and report.processed == 3
    assert "one by one" not in caplog.text  # the group went through as one
    by_mid = {m.message_id: m for m in messages(ing)}
    arts = {a.message_pk: a for a in articles(ing)}
    first = arts[by_mid["text-1@laocai.gov.vn"].id]
    again = arts[by_mid["text-1b@laocai.gov.vn"].id]
    fixed = arts[by_mid["text-2@laocai.gov.vn"].id]
    assert first.duplicate_of_id is None and first.revision_of_id is None
    assert again.status == "duplicate" and again.duplicate_of_id == first.id
    assert fixed.revision_of_id == first.id and fixed.duplicate_of_id is None
    assert by_mid["text-1b@laocai.gov.vn"].status == "duplicate"
    with ing.sessions() as s:
        indexed = set(s.execute(select(ArticleBand.article_id)).scalars())
    assert indexed == {first.id, fixed.id}


def test_another_units_copy_of_an_article_stays_in_the_queue_flagged(make_config):
    """The same article sent by two different units is no resend: the later one stays in
    the queue (not hidden as a duplicate), flagged for the editor with the earlier article
    and its unit, and the message counts as ingested. A resend by the same unit, and one
    from an address no unit is known by, are still plain duplicates."""
    config = make_config()
    md = config.mailbox.url.path
    deliver(md, _docx_mail(21, message_id="<first@laocai.gov.vn>"))
    deliver(
        md,
        _docx_mail(
            21,
            message_id="<copy@laocai.gov.vn>",
            from_="Văn phòng UBND huyện Bắc Hà <ubnd-bacha@laocai.gov.vn>",
        ),
    )
    deliver(md, _docx_mail(21, message_id="<again@laocai.gov.vn>"))
    ing = ingestor(config)
    ing.poll(_source(config))
    by_id = {m.message_id: m for m in messages(ing)}
    first, copy, again = (by_id[f"{k}@laocai.gov.vn"] for k in ("first", "copy", "again"))
    assert (first.unit, copy.unit, again.unit) == ("bat-xat", "bac-ha", "bat-xat")
    assert first.status == copy.status == "ingested"
    assert again.status == "duplicate" and again.duplicate_of_id == first.id
    arts = {a.message_pk: a for a in articles(ing)}
    original, copied = arts[first.id], arts[copy.id]
    assert copied.status == "pending-review" and copied.duplicate_of_id is None
    assert copied.flagged and "same text as another unit's article" in copied.flags
    assert copied.meta["same_as"]["article"] == original.id
    assert copied.meta["same_as"]["unit"] == "bat-xat"
    assert arts[again.id].duplicate_of_id == original.id
