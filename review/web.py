"""The console's plumbing: security headers, the session gate, CSRF, rendering helpers.

Two pure ASGI middlewares wrap every response and request:

* :class:`SecurityHeaders` adds the Content-Security-Policy (no inline script, no plugins,
  no framing), nosniff, a same-origin referrer policy and ``no-store`` for pages.
* :class:`SessionGate` admits the public paths (``/healthz``, ``/login``, the feed and its
  images, ``/static``) and otherwise loads the session behind the cookie; without one a GET
  is sent to the login page, a form posted from one of the console's pages too (back to that
  page after login: the editor's unsaved draft waits there in the browser), and anything
  else gets 403. ``/admin`` needs role admin.

Every POST handler gets its form through :func:`checked_form`, which compares the form's
``csrf_token`` with the session's in constant time before anything else happens.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import nh3
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from dienhinh.review.auth import SessionInfo, csrf_matches, load_session

__all__ = [
    "COOKIE",
    "CSP",
    "SecurityHeaders",
    "SessionGate",
    "checked_form",
    "render_text",
    "user_of",
]

log = logging.getLogger(__name__)

COOKIE = "dienhinh_session"
LOGIN_COOKIE = "dienhinh_login"  # the login form's CSRF token (there is no session yet)
CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; img-src 'self' data:; form-action 'self'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
PUBLIC_EXACT = frozenset({"/healthz", "/login", "/feed.atom", "/favicon.ico"})
PUBLIC_PREFIXES = ("/static/", "/feed/media/")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _v in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


class SessionGate:
    """Every non-public request carries a live session, and /admin an admin's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = scope.setdefault("state", {})
        console = request.app.state.console
        token = request.cookies.get(COOKIE)
        user: SessionInfo | None = None
        if token:
            user = await run_in_threadpool(_load, console, token)
        state["user"] = user
        path = request.url.path
        if user is None and not is_public(path):
            expired = "&expired=1" if token else ""
            page = _posted_from(request)
            if request.method in ("GET", "HEAD"):
                target = path + (f"?{request.url.query}" if request.url.query else "")
                response: Response = RedirectResponse(
                    f"/login?next={quote(target, safe='')}{expired}", status_code=303
                )
            elif page is not None:
                # Nothing of the post is done: log in again, then back to the page it came
                # from (the session ran out, or was ended, while the editor worked there).
                response = RedirectResponse(
                    f"/login?next={quote(page, safe='')}&expired=1", status_code=303
                )
            else:
                response = PlainTextResponse("Cần đăng nhập.", status_code=403)
            await response(scope, receive, send)
            return
        if (path == "/admin" or path.startswith("/admin/")) and not (user and user.is_admin):
            await console.error_response(request, 403, "Trang này chỉ dành cho quản trị viên.")(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def _posted_from(request: Request) -> str | None:
    """The console page (path and query) a POST came from, by its Referer when that names
    this site (the Referrer-Policy sends it for same-origin requests only); else None."""
    if request.method != "POST":
        return None
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.scheme not in ("http", "https") or referer.netloc != request.url.netloc:
        return None
    if not referer.path.startswith("/") or is_public(referer.path):
        return None
    # A refused action answers with the article page at the action's URL: back to the page.
    action = _ARTICLE_ACTION.match(referer.path)
    if action:
        return action.group(1)
    return referer.path + (f"?{referer.query}" if referer.query else "")


_ARTICLE_ACTION = re.compile(r"^(/articles/\d+)/[a-z-]+$")


def _load(console: Any, token: str) -> SessionInfo | None:
    with console.sessions() as s:
        return load_session(s, token, console.review)


def user_of(request: Request) -> SessionInfo:
    user = request.state.user
    if user is None:  # the gate lets no such request through; a route outside it is a bug
        raise HTTPException(403, "Cần đăng nhập.")
    return user  # type: ignore[no-any-return]


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token matched the session's (else 403)."""
    user = user_of(request)
    form = await request.form(max_files=0, max_fields=200, max_part_size=4 * 1024 * 1024)
    token = form.get("csrf_token")
    if not csrf_matches(user.csrf_token, token if isinstance(token, str) else None):
        raise HTTPException(
            403, "Phiên làm việc đã thay đổi (mã bảo vệ biểu mẫu không khớp). Hãy tải lại trang."
        )
    return form


def form_str(form: FormData, key: str, default: str = "") -> str:
    value = form.get(key, default)
    return value if isinstance(value, str) else default


_PARA = re.compile(r"\n\s*\n")


def render_text(text: str) -> Markup:
    """An article's stored text as HTML: every character escaped, paragraphs and line
    breaks kept; then nh3 with a two-tag allowlist as a second, independent guard."""
    paras = [p.strip() for p in _PARA.split(text or "") if p.strip()]
    html = "".join(
        "<p>" + "<br>".join(str(escape(line)) for line in p.split("\n")) + "</p>" for p in paras
    )
    return Markup(nh3.clean(html, tags={"p", "br"}, attributes={}))  # noqa: S704 - cleaned


# The console's one way of showing a moment: day/month/year hours:minutes in the
# configured zone (Asia/Ho_Chi_Minh). Every template goes through the ``localtime`` filter,
# and tests/integration/test_console_dates.py scans the rendered pages for any other shape.
DATE_FORMAT = "%d/%m/%Y %H:%M"


def local_time(value: datetime | None, tz: str) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(tz)).strftime(DATE_FORMAT)


def time_ago(value: datetime | None, now: datetime) -> str:
    """How long before ``now`` ``value`` was, in Vietnamese: "vừa xong", "5 phút trước",
    "3 giờ trước", "2 ngày trước" (whole units, rounded down)."""
    if value is None:
        return ""
    seconds = (now - value).total_seconds()
    if seconds < 60:  # a clock a little ahead counts as now too
        return "vừa xong"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} phút trước"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} giờ trước"
    return f"{hours // 24} ngày trước"


def content_disposition(kind: str, filename: str) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''...`` (RFC 6266 / 5987): the
    ASCII fallback has no quotes, backslashes or control characters to break out of."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename)
    fallback = fallback.strip() or "tep"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
