"""The worker's ingest jobs on a real database and Maildir: the daily run's extra round of
retries, a poll skipped while another holds the mailbox, a stop request mid-run."""

from __future__ import annotations

from email.header import Header

from sqlalchemy import select

from dienhinh.core.types import RawMail
from dienhinh.ingest.rawstore import store_raw_batch
from dienhinh.store.blobs import BlobStore
from dienhinh.store.db import make_engine
from dienhinh.store.lease import lease
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Message, PollRun
from dienhinh.store.states import MessageState, transition
from dienhinh.worker import jobs
from dienhinh.worker.jobs import JobContext
from dienhinh.worker.settings import load
from factory import article_text
from helpers import ENGINES, deliver


def _mail(i: int) -> bytes:
    title, paras = article_text(9500 + i)
    return (
        "From: ubnd-simacai@laocai.gov.vn\r\nTo: btdkt-snv@laocai.gov.vn\r\n"
        f"Subject: {Header(title, 'utf-8').encode()}\r\n"
        f"Message-ID: <jobs-{i}@laocai.gov.vn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + (title + "\n\n" + "\n\n".join(paras)).replace("\n", "\r\n")
    ).encode()


def _ctx(make_config) -> JobContext:
    config = make_config(ingest={"max_attempts": 3})
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    return JobContext(config=config, settings=load(config), engine=engine, holder="h:1:x")


def _status(ctx: JobContext) -> dict[str, str]:
    with ctx.sessions() as s:
        return dict(s.execute(select(Message.message_id, Message.status)).all())


def test_daily_run_gives_mail_failed_after_its_retries_another_round(make_config):
    """GIVEN one message `failed` after all 3 transient retries (the disk was away) and
    one that failed for good on its first attempt WHEN the daily run comes THEN the first
    is processed again (and ingested now), the second is left for an operator."""
    ctx = _ctx(make_config)
    deliver(ctx.config.mailbox.url.path, _mail(0))
    blobs = BlobStore(ctx.config.raw_dir)
    with ctx.sessions() as s:
        raws = [RawMail(_mail(i), mailbox="import:old", location=f"old{i}") for i in (1, 2)]
        pks = [r.message_pk for r in store_raw_batch(s, blobs, raws, post_action=False)]
        blobs.sync()
        for pk, attempts in zip(pks, (3, 1), strict=True):
            msg = s.get(Message, pk)
            msg.attempts = attempts
            transition(s, msg, MessageState.FAILED, actor="test", reason="disk full")
        s.commit()

    result = jobs.daily(ctx)

    assert result.status == "ok", result.note
    assert _status(ctx) == {
        "jobs-0@laocai.gov.vn": "ingested",  # the daily poll
        "jobs-1@laocai.gov.vn": "ingested",  # another round
        "jobs-2@laocai.gov.vn": "failed",  # permanent: an operator decides
    }
    with ctx.sessions() as s:
        kinds = s.execute(select(PollRun.kind).order_by(PollRun.id)).scalars().all()
    assert kinds == ["poll", "reprocess"]


def test_poll_is_skipped_while_another_worker_holds_the_mailbox(make_config):
    ctx = _ctx(make_config)
    deliver(ctx.config.mailbox.url.path, _mail(3))
    key = ctx.config.mailbox.url.key
    with lease(ctx.sessions, f"poll:{key}", 60, holder="other-host@1234:99:x"):
        result = jobs.poll(ctx)
    assert result.status == "skipped" and "other-host@1234:99:x" in (result.note or "")
    assert _status(ctx) == {}
    assert jobs.poll(ctx).processed == 1


def test_a_stop_request_ends_the_poll_after_the_current_message(make_config):
    """GIVEN 40 mails and a stop requested while the poll extracts the first one
    THEN that one is written, the rest stays for the next run, the lease is released,
    and the next poll finishes them: each once."""
    ctx = _ctx(make_config)
    for i in range(40):
        deliver(ctx.config.mailbox.url.path, _mail(100 + i))
    ing = ctx.ingestor()
    real_progress = ing.progress

    def stop_after_first(phase: str, done: int, total: int) -> None:
        real_progress(phase, done, total)
        if phase == "extract":
            ctx.stop.set()

    ing.progress = stop_after_first
    from dienhinh.worker.app import make_source

    report = ing.poll(make_source(ctx.config))
    assert report.ok and report.processed == 1
    statuses = list(_status(ctx).values())
    assert statuses.count("ingested") == 1
    assert len(statuses) < 40 or statuses.count("received") > 0

    ctx.stop.clear()
    again = ctx.ingestor().poll(make_source(ctx.config))
    assert again.ok
    assert list(_status(ctx).values()) == ["ingested"] * 40
    assert report.processed + again.processed == 40


def test_a_reprocess_queued_in_the_console_is_done_by_the_worker(make_config):
    """GIVEN two failed messages whose "Chạy lại" an editor queued (the console only writes
    the request), one of which an editor then worked on WHEN the worker's reprocess job
    runs THEN the first is extracted again and its request done, the second is refused
    (and done), and a second run finds nothing to do."""
    from dienhinh.ingest.requested import request_reprocess
    from dienhinh.store.models import Article, ReprocessRequest

    ctx = _ctx(make_config)
    for i in (20, 21):
        deliver(ctx.config.mailbox.url.path, _mail(i))
    assert jobs.poll(ctx).processed == 2
    with ctx.sessions() as s:
        pks = dict(s.execute(select(Message.message_id, Message.id)).all())
        first, second = pks["jobs-20@laocai.gov.vn"], pks["jobs-21@laocai.gov.vn"]
        for pk in (first, second):
            transition(s, s.get(Message, pk), MessageState.FAILED, actor="test", reason="x")
        s.commit()
        assert request_reprocess(s, first, actor="mai").created
        assert not request_reprocess(s, first, actor="lan").created  # one open request
        request_reprocess(s, second, actor="mai")
        art = s.execute(select(Article).where(Article.message_pk == second)).scalar_one()
        art.title = "Biên tập viên đã sửa"  # version 2: worked on
        s.commit()
    assert _status(ctx)["jobs-20@laocai.gov.vn"] == "failed"  # queued, not run

    result = jobs.reprocess(ctx)

    assert result.status == "ok" and result.processed == 1, result.note
    assert _status(ctx) == {
        "jobs-20@laocai.gov.vn": "ingested",
        "jobs-21@laocai.gov.vn": "failed",
    }
    with ctx.sessions() as s:
        rows = {r.message_pk: r for r in s.execute(select(ReprocessRequest)).scalars()}
        kinds = s.execute(select(PollRun.kind).order_by(PollRun.id)).scalars().all()
    assert len(rows) == 2 and all(r.done_at and r.taken_by == "h:1:x" for r in rows.values())
    assert rows[first].outcome == "done: message ingested"
    assert rows[second].outcome.startswith("refused: editors worked on article(s) #")
    assert kinds == ["poll", "reprocess"]  # the Ingestor recorded its run
    again = jobs.reprocess(ctx)
    assert not again.busy


def test_the_reprocess_job_waits_while_this_worker_polls(make_config):
    ctx = _ctx(make_config)
    with ctx.mail_lock:
        result = jobs.reprocess(ctx)
    assert result.status == "skipped"
