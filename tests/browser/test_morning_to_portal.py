"""An editor's morning, end to end, as a new user would live it: log in, clear the queue
with the keyboard, let the publication queue run (what `dienhinh worker` does every few
minutes), and find the approved articles in the Atom feed and as posts on a real
WordPress portal (Debian's package on loopback: tests/wordpress.py). Skips, saying why,
where chromium or WordPress cannot run."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from browserkit import start_console
from dienhinh.store.models import Article, Publication

pytestmark = [pytest.mark.browser, pytest.mark.wordpress]

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, wordpress: Any) -> Iterator[Any]:
    tmp = tmp_path_factory.mktemp("morning")
    (tmp / "wp-password").write_text(wordpress.app_password, encoding="utf-8")
    prefix = f"m{uuid.uuid4().hex[:8]}"  # the session's WordPress is shared between tests
    publish = (
        '[publish]\ntargets = ["feed", "wordpress"]\n'
        "[publish.wordpress]\n"
        f'url = "{wordpress.url}"\nuser = "{wordpress.user}"\n'
        f'password_file = "{tmp / "wp-password"}"\nstatus = "publish"\n'
        f'slug_prefix = "{prefix}"\ntimeout_seconds = 60\n'
    )
    with start_console(tmp, publish) as s:
        s.prefix = prefix  # type: ignore[attr-defined]
        yield s


def test_a_morning_from_the_queue_to_the_portal(
    new_page: Any, server: Any, wordpress: Any, shot: Any
) -> None:
    page = new_page("mai")
    page.goto("/?state=pending-review&unit=bao-yen")
    ids = [int(x) for x in page.locator("tr.row").evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert len(ids) >= 3
    # Open the first, approve it and the next one, reject the third: keys only.
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/articles/{ids[0]}\?.*"))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf".*/articles/{ids[1]}\?.*"))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(rf".*/articles/{ids[2]}\?.*"))
    page.keyboard.press("r")
    page.keyboard.type("Trùng nội dung với bài tháng trước")
    page.keyboard.press("Enter")
    page.wait_for_url(
        re.compile(rf".*/articles/{ids[3]}\?.*") if len(ids) > 3 else re.compile(".*")
    )
    approved = ids[:2]

    # The publication queue, run as the worker runs it.
    done = subprocess.run(
        [sys.executable, "-m", "dienhinh", "--config", str(server.config_path), "publish"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    with Session(server.engine) as s:
        titles = {}
        for aid in approved:
            art = s.get(Article, aid)
            assert art is not None and art.status == "published", (aid, art and art.status)
            titles[aid] = art.title
            pubs = s.execute(select(Publication).where(Publication.article_id == aid)).scalars()
            assert {p.target: p.status for p in pubs} == {
                "feed": "published",
                "wordpress": "published",
            }
        rejected = s.get(Article, ids[2])
        assert rejected is not None and rejected.status == "rejected"

    # The feed, as a portal pulls it (no login).
    feed = httpx.get(f"{server.url}/feed.atom", timeout=30)
    assert feed.status_code == 200
    entries = etree.fromstring(feed.content).findall(f"{ATOM}entry")
    feed_titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert set(titles.values()) <= feed_titles
    assert rejected.title not in feed_titles

    # The portal: one post per approved article, with its title, public.
    with httpx.Client(base_url=wordpress.api, timeout=60) as wp:
        for aid, title in titles.items():
            posts = wp.get("/posts", params={"slug": f"{server.prefix}-{aid}"}).json()
            assert len(posts) == 1, posts
            assert posts[0]["status"] == "publish"
            assert html.unescape(posts[0]["title"]["rendered"]) == title
    page.goto(f"/articles/{approved[0]}")
    assert "Đã đăng" in page.inner_text("main")
    shot(page, "published-to-portal")


def test_the_feed_needs_no_login_but_the_queue_does(server: Any) -> None:
    assert httpx.get(f"{server.url}/feed.atom", timeout=30).status_code == 200
    r = httpx.get(f"{server.url}/", timeout=30, follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    assert Path(server.config_path).is_file()
