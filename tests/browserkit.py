"""The console for browser tests: ``start_console`` serves it with a real uvicorn
(``dienhinh serve``) on a free loopback port, over a SQLite database filled by the real
ingest pipeline. A module of its own (not tests/browser/conftest.py) so that test modules
can import it: several conftest modules would share one import name."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from consolekit import Seeded, add_user, seed
from dienhinh.core.config import load_config
from factory import ICT, article_text, make_email

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@dataclass
class Server:
    url: str
    config: Any
    engine: Any
    by_subject: dict[str, int]
    config_path: Path

    def article(self, subject_start: str) -> int:
        return next(v for k, v in self.by_subject.items() if k.startswith(subject_start))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _extra_mail(folder: Path) -> None:
    """A morning's queue to clear with the keyboard: plain-text articles from a district."""
    from datetime import datetime, timedelta

    for i in range(6):
        title, paras = article_text(300 + i)
        raw = make_email(
            from_="Phòng Nội vụ huyện Bảo Yên <ubnd-baoyen@laocai.gov.vn>",
            subject=f"Sáng nay {i}: {title}",
            message_id=f"<morning-{i}@laocai.gov.vn>",
            date=datetime(2024, 5, 6, 7, i, tzinfo=ICT) + timedelta(minutes=i),
            text=title + "\n\n" + "\n\n".join(paras) + "\n",
        )
        (folder / f"morning-{i}.eml").write_bytes(raw)


def browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@contextmanager
def start_console(
    tmp: Path, publish_toml: str, fill: Callable[[Any, Path], Any] | None = None
) -> Iterator[Server]:
    """A console over a database filled by the real pipeline, served by `dienhinh serve`
    on a free loopback port; ``publish_toml`` is the configuration's [publish] part.
    ``fill(config, tmp)``, when given, fills the database instead (and returns its
    engine): a test that needs rows the pipeline does not write."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    (tmp / "maildir" / "new").mkdir(parents=True)
    cfg_path = tmp / "config.toml"
    port = _free_port()
    cfg_path.write_text(
        f'[paths]\ndata_dir = "{tmp / "var"}"\n'
        f'[mailbox]\nurl = "maildir://{tmp / "maildir"}"\n'
        "[ingest]\nworkers = 1\n"
        "[review]\nsearch_refresh_seconds = 1\n"
        f'base_url = "http://127.0.0.1:{port}"\n' + publish_toml,
        encoding="utf-8",
    )
    config = load_config(str(cfg_path))
    if fill is not None:
        seeded = Seeded(config, fill(config, tmp))
    else:
        seeded = seed(config, tmp)
        extra = tmp / "extra"
        extra.mkdir()
        _extra_mail(extra)
        from dienhinh.ingest.pipeline import Ingestor
        from dienhinh.ingest.sources.files import FileImportSource

        Ingestor(config, seeded.engine).import_from(FileImportSource(sorted(extra.iterdir())))
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dienhinh.store.models import Article, Message

    with Session(seeded.engine) as s:
        by_subject: dict[str, int] = {}
        for subject, aid in s.execute(
            select(Message.subject, Article.id).join(Article, Article.message_pk == Message.id)
        ):
            by_subject.setdefault(subject, aid)
    add_user(seeded.engine, "mai")
    add_user(seeded.engine, "lan")
    dienhinh = shutil.which("dienhinh", path=str(Path(sys.executable).parent)) or "dienhinh"
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        # Two processes, as deploy/dienhinh-web.service runs it: a browser's requests then
        # land on either, so nothing may depend on one process's memory.
        [
            dienhinh,
            "--config",
            str(cfg_path),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "DIENHINH_CONFIG": str(cfg_path)},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # readiness: the server answers /healthz
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(
                    "dienhinh serve did not start: " + (tmp / "server.log").read_text()
                ) from None
            time.sleep(0.1)
    try:
        yield Server(url, config, seeded.engine, by_subject, cfg_path)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        from dienhinh.publish import config as publish_config

        publish_config.reset()
