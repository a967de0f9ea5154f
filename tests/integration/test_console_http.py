"""The console over HTTP, on SQLite and PostgreSQL, on mail imported by the real pipeline.

Security first (login everywhere, CSRF on every POST, hostile mail rendered inert,
downloads, admin pages, throttling, session fixation), then the editor's work (locking,
approve -> publication queue -> feed, reject/restore, tags, duplicates, filters).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from consolekit import (
    PASSWORD,
    TEST_REVIEW,
    Seeded,
    add_user,
    csrf_of,
    login,
    seed,
    version_of,
)
from dienhinh.publish import config as publish_config
from dienhinh.review.app import create_app
from dienhinh.review.routes import routes
from dienhinh.review.web import COOKIE, CSP
from dienhinh.store.models import (
    Article,
    Asset,
    AuditLog,
    Publication,
    SenderAddress,
    Tag,
    WebSession,
)

HOSTILE = 'Bài <script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def env(make_config: Callable[..., Any], tmp_path: Path) -> Iterator[Seeded]:
    config = make_config(publish={"targets": ["feed"]})
    seeded = seed(config, tmp_path)
    add_user(seeded.engine, "mai")
    add_user(seeded.engine, "lan")
    add_user(seeded.engine, "quan", role="admin")
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
            r = login(c, user, follow=False)
            assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _all_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the one routing table, with sample ids."""
    out = []
    for r in routes:
        inner = r.routes if isinstance(r, Mount) and r.path == "/admin" else [r]
        prefix = r.path if isinstance(r, Mount) and r.path == "/admin" else ""
        for x in inner:
            if not isinstance(x, Route):
                continue
            path = prefix + x.path
            path = re.sub(r"\{action:str\}", "approve", path)
            path = re.sub(r"\{login:str\}", "mai", path)
            path = re.sub(r"\{\w+:id\}", "1", path)
            for m in sorted(x.methods or ()):
                if m != "HEAD":
                    out.append((m, path))
    return out


PUBLIC = {"/healthz", "/login", "/feed.atom", "/feed/media/1"}


def test_every_page_but_the_public_ones_requires_a_session(client_for: Any) -> None:
    c = client_for(None)
    checked = 0
    for method, path in _all_routes():
        if path in PUBLIC:
            continue
        r = c.request(method, path)
        if method == "GET":
            assert r.status_code == 303, (method, path)
            assert r.headers["location"].startswith("/login?next="), path
        else:
            assert r.status_code == 403, (method, path)
        checked += 1
    assert checked >= 14
    assert c.get("/healthz").status_code == 200
    assert c.get("/login").status_code == 200
    assert c.get("/feed.atom").status_code == 200
    # A photo of an article that is not published is not public.
    assert c.get("/feed/media/1").status_code == 404
    # A forged cookie is no session.
    c.cookies.set(COOKIE, "forged-token")
    assert c.get("/").status_code == 303


def test_every_post_checks_the_csrf_token(client_for: Any, env: Seeded) -> None:
    c = client_for("quan")  # an admin reaches every POST route
    posts = [path for method, path in _all_routes() if method == "POST" and path != "/login"]
    assert "/articles/1/approve" in posts and "/logout" in posts and "/admin/users" in posts
    for path in posts:
        for token in (None, "wrong-token"):
            data = {"version": "1", "reason": "x", "change": "disable"}
            if token:
                data["csrf_token"] = token
            r = c.post(path, data=data)
            assert r.status_code == 403, (path, token)
    with Session(env.engine) as s:
        assert s.get(Article, 1).status == "pending-review"  # nothing happened
        assert s.execute(select(Publication)).first() is None
    assert c.get("/").status_code == 200  # the session still works (logout was refused)

    # The login form checks its own token (there is no session yet).
    anon = client_for(None)
    anon.get("/login")
    r = anon.post("/login", data={"login": "mai", "password": PASSWORD, "csrf_token": "x"})
    assert r.status_code == 403


def test_hostile_mail_renders_inert(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article(HOSTILE)
    for url in (f"/articles/{aid}", "/?state=", "/?q=xss&state=", "/dashboard"):
        tags = _elements(c.get(url).text)
        # Only the console's own script, no event handler, no javascript: link, no image
        # but the console's thumbnails.
        assert [a for t, a in tags if t == "script"] == [{"src": "/static/app.js", "defer": None}]
        assert not [(t, a) for t, a in tags if any(k.startswith("on") for k in a)], url
        assert not [a for t, a in tags if "javascript:" in (a.get("href") or "").lower()]
        assert all((a.get("src") or "").startswith("/assets/") for t, a in tags if t == "img")
    page = c.get(f"/articles/{aid}").text
    assert "&lt;script&gt;alert(" in page  # shown as text, for the editor to see
    assert "&#34;&gt;&lt;img src=x onerror=alert(3)&gt;.docx" in page  # the file name
    headers = c.get(f"/articles/{aid}").headers
    assert headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element a browser would build from ``html`` (tag, attributes)."""
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str | None]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, dict(attrs)))

    Collect().feed(html)
    return found


def test_attachments_are_downloads_and_only_real_images_are_inline(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()
    with Session(env.engine) as s:
        assets = list(s.execute(select(Asset).order_by(Asset.id)).scalars())
    docx = next(a for a in assets if a.filename.endswith(".docx") and "onerror" in a.filename)
    photo = next(a for a in assets if a.content_type == "image/jpeg")
    for url in (
        f"/assets/{docx.id}/download",
        f"/assets/{docx.id}",
        f"/assets/{photo.id}/download",
    ):
        r = c.get(url)
        assert r.status_code == 200
        assert r.headers["content-disposition"].startswith("attachment;"), url
        assert r.headers["content-type"] == "application/octet-stream"
        assert r.headers["x-content-type-options"] == "nosniff"
    cd = c.get(f"/assets/{docx.id}/download").headers["content-disposition"]
    assert '"><img' not in cd and "filename*=UTF-8''" in cd
    r = c.get(f"/assets/{photo.id}")
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content.startswith(b"\xff\xd8")
    thumb = c.get(f"/assets/{photo.id}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert c.get(f"/assets/{docx.id}/thumb").status_code == 404
    raw = c.get("/messages/1/raw")
    assert raw.headers["content-disposition"].startswith("attachment;")
    assert b"Message-ID:" in raw.content


def test_an_editor_cannot_reach_admin_pages(client_for: Any, env: Seeded) -> None:
    editor = client_for("mai")
    assert editor.get("/admin/users").status_code == 403
    html = editor.get("/").text
    r = editor.post(
        "/admin/users",
        data={"csrf_token": csrf_of(html), "login": "x", "password": PASSWORD, "role": "admin"},
    )
    assert r.status_code == 403
    assert 'href="/admin/users"' not in html
    admin = client_for("quan")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "mai" in page.text
    r = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf_of(page.text),
            "login": "hoa",
            "password": PASSWORD,
            "role": "editor",
            "display_name": "Nguyễn Thị Hoa",
        },
    )
    assert r.status_code == 303
    assert login(client_for(None), "hoa", follow=False).status_code == 303
    # Disabling an account ends its sessions at once.
    r = admin.post("/admin/users/mai", data={"csrf_token": csrf_of(page.text), "change": "disable"})
    assert r.status_code == 303
    assert editor.get("/").status_code == 303


def test_login_throttling_locks_out_after_repeated_failures(client_for: Any, env: Seeded) -> None:
    c = client_for(None)
    for _ in range(TEST_REVIEW.login_max_failures):
        r = login(c, "mai", "sai-mat-khau", follow=False)
        assert r.status_code == 401
        assert "không đúng" in r.text
    # Locked: even the right password is not checked now.
    r = login(c, "mai", PASSWORD, follow=False)
    assert r.status_code == 429
    assert "Thử lại sau 60 giây" in r.text and r.headers["retry-after"] == "60"
    assert COOKIE not in r.cookies
    # Another account from the same address is not locked (the per-address limit is higher).
    assert login(c, "lan", follow=False).status_code == 303


def test_login_creates_a_new_session_token_no_fixation(client_for: Any, env: Seeded) -> None:
    c = client_for(None)
    c.cookies.set(COOKIE, "attacker-chosen-token")
    r = login(c, "mai", follow=False)
    assert r.status_code == 303
    token = r.cookies[COOKIE]
    assert token != "attacker-chosen-token"
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    second = login(client_for(None), "mai", follow=False).cookies[COOKIE]
    assert second != token
    with Session(env.engine) as s:
        ids = set(s.execute(select(WebSession.id)).scalars())
    assert token not in ids and len(ids) == 2  # only hashes are stored
    # Logging out ends the session on the server, not only in the browser.
    c.cookies.set(COOKIE, token)
    page = c.get("/")
    assert page.status_code == 200
    assert c.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    c.cookies.set(COOKIE, token)
    assert c.get("/").status_code == 303


def test_a_stale_save_is_refused_and_nothing_is_overwritten(client_for: Any, env: Seeded) -> None:
    mai, lan = client_for("mai"), client_for("lan")
    aid = env.article("Bài viết gương sáng y đức")
    url = f"/articles/{aid}"
    page_mai, page_lan = mai.get(url).text, lan.get(url).text

    def save(c: TestClient, page: str, title: str) -> Any:
        return c.post(
            f"{url}/save",
            data={
                "csrf_token": csrf_of(page),
                "version": version_of(page, f"{url}/save"),
                "title": title,
                "lead": "",
                "text": "Nội dung mới của " + title,
            },
        )

    assert save(mai, page_mai, "Tiêu đề của Mai").status_code == 303
    r = save(lan, page_lan, "Tiêu đề của Lan")
    # POST/redirect/GET: a reload of the answer does not post again.
    assert r.status_code == 303 and "msg=conflict" in r.headers["location"]
    r = lan.get(r.headers["location"])
    assert "đã được người khác lưu" in r.text
    assert "Tiêu đề của Lan" in r.text  # her work is kept on the page to copy
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.title == "Tiêu đề của Mai"
        assert art.version == 2
    # Approving from the stale page is refused the same way.
    r = lan.post(
        f"{url}/approve",
        data={"csrf_token": csrf_of(page_lan), "version": version_of(page_lan, f"{url}/approve")},
    )
    assert r.status_code == 303 and "msg=conflict" in r.headers["location"]
    with Session(env.engine) as s:
        assert s.get(Article, aid).status == "pending-review"


def test_approve_queues_publication_and_published_article_is_in_the_feed(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()
    aid = env.article("Gửi bài điển hình tháng 3")
    page = c.get(f"/articles/{aid}").text
    r = c.post(
        f"/articles/{aid}/approve",
        data={"csrf_token": csrf_of(page), "version": version_of(page, f"/articles/{aid}/approve")},
    )
    assert r.status_code == 303
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.status == "approved" and art.reviewed_by == "mai"
        pubs = list(s.execute(select(Publication).where(Publication.article_id == aid)).scalars())
        assert [p.target for p in pubs] == ["feed"]
        actions = [
            a.action
            for a in s.execute(
                select(AuditLog).where(AuditLog.object_type == "article", AuditLog.object_id == aid)
            ).scalars()
        ]
        assert "state:approved" in actions
        photo = art.images[0].id
    # The audit log, on the page, in words: "chuyển trạng thái: từ «Chờ duyệt» sang «Đã duyệt»".
    page = c.get(f"/articles/{aid}").text
    assert "Từ «Chờ duyệt» sang «Đã duyệt»" in page and "state:approved" not in page

    from dienhinh.publish.queue import run_queue

    run_queue(env.engine, env.config)
    anon = client_for(None)
    feed = anon.get("/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    with Session(env.engine) as s:
        title = s.get(Article, aid).title
        assert s.get(Article, aid).status == "published"
    assert title in feed.text
    media = anon.get(f"/feed/media/{photo}")
    assert media.status_code == 200 and media.headers["content-type"] == "image/jpeg"


def test_reject_needs_a_reason_and_restore_brings_it_back(client_for: Any, env: Seeded) -> None:
    c = client_for()
    aid = env.article("Bài viết gương sáng y đức")
    url = f"/articles/{aid}"
    page = c.get(url).text
    base = {"csrf_token": csrf_of(page), "version": version_of(page, f"{url}/reject")}
    r = c.post(f"{url}/reject", data={**base, "reason": "  "})
    assert r.status_code == 400 and "Cần ghi lý do" in r.text
    r = c.post(f"{url}/reject", data={**base, "reason": "Bài đã đăng năm trước"})
    assert r.status_code == 303
    page = c.get(url).text
    assert "Bài đã đăng năm trước" in page
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.status == "rejected" and art.reject_reason == "Bài đã đăng năm trước"
    r = c.post(
        f"{url}/restore",
        data={"csrf_token": csrf_of(page), "version": version_of(page, f"{url}/restore")},
    )
    assert r.status_code == 303
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.status == "pending-review" and art.reject_reason is None


def test_editing_tags_and_unit_writes_editor_tags_and_learns_the_address(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()
    aid = env.article("Bài từ địa chỉ chưa xác thực")
    url = f"/articles/{aid}"
    page = c.get(url).text
    assert "người gửi chưa xác thực" in page
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        title, text = art.title, art.text
        before = {"subject_type": art.subject_type, "kind": art.kind}
    r = c.post(
        f"{url}/save",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"{url}/save"),
            "title": title,
            "lead": "",
            "text": text,
            "tags_present": "1",
            "unit": "bac-ha",
            "campaigns": ["giao-duc", "thanh-nien"],
            "subject_type": "tap-the",
            "kind": "mo-hinh-moi",
        },
    )
    assert r.status_code == 303, r.text
    with Session(env.engine) as s:
        art = s.get(Article, aid)
        assert art.unit == "bac-ha"
        assert art.campaigns == ["giao-duc", "thanh-nien"]
        assert (art.subject_type, art.kind) == ("tap-the", "mo-hinh-moi")
        assert art.flagged is False
        tags = list(s.execute(select(Tag).where(Tag.article_id == aid)).scalars())
        campaigns = sorted(t.value for t in tags if t.field == "campaign")
        assert campaigns == ["giao-duc", "thanh-nien"]  # removed ones are gone (audited)
        editor = [t for t in tags if t.tagger == "editor:mai"]
        changed = {
            v for f, v in (("subject_type", "tap-the"), ("kind", "mo-hinh-moi")) if before[f] != v
        }
        assert {t.value for t in editor} >= changed
        assert {t.value for t in tags} >= {"tap-the", "mo-hinh-moi"}
        assert all(t.confidence == 1.0 for t in editor)
        audit = {a.action for a in s.execute(select(AuditLog)).scalars()}
        assert {"tags", "assign-unit"} <= audit
        # The official address is in the directory, so nothing new is learned from it.
        assert s.get(SenderAddress, "ubnd-batxat@laocai.gov.vn") is None
    page = c.get(url).text
    assert "biên tập viên mai chọn" in page and "editor:mai" not in page
    r = c.get("/?state=&campaign=giao-duc")
    assert f'data-id="{aid}"' in r.text


def test_duplicate_and_merge(client_for: Any, env: Seeded) -> None:
    c = client_for()
    first = env.article("Bài viết gương sáng y đức")
    second = env.article("Bài từ địa chỉ chưa xác thực")
    url = f"/articles/{second}"
    page = c.get(url).text
    r = c.post(
        f"{url}/merge",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"{url}/duplicate"),
            "target": str(first),
        },
    )
    assert r.status_code == 303
    with Session(env.engine) as s:
        art = s.get(Article, second)
        assert art.status == "duplicate" and art.duplicate_of_id == first
        merges = list(s.execute(select(AuditLog).where(AuditLog.action == "merge")).scalars())
        assert merges and merges[0].object_id == first
    page = c.get(url).text
    assert f'Trùng với <a href="/articles/{first}">' in page
    # Marking an article a duplicate of itself is refused with a message.
    third = env.article("Gửi bài điển hình tháng 3")
    page = c.get(f"/articles/{third}").text
    r = c.post(
        f"/articles/{third}/duplicate",
        data={
            "csrf_token": csrf_of(page),
            "version": version_of(page, f"/articles/{third}/duplicate"),
            "target": str(third),
        },
    )
    assert r.status_code == 400


def test_queue_filters_counts_and_diacritic_insensitive_search(
    client_for: Any, env: Seeded
) -> None:
    c = client_for()

    def ids(query: str) -> set[int]:
        html = c.get("/?" + query).text
        return {int(x) for x in re.findall(r'data-id="(\d+)"', html)}

    everything = ids("state=")
    with Session(env.engine) as s:
        assert len(everything) == len(list(s.execute(select(Article.id)).scalars())) >= 5
    assert ids("state=pending-review") == everything
    assert ids("state=approved") == set()
    march = ids("state=&period=2024-03")
    april = ids("state=&period=2024-04")
    assert env.article("Bài viết gương sáng y đức") in april
    assert env.article("Bài viết gương sáng y đức") not in march
    assert ids("state=&period=2024-Q1") == march
    assert ids("state=&period=2024-Q2") == april
    assert march | april == everything
    text_article = env.article(next(k for k in env.by_subject if k.startswith("Phàn Thị Lở")))
    # Without diacritics, with them, in capitals, by prefix: the same article.
    for q in ("lung phinh", "Lùng Phình", "LÙNG PHÌNH", "lung phi"):
        assert text_article in ids(f"state=&q={q}"), q
    assert ids("state=&q=khongcotu") == set()
    html = c.get("/?state=").text
    assert re.search(r'data-state="pending-review"[^>]*>Chờ duyệt <span class="count">(\d+)', html)
    unverified = env.article("Bài từ địa chỉ chưa xác thực")
    with Session(env.engine) as s:
        flagged = set(s.execute(select(Article.id).where(Article.flagged.is_(True))).scalars())
    assert ids("state=&flagged=1") == flagged
    assert unverified in everything


def test_security_headers_on_every_response(client_for: Any) -> None:
    c = client_for()
    for url in ("/", "/healthz", "/login", "/static/app.css", "/no-such-page", "/articles/999999"):
        h = c.get(url).headers
        assert h["content-security-policy"] == CSP, url
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"
        assert h["x-frame-options"] == "DENY"
    assert c.get("/articles/999999").status_code == 404


def test_keyset_pagination(make_config: Callable[..., Any], tmp_path: Path) -> None:
    from dienhinh.review.config import ReviewConfig

    config = make_config(publish={"targets": ["feed"]})
    env = seed(config, tmp_path)
    add_user(env.engine, "mai")
    app = create_app(
        config, engine=env.engine, review=ReviewConfig(page_size=2, search_refresh_seconds=0)
    )
    with TestClient(app, follow_redirects=False) as c:
        login(c, "mai", follow=False)
        seen: list[int] = []
        url = "/?state="
        while url:
            html = c.get(url).text
            seen += [int(x) for x in re.findall(r'data-id="(\d+)"', html)]
            m = re.search(r'href="(/\?[^"]*before=\d+[^"]*)" rel="next"', html)
            url = m.group(1).replace("&amp;", "&") if m else ""
    with Session(env.engine) as s:
        total = len(list(s.execute(select(Article.id)).scalars()))
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == total
    publish_config.reset()


def test_reprocess_from_the_dashboard(client_for: Any, env: Seeded) -> None:
    c = client_for()
    page = c.get("/dashboard").text
    assert "thư nhận hôm nay" in page
    token = csrf_of(page)
    aid = env.article("Bài viết gương sáng y đức")
    with Session(env.engine) as s:
        msg_pk = s.get(Article, aid).message_pk
    r = c.post(f"/messages/{msg_pk}/reprocess", data={"csrf_token": token})
    # Queued for the worker (tests/integration/test_console_hardening.py follows it there).
    assert r.status_code == 303 and "msg=reprocess-queued" in r.headers["location"]
    with Session(env.engine) as s:
        arts = list(s.execute(select(Article).where(Article.message_pk == msg_pk)).scalars())
        assert len(arts) == 1 and arts[0].status == "pending-review"
        assert s.execute(select(AuditLog).where(AuditLog.action == "reprocess")).first()
    # An article an editor worked on is never re-run over.
    new = arts[0].id
    page = c.get(f"/articles/{new}").text
    c.post(
        f"/articles/{new}/reject",
        data={
            "csrf_token": token,
            "version": version_of(page, f"/articles/{new}/reject"),
            "reason": "không đạt",
        },
    )
    r = c.post(f"/messages/{msg_pk}/reprocess", data={"csrf_token": token})
    assert r.status_code == 409 and "biên tập viên đã làm việc" in r.text
