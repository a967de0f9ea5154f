"""The ingest pipeline against a real dovecot on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dienhinh.ingest.sources.imap import ImapSource
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


def _mail(seed: int) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        message_id=f"<imap-{seed}@laocai.gov.vn>", attachments=[Attach("bai.docx", doc, DOCX_TYPE)]
    )


def _config(make_config, server: Dovecot, **mailbox):
    url = f"imap://{USER.replace('@', '%40')}@127.0.0.1:{server.port}/INBOX"
    cfg = make_config(mailbox_url=url, mailbox=mailbox)
    import dataclasses

    from dienhinh.core.config import Secret

    return dataclasses.replace(
        cfg, mailbox=dataclasses.replace(cfg.mailbox, password=Secret(PASSWORD))
    )


def test_incremental_polls_fetch_only_new_mail(make_config, server):
    config = _config(make_config, server)
    raws = [_mail(i) for i in range(3)]
    for r in raws:
        server.append(USER, r)
    ing = ingestor(config)
    first = ing.poll(ImapSource(config.mailbox))
    assert first.ok and first.fetched == 3 and first.stored == 3 and first.articles == 3
    # exact bytes as the server holds them
    with server.client() as c:
        c.select_folder("INBOX", readonly=True)
        held = {d[b"BODY[]"] for d in c.fetch(c.search("ALL"), ["BODY.PEEK[]"]).values()}
    assert {ing.raw_blobs.read(m.sha256) for m in messages(ing)} == held

    for i in (3, 4):
        server.append(USER, _mail(i))
    second = ing.poll(ImapSource(config.mailbox))
    assert second.fetched == 2 and second.stored == 2
    assert ing.poll(ImapSource(config.mailbox)).fetched == 0
    assert len(messages(ing)) == 5 and len(articles(ing)) == 5
    # \Seen untouched: the Board's staff still see the mail as unread
    assert all(b"\\Seen" not in server.flags(uid) for uid in server.folder_uids())


def test_uidvalidity_change_resyncs_without_duplicates(make_config, server):
    config = _config(make_config, server)
    for i in range(3):
        server.append(USER, _mail(10 + i))
    ing = ingestor(config)
    ing.poll(ImapSource(config.mailbox))
    server.set_uidvalidity(424242)
    server.append(USER, _mail(13))
    report = ing.poll(ImapSource(config.mailbox))
    assert report.ok and report.fetched == 4 and report.stored == 1
    assert len(messages(ing)) == 4 and len(articles(ing)) == 4
    assert {d.uidvalidity for d in deliveries(ing)} >= {424242}
    assert ing.poll(ImapSource(config.mailbox)).fetched == 0


def test_post_action_flag(make_config, server):
    config = _config(make_config, server, post_action="flag")
    uids = [server.append(USER, _mail(20 + i)) for i in range(2)]
    ing = ingestor(config)
    report = ing.poll(ImapSource(config.mailbox))
    assert report.post_actions == 2
    assert all(b"$DienhinhProcessed" in server.flags(u) for u in uids)
    assert {d.post_action_state for d in deliveries(ing)} == {"done"}


def test_post_action_move(make_config, server):
    config = _config(make_config, server, post_action="move")
    for i in range(3):
        server.append(USER, _mail(30 + i))
    ing = ingestor(config)
    report = ing.poll(ImapSource(config.mailbox))
    assert report.ok and report.post_actions == 3
    assert server.folder_uids("INBOX") == []
    assert len(server.folder_uids("Processed")) == 3
    server.append(USER, _mail(33))
    again = ing.poll(ImapSource(config.mailbox))
    assert again.fetched == 1 and len(server.folder_uids("Processed")) == 4


def test_connection_dropped_mid_poll_keeps_committed_and_resumes(make_config, server):
    """GIVEN a poll whose connection is killed after the first batch
    WHEN it runs THEN it ends cleanly with an error, what it committed is kept,
    and the next poll fetches the rest: no message lost, none twice."""
    config = _config(make_config, server)
    import dataclasses

    config = dataclasses.replace(config, mailbox=dataclasses.replace(config.mailbox, batch_size=2))
    for i in range(5):
        server.append(USER, _mail(40 + i))
    ing = ingestor(config)

    class KickingSource(ImapSource):
        batches = 0

        def fetch(self, items):
            KickingSource.batches += 1
            if KickingSource.batches == 2:
                server.kick(USER)
            yield from super().fetch(items)

    report = ing.poll(KickingSource(config.mailbox))
    assert not report.ok and report.stored == 2
    assert len(messages(ing)) == 2

    report = ing.poll(ImapSource(config.mailbox))
    assert report.ok and report.fetched == 3
    ids = [m.message_id for m in messages(ing)]
    assert sorted(ids) == sorted(f"imap-{40 + i}@laocai.gov.vn" for i in range(5))


def test_process_killed_between_commit_and_post_action(make_config, server, tmp_path):
    """GIVEN a worker process killed (os._exit) after committing a message and its
    articles but before the post-action WHEN the next poll runs THEN the post-action is
    applied, and nothing is fetched or stored twice."""
    config = _config(make_config, server, post_action="flag")
    uids = [server.append(USER, _mail(50 + i)) for i in range(3)]
    ingestor(config)  # creates the schema
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from dienhinh.core.config import config_from_mapping
        from dienhinh.ingest.pipeline import Ingestor
        from dienhinh.ingest.sources.imap import ImapSource
        from dienhinh.store.db import make_engine
        cfg = config_from_mapping({{
            "paths": {{"data_dir": {str(config.data_dir)!r}}},
            "database": {{"url": {config.database.url!r}}},
            "mailbox": {{"url": "imap://{USER.replace("@", "%40")}@127.0.0.1:{server.port}/INBOX",
                         "post_action": "flag"}},
            "ingest": {{"workers": 1}},
        }}, environ={{"DIENHINH_IMAP_PASSWORD": {PASSWORD!r}}})
        def die(self, items):
            os._exit(9)
        ImapSource.post_action = die
        Ingestor(cfg, make_engine(cfg.database.url)).poll(ImapSource(cfg.mailbox))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 9, proc.stderr
    assert all(b"$DienhinhProcessed" not in server.flags(u) for u in uids)

    ing = ingestor(config)
    assert {m.status for m in messages(ing)} == {"ingested"}
    assert {d.post_action_state for d in deliveries(ing)} == {"pending"}
    report = ing.poll(ImapSource(config.mailbox))
    assert report.ok and report.fetched == 0 and report.stored == 0 and report.post_actions == 3
    assert all(b"$DienhinhProcessed" in server.flags(u) for u in uids)
    assert len(messages(ing)) == 3 and len(articles(ing)) == 3


def test_login_refused_is_recorded_for_status(make_config, server):
    import dataclasses

    from dienhinh.core.config import Secret

    config = _config(make_config, server)
    config = dataclasses.replace(
        config, mailbox=dataclasses.replace(config.mailbox, password=Secret("wrong"))
    )
    ing = ingestor(config)
    report = ing.poll(ImapSource(config.mailbox))
    assert not report.ok and USER in report.error
    from sqlalchemy.orm import Session

    from dienhinh.store.overview import collect_status

    with Session(ing.engine) as s:
        (mb,) = collect_status(s).mailboxes
    assert mb.last_error == report.error and mb.consecutive_failures == 1
