"""A message's page (its state, reason and the account of every attachment) and the
"cần xem" list: messages that yielded no article although they came from a known unit or
carried an attachment not accounted as an article (issue 12). An editor decides each one:
"Xác nhận không có bài" (recorded in the audit log) or "Xử lý lại" (queued for the worker).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dienhinh.core.errors import IllegalTransition
from dienhinh.review.app import Console
from dienhinh.review.flash import flash_message
from dienhinh.review.web import checked_form, form_str, user_of
from dienhinh.store.audit import record_audit
from dienhinh.store.models import Article, AuditLog, Message
from dienhinh.store.states import ArticleState, MessageState, transition

__all__ = [
    "LIST_SIZE",
    "REQUEUED",
    "confirm_no_article",
    "message_page",
    "requeue_message",
    "review_count",
    "review_list_page",
    "review_rows",
]

# The reason a message queued again from the console carries until the worker takes it.
REQUEUED = "reprocess requested from the console"
LIST_SIZE = 100  # the newest messages waiting; the page says how many more there are
_WORKED_ON = (ArticleState.APPROVED, ArticleState.PUBLISHED, ArticleState.REJECTED)


def review_count(s: Session) -> int:
    return int(
        s.execute(
            select(func.count()).select_from(Message).where(Message.review_needed.is_(True))
        ).scalar_one()
    )


def review_rows(s: Session, limit: int, *, with_assets: bool = False) -> list[Message]:
    """The newest messages waiting for a decision (with their attachments, for the list
    that shows them; the dashboard's rows do not)."""
    query = (
        select(Message)
        .where(Message.review_needed.is_(True))
        .order_by(Message.id.desc())
        .limit(limit)
    )
    if with_assets:
        query = query.options(selectinload(Message.assets))
    return list(s.execute(query).scalars())


def message_page(request: Request) -> Response:
    console: Console = request.app.state.console
    pk: int = request.path_params["message_id"]
    with console.sessions() as s:
        msg = s.execute(
            select(Message)
            .where(Message.id == pk)
            .options(selectinload(Message.assets), selectinload(Message.articles))
        ).scalar_one_or_none()
        if msg is None:
            raise HTTPException(404, "Không có thư này.")
        audit = list(
            s.execute(
                select(AuditLog)
                .where(and_(AuditLog.object_type == "message", AuditLog.object_id == pk))
                .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            ).scalars()
        )
        return console.render(
            request,
            "message.html",
            {
                "msg": msg,
                "attachments": [a for a in msg.assets if a.article_pk is None],
                "audit": audit,
                "flash": flash_message(request),
            },
        )


def review_list_page(request: Request) -> Response:
    console: Console = request.app.state.console
    with console.sessions() as s:
        total = review_count(s)
        rows = review_rows(s, LIST_SIZE, with_assets=True)
        return console.render(
            request,
            "review_needed.html",
            {
                "rows": rows,
                "total": total,
                "more": total > len(rows),
                "flash": flash_message(request),
            },
        )


def _back(back: str, pk: int, outcome: str) -> RedirectResponse:
    where = {"list": "/messages/review", "dashboard": "/dashboard"}.get(back, f"/messages/{pk}")
    return RedirectResponse(f"{where}?msg={outcome}&id={pk}", status_code=303)


def _waiting(s: Session, pk: int) -> Message:
    msg = s.get(Message, pk)
    if msg is None:
        raise HTTPException(404, "Không có thư này.")
    if not msg.review_needed:
        raise HTTPException(409, "Thư này không còn chờ quyết định.")
    return msg


async def confirm_no_article(request: Request) -> Response:
    """The editor looked and agrees: the message holds no article. Recorded in the audit
    log; the compliance report then counts its unit-period as decided."""
    console: Console = request.app.state.console
    form = await checked_form(request)
    user = user_of(request)
    pk: int = request.path_params["message_id"]
    note = form_str(form, "note").strip()[:500] or None

    def run() -> None:
        with console.sessions() as s:
            msg = _waiting(s, pk)
            if msg.status == MessageState.RECEIVED:
                raise HTTPException(409, "Thư này đang chờ xử lý lại.")
            now = datetime.now(UTC)
            msg.review_needed = False
            msg.decided_by, msg.decided_at = user.login, now
            record_audit(
                s,
                actor=user.login,
                object_type="message",
                object_id=pk,
                action="confirm-no-article",
                before={"status": msg.status, "reason": msg.reason, "review_needed": True},
                after={"review_needed": False, "decided_by": user.login},
                reason=note,
            )
            s.commit()

    await run_in_threadpool(run)
    return _back(form_str(form, "back"), pk, "confirmed-no-article")


async def requeue_message(request: Request) -> Response:
    """Queue the message for the worker to extract again from its stored bytes (the
    worker's next `process`/`daily` run takes every `received` message that is due). It
    stays in the "cần xem" list until the new extraction decides; refused, as the
    dashboard's re-run is, when an editor already worked on one of its articles."""
    console: Console = request.app.state.console
    form = await checked_form(request)
    user = user_of(request)
    pk: int = request.path_params["message_id"]

    def run() -> None:
        with console.sessions() as s:
            msg = _waiting(s, pk)
            touched = [
                a.id
                for a in s.execute(select(Article).where(Article.message_pk == pk)).scalars()
                if a.version > 1 or a.status in _WORKED_ON
            ]
            if touched:
                raise HTTPException(
                    409,
                    "Không xử lý lại: biên tập viên đã làm việc trên bài "
                    + ", ".join(f"#{i}" for i in touched)
                    + " của thư này.",
                )
            if msg.status != MessageState.RECEIVED:
                try:
                    transition(
                        s,
                        msg,
                        MessageState.RECEIVED,
                        actor=user.login,
                        reason="reprocess requested from the console",
                    )
                except IllegalTransition as err:
                    raise HTTPException(409, "Không thể xử lý lại: thư đã đổi trạng thái.") from err
            msg.reason = REQUEUED
            msg.attempts = 0
            msg.next_attempt_at = None
            s.commit()

    await run_in_threadpool(run)
    return _back(form_str(form, "back"), pk, "requeued")
