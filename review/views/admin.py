"""Account administration (role admin only: the session gate refuses /admin to editors)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dienhinh.review import auth
from dienhinh.review.app import Console
from dienhinh.review.flash import flash_message
from dienhinh.review.web import checked_form, form_str, user_of
from dienhinh.store.models import User

__all__ = ["user_add", "user_change", "users_page"]

_ERRORS = {
    "exists": "Tên đăng nhập đã có (tên đăng nhập không phân biệt chữ hoa, chữ thường).",
    "password": f"Mật khẩu cần ít nhất {auth.MIN_PASSWORD} ký tự.",
    "login": "Tên đăng nhập không hợp lệ (không dấu cách).",
    "unknown": "Không có tài khoản này.",
    "role": "Vai trò không hợp lệ.",
    "self": "Không thể tự khóa hoặc tự hạ quyền tài khoản của chính mình.",
}


def _error_text(err: auth.AccountError) -> str:
    return err.shown or _ERRORS.get(err.code, _ERRORS["login"])


def _page(request: Request, error: str = "", status: int = 200) -> Response:
    console: Console = request.app.state.console
    with console.sessions() as s:
        users = list(s.execute(select(User).order_by(User.login)).scalars())
    return console.render(
        request,
        "users.html",
        {"users": users, "roles": auth.ROLES, "error": error, "flash": flash_message(request)},
        status_code=status,
    )


def users_page(request: Request) -> Response:
    return _page(request)


async def user_add(request: Request) -> Response:
    console: Console = request.app.state.console
    form = await checked_form(request)
    admin = user_of(request)

    def run() -> str:
        with console.sessions() as s:
            try:
                auth.add_user(
                    s,
                    form_str(form, "login"),
                    form_str(form, "password"),
                    role=form_str(form, "role", "editor"),
                    display_name=form_str(form, "display_name"),
                    actor=admin.login,
                )
            except auth.AccountError as err:
                return _error_text(err)
            s.commit()
        return ""

    error = await run_in_threadpool(run)
    if error:
        return await run_in_threadpool(_page, request, error, 400)
    return RedirectResponse("/admin/users?msg=user-added", status_code=303)


async def user_change(request: Request) -> Response:
    """One change to an account: password, enable/disable or role."""
    console: Console = request.app.state.console
    form = await checked_form(request)
    admin = user_of(request)
    login = request.path_params["login"]
    what = form_str(form, "change")

    def run() -> str:
        with console.sessions() as s:
            # The account by id, not by the typed name: "/admin/users/Boss2" is boss2.
            target = auth.find_user(s, login)
            if target is None:
                return _ERRORS["unknown"]
            own = target.id == admin.user_id
            try:
                if what == "password":
                    auth.set_password(
                        s, target.login, form_str(form, "password"), actor=admin.login
                    )
                elif what in ("disable", "enable"):
                    if what == "disable" and own:
                        return _ERRORS["self"]
                    auth.set_active(s, target.login, what == "enable", actor=admin.login)
                elif what == "role":
                    if own and form_str(form, "role") != "admin":
                        return _ERRORS["self"]
                    auth.set_role(s, target.login, form_str(form, "role"), actor=admin.login)
                else:
                    return _ERRORS["role"]
            except auth.AccountError as err:
                return _error_text(err)
            s.commit()
        return ""

    error = await run_in_threadpool(run)
    if error:
        return await run_in_threadpool(_page, request, error, 400)
    return RedirectResponse("/admin/users?msg=user-changed", status_code=303)
