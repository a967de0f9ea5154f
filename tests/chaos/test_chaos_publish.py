"""The WordPress portal failing: HTTP 500, no answer, and an answer lost after the post
was made, from a real HTTP server on loopback (not a mock transport).

tests/unit/publish covers the publisher's error mapping and the queue's backoff with
httpx mock transports, and tests/integration/test_publish_wordpress.py the lost answer
against a real WordPress (where it can be installed). Here the whole path runs over real
sockets with real timeouts: `run_queue` as the worker calls it, repeatedly, with its clock
advanced, against :class:`Portal`, a small threaded HTTP server speaking the few
``/wp-json/wp/v2`` routes the publisher uses, whose POST /posts misbehaves on a script.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dienhinh.publish.queue import enqueue, run_queue
from dienhinh.store.db import make_engine
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import Article, AuditLog, Message, Publication
from dienhinh.store.states import ArticleState, MessageState, initial, transition
from helpers import ENGINES

T0 = datetime(2024, 5, 6, 3, 0, tzinfo=UTC)
TIMEOUT = 0.5  # publish.wordpress.timeout_seconds
BACKOFF = 60  # publish.retry_backoff_seconds
WP_500 = {"code": "internal_server_error", "message": "Lỗi nghiêm trọng trên trang web."}


class Portal(ThreadingHTTPServer):
    """``script`` is what each POST /posts does in turn: "500", "hang" (no answer, no
    post), "create+hang" (the post is made, the answer never comes), "ok". A hang waits
    for ``release`` (set at teardown), far past the client's timeout."""

    daemon_threads = True

    def __init__(self, script: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = script
        self.posts: dict[int, dict[str, object]] = {}
        self.requests: list[str] = []
        self.creates = 0
        self.release = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Portal

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _hang(self) -> None:
        self.server.release.wait(30)

    def _post_json(self, pid: int) -> dict[str, object]:
        post = self.server.posts[pid]
        return {**post, "link": f"{self.server.url}/?p={pid}"}

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.server.requests.append(f"GET {url.path}")
        q = parse_qs(url.query)
        if url.path == "/wp-json/wp/v2/users/me":
            return self._send(200, {"id": 1, "name": "bientap"})
        if url.path == "/wp-json/wp/v2/posts":
            slug = q.get("slug", [""])[0]
            with self.server.lock:
                found = [
                    self._post_json(i) for i, p in self.server.posts.items() if p["slug"] == slug
                ]
            return self._send(200, found)
        m = re.fullmatch(r"/wp-json/wp/v2/posts/(\d+)", url.path)
        if m and int(m.group(1)) in self.server.posts:
            return self._send(200, self._post_json(int(m.group(1))))
        return self._send(404, {"code": "rest_no_route", "message": "No route"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        self.server.requests.append(f"POST {url.path}")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if url.path == "/wp-json/wp/v2/posts":
            with self.server.lock:
                step = self.server.script.pop(0) if self.server.script else "ok"
            if step == "500":
                return self._send(500, WP_500)
            if step == "hang":
                return self._hang()
            with self.server.lock:
                self.server.creates += 1
                pid = 100 + len(self.server.posts)
                self.server.posts[pid] = {"id": pid, "status": body.get("status"), **body}
            if step == "create+hang":
                return self._hang()
            return self._send(201, self._post_json(pid))
        m = re.fullmatch(r"/wp-json/wp/v2/posts/(\d+)", url.path)
        if m and int(m.group(1)) in self.server.posts:
            pid = int(m.group(1))
            with self.server.lock:
                self.server.posts[pid].update(body)
            return self._send(200, self._post_json(pid))
        return self._send(404, {"code": "rest_no_route", "message": "No route"})


@pytest.fixture
def portal() -> Iterator[Portal]:
    server = Portal(["500", "hang", "create+hang"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


def approved_article(engine) -> int:
    with Session(engine) as s:
        raw = b"message 1"
        msg = Message(
            message_id="pub-chaos-1@laocai.gov.vn",
            sha256=hashlib.sha256(raw).hexdigest(),
            body_sha256=hashlib.sha256(raw).hexdigest(),
            size=len(raw),
            received_at=T0,
            from_addr="ubnd-batxat@laocai.gov.vn",
            subject="Gửi bài viết",
        )
        initial(msg, MessageState.RECEIVED)
        s.add(msg)
        s.flush()
        transition(s, msg, MessageState.INGESTED, actor="test", audit=False)
        art = Article(
            message_pk=msg.id,
            ordinal=1,
            title="Gương sáng thoát nghèo ở Y Tý",
            lead="Ông Vàng Seo Chứ trồng thảo quả dưới tán rừng.",
            text="Ông Vàng Seo Chứ trồng thảo quả dưới tán rừng.\n\nThôn có 12 hộ thoát nghèo.",
            source="docx",
            unit="bat-xat",
            campaigns=[],
        )
        initial(art, ArticleState.PENDING_REVIEW)
        s.add(art)
        s.flush()
        transition(s, art, ArticleState.APPROVED, actor="editor:lan")
        enqueue(s, art, actor="editor:lan", targets=["wordpress"])
        s.commit()
        return int(art.id)


def test_portal_errors_and_timeouts_retry_with_backoff_into_one_post(
    make_config, db_url, portal, tmp_path
):
    # The Application Password from its file (tests build configs with no environment).
    (tmp_path / "wp-password").write_text("abcd efgh ijkl mnop\n")
    config = make_config(
        publish={
            "targets": ["wordpress"],
            "retry_backoff_seconds": BACKOFF,
            "wordpress": {
                "url": portal.url,
                "user": "bientap",
                "password_file": "wp-password",
                "timeout_seconds": TIMEOUT,
            },
        }
    )
    engine = make_engine(config.database.url)
    ENGINES.append(engine)
    upgrade(engine)
    aid = approved_article(engine)

    def row() -> Publication:
        with Session(engine) as s:
            return s.execute(select(Publication)).scalar_one()

    def run(at: datetime) -> list[str]:
        return [o.status for o in run_queue(engine, config, now=at).outcomes]

    # 1. HTTP 500: retried later, the portal's own error on the row
    assert run(T0) == ["retrying"]
    pub = row()
    assert pub.attempts == 1 and pub.status == "queued"
    assert "HTTP 500 internal_server_error: Lỗi nghiêm trọng trên trang web." in pub.last_error
    assert pub.next_attempt_at == T0 + timedelta(seconds=BACKOFF)
    # not due yet: nothing is sent at all
    sent = len(portal.requests)
    assert run(T0 + timedelta(seconds=BACKOFF - 1)) == [] and len(portal.requests) == sent

    # 2. no answer at all (and no post): a timeout, retried after twice the delay
    t2 = T0 + timedelta(seconds=BACKOFF)
    assert run(t2) == ["retrying"]
    pub = row()
    assert pub.attempts == 2 and f"no answer within {TIMEOUT:g} s" in pub.last_error
    assert pub.next_attempt_at == t2 + timedelta(seconds=2 * BACKOFF)
    assert portal.posts == {}

    # 3. the portal makes the post but its answer never arrives
    t3 = t2 + timedelta(seconds=2 * BACKOFF)
    assert run(t3) == ["retrying"]
    assert row().next_attempt_at == t3 + timedelta(seconds=4 * BACKOFF)
    assert len(portal.posts) == 1

    # 4. the retry finds that post by its slug and updates it: still one post
    t4 = t3 + timedelta(seconds=4 * BACKOFF)
    assert run(t4) == ["published"]
    assert portal.creates == 1 and list(portal.posts) == [100]
    assert portal.posts[100]["slug"] == f"dienhinh-{aid}"
    assert portal.requests.count("POST /wp-json/wp/v2/posts") == 3  # 500, hang, create
    assert portal.requests[-1] == "POST /wp-json/wp/v2/posts/100"
    pub = row()
    assert (pub.status, pub.attempts, pub.remote_id, pub.last_error) == (
        "published",
        4,
        "100",
        None,
    )
    with Session(engine) as s:
        art = s.get(Article, aid)
        assert art.status == ArticleState.PUBLISHED and art.published_url == f"{portal.url}/?p=100"
        reasons = (
            s.execute(
                select(AuditLog.reason)
                .where(AuditLog.object_type == "publication")
                .order_by(AuditLog.id)
            )
            .scalars()
            .all()
        )
    # every failed attempt is in the audit log with the portal's words
    assert sum("attempt" in (r or "") and "failed" in (r or "") for r in reasons) == 3, reasons
    assert run(t4 + timedelta(hours=1)) == []  # nothing left to do
