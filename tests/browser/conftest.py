"""The console served by a real uvicorn (``dienhinh serve``) on a free loopback port, over a
SQLite database filled by the real ingest pipeline, and Debian's chromium driven by
Playwright. Screenshots of the main pages go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browserkit import ARTIFACTS, CHROMIUM, Server, start_console
from consolekit import PASSWORD


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with start_console(tmp_path_factory.mktemp("console"), '[publish]\ntargets = ["feed"]\n') as s:
        yield s


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
