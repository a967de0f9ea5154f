"""The dashboard: what arrived, what waits, what failed (with a button that queues a re-run
for the worker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dienhinh.core.errors import IllegalTransition
from dienhinh.ingest.requested import open_requests, request_reprocess, worked_on
from dienhinh.review.app import Console
from dienhinh.review.flash import flash_message
from dienhinh.review.web import checked_form, user_of
from dienhinh.store.models import Article, MailboxState, Message, PollRun, Publication
from dienhinh.store.states import ArticleState, MessageState, PublicationState

__all__ = ["dashboard_page", "reprocess_message", "retry_publication"]

_WAITING = (ArticleState.NEEDS_CONVERSION, ArticleState.NEEDS_OCR, ArticleState.FAILED)


def _starts(tz: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight today and of Monday this week."""
    now = datetime.now(ZoneInfo(tz))
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    return today.astimezone(UTC), week.astimezone(UTC)


def _data(s: Session, console: Console) -> dict[str, object]:
    today, week = _starts(console.config.timezone)
    # Only what the page shows (collect_status would also scan every message and delivery
    # for `dienhinh status`'s figures).
    articles: dict[str, int] = {
        status: n
        for status, n in s.execute(select(Article.status, func.count()).group_by(Article.status))
    }
    mailboxes = list(s.execute(select(MailboxState).order_by(MailboxState.key)).scalars())
    runs = list(s.execute(select(PollRun).order_by(PollRun.id.desc()).limit(5)).scalars())

    def arrived(since: datetime) -> int:
        return int(
            s.execute(
                select(func.count()).select_from(Message).where(Message.received_at >= since)
            ).scalar_one()
        )

    # Failed, or waiting for a retry: the newest 30 of each through its own index, then the
    # newest 30 of both (an OR of the two makes SQLite scan every message).
    newest = [
        select(Message.id).where(cond).order_by(Message.id.desc()).limit(30).subquery()
        for cond in (Message.status == MessageState.FAILED, Message.transient.is_(True))
    ]
    failed_ids = {i for sub in newest for i in s.execute(select(sub.c.id)).scalars()}
    failed_messages = list(
        s.execute(
            select(Message).where(Message.id.in_(failed_ids)).order_by(Message.id.desc()).limit(30)
        ).scalars()
    )
    stuck = s.execute(
        select(
            Article.id,
            Article.title,
            Article.status,
            Article.error,
            Article.message_pk,
            Message.subject,
            Message.received_at,
        )
        .join(Message, Message.id == Article.message_pk)
        .where(Article.status.in_(_WAITING))
        .order_by(Article.id.desc())
        .limit(30)
    ).all()
    failed_pubs = s.execute(
        select(Publication, Article.title)
        .join(Article, Article.id == Publication.article_id)
        .where(Publication.status == PublicationState.FAILED)
        .order_by(Publication.updated_at.desc())
        .limit(30)
    ).all()
    # The worker's health checks (a mailbox not polled for too long, a failed job): the
    # same alerts `dienhinh status` prints and the worker mails to admins.
    from dienhinh.review.health import alerts
    from dienhinh.review.views.messages import review_count, review_rows

    # The newest mail stored: the first thing to look at when "no mail came today" (the
    # received_at index's last entry).
    newest = s.execute(select(func.max(Message.received_at))).scalar()
    return {
        "newest_received": newest,
        "alerts": alerts(s, console.config, datetime.now(UTC)),
        "arrived_today": arrived(today),
        "arrived_week": arrived(week),
        "articles": articles,
        "waiting": articles.get(ArticleState.PENDING_REVIEW, 0),
        "flagged": int(
            s.execute(
                select(func.count())
                .select_from(Article)
                .where(Article.status == ArticleState.PENDING_REVIEW, Article.flagged.is_(True))
            ).scalar_one()
        ),
        "failed_messages": failed_messages,
        # Messages whose "Chạy lại" waits for the worker: the row says so instead of a button.
        "queued": open_requests(s, {m.id for m in failed_messages} | {a.message_pk for a in stuck}),
        "review_total": review_count(s),
        "review_rows": review_rows(s, 30),
        "stuck": stuck,
        "failed_pubs": failed_pubs,
        "runs": runs,
        "mailboxes": mailboxes,
    }


def dashboard_page(request: Request) -> Response:
    console: Console = request.app.state.console
    with console.sessions() as s:
        data = _data(s, console)
    return console.render(request, "dashboard.html", {**data, "flash": flash_message(request)})


async def reprocess_message(request: Request) -> Response:
    """Queue a re-run of one message for the worker ("Chạy lại"): what `dienhinh reprocess
    MESSAGE-ID` does, never over articles an editor already worked on. The web process
    does not extract mail itself (ingest/requested.py says why); the worker's next
    ``reprocess`` run does it, and the dashboard says "đã xếp hàng" until then."""
    console: Console = request.app.state.console
    await checked_form(request)
    user = user_of(request)
    pk: int = request.path_params["message_id"]

    def run() -> str:
        with console.sessions() as s:
            if s.get(Message, pk) is None:
                raise HTTPException(404, "Không có thư này.")
            touched = worked_on(s, [pk]).get(pk)
            if touched:
                return (
                    "Không chạy lại: biên tập viên đã làm việc trên bài "
                    + ", ".join(f"#{i}" for i in touched)
                    + " của thư này."
                )
            request_reprocess(s, pk, actor=user.login)
        return ""

    refused = await run_in_threadpool(run)
    if refused:
        raise HTTPException(409, refused)
    return RedirectResponse(f"/dashboard?msg=reprocess-queued&id={pk}", status_code=303)


async def retry_publication(request: Request) -> Response:
    """Put a failed publication back in the queue, with a fresh count of attempts."""
    console: Console = request.app.state.console
    await checked_form(request)
    user = user_of(request)
    pk: int = request.path_params["publication_id"]

    def run() -> None:
        from dienhinh.publish.queue import retry

        with console.sessions() as s:
            pub = s.get(Publication, pk)
            if pub is None:
                raise HTTPException(404, "Không có lượt đăng này.")
            if pub.status != PublicationState.FAILED:
                raise HTTPException(409, "Lượt đăng này không ở trạng thái lỗi.")
            try:
                retry(s, pub, actor=user.login)
            except IllegalTransition as err:
                raise HTTPException(409, "Không thể thử lại: lượt đăng đã đổi trạng thái.") from err
            s.commit()

    await run_in_threadpool(run)
    return RedirectResponse(f"/dashboard?msg=retried&id={pk}", status_code=303)
