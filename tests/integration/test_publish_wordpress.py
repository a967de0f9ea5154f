"""The WordPress publisher against a REAL WordPress (Debian's package, php -S, MariaDB)
started on loopback by tests/wordpress.py; skips with the reason where it cannot run.

GIVEN an article ingested from a unit's email, with photos and two campaigns, approved
WHEN the queue publishes it, the answer to the post's creation being lost once (the
server made the post), THEN the retry finds that post: one post, featured image set,
categories from the campaigns, the portal's id and URL stored on the article.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.ingest.sources.maildir import MaildirSource
from dienhinh.publish.config import load as load_settings
from dienhinh.publish.queue import enqueue, run_queue
from dienhinh.publish.wordpress import WordPressPublisher
from dienhinh.store.blobs import BlobStore
from dienhinh.store.models import Article, Publication
from dienhinh.store.states import ArticleState, transition
from factory import (
    DOCX_TYPE,
    Attach,
    DocImage,
    DocSpec,
    article_text,
    make_docx,
    make_email,
    make_jpeg,
)
from helpers import deliver, ingestor
from wordpress import WordPress

pytestmark = pytest.mark.wordpress

T0 = datetime(2024, 5, 6, 3, 0, tzinfo=UTC)


class LoseFirstAnswer(httpx.BaseTransport):
    """Forwards to the real server, but loses the answer of the first request matching
    ``method path`` (the server did the work): a timeout after creation."""

    def __init__(self, method: str, path_end: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.method, self.path_end = method, path_end
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if (
            not self.lost
            and request.method == self.method
            and request.url.path.endswith(self.path_end)
        ):
            response.read()
            response.close()
            self.lost += 1
            raise httpx.ReadTimeout("answer lost after the post was made", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def portal(wordpress: WordPress) -> Callable[..., httpx.Client]:
    clients: list[httpx.Client] = []

    def client(password: str | None = None) -> httpx.Client:
        c = httpx.Client(
            base_url=wordpress.api,
            auth=(wordpress.user, password or wordpress.app_password),
            timeout=30,
        )
        clients.append(c)
        return c

    yield client
    for c in clients:
        c.close()


def _setup(make_config, tmp_path, wordpress: WordPress, *, password: str | None = None):
    (tmp_path / "wp-password").write_text(password or wordpress.app_password)
    prefix = f"t{uuid.uuid4().hex[:8]}"  # the session's WordPress is shared between tests
    config = make_config(
        publish={
            "targets": ["wordpress"],
            "retry_backoff_seconds": 30,
            "wordpress": {
                "url": wordpress.url,
                "user": wordpress.user,
                "password_file": "wp-password",
                "status": "publish",
                "slug_prefix": prefix,
                "timeout_seconds": 60,
            },
        }
    )
    title, paras = article_text(21)
    doc = make_docx(
        DocSpec(
            title=title,
            paragraphs=paras,
            letterhead=("UBND HUYỆN BÁT XÁT",),
            images=[DocImage(make_jpeg(400, 300, seed=8), "Ảnh: Đường bê tông về bản", 1)],
        )
    )
    raw = make_email(
        attachments=[
            Attach("bài.docx", doc, DOCX_TYPE),
            Attach("ảnh bìa.jpg", make_jpeg(800, 600, seed=9), "image/jpeg"),
        ]
    )
    deliver(config.mailbox.url.path, raw)
    ing = ingestor(config)
    assert ing.poll(MaildirSource.from_config(config.mailbox)).articles == 1
    with Session(ing.engine) as s:
        art = s.execute(select(Article)).scalar_one()
        art.campaigns = ["nong-thon-moi", "du-lich"]
        art.cover_asset_id = art.images[1].id
        transition(s, art, ArticleState.APPROVED, actor="editor:lan")
        enqueue(s, art, actor="editor:lan", targets=["wordpress"])
        s.commit()
        cover_sha = art.images[1].sha256
    return config, ing.engine, prefix, art.id, cover_sha


def test_publish_with_a_lost_answer_then_update_one_post(
    make_config, tmp_path, db_url, wordpress, portal
):
    config, engine, prefix, aid, cover_sha = _setup(make_config, tmp_path, wordpress)
    settings = load_settings(config)
    lossy = LoseFirstAnswer("POST", "/wp/v2/posts")
    flaky = WordPressPublisher(settings.wordpress, transport=lossy)

    first = run_queue(engine, config, now=T0, publishers={"wordpress": flaky})
    assert [o.status for o in first.outcomes] == ["retrying"]
    assert "no answer within 60 s" in first.outcomes[0].error
    assert lossy.lost == 1

    wp = portal()
    slug = f"{prefix}-{aid}"
    made = wp.get("/posts", params={"slug": slug, "status": "any", "context": "edit"}).json()
    assert len(made) == 1  # WordPress did make the post

    second = run_queue(engine, config, now=T0 + timedelta(seconds=30))  # the configured one
    assert [o.status for o in second.outcomes] == ["published"]
    assert second.articles_published == [aid]

    posts = wp.get("/posts", params={"slug": slug, "status": "any", "context": "edit"}).json()
    assert [p["id"] for p in posts] == [made[0]["id"]]  # still one post
    post = posts[0]
    assert post["status"] == "publish"
    with Session(engine) as s:
        art = s.get(Article, aid)
        pub = s.execute(select(Publication)).scalar_one()
        assert (pub.status, pub.remote_id, pub.attempts) == ("published", str(post["id"]), 2)
        assert art.status == ArticleState.PUBLISHED
        assert art.published_url == pub.url == post["link"]
        title = art.title
    assert post["title"]["raw"] == title  # Vietnamese text byte for byte
    assert "Đường bê tông về bản" in post["content"]["raw"]

    # the featured image is the editor's cover, with the very bytes of the stored photo
    media = wp.get(f"/media/{post['featured_media']}", params={"context": "edit"}).json()
    original = BlobStore(config.blob_dir).read(cover_sha)
    assert httpx.get(media["source_url"]).content == original
    # categories: one per campaign, found or created by slug, named by the campaign title
    cats = {c["id"]: c for c in wp.get("/categories", params={"per_page": 100}).json()}
    assert sorted(cats[c]["slug"] for c in post["categories"]) == ["du-lich", "nong-thon-moi"]
    assert {cats[c]["name"] for c in post["categories"]} == {
        "Lào Cai xây dựng nông thôn mới và giảm nghèo bền vững",
        "Năm Du lịch Quốc gia 2017",
    }
    n_media = len(wp.get("/media", params={"search": prefix, "per_page": 100}).json())

    # an editor changes the title; re-approval re-publishes: the same post is updated
    with Session(engine) as s:
        art = s.get(Article, aid)
        transition(s, art, ArticleState.PENDING_REVIEW, actor="editor:lan", reason="sửa tiêu đề")
        art.title = "Tiêu đề đã sửa: Bát Xát đổi mới"
        transition(s, art, ArticleState.APPROVED, actor="editor:lan")
        enqueue(s, art, actor="editor:lan", targets=["wordpress"])
        s.commit()
    third = run_queue(engine, config, now=T0 + timedelta(hours=1))
    assert [o.status for o in third.outcomes] == ["published"]
    posts = wp.get("/posts", params={"slug": slug, "status": "any", "context": "edit"}).json()
    assert len(posts) == 1 and posts[0]["id"] == post["id"]
    assert posts[0]["title"]["raw"] == "Tiêu đề đã sửa: Bát Xát đổi mới"
    assert len(wp.get("/media", params={"search": prefix, "per_page": 100}).json()) == n_media
    # what a reader sees, without login
    public = httpx.get(f"{wordpress.api}/posts/{post['id']}").json()
    assert public["featured_media"] == post["featured_media"]


def test_a_wrong_password_fails_with_the_portals_message(make_config, tmp_path, db_url, wordpress):
    config, engine, _, aid, _ = _setup(
        make_config, tmp_path, wordpress, password="abcd abcd abcd abcd abcd abcd"
    )
    report = run_queue(engine, config, now=T0)
    assert [o.status for o in report.outcomes] == ["failed"]
    with Session(engine) as s:
        pub: Any = s.execute(select(Publication)).scalar_one()
        assert pub.status == "failed" and pub.attempts == 1
        assert "GET /users/me: HTTP 401 rest_not_logged_in" in pub.last_error
        assert "Application Password" in pub.last_error
        assert s.get(Article, aid).status == ArticleState.APPROVED
