"""`dienhinh notify {ack,remind,digest} [--dry-run] [--now ISO]` end to end: init, import,
then one job at a time, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import datetime
from pathlib import Path

from dienhinh.worker.cli import main
from factory import DOCX_TYPE, ICT, Attach, DocSpec, article_text, make_docx, make_email


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def _config(tmp_path: Path, db_url: str, notify: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(
        f'[paths]\ndata_dir = "var"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir:md"\n[ingest]\nworkers = 1\n{notify}',
        encoding="utf-8",
    )
    return p


def _article_eml(tmp_path: Path, seed: int) -> Path:
    title, paras = article_text(seed)
    raw = make_email(
        attachments=[Attach("bai.docx", make_docx(DocSpec(title, paras)), DOCX_TYPE)],
        date=datetime(2018, 3, 22, 14, 5, tzinfo=ICT),
        message_id=f"<cli-{seed}@laocai.gov.vn>",
    )
    path = tmp_path / f"bai-{seed}.eml"
    path.write_bytes(raw)
    return path


def test_notify_commands_dry_run(tmp_path, db_url):
    """GIVEN acknowledgements and the digest enabled but no SMTP server configured
    WHEN `notify ack --dry-run` runs twice and `notify digest --dry-run` once
    THEN one acknowledgement and one digest are written as .eml files, the second ack run
    writes nothing, and remind (disabled) says so."""
    cfg = _config(
        tmp_path,
        db_url,
        '[notify]\neditors = ["bientap@laocai.gov.vn"]\ndry_run_dir = "outbox"\n'
        '[notify.ack]\nenabled = true\nsince = "2018-03-01T00:00"\n'
        '[notify.digest]\nenabled = true\ntime = "07:30"\n',
    )
    assert run("--config", str(cfg), "init")[0] == 0
    assert run("--config", str(cfg), "import", str(_article_eml(tmp_path, 1)))[0] == 0

    code, out = run("--config", str(cfg), "notify", "ack", "--dry-run", "--now", "2018-03-22T15:00")
    assert code == 0, out
    assert "ack: 1 sent, 0 skipped, 0 failed, 0 refused" in out
    assert f"written to {tmp_path / 'outbox'}" in out
    code, out = run("--config", str(cfg), "notify", "ack", "--dry-run", "--now", "2018-03-22T16:00")
    assert code == 0 and "ack: 0 sent" in out

    code, out = run(
        "--config", str(cfg), "notify", "digest", "--dry-run", "--now", "2018-03-23T08:00+07:00"
    )
    assert code == 0 and "digest: 1 sent" in out, out
    code, out = run("--config", str(cfg), "notify", "remind", "--dry-run")
    assert code == 0 and "remind: disabled (notify.remind.enabled = false)" in out

    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    subjects = {
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Subject"]
        for f in files
    }
    assert "Bản tin ngày 23/03/2018: 1 bài chờ duyệt, 0 bài gắn cờ, 0 lỗi" in subjects


def test_notify_without_a_server_is_a_configuration_error(tmp_path, db_url, capsys):
    cfg = _config(tmp_path, db_url, "[notify.ack]\nenabled = true\n")
    code, _ = run("--config", str(cfg), "notify", "ack")
    assert code == 2
    assert "config: notify.smtp_url: is empty" in capsys.readouterr().err


def test_bad_now_names_the_option(tmp_path, db_url, capsys):
    cfg = _config(tmp_path, db_url, "")
    assert run("--config", str(cfg), "init")[0] == 0
    code, _ = run("--config", str(cfg), "notify", "ack", "--now", "hôm qua")
    assert code == 2 and "config: --now:" in capsys.readouterr().err
