"""Login, logout and the health check."""

from __future__ import annotations

import math
import secrets
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from dienhinh.review.app import Console
from dienhinh.review.auth import LoginResult, attempt_login, csrf_matches, end_session
from dienhinh.review.web import COOKIE, LOGIN_COOKIE, checked_form, form_str, user_of

__all__ = ["healthz", "login_form", "login_submit", "logout"]


def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def _safe_next(target: str) -> str:
    """Only a path on this site (no scheme, no host, no "//evil"): an open redirect after
    login would lend the Board's address to phishing. Backslashes, whitespace and control
    characters are refused too: browsers read "/\\evil" as "//evil", and drop a tab or a
    newline between the two slashes of "/<tab>/evil"."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return target


def _secure(request: Request, console: Console) -> bool:
    mode = console.review.secure_cookies
    return mode == "true" or (mode == "auto" and request.url.scheme == "https")


def _login_page(
    request: Request, message: str = "", status: int = 200, login: str = ""
) -> Response:
    console: Console = request.app.state.console
    token = secrets.token_urlsafe(32)
    response = console.render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "message": message,
            "login": login,
            "next": _safe_next(request.query_params.get("next", "/")),
            # The session ended under an editor's feet (web.SessionGate says so).
            "expired": request.query_params.get("expired") == "1",
        },
        status_code=status,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/login",
        secure=_secure(request, console),
        max_age=3600,
    )
    return response


def login_form(request: Request) -> Response:
    if request.state.user is not None:  # logged in meanwhile (another tab): go on there
        return RedirectResponse(_safe_next(request.query_params.get("next", "/")), 303)
    return _login_page(request)


async def login_submit(request: Request) -> Response:
    console: Console = request.app.state.console
    form = await request.form(max_files=0, max_fields=10)
    if not csrf_matches(request.cookies.get(LOGIN_COOKIE, ""), form_str(form, "csrf_token")):
        raise HTTPException(403, "Biểu mẫu đăng nhập đã hết hạn. Hãy tải lại trang.")
    login = form_str(form, "login").strip()
    password = form_str(form, "password")
    ip = request.client.host if request.client else ""
    agent = request.headers.get("user-agent", "")

    def check() -> LoginResult:
        with console.sessions() as s:
            return attempt_login(s, login, password, ip=ip, user_agent=agent, cfg=console.review)

    result = await run_in_threadpool(check)
    if result.wait_seconds > 0:
        seconds = max(1, math.ceil(result.wait_seconds))
        response = _login_page(
            request,
            f"Đăng nhập sai nhiều lần. Thử lại sau {seconds} giây.",
            status=429,
            login=login,
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    if not result.ok:
        return _login_page(request, "Tên đăng nhập hoặc mật khẩu không đúng.", 401, login)
    response = RedirectResponse(_safe_next(form_str(form, "next", "/")), status_code=303)
    response.set_cookie(
        COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=_secure(request, console),
        max_age=console.review.session_max_hours * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


async def logout(request: Request) -> Response:
    console: Console = request.app.state.console
    await checked_form(request)
    user = user_of(request)
    ip = request.client.host if request.client else ""

    def end() -> None:
        with console.sessions() as s:
            end_session(s, user.session_id, user=user, ip=ip)

    await run_in_threadpool(end)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
