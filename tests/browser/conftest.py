"""The console served by a real uvicorn (``dienhinh serve``) on a free loopback port, over a
SQLite database filled by the real ingest pipeline, and Debian's chromium driven by
Playwright. Screenshots of the main pages go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from consolekit import PASSWORD, add_user, seed
from dienhinh.core.config import load_config
from factory import ICT, article_text, make_email

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with start_console(tmp_path_factory.mktemp("console"), '[publish]\ntargets = ["feed"]\n') as s:
        yield s


@contextmanager
def start_console(tmp: Path, publish_toml: str) -> Iterator[Server]:
    """A console over a database filled by the real pipeline, served by `dienhinh serve`
    on a free loopback port; ``publish_toml`` is the configuration's [publish] part."""
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    (tmp / "maildir" / "new").mkdir(parents=True)
    cfg_path = tmp / "config.toml"
    cfg_path.write_text(
        f'[paths]\ndata_dir = "{tmp / "var"}"\n'
        f'[mailbox]\nurl = "maildir://{tmp / "maildir"}"\n'
        "[ingest]\nworkers = 1\n"
        "[review]\nsearch_refresh_seconds = 1\n" + publish_toml,
        encoding="utf-8",
    )
    config = load_config(str(cfg_path))
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
    port = _free_port()
    dienhinh = shutil.which("dienhinh", path=str(Path(sys.executable).parent)) or "dienhinh"
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        [dienhinh, "--config", str(cfg_path), "serve", "--host", "127.0.0.1", "--port", str(port)],
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


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def new_page(browser: Any, server: Server) -> Iterator[Any]:
    """``new_page(user)``: a fresh browser context (own cookies), logged in as ``user``
    (or not at all for None). Records JavaScript dialogs: none may ever open."""
    contexts = []
    dialogs: list[str] = []

    def make(user: str | None = "mai") -> Any:
        ctx = browser.new_context(base_url=server.url, locale="vi-VN")
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        if user:
            page.goto("/login")
            page.fill("#login", user)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server.url}/")
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert dialogs == []


@pytest.fixture
def shot() -> Any:
    """``shot(page, name)``: a full-page screenshot to tests/artifacts/NAME.png."""

    def take(page: Any, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
