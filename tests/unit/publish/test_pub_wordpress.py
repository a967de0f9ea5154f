"""The WordPress publisher against a fake REST API (httpx.MockTransport): idempotency
across lost answers, error classification, categories, media. The same publisher is
tested against a real WordPress in tests/integration/test_publish_wordpress.py."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from dienhinh.core.config import Secret
from dienhinh.core.errors import ConfigError, PermanentPublishError, RetryablePublishError
from dienhinh.publish.config import WordPressSettings
from dienhinh.publish.wordpress import WordPressPublisher
from pubtools import make_item

URL = "https://portal.example.vn"


class FakeWordPress:
    """Just enough of /wp-json/wp/v2 for the publisher: posts, media, categories.

    ``faults`` maps "METHOD /path-pattern" to a list of faults applied to the next matching
    requests: an int status answered *instead* of the work, "timeout-before" (the request
    never arrives), "timeout-after" (the work is done, then the answer is lost).
    """

    def __init__(self) -> None:
        self.posts: dict[int, dict[str, Any]] = {}
        self.media: dict[int, dict[str, Any]] = {}
        self.categories: dict[int, dict[str, Any]] = {}
        self.next_id = 10
        self.faults: dict[str, list[object]] = {}
        self.log: list[str] = []
        self.auth_ok = True

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/wp-json/wp/v2")
        line = f"{request.method} {path}"
        self.log.append(line)
        fault = None
        for pattern, queue in self.faults.items():
            if queue and re.fullmatch(pattern, line):
                fault = queue.pop(0)
                break
        if fault == "timeout-before":
            raise httpx.ReadTimeout("timed out", request=request)
        if isinstance(fault, int):
            return httpx.Response(fault, json={"code": "fake_error", "message": f"fault {fault}"})
        if not self.auth_ok and line == "GET /users/me":
            # what a real WordPress answers to a wrong Application Password: an anonymous
            # visitor (tests/integration/test_publish_wordpress.py sees the same)
            return httpx.Response(
                401,
                json={"code": "rest_not_logged_in", "message": "You are not currently logged in."},
            )
        if not self.auth_ok:
            return httpx.Response(
                400, json={"code": "rest_invalid_param", "message": "Status is forbidden."}
            )
        response = self._handle(request, path)
        if fault == "timeout-after":
            raise httpx.ReadTimeout("timed out", request=request)
        return response

    def _handle(self, request: httpx.Request, path: str) -> httpx.Response:
        q = request.url.params
        if request.method == "GET" and path == "/users/me":
            return httpx.Response(200, json={"id": 1, "slug": "btdkt"})
        if request.method == "GET" and path == "/posts":
            found = [
                p for p in self.posts.values() if p["slug"] == q["slug"] and p["status"] != "trash"
            ]
            return httpx.Response(200, json=found)
        if m := re.fullmatch(r"/posts/(\d+)", path):
            post = self.posts.get(int(m[1]))
            if post is None:
                return httpx.Response(404, json={"code": "rest_post_invalid_id", "message": "?"})
            if request.method == "POST":
                post.update(json.loads(request.content))
            return httpx.Response(200, json=post)
        if request.method == "POST" and path == "/posts":
            body = json.loads(request.content)
            pid = self._id()
            post = {**body, "id": pid, "link": f"{URL}/?p={pid}"}
            self.posts[pid] = post
            return httpx.Response(201, json=post)
        if request.method == "GET" and path == "/media":
            return httpx.Response(
                200, json=[m for m in self.media.values() if m["slug"] == q["slug"]]
            )
        if request.method == "POST" and path == "/media":
            form = _multipart_fields(request)
            mid = self._id()
            self.media[mid] = {
                "id": mid,
                "slug": form["slug"],
                "caption": form.get("caption", ""),
                "source_url": f"{URL}/wp-content/uploads/{form['filename']}",
                "size": len(form["file"]),
            }
            return httpx.Response(201, json=self.media[mid])
        if request.method == "GET" and path == "/categories":
            found = [c for c in self.categories.values() if c["slug"] == q["slug"]]
            return httpx.Response(200, json=found)
        if request.method == "POST" and path == "/categories":
            body = json.loads(request.content)
            cid = self._id()
            self.categories[cid] = {"id": cid, **body}
            return httpx.Response(201, json=self.categories[cid])
        return httpx.Response(404, json={"code": "rest_no_route", "message": "No route"})


def _multipart_fields(request: httpx.Request) -> dict[str, Any]:
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    out: dict[str, Any] = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, body = part.strip(b"\r\n").partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)[1].decode()
        if fn := re.search(rb'filename="([^"]+)"', head):
            out["filename"] = fn[1].decode()
            out[name] = body
        else:
            out[name] = body.decode()
    return out


def publisher(fake: Callable[[httpx.Request], httpx.Response], **kw: Any) -> WordPressPublisher:
    settings = WordPressSettings(url=URL, user="btdkt", password=Secret("abcd efgh ijkl"), **kw)
    return WordPressPublisher(settings, transport=httpx.MockTransport(fake))


def test_first_publication_uploads_media_sets_cover_and_categories(tmp_path):
    wp = FakeWordPress()
    item = make_item(tmp_path, cover=1)
    receipt = publisher(wp).publish(item)
    (post,) = wp.posts.values()
    assert receipt.remote_id == str(post["id"]) and receipt.url == post["link"]
    assert post["slug"] == "dienhinh-7" and post["status"] == "draft"
    assert post["title"] == "Gương sáng thoát nghèo ở Y Tý"
    assert post["excerpt"] == item.lead
    media = {m["slug"]: m for m in wp.media.values()}
    cover = media[f"dienhinh-7-{item.images[1].sha256[:16]}"]
    other = media[f"dienhinh-7-{item.images[0].sha256[:16]}"]
    assert post["featured_media"] == cover["id"]
    assert other["caption"] == "Chú thích ảnh 0"
    assert other["source_url"] in post["content"] and cover["source_url"] not in post["content"]
    assert sorted(c["slug"] for c in wp.categories.values()) == ["du-lich", "nong-thon-moi"]
    assert post["categories"] == [
        next(c["id"] for c in wp.categories.values() if c["slug"] == s)
        for s in ("nong-thon-moi", "du-lich")
    ]
    assert {c["name"] for c in wp.categories.values()} >= {"Năm Du lịch Quốc gia 2017"}
    # sent filenames are built from the slug, never the sender's "../../ảnh 0.jpg"
    assert all(
        m["source_url"].endswith(".jpg") and ".." not in m["source_url"] for m in media.values()
    )


def test_a_lost_answer_after_the_post_was_made_never_duplicates(tmp_path):
    wp = FakeWordPress()
    wp.faults["POST /posts"] = ["timeout-after"]
    pub = publisher(wp)
    item = make_item(tmp_path)
    with pytest.raises(RetryablePublishError, match=r"POST /posts: no answer within 30 s"):
        pub.publish(item)
    assert len(wp.posts) == 1 and len(wp.media) == 2  # WordPress did the work
    receipt = pub.publish(item)  # the retry (remote id still unknown)
    assert len(wp.posts) == 1 and len(wp.media) == 2
    assert receipt.remote_id == str(next(iter(wp.posts)))
    assert "POST /posts/" + receipt.remote_id in wp.log


def test_a_lost_media_answer_reuses_the_upload(tmp_path):
    wp = FakeWordPress()
    wp.faults["POST /media"] = ["timeout-after"]
    pub = publisher(wp)
    item = make_item(tmp_path)
    with pytest.raises(RetryablePublishError):
        pub.publish(item)
    pub.publish(item)
    assert len(wp.media) == 2 and len(wp.posts) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_server_errors_are_retryable_with_wordpress_message(tmp_path, status):
    wp = FakeWordPress()
    wp.faults["POST /posts"] = [status]
    with pytest.raises(RetryablePublishError, match=rf"HTTP {status} fake_error: fault {status}"):
        publisher(wp).publish(make_item(tmp_path))
    assert wp.posts == {}


def test_connection_refused_and_timeouts_before_arrival_are_retryable(tmp_path):
    wp = FakeWordPress()
    wp.faults["GET /posts"] = ["timeout-before"]
    with pytest.raises(RetryablePublishError, match="ReadTimeout"):
        publisher(wp, timeout_seconds=5).publish(make_item(tmp_path))

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(RetryablePublishError, match=r"ConnectError: .*Connection refused"):
        publisher(refuse).publish(make_item(tmp_path))


def test_client_errors_are_permanent_with_wordpress_message(tmp_path):
    wp = FakeWordPress()
    wp.auth_ok = False
    with pytest.raises(PermanentPublishError, match=r"HTTP 401 rest_not_logged_in: .*user 'btdkt'"):
        publisher(wp).publish(make_item(tmp_path))
    assert wp.log == ["GET /users/me"]  # nothing else was tried
    wp = FakeWordPress()
    wp.faults["POST /posts"] = [400]
    with pytest.raises(PermanentPublishError, match="HTTP 400 fake_error"):
        publisher(wp).publish(make_item(tmp_path))


def test_answers_that_are_not_the_rest_api_are_permanent(tmp_path):
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"location": f"{URL}/"})

    with pytest.raises(PermanentPublishError, match=r"redirected to .*permalinks"):
        publisher(redirect).publish(make_item(tmp_path))

    def html_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>home</html>", headers={"content-type": "text/html"})

    with pytest.raises(PermanentPublishError, match="text/html, not JSON"):
        publisher(html_page).publish(make_item(tmp_path))


def test_republishing_updates_the_same_post_and_keeps_it_live(tmp_path):
    wp = FakeWordPress()
    pub = publisher(wp, status="draft")
    item = make_item(tmp_path)
    pid = pub.publish(item).remote_id
    wp.posts[int(pid)]["status"] = "publish"  # an editor published it on the portal
    edited = dataclasses.replace(item, title="Tiêu đề sửa", remote_id=pid)
    assert pub.publish(edited).remote_id == pid
    assert len(wp.posts) == 1
    post = wp.posts[int(pid)]
    assert post["title"] == "Tiêu đề sửa" and post["status"] == "publish"
    assert f"GET /posts/{pid}" in wp.log


def test_a_post_deleted_on_the_portal_is_made_again(tmp_path):
    wp = FakeWordPress()
    pub = publisher(wp, status="publish")
    item = make_item(tmp_path)
    pid = pub.publish(item).remote_id
    del wp.posts[int(pid)]
    new = pub.publish(dataclasses.replace(item, remote_id=pid)).remote_id
    assert new != pid and list(wp.posts) == [int(new)]
    assert wp.posts[int(new)]["status"] == "publish"


def test_a_category_made_meanwhile_is_reused(tmp_path):
    wp = FakeWordPress()
    wp.categories[5] = {"id": 5, "slug": "other", "name": "Năm Du lịch Quốc gia 2017"}

    def term_exists(request: httpx.Request) -> httpx.Response:
        if (
            request.method == "POST"
            and request.url.path.endswith("/categories")
            and b"du-lich" in request.content
        ):
            return httpx.Response(
                400, json={"code": "term_exists", "message": "exists", "data": {"term_id": 5}}
            )
        return wp(request)

    publisher(term_exists).publish(make_item(tmp_path))
    (post,) = wp.posts.values()
    assert 5 in post["categories"]


def test_settings_refuse_a_missing_password():
    with pytest.raises(ConfigError) as err:
        WordPressPublisher(WordPressSettings(url=URL, user="u"))
    assert err.value.key == "publish.wordpress.password_file"
    assert "DIENHINH_WP_PASSWORD" in str(err.value)
