"""The staleness alert end to end: the health job logs it and mails the admins once per
day (notify in dry-run mode writes the mail to a folder), and `dienhinh status` shows it."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import MailboxState, Notification
from dienhinh.worker import jobs
from dienhinh.worker.cli import main
from dienhinh.worker.jobs import JobContext
from dienhinh.worker.settings import load
from helpers import ENGINES

NOW = datetime.fromisoformat("2018-04-01T08:00:00+07:00")

NOTIFY = {
    "dry_run": True,
    "admins": ["quantri@laocai.gov.vn"],
    "alert": {"enabled": True},
}


def _ctx(config, clock) -> JobContext:
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    return JobContext(
        config=config, settings=load(config), engine=engine, holder="h:1:x", clock=clock
    )


def _stale(ctx: JobContext) -> None:
    with ctx.sessions() as s:
        s.add(
            MailboxState(
                key=ctx.config.mailbox.url.key,
                uidvalidity=0,
                last_uid=0,
                consecutive_failures=12,
                last_success_at=NOW - timedelta(hours=3),
                last_error="could not reach the mail server mail.laocai.gov.vn:993",
                last_error_at=NOW - timedelta(minutes=4),
            )
        )
        s.commit()


def _alert_mails(ctx: JobContext) -> list[Notification]:
    with ctx.sessions() as s:
        return list(s.execute(select(Notification).where(Notification.kind == "alert")).scalars())


def test_stale_mailbox_is_logged_and_mailed_once_a_day(make_config, caplog, tmp_path):
    now = [NOW]
    config = make_config(worker={"stale_after_minutes": 60}, notify=NOTIFY)
    ctx = _ctx(config, lambda: now[0])
    _stale(ctx)
    with caplog.at_level(logging.WARNING, logger="dienhinh.worker.jobs"):
        result = jobs.health(ctx)
    assert result.processed == 1
    assert any(
        r.levelno == logging.WARNING and "not polled successfully for 3.0 h" in r.getMessage()
        for r in caplog.records
    )
    (mail,) = _alert_mails(ctx)
    assert mail.status == "dry-run" and mail.recipient == "quantri@laocai.gov.vn"
    assert mail.subject == "[dienhinh] Hộp thư không được lấy thư"
    written = Path(mail.path).read_bytes()
    assert b"could not reach the mail server" in written

    ctx.alerted.clear()  # another worker process, or a restart: notify's key still holds
    now[0] = NOW + timedelta(hours=5)
    jobs.health(ctx)
    assert len(_alert_mails(ctx)) == 1  # same local day: no second mail
    now[0] = NOW + timedelta(days=1)
    jobs.health(ctx)
    assert len(_alert_mails(ctx)) == 2  # the next day, still stale: mailed again


def test_without_alert_mail_the_alert_is_only_logged(make_config, caplog):
    config = make_config(worker={"stale_after_minutes": 60})
    ctx = _ctx(config, lambda: NOW)
    _stale(ctx)
    with caplog.at_level(logging.WARNING, logger="dienhinh.worker.jobs"):
        jobs.health(ctx)
    assert "ALERT" in caplog.text
    assert _alert_mails(ctx) == []


def test_status_shows_the_alert(tmp_path, db_url):
    maildir = tmp_path / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir://{maildir}"\n[worker]\nstale_after_minutes = 30\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    assert main(["--config", str(cfg), "init"], out=out) == 0
    engine = make_engine(db_url)
    ENGINES.append(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        s.add(
            MailboxState(
                key=f"maildir:{maildir}",
                uidvalidity=0,
                last_uid=0,
                consecutive_failures=0,
                last_success_at=datetime.now().astimezone() - timedelta(hours=2),
            )
        )
        s.commit()
    out = io.StringIO()
    assert main(["--config", str(cfg), "status"], out=out) == 0
    assert f"ALERT (error): mailbox maildir:{maildir} not polled successfully for 2.0 h" in (
        out.getvalue()
    )
    out = io.StringIO()
    assert main(["--config", str(cfg), "status", "--json"], out=out) == 0
    (alert,) = json.loads(out.getvalue())["alerts"]
    assert alert["key"] == f"stale:maildir:{maildir}"
    assert alert["title"] == "Hộp thư không được lấy thư"
