"""`dienhinh user add|passwd|disable|enable` and the `serve` parser."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from dienhinh.store.models import AuditLog, User
from dienhinh.worker.cli import build_parser, main


def _config(tmp_path: Path, db_url: str) -> str:
    (tmp_path / "md" / "new").mkdir(parents=True)
    path = tmp_path / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{tmp_path / "var"}"\n[database]\nurl = "{db_url}"\n'
        f'[mailbox]\nurl = "maildir://{tmp_path / "md"}"\n',
        encoding="utf-8",
    )
    return str(path)


def _run(monkeypatch, cfg: str, *argv: str, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    return main(["--config", cfg, "-q", *argv], out=out), out.getvalue()


def test_user_commands(tmp_path: Path, db_url: str, monkeypatch) -> None:
    cfg = _config(tmp_path, db_url)
    assert _run(monkeypatch, cfg, "init")[0] == 0
    code, out = _run(
        monkeypatch,
        cfg,
        "user",
        "add",
        "quan",
        "--role",
        "admin",
        "--name",
        "Đỗ Minh Quân",
        "--password-stdin",
        stdin="mat-khau-rat-dai-2\n",
    )
    assert code == 0 and "quan (admin) created" in out
    code, _ = _run(
        monkeypatch, cfg, "user", "add", "quan", "--password-stdin", stdin="mat-khau-rat-dai-2\n"
    )
    assert code == 2  # exists
    assert _run(monkeypatch, cfg, "user", "add", "x", "--password-stdin", stdin="ngan\n")[0] == 2
    assert (
        _run(
            monkeypatch,
            cfg,
            "user",
            "passwd",
            "quan",
            "--password-stdin",
            stdin="mat-khau-moi-hon\n",
        )[0]
        == 0
    )
    assert _run(monkeypatch, cfg, "user", "disable", "quan")[0] == 0
    assert _run(monkeypatch, cfg, "user", "disable", "khong-co")[0] == 2
    eng = create_engine(db_url)
    with Session(eng) as s:
        user = s.execute(select(User)).scalar_one()
        assert (user.display_name, user.role, user.active) == ("Đỗ Minh Quân", "admin", False)
        actions = [a.action for a in s.execute(select(AuditLog).order_by(AuditLog.id)).scalars()]
        assert actions == ["user:add", "user:password", "user:disable"]
    eng.dispose()


def test_serve_takes_host_and_port() -> None:
    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert (args.command, args.host, args.port) == ("serve", "0.0.0.0", 8123)
