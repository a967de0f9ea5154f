"""Post-actions on a server laid out as Cyrus and Courier lay a mailbox out (folders under
"INBOX.", "." between levels): the default config moves mail there; a post-action that
fails is shown in `status`, makes the poll exit 1, and is retried by later polls with a
backoff (issue 12, item 9)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from dienhinh.ingest.sources.imap import ImapSource
from dienhinh.store.models import Delivery, utcnow
from dienhinh.worker.cli import main
from dovecot import PASSWORD, USER, Dovecot
from factory import DOCX_TYPE, Attach, DocSpec, article_text, make_docx, make_email

pytestmark = pytest.mark.imap

BACKOFF = 600


def _mail(seed: int) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    return make_email(
        message_id=f"<pa-{seed}@laocai.gov.vn>", attachments=[Attach("bai.docx", doc, DOCX_TYPE)]
    )


def _config(tmp_path: Path, server: Dovecot) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "sqlite:///{tmp_path / "db.sqlite3"}"\n'
        f'[mailbox]\nurl = "imap://{USER.replace("@", "%40")}@127.0.0.1:{server.port}/INBOX"\n'
        'post_action = "move"\n'  # processed_folder left at its default, "Processed"
        f"[ingest]\nworkers = 1\nretry_backoff_seconds = {BACKOFF}\n",
        encoding="utf-8",
    )
    return p


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


# What a poll says when the test dovecot's auth process is too slow to answer (seen when
# the machine is busy): the server's trouble, not the code's; the poll is simply run again.
TEMPORARY_LOGIN = "temporary failure on the server"


def poll(cfg: Path) -> tuple[int, str]:
    for _ in range(3):
        code, out = run("--config", str(cfg), "-q", "poll")
        if TEMPORARY_LOGIN not in out:
            break
    return code, out


def _deliveries(tmp_path: Path) -> list[Delivery]:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with Session(engine) as s:
            return list(s.execute(select(Delivery).order_by(Delivery.id)).scalars())
    finally:
        engine.dispose()


def _time_passes(tmp_path: Path) -> None:
    """Move every failed post-action's next try into the past."""
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with Session(engine) as s:
            s.execute(
                update(Delivery)
                .where(Delivery.post_action_state == "failed")
                .values(post_action_next_at=utcnow() - timedelta(seconds=1))
            )
            s.commit()
    finally:
        engine.dispose()


def test_default_config_moves_mail_on_a_courier_layout(tmp_path, dovecot_courier, monkeypatch):
    monkeypatch.setenv("DIENHINH_IMAP_PASSWORD", PASSWORD)
    for i in range(2):
        dovecot_courier.append(USER, _mail(i))
    cfg = _config(tmp_path, dovecot_courier)
    run("--config", str(cfg), "init")
    code, out = poll(cfg)
    assert code == 0 and "post-actions 2" in out, out
    assert dovecot_courier.folder_uids("INBOX") == []
    assert len(dovecot_courier.folder_uids("INBOX.Processed")) == 2
    assert {d.post_action_state for d in _deliveries(tmp_path)} == {"done"}


def test_failed_post_action_is_shown_exits_1_and_is_retried_with_backoff(
    tmp_path, dovecot_courier, monkeypatch
):
    """GIVEN a server that refuses the processed folder (the name without its "INBOX."
    prefix, as before this fix) WHEN polls run THEN the first exits 1 and `status` shows
    each failed post-action with the server's answer and its next try; polls before that
    time leave it alone; once it has come it is tried again (the wait doubles after a
    second failure), and when the server accepts, the mail is moved and the state is done."""
    monkeypatch.setenv("DIENHINH_IMAP_PASSWORD", PASSWORD)
    uids = [dovecot_courier.append(USER, _mail(10 + i)) for i in range(2)]
    cfg = _config(tmp_path, dovecot_courier)
    run("--config", str(cfg), "init")
    monkeypatch.setattr(ImapSource, "processed_folder_name", lambda self: "Processed")

    start = utcnow()
    code, out = poll(cfg)
    assert code == 1, out
    assert "post-actions failed 2" in out and "post-action error" in out, out
    ds = _deliveries(tmp_path)
    assert [d.post_action_state for d in ds] == ["failed", "failed"]
    assert all(d.post_action_attempts == 1 for d in ds)
    assert all(
        timedelta(seconds=BACKOFF - 5) <= d.post_action_next_at - start
        for d in ds
        if d.post_action_next_at is not None
    )
    assert all(d.post_action_next_at is not None for d in ds)

    code, out = run("--config", str(cfg), "status", "--json")
    pa = json.loads(out)["post_actions"]
    assert pa["failed"] == 2 and len(pa["failures"]) == 2
    assert sorted(f["uid"] for f in pa["failures"]) == sorted(uids)
    assert all(f["error"] and f["attempts"] == 1 and f["retry_at"] for f in pa["failures"])
    code, out = run("--config", str(cfg), "status")
    assert "Post-actions: 0 pending, 2 failed" in out
    assert "failed 1 time(s), next try" in out

    # Before the next try is due: a poll leaves them alone.
    code, out = poll(cfg)
    assert code == 0 and "post-actions" not in out, out
    assert all(d.post_action_attempts == 1 for d in _deliveries(tmp_path))

    # Due, still refused: tried again, and the wait doubles.
    _time_passes(tmp_path)
    start = utcnow()
    code, out = poll(cfg)
    assert code == 1 and "post-actions failed 2" in out, out
    ds = _deliveries(tmp_path)
    assert all(d.post_action_attempts == 2 for d in ds)
    assert all(
        d.post_action_next_at is not None
        and d.post_action_next_at - start >= timedelta(seconds=2 * BACKOFF - 5)
        for d in ds
    )

    # Due, and the server accepts (the namespace-aware name): moved, done.
    monkeypatch.undo()
    monkeypatch.setenv("DIENHINH_IMAP_PASSWORD", PASSWORD)
    _time_passes(tmp_path)
    code, out = poll(cfg)
    assert code == 0 and "post-actions 2" in out, out
    assert dovecot_courier.folder_uids("INBOX") == []
    assert len(dovecot_courier.folder_uids("INBOX.Processed")) == 2
    ds = _deliveries(tmp_path)
    assert [d.post_action_state for d in ds] == ["done", "done"]
    assert all(d.post_action_error is None for d in ds)
    code, out = run("--config", str(cfg), "status", "--json")
    assert json.loads(out)["post_actions"] == {"pending": 0, "failed": 0, "failures": []}
