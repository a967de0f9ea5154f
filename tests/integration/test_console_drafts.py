"""Never lose an editor's work (issue 13), the server's side, on SQLite and PostgreSQL:
an approval refused when its page carried unsaved text, "Lưu và duyệt" in one step, "Hoàn
tác" within its window only and only while nothing else changed the article, a post whose
session ended sent to the login page and back to the page it came from, and the login's
``next`` kept to this site."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from consolekit import TEST_REVIEW, Seeded, add_user, csrf_of, login, seed, version_of
from dienhinh.publish import config as publish_config
from dienhinh.review.app import create_app
from dienhinh.review.web import COOKIE
from dienhinh.store.models import Article, AuditLog, Publication

SUBJECT = "Bài viết gương sáng y đức"


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    config = make_config(publish={"targets": ["feed"]})
    seeded = seed(config, tmp_path)
    add_user(seeded.engine, "mai")
    add_user(seeded.engine, "lan")
    yield seeded
    publish_config.reset()


@pytest.fixture
def client_for(env: Seeded) -> Iterator[Callable[..., TestClient]]:
    app = create_app(env.config, engine=env.engine, review=TEST_REVIEW)
    clients: list[TestClient] = []

    def make(user: str | None = "mai") -> TestClient:
        c = TestClient(app, base_url="http://testserver", follow_redirects=False)
        c.__enter__()
        clients.append(c)
        if user:
            assert login(c, user, follow=False).status_code == 303
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _field(html: str, name: str) -> str:
    """The edit form's value of ``name`` as the page shows it (unescaped)."""
    import html as htmllib

    m = re.search(rf'<input name="{name}"[^>]* value="([^"]*)"', html) or re.search(
        rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert m, name
    return htmllib.unescape(m.group(1))


def _decide(c: TestClient, aid: int, action: str, **extra: str) -> Any:
    page = c.get(f"/articles/{aid}").text
    data = {
        "csrf_token": csrf_of(page),
        "version": version_of(page, f"/articles/{aid}/{action}"),
        **extra,
    }
    return c.post(f"/articles/{aid}/{action}", data=data)


def _undo_form(html: str) -> dict[str, str]:
    start = html.index('id="undo-form"')
    form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    fields["action"] = re.search(r'action="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    return fields


def _status(env: Seeded, aid: int) -> str:
    with Session(env.engine) as s:
        return s.get(Article, aid).status


# --- approving only what was saved ----------------------------------------------------------


def test_an_approval_carrying_unsaved_text_is_refused_and_the_text_kept(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    page = c.get(f"/articles/{aid}").text
    shown = {k: _field(page, k) for k in ("title", "lead", "text")}
    base = {"csrf_token": csrf_of(page), "version": version_of(page, f"/articles/{aid}/approve")}
    edited = {**shown, "title": "Tiêu đề sửa mà chưa lưu"}
    r = c.post(f"/articles/{aid}/approve", data={**base, **edited})
    assert r.status_code == 409
    assert "chưa được lưu" in r.text and "tiêu đề" in r.text
    assert 'id="draft"' in r.text and "Tiêu đề sửa mà chưa lưu" in r.text  # kept to copy
    assert _status(env, aid) == "pending-review"
    # A different text (one line changed) is refused the same way.
    text = shown["text"].replace("\n", "\r\n") + "\r\nMột đoạn thêm chưa lưu."
    r = c.post(f"/articles/{aid}/approve", data={**base, **shown, "text": text})
    assert r.status_code == 409 and "nội dung" in r.text
    # A stale version is refused even with the stored text (someone saved meanwhile).
    lan = client_for("lan")
    lan_page = lan.get(f"/articles/{aid}").text
    lan.post(
        f"/articles/{aid}/save",
        data={
            "csrf_token": csrf_of(lan_page),
            "version": version_of(lan_page, f"/articles/{aid}/save"),
            **shown,
            "title": "Tiêu đề Lan đã lưu",
        },
    )
    r = c.post(f"/articles/{aid}/approve", data={**base, **shown})
    assert r.status_code == 303 and "msg=conflict" in r.headers["location"]
    assert _status(env, aid) == "pending-review"
    # The page as it is now, its text as the browser sends it back (CRLF line ends): approved.
    page = c.get(f"/articles/{aid}").text
    now = {k: _field(page, k).replace("\n", "\r\n") for k in ("title", "lead", "text")}
    r = c.post(
        f"/articles/{aid}/approve",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"/articles/{aid}/approve"),
            **now,
        },
    )
    assert r.status_code == 303 and "msg=approved" in r.headers["location"]
    assert _status(env, aid) == "approved"


def test_save_and_approve_is_one_step(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    page = c.get(f"/articles/{aid}").text
    assert 'id="save-approve"' in page
    r = c.post(
        f"/articles/{aid}/save",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"/articles/{aid}/save"),
            "title": "Tiêu đề đã sửa rồi duyệt",
            "lead": _field(page, "lead"),
            "text": _field(page, "text"),
            "then": "approve",
        },
    )
    assert r.status_code == 303 and "msg=approved" in r.headers["location"]
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.title == "Tiêu đề đã sửa rồi duyệt" and art.status == "approved"
        assert art.version == 2  # one transaction, one version step
    # An empty title refuses the save, and with it the approval.
    aid2 = env.article("Gửi bài điển hình tháng 3")
    page = c.get(f"/articles/{aid2}").text
    r = c.post(
        f"/articles/{aid2}/save",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"/articles/{aid2}/save"),
            "title": "  ",
            "text": "x",
            "then": "approve",
        },
    )
    assert r.status_code == 400
    assert _status(env, aid2) == "pending-review"


def test_save_goes_on_to_the_page_the_editor_was_going_to_on_this_site_only(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()
    aid = env.article(SUBJECT)

    def save(going: str) -> str:
        page = c.get(f"/articles/{aid}").text
        r = c.post(
            f"/articles/{aid}/save",
            data={
                "csrf_token": csrf_of(page),
                "version": version_of(page, f"/articles/{aid}/save"),
                "title": _field(page, "title") + " (sửa)",
                "text": _field(page, "text"),
                "next": going,
            },
        )
        assert r.status_code == 303
        return str(r.headers["location"])

    assert save("/articles/1?state=pending-review") == (
        f"/articles/1?state=pending-review&msg=saved&id={aid}"
    )
    assert save("/?state=&msg=approved&id=3#search") == f"/?state=&msg=saved&id={aid}#search"
    for hostile in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil"):
        assert save(hostile) == f"/?msg=saved&id={aid}", hostile


# --- undo -------------------------------------------------------------------------------------


def test_undo_of_an_approval_within_the_window(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    r = _decide(c, aid, "approve", queue="state=pending-review")
    where = r.headers["location"]
    ref = parse_qs(urlsplit(where).query)["undo"][0]
    page = c.get(where).text  # the next article, with the notice and its undo button
    form = _undo_form(page)
    assert form["action"] == f"/articles/{aid}/undo" and form["action_id"] == ref
    with Session(env.engine) as s:
        assert s.execute(select(Publication.status).where(Publication.article_id == aid)).all()
    r = c.post(form.pop("action"), data=form)
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/articles/{aid}?msg=undone&id={aid}")
    assert "Đã hoàn tác" in c.get(r.headers["location"]).text
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.status == "pending-review"
        pubs = s.execute(select(Publication.status).where(Publication.article_id == aid))
        assert {p for (p,) in pubs} == {"cancelled"}  # nothing goes out
        row = s.execute(
            select(AuditLog).where(
                AuditLog.object_type == "article",
                AuditLog.object_id == aid,
                AuditLog.action == "undo",
            )
        ).scalar_one()
        assert row.actor == "mai"
        assert row.before["undone"] == "state:approved" and row.before["audit_id"] == int(ref)
        assert row.after == {"status": "pending-review"}
    # Once undone there is nothing left to undo: a second post is refused.
    r = c.post(f"/articles/{aid}/undo", data=form | {"version": str(art.version)})
    assert r.status_code == 400 and "đã thay đổi" in r.text


def test_undo_of_a_rejection_from_the_queue(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    r = _decide(c, aid, "reject", reason="Trùng bài năm trước", back="queue", queue="state=")
    where = r.headers["location"]
    assert where.startswith(f"/?msg=rejected&id={aid}&undo=")
    form = _undo_form(c.get(where).text)
    assert form["back"] == "queue" and form["queue"] == "state="
    r = c.post(form.pop("action"), data=form)
    assert r.headers["location"] == f"/?msg=undone&id={aid}&state="
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.status == "pending-review" and art.reject_reason is None


def test_undo_is_refused_after_the_window(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    where = _decide(c, aid, "approve").headers["location"]
    form = _undo_form(c.get(where).text)
    with Session(env.engine) as s:  # the approval happened 11 seconds ago
        row = s.get(AuditLog, int(form["action_id"]))
        row.at = row.at - timedelta(seconds=TEST_REVIEW.undo_seconds + 1)
        s.commit()
    assert 'id="undo-form"' not in c.get(where).text  # no longer offered
    r = c.post(form.pop("action"), data=form)
    assert r.status_code == 400 and "Đã quá 10 giây" in r.text
    assert _status(env, aid) == "approved"


def test_undo_is_refused_once_anything_changed_the_article(client_for: Any, env: Seeded) -> None:
    mai, lan = client_for("mai"), client_for("lan")
    aid = env.article(SUBJECT)
    where = _decide(mai, aid, "approve").headers["location"]
    form = _undo_form(mai.get(where).text)
    action = form.pop("action")
    # Someone else cannot undo mai's approval.
    lan_page = lan.get(f"/articles/{aid}").text
    r = lan.post(action, data=form | {"csrf_token": csrf_of(lan_page)})
    assert r.status_code == 400 and "Không có thao tác nào của bạn" in r.text
    # Lan edits the approved article: mai's undo would now drop lan's work from the queue.
    lan.post(
        f"/articles/{aid}/save",
        data={
            "csrf_token": csrf_of(lan_page),
            "version": version_of(lan_page, f"/articles/{aid}/save"),
            "title": "Tiêu đề Lan sửa sau khi duyệt",
            "text": _field(lan_page, "text"),
        },
    )
    assert 'id="undo-form"' not in mai.get(where).text
    r = mai.post(action, data=form)
    assert r.status_code == 400 and "đã thay đổi" in r.text
    # Lan's new words were never approved: her save sent the article back to review.
    assert _status(env, aid) == "pending-review"


def test_undo_is_refused_for_a_stale_version_or_another_article(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()
    aid = env.article(SUBJECT)
    where = _decide(c, aid, "approve").headers["location"]
    form = _undo_form(c.get(where).text)
    action = form.pop("action")
    r = c.post(action, data=form | {"version": str(int(form["version"]) - 1)})
    assert r.status_code == 400 and "đã thay đổi" in r.text
    other = env.article("Gửi bài điển hình tháng 3")
    r = c.post(f"/articles/{other}/undo", data=form)
    assert r.status_code == 400
    assert _status(env, aid) == "approved" and _status(env, other) == "pending-review"


# --- an ended session, and the login's way back ---------------------------------------------


def test_a_post_after_the_session_ended_goes_to_login_and_back(
    client_for: Any, env: Seeded
) -> None:
    aid = env.article(SUBJECT)
    c = client_for(None)
    page = f"/articles/{aid}?state=pending-review"
    r = c.post(
        f"/articles/{aid}/save",
        data={"title": "x"},
        headers={"referer": f"http://testserver{page}"},
    )
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith("/login?") and "expired=1" in target
    assert parse_qs(urlsplit(target).query)["next"] == [page]
    form = c.get(target).text
    assert 'id="expired"' in form and f'name="next" value="{page}"' in form.replace("&amp;", "&")
    # The refused action's own URL (a page rendered after a refused approval) leads back to
    # the article page.
    r = c.post(
        f"/articles/{aid}/approve",
        data={},
        headers={"referer": f"http://testserver/articles/{aid}/approve"},
    )
    assert parse_qs(urlsplit(r.headers["location"]).query)["next"] == [f"/articles/{aid}"]
    # A post from another site gets the bare refusal.
    r = c.post(
        f"/articles/{aid}/save",
        data={"title": "x"},
        headers={"referer": "https://evil.example/articles/1"},
    )
    assert r.status_code == 403
    with Session(env.engine) as s:
        assert s.get(Article, aid).title != "x"
    # Logging in goes back to the page.
    token = csrf_of(c.get(target).text)
    r = c.post(
        "/login",
        data={"login": "mai", "password": "mat-khau-rat-dai-1", "csrf_token": token, "next": page},
    )
    assert r.status_code == 303 and r.headers["location"] == page
    # A session that ended (its cookie still sent) says so on the login page too.
    c.cookies.clear()
    c.cookies.set(COOKIE, "an-ended-session-token")
    r = c.get(page)
    assert r.status_code == 303 and "expired=1" in r.headers["location"]


HOSTILE_NEXT = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " /evil",
    "javascript:alert(1)",
    "evil.example",
    "http:/evil.example",
]


def test_the_login_next_stays_on_this_site(client_for: Any, env: Seeded) -> None:
    for target in HOSTILE_NEXT:
        c = client_for(None)
        page = c.get("/login", params={"next": target}).text
        assert 'name="next" value="/"' in page, target
        r = c.post(
            "/login",
            data={
                "login": "mai",
                "password": "mat-khau-rat-dai-1",
                "csrf_token": csrf_of(page),
                "next": target,
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/", target
        # Already logged in: the login page sends on, to a safe next only.
        assert c.get("/login", params={"next": target}).headers["location"] == "/", target
    assert c.get("/login", params={"next": "/dashboard"}).headers["location"] == "/dashboard"
