"""An approved or published article whose words an editor changes goes back to review, on
SQLite and PostgreSQL: what reaches the portal is always what an editor approved.

* approved, not sent yet: its queued publication is cancelled, the article waits in
  "Chờ duyệt", and the feed carries nothing until it is approved again, then the new text;
* published: nothing unapproved reaches the portal (a post already sent stays as it was;
  the feed lists published articles only) until the new text is approved, then the same
  post is updated (the publication is queued again, not added);
* a change of tags only, or a save with nothing changed, leaves the approval as it is;
* the page says so before the editor saves, the notice after, and the history in Vietnamese.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, Seeded, add_user, csrf_of, login, seed, version_of
from dienhinh.publish import config as publish_config
from dienhinh.publish.atom import ATOM_NS
from dienhinh.publish.queue import run_queue
from dienhinh.review.app import create_app
from dienhinh.store.models import Article, AuditLog, Publication

SUBJECT = "Bài viết gương sáng y đức"
ATOM = "{%s}" % ATOM_NS  # noqa: UP031 - lxml's Clark notation


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    config = make_config(publish={"targets": ["feed"]})
    seeded = seed(config, tmp_path)
    add_user(seeded.engine, "mai")
    yield seeded
    publish_config.reset()


@pytest.fixture
def client(env: Seeded) -> Iterator[TestClient]:
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        assert login(c, "mai", follow=False).status_code == 303
        yield c


def _field(page: str, name: str) -> str:
    import html as htmllib

    m = re.search(rf'<input name="{name}"[^>]* value="([^"]*)"', page) or re.search(
        rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S
    )
    assert m, name
    return htmllib.unescape(m.group(1))


def _form(c: TestClient, aid: int, action: str) -> tuple[str, dict[str, str]]:
    page = c.get(f"/articles/{aid}").text
    return page, {
        "csrf_token": csrf_of(page),
        "version": version_of(page, f"/articles/{aid}/{action}"),
    }


def _approve(c: TestClient, aid: int) -> None:
    _page, base = _form(c, aid, "approve")
    r = c.post(f"/articles/{aid}/approve", data=base)
    assert r.status_code == 303 and "msg=approved" in r.headers["location"], r.text


def _save(c: TestClient, aid: int, **changes: str) -> str:
    """Save the edit form with ``changes`` over what the page shows; the redirect's msg."""
    page, base = _form(c, aid, "save")
    data = {**base, **{k: _field(page, k) for k in ("title", "lead", "text")}, **changes}
    r = c.post(f"/articles/{aid}/save", data=data)
    assert r.status_code == 303, r.text
    m = re.search(r"msg=([\w-]+)", r.headers["location"])
    assert m, r.headers["location"]
    return m.group(1)


def _state(env: Seeded, aid: int) -> tuple[str, list[str]]:
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        pubs = s.execute(select(Publication.status).where(Publication.article_id == aid)).scalars()
        return art.status, sorted(pubs)


def _feed_titles(c: TestClient) -> list[str]:
    root = etree.fromstring(c.get("/feed.atom").content)
    return [e.findtext(ATOM + "title") or "" for e in root.findall(ATOM + "entry")]


def test_editing_an_approved_article_sends_it_back_before_anything_goes_out(
    client: TestClient, env: Seeded
) -> None:
    aid = env.article(SUBJECT)
    _approve(client, aid)
    assert _state(env, aid) == ("approved", ["queued"])
    page = client.get(f"/articles/{aid}").text
    assert 'id="edit-after-approval"' in page and "trở lại hàng chờ duyệt" in page
    assert "mai xét lúc" in page  # who decided, while the decision stands

    assert _save(client, aid, title="Tiêu đề sửa sau khi duyệt") == "saved-to-review"
    assert _state(env, aid) == ("pending-review", ["cancelled"])
    page = client.get(f"/articles/{aid}?msg=saved-to-review&id={aid}").text
    assert "Nội dung đã thay đổi sau khi duyệt" in page
    assert "nội dung được sửa sau khi duyệt, cần duyệt lại" in page  # the history
    assert "xét lúc" not in page  # waiting again: no decision shown as standing
    with Session(env.engine) as s:
        row = (
            s.execute(
                select(AuditLog)
                .where(
                    AuditLog.object_type == "article",
                    AuditLog.object_id == aid,
                    AuditLog.action == "state:pending-review",
                )
                .order_by(AuditLog.id.desc())
            )
            .scalars()
            .first()
        )
        assert row is not None and row.actor == "mai"
        assert (row.reason or "").startswith("content edited after approval")
    # Nothing goes out while it waits, then the approved words do.
    assert run_queue(env.engine, env.config).outcomes == []
    _approve(client, aid)
    run_queue(env.engine, env.config)
    assert _state(env, aid) == ("published", ["published"])
    assert "Tiêu đề sửa sau khi duyệt" in _feed_titles(client)


def test_editing_a_published_article_keeps_the_post_until_approved_then_updates_it(
    client: TestClient, env: Seeded
) -> None:
    aid = env.article(SUBJECT)
    _approve(client, aid)
    run_queue(env.engine, env.config)
    assert _state(env, aid) == ("published", ["published"])
    old_title = _field(client.get(f"/articles/{aid}").text, "title")
    page = client.get(f"/articles/{aid}").text
    assert "cập nhật trên cổng" in page

    page, base = _form(client, aid, "save")
    shown = {k: _field(page, k) for k in ("title", "lead", "text")}
    r = client.post(
        f"/articles/{aid}/save",
        data={**base, **shown, "text": shown["text"] + "\n\nMột đoạn bổ sung sau khi đăng."},
    )
    assert "msg=saved-to-review" in r.headers["location"]
    # The words nobody approved go nowhere: the post stays as sent (WordPress keeps it; the
    # feed lists published articles only), and the console says the new words wait.
    assert _state(env, aid) == ("pending-review", ["published"])
    assert all("Một đoạn bổ sung" not in t for t in _feed_titles(client))

    # "Lưu và duyệt" in one step: approved again, the same post queued for an update.
    page, base = _form(client, aid, "save")
    shown = {k: _field(page, k) for k in ("title", "lead", "text")}
    r = client.post(
        f"/articles/{aid}/save",
        data={**base, **shown, "title": "Tiêu đề cập nhật", "then": "approve"},
    )
    assert "msg=approved" in r.headers["location"], r.headers["location"]
    assert _state(env, aid) == ("approved", ["queued"])  # one row: the same post
    run_queue(env.engine, env.config)
    assert _state(env, aid) == ("published", ["published"])
    titles = _feed_titles(client)
    assert "Tiêu đề cập nhật" in titles and old_title not in titles


def test_tags_or_nothing_changed_leave_the_approval_standing(
    client: TestClient, env: Seeded
) -> None:
    aid = env.article(SUBJECT)
    _approve(client, aid)
    assert _save(client, aid) == "unchanged"
    # "Lưu và duyệt" with nothing changed on an approved article: not an error, still approved.
    page, base = _form(client, aid, "save")
    shown = {k: _field(page, k) for k in ("title", "lead", "text")}
    r = client.post(f"/articles/{aid}/save", data={**base, **shown, "then": "approve"})
    assert r.status_code == 303 and "msg=unchanged" in r.headers["location"]
    assert _state(env, aid) == ("approved", ["queued"])
    # A tag changed (the kind): the words approved are the same, so is the state.
    page, base = _form(client, aid, "save")
    shown = {k: _field(page, k) for k in ("title", "lead", "text")}
    r = client.post(
        f"/articles/{aid}/save",
        data={**base, **shown, "tags_present": "1", "kind": "mo-hinh-moi", "unit": ""},
    )
    assert "msg=saved" in r.headers["location"] and "saved-to-review" not in r.headers["location"]
    assert _state(env, aid) == ("approved", ["queued"])
