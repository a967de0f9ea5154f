"""The poll's quick check (ingest/run.py) against a real dovecot: a poll with
nothing to do stops after SELECT (no listing), and every kind of work still gets done:
new mail, a new UIDVALIDITY, mail expunged or moved back into the folder, a post-action
still pending or due for a retry, a message due for a retry, an article waiting for the
slow lane, and the console's queued re-runs. Nothing lost, nothing twice."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dienhinh.core.config import Secret
from dienhinh.core.states import ArticleState, MessageState, PostActionState
from dienhinh.ingest.pipeline import Ingestor, RunReport
from dienhinh.ingest.sources.base import SourceItem
from dienhinh.ingest.sources.imap import ImapSource
from dienhinh.store.models import Article, Delivery, MailboxState, Message, PollRun, utcnow
from dovecot import PASSWORD, USER, Dovecot, dovecot_missing, free_port
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email
from helpers import articles, deliveries, ingestor, messages

pytestmark = pytest.mark.imap


@pytest.fixture
def server(tmp_path: Path):
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    d = Dovecot(tmp_path / "imap", free_port())
    d.start()
    try:
        yield d
    finally:
        d.stop()


class CountingSource(ImapSource):
    """The real IMAP source, counting its listings (UID SEARCH)."""

    def __init__(self, *a: object, **k: object) -> None:
        super().__init__(*a, **k)  # type: ignore[arg-type]
        self.listings = 0

    def list_new(self, after_uid: int, known: Iterable[str] = ()) -> list[SourceItem]:
        self.listings += 1
        return super().list_new(after_uid, known)


def _mail(seed: int) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        message_id=f"<quick-{seed}@laocai.gov.vn>",
        attachments=[Attach("bai.docx", doc, DOCX_TYPE)],
    )


def _config(make_config, server: Dovecot, **mailbox):
    url = f"imap://{USER.replace('@', '%40')}@127.0.0.1:{server.port}/INBOX"
    cfg = make_config(mailbox_url=url, mailbox=mailbox)
    return dataclasses.replace(
        cfg, mailbox=dataclasses.replace(cfg.mailbox, password=Secret(PASSWORD))
    )


def _poll(ing: Ingestor) -> tuple[RunReport, int]:
    """One poll; its report and how many listings it made."""
    source = CountingSource(ing.config.mailbox)
    report = ing.poll(source)
    assert report.ok, report.error
    return report, source.listings


def _assert_idle(ing: Ingestor) -> RunReport:
    report, listings = _poll(ing)
    assert report.idle and listings == 0
    assert (report.fetched, report.stored, report.processed, report.post_actions) == (0, 0, 0, 0)
    return report


def _assert_full(ing: Ingestor) -> RunReport:
    report, listings = _poll(ing)
    assert not report.idle and listings == 1
    return report


def test_idle_poll_stops_after_select_and_still_records_the_run(make_config, server):
    config = _config(make_config, server)
    for i in range(3):
        server.append(USER, _mail(i))
    ing = ingestor(config)
    first = _assert_full(ing)
    assert first.fetched == 3 and first.articles == 3
    with ing.sessions() as s:
        before = s.get(MailboxState, config.mailbox.url.key)
        assert before is not None
        success_before = before.last_success_at
    _assert_idle(ing)
    with ing.sessions() as s:
        state = s.get(MailboxState, config.mailbox.url.key)
        runs = list(s.execute(select(PollRun).order_by(PollRun.id)).scalars())
    # The health of the mailbox moves on as for any poll: success time, no error.
    assert state is not None and state.last_success_at > success_before
    assert state.last_error is None and state.consecutive_failures == 0
    assert [r.kind for r in runs] == ["poll", "poll"] and runs[-1].status == "ok"
    assert len(messages(ing)) == 3 and len(articles(ing)) == 3


def test_new_mail_after_an_idle_poll_is_fetched(make_config, server):
    config = _config(make_config, server)
    server.append(USER, _mail(10))
    ing = ingestor(config)
    _assert_full(ing)
    _assert_idle(ing)
    server.append(USER, _mail(11))
    report = _assert_full(ing)
    assert report.fetched == 1 and report.stored == 1 and report.articles == 1
    _assert_idle(ing)
    assert len(messages(ing)) == 2 and len(articles(ing)) == 2


def test_new_uidvalidity_resyncs_without_duplicates(make_config, server):
    config = _config(make_config, server)
    for i in range(2):
        server.append(USER, _mail(20 + i))
    ing = ingestor(config)
    _assert_full(ing)
    _assert_idle(ing)
    server.set_uidvalidity(777001)
    report = _assert_full(ing)
    # Every message is listed and fetched again, and recognised: none stored twice.
    assert report.fetched == 2 and report.stored == 0
    assert {d.uidvalidity for d in deliveries(ing)} >= {777001}
    _assert_idle(ing)
    assert len(messages(ing)) == 2 and len(articles(ing)) == 2


def test_expunged_and_moved_mail(make_config, server):
    """A stored message deleted by the staff creates no work (the next poll is idle and
    nothing is lost); one moved out and back gets a new UID and is fetched again but not
    stored twice; one that came and went before any poll saw it makes the next poll list
    the folder (UIDNEXT moved past last_uid), which then finds nothing."""
    config = _config(make_config, server)
    uids = [server.append(USER, _mail(30 + i)) for i in range(3)]
    ing = ingestor(config)
    _assert_full(ing)
    with server.client() as c:
        c.select_folder("INBOX")
        c.delete_messages([uids[0]])
        c.expunge()
    _assert_idle(ing)

    with server.client() as c:
        c.create_folder("Elsewhere")
        c.select_folder("INBOX")
        c.move([uids[1]], "Elsewhere")
        c.select_folder("Elsewhere")
        c.move(c.search("ALL"), "INBOX")
    report = _assert_full(ing)
    assert report.fetched == 1 and report.stored == 0
    _assert_idle(ing)

    gone = server.append(USER, _mail(33))
    with server.client() as c:
        c.select_folder("INBOX")
        c.delete_messages([gone])
        c.expunge()
    report = _assert_full(ing)
    assert report.fetched == 0
    server.append(USER, _mail(34))
    report = _assert_full(ing)
    assert report.fetched == 1 and report.stored == 1
    _assert_idle(ing)
    assert len(messages(ing)) == 4 and len(articles(ing)) == 4


def test_pending_and_due_post_actions_are_not_skipped(make_config, server):
    config = _config(make_config, server, post_action="flag")
    uids = [server.append(USER, _mail(40 + i)) for i in range(2)]
    ing = ingestor(config)
    assert _assert_full(ing).post_actions == 2
    _assert_idle(ing)

    # A crash between the commit and the post-action: the delivery is left pending.
    with server.client() as c:
        c.select_folder("INBOX")
        c.remove_flags([uids[0]], ["$DienhinhProcessed"])
    with ing.sessions() as s:
        s.execute(
            update(Delivery)
            .where(Delivery.uid == uids[0])
            .values(post_action_state=PostActionState.PENDING)
        )
        s.commit()
    assert _assert_full(ing).post_actions == 1
    assert b"$DienhinhProcessed" in server.flags(uids[0])
    _assert_idle(ing)

    # A failed post-action waits for its retry time (idle meanwhile), then is retried.
    with server.client() as c:
        c.select_folder("INBOX")
        c.remove_flags([uids[1]], ["$DienhinhProcessed"])
    with ing.sessions() as s:
        s.execute(
            update(Delivery)
            .where(Delivery.uid == uids[1])
            .values(
                post_action_state=PostActionState.FAILED,
                post_action_next_at=utcnow() + timedelta(hours=1),
            )
        )
        s.commit()
    _assert_idle(ing)
    assert {d.uid: d.post_action_state for d in deliveries(ing)}[uids[1]] == "failed"
    with ing.sessions() as s:
        s.execute(update(Delivery).values(post_action_next_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    assert _assert_full(ing).post_actions == 1
    assert b"$DienhinhProcessed" in server.flags(uids[1])
    assert {d.post_action_state for d in deliveries(ing)} == {"done"}
    _assert_idle(ing)


def test_a_message_due_for_a_retry_is_not_skipped(make_config, server, monkeypatch):
    import dienhinh.ingest.extract as extract
    from dienhinh.core.errors import StorageError

    config = _config(make_config, server)
    server.append(USER, _mail(50))
    real = extract.extract_message

    def full_disk(data, ctx):
        raise StorageError("cannot store blob: disk full")

    monkeypatch.setattr(extract, "extract_message", full_disk)
    ing = ingestor(config)
    _assert_full(ing)
    (msg,) = messages(ing)
    assert msg.status == MessageState.RECEIVED and msg.transient
    monkeypatch.setattr(extract, "extract_message", real)
    # Its retry time has not come: nothing to do yet, and it still waits.
    _assert_idle(ing)
    assert messages(ing)[0].status == MessageState.RECEIVED
    with ing.sessions() as s:
        s.execute(update(Message).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        s.commit()
    report = _assert_full(ing)
    assert report.processed == 1 and report.articles == 1
    assert messages(ing)[0].status == MessageState.INGESTED
    _assert_idle(ing)


def test_an_article_waiting_for_the_slow_lane_is_not_skipped(make_config, server, monkeypatch):
    import dienhinh.ingest.slowlane as slowlane

    config = _config(make_config, server)
    server.append(USER, _mail(60))
    ing = ingestor(config)
    _assert_full(ing)
    with ing.sessions() as s:
        s.execute(update(Article).values(status=ArticleState.NEEDS_OCR))
        s.commit()
    # No OCR tool: the article keeps waiting, and every poll says so.
    monkeypatch.setattr(slowlane, "_tools", lambda: (False, False))
    for _ in range(2):
        assert _assert_full(ing).waiting == 1
    with ing.sessions() as s:
        s.execute(update(Article).values(status=ArticleState.PENDING_REVIEW))
        s.commit()
    assert _assert_idle(ing).waiting == 0


def test_requested_reruns_are_done_by_an_idle_poll_command(tmp_path, db_url, server, monkeypatch):
    """`dienhinh poll` with no new mail still does the console's queued "Chạy lại"."""
    from dienhinh.ingest.requested import request_reprocess
    from dienhinh.store.db import make_engine
    from dienhinh.worker.cli import main

    server.append(USER, _mail(70))
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n[mailbox]\n'
        f'url = "imap://{USER.replace("@", "%40")}@127.0.0.1:{server.port}/INBOX"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DIENHINH_IMAP_PASSWORD", PASSWORD)

    def run(*argv: str) -> str:
        out = io.StringIO()
        assert main(["--config", str(cfg), *argv], out=out) == 0, out.getvalue()
        return out.getvalue()

    run("init")
    assert "fetched 1, stored 1 new, processed 1" in run("-q", "poll")
    assert "requested from the console" not in run("-q", "poll")
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            pk = s.execute(select(Message.id)).scalar_one()
            request_reprocess(s, pk, actor="mai")
        out = run("-q", "poll")
        assert "poll: fetched 0, stored 0 new, processed 0" in out
        assert "requested from the console:" in out and "processed 1" in out
        with Session(engine) as s:
            runs = [r.kind for r in s.execute(select(PollRun).order_by(PollRun.id)).scalars()]
        assert runs == ["poll", "poll", "poll", "reprocess"]
    finally:
        engine.dispose()


def test_the_poll_command_loads_the_pipeline_only_for_work(tmp_path, db_url, server, monkeypatch):
    """`dienhinh poll` (a fresh process, as the timer starts it) runs on the driver's own
    connection until its quick check finds work (ingest/run.py). GIVEN new mail THEN it
    loads the pipeline and fetches it; GIVEN nothing new THEN it records its run without
    importing SQLAlchemy, the models or the pipeline; GIVEN another poll holding the
    lease THEN it exits 3 at once."""
    import subprocess
    import sys

    from sqlalchemy.orm import sessionmaker

    from dienhinh.core.config import load_config
    from dienhinh.store.db import make_engine
    from dienhinh.store.lease import lease
    from dienhinh.worker.cli import main

    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n[mailbox]\n'
        f'url = "imap://{USER.replace("@", "%40")}@127.0.0.1:{server.port}/INBOX"\n'
        "[ingest]\nworkers = 1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DIENHINH_IMAP_PASSWORD", PASSWORD)
    assert main(["--config", str(cfg), "init"], out=io.StringIO()) == 0
    script = (
        "import sys\nfrom dienhinh.__main__ import run\ncode = run()\n"
        "heavy = ('sqlalchemy', 'dienhinh.store.models', 'dienhinh.ingest.pipeline')\n"
        "print('loaded:', [m for m in heavy if m in sys.modules])\nsys.exit(code)\n"
    )

    def poll() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", script, "--config", str(cfg), "-q", "poll"],
            capture_output=True,
            text=True,
            timeout=120,
        )

    server.append(USER, _mail(80))
    busy = poll()
    assert busy.returncode == 0, busy.stderr
    assert "fetched 1, stored 1 new, processed 1, articles 1" in busy.stdout
    assert "'dienhinh.ingest.pipeline'" in busy.stdout
    idle = poll()
    assert idle.returncode == 0, idle.stderr
    assert "poll: fetched 0, stored 0 new" in idle.stdout and "loaded: []" in idle.stdout

    engine = make_engine(db_url)
    try:
        key = load_config(cfg).mailbox.url.key
        with lease(sessionmaker(engine), f"poll:{key}", 600, holder="other-host@1:1:x"):
            held = poll()
        assert held.returncode == 3 and "other-host" in held.stderr, held.stderr
        with Session(engine) as s:
            runs = [
                (r.kind, r.status)
                for r in s.execute(select(PollRun).order_by(PollRun.id)).scalars()
            ]
            state = s.get(MailboxState, key)
        assert runs == [("poll", "ok"), ("poll", "ok")]
        assert state is not None and state.last_error is None and state.last_uid >= 1
    finally:
        engine.dispose()
