"""Build the console's ASGI application from a Config: ``create_app(config)``.

The long-lived objects (engine, session factory, templates, unit directory, campaigns,
blob store) live on one :class:`Console`, reachable from any request as
``request.app.state.console``. Endpoints that touch the database are plain ``def`` functions
(Starlette runs them in its thread pool, so a query never blocks the event loop); POST
endpoints read their form asynchronously, check CSRF, then run their sync part the same way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from dienhinh.classifiers.campaigns import Campaign, load_campaigns
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.classifiers.kinds import KIND_VALUES, SUBJECT_VALUES
from dienhinh.core import labels
from dienhinh.core.config import Config
from dienhinh.review import search
from dienhinh.review.config import ReviewConfig
from dienhinh.review.config import load as load_review_config
from dienhinh.review.highlight import highlight
from dienhinh.review.web import SecurityHeaders, SessionGate, local_time, render_text, time_ago
from dienhinh.store.blobs import BlobStore
from dienhinh.store.db import make_engine

__all__ = ["Console", "create_app"]

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent


class Console:
    """Everything the views share, built once per application."""

    def __init__(self, config: Config, review: ReviewConfig, engine: Engine) -> None:
        self.config = config
        self.review = review
        self.engine = engine
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.blobs = BlobStore(config.blob_dir)
        assert config.tagging is not None
        self.directory = UnitDirectory.load(config.tagging.units_file)
        self.campaigns: list[Campaign] = load_campaigns(config.tagging.campaigns_file)
        self.campaign_names = {c.code: c.name or c.code for c in self.campaigns}
        self.unit_names = {u.code: u.name for u in self.directory}
        names = labels.Names(self.unit_names, self.campaign_names)
        # The publication targets approvals are queued for (checked now: a bad [publish]
        # section stops the console at start-up, not at the first approval).
        from dienhinh.publish.config import configure

        if "feed" in configure(config).targets and not review.base_url:
            log.warning(
                "review.base_url is not set: /feed.atom answers 503 until it is "
                "(the feed's links are never built from a request's Host header)"
            )
        self.subject_values = SUBJECT_VALUES
        self.kind_values = KIND_VALUES
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(_HERE / "templates"),
            autoescape=True,  # every template, whatever its name
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # One date format for the whole console (web.DATE_FORMAT): the filter takes no
        # format argument, so no template can show another.
        env.filters["localtime"] = lambda v: local_time(v, config.timezone)
        env.filters["ago"] = lambda v: time_ago(v, datetime.now(UTC))
        env.filters["highlight"] = highlight
        env.filters["article_html"] = render_text
        # Every code reaches the page through core/labels.py, in Vietnamese.
        env.filters["flag"] = lambda v: labels.flag_label(v, names)
        env.filters["outcome"] = labels.outcome_label
        env.filters["reason"] = labels.reason_label
        env.filters["error"] = labels.error_label
        env.filters["pub_error"] = labels.publication_error_label
        env.filters["evidence"] = lambda v: labels.evidence_label(v, names)
        env.filters["confidence"] = labels.confidence_label
        env.filters["tagger"] = labels.tagger_label
        env.filters["source"] = labels.source_label
        env.filters["ctype"] = labels.type_label
        env.filters["mailbox"] = labels.mailbox_label
        env.filters["actor"] = labels.actor_label
        env.filters["audit_action"] = labels.audit_action_label
        env.filters["pretty_json"] = lambda v: json.dumps(
            v, ensure_ascii=False, indent=1, default=str
        )
        env.globals.update(
            STATE_LABELS=labels.STATE_LABELS,
            MESSAGE_STATE_LABELS=labels.MESSAGE_STATE_LABELS,
            RECEIVED_SOURCE_LABELS=labels.RECEIVED_SOURCE_LABELS,
            PUBLICATION_STATE_LABELS=labels.PUBLICATION_STATE_LABELS,
            TARGET_LABELS=labels.TARGET_LABELS,
            RUN_KIND_LABELS=labels.RUN_KIND_LABELS,
            RUN_STATUS_LABELS=labels.RUN_STATUS_LABELS,
            OBJECT_LABELS=labels.OBJECT_LABELS,
            FIELD_LABELS=labels.FIELD_LABELS,
            reason_parts=labels.reason_parts,
            SUBJECT_LABELS=labels.SUBJECT_LABELS,
            KIND_LABELS=labels.KIND_LABELS,
            unit_name=names.unit,
            campaign_name=names.campaign,
            tag_value=names.value,
            audit_lines=lambda e: labels.audit_lines(
                e.action, e.object_type, e.before, e.after, e.reason, names
            ),
        )
        self.templates = Jinja2Templates(env=env)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def render(
        self, request: Request, name: str, context: dict[str, Any], status_code: int = 200
    ) -> Response:
        user = request.state.user if hasattr(request.state, "user") else None
        ctx = {
            "user": user,
            "csrf_token": user.csrf_token if user else "",
            "flash": context.pop("flash", ""),
            "active": "",
            "undo": None,  # the "Hoàn tác" button under the notice (views/article.py)
            **context,
        }
        return self.templates.TemplateResponse(request, name, ctx, status_code=status_code)

    def error_response(self, request: Request, status: int, message: str) -> Response:
        return self.render(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    # --- the search index, kept fresh in the background ---------------------------------

    def start(self) -> None:
        if self.review.search_refresh_seconds <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._refresh_loop, name="dienhinh-search-refresh", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _refresh_loop(self) -> None:
        """Catch boundary of the background indexer: a failed pass (database restarting,
        locked) is logged and tried again at the next tick; the console keeps serving."""
        tick = 0
        while not self._stop.is_set():
            try:
                with self.sessions() as s:
                    # A quick pass (what changed lately) every tick, a full check of every
                    # article (through indexes, ~0.5 s at 100,000 articles) every 20th.
                    result = search.refresh(s, quick=tick % 20 != 0)
                tick += 1
                if result.indexed:
                    log.info("search index: %d article(s) indexed", result.indexed)
            except OperationalError as err:
                log.warning("search index refresh failed, retrying later: %s", err)
            self._stop.wait(self.review.search_refresh_seconds)


# The error pages' words, by status. A view's own message (Vietnamese, with diacritics)
# is shown instead when it has one; Starlette's own details are English ("Method Not
# Allowed", a form parser's complaint) and are logged, never shown.
ERROR_MESSAGES: dict[int, str] = {
    400: "Yêu cầu không hợp lệ. Hãy tải lại trang rồi thử lại.",
    401: "Cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy trang.",
    405: "Trang này không nhận thao tác đó.",
    409: "Thao tác không thực hiện được vì dữ liệu đã thay đổi. Hãy tải lại trang.",
    413: "Dữ liệu gửi lên quá lớn.",
    429: "Có quá nhiều yêu cầu. Hãy thử lại sau ít phút.",
    500: "Máy chủ gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; hãy thử lại sau.",
}


def error_message(exc: HTTPException) -> str:
    detail = str(exc.detail or "")
    if detail and not detail.isascii():  # the console's own words
        return detail
    if detail:
        log.info("HTTP %s: %s", exc.status_code, detail)
    fallback = ERROR_MESSAGES[500] if exc.status_code >= 500 else ERROR_MESSAGES[400]
    return ERROR_MESSAGES.get(exc.status_code, fallback)


def create_app(
    config: Config, *, engine: Engine | None = None, review: ReviewConfig | None = None
) -> Starlette:
    from dienhinh.review.routes import routes

    review = review or load_review_config(config)
    console = Console(config, review, engine or make_engine(config.database.url))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        console.start()
        try:
            yield
        finally:
            console.stop()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return console.error_response(request, exc.status_code, error_message(exc))

    async def server_error(request: Request, exc: Exception) -> Response:
        """Whatever went wrong (logged with its traceback by Starlette's middleware), the
        editor reads a Vietnamese page, not "Internal Server Error"."""
        log.error("%s %s failed: %r", request.method, request.url.path, exc)
        try:
            return console.error_response(request, 500, ERROR_MESSAGES[500])
        except Exception:  # noqa: BLE001 - the page itself failed: plain text, still Vietnamese
            return PlainTextResponse(ERROR_MESSAGES[500], status_code=500)

    handlers: dict[Any, Callable[..., Any]] = {HTTPException: http_error, 500: server_error}
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(SessionGate)],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.console = console
    return app


def app_from_environment() -> Starlette:
    """The application of one worker process of ``dienhinh serve --workers N``: uvicorn
    starts each worker afresh, and each loads the configuration the command was given
    (``DIENHINH_CONFIG``, set by the command; the environment's overrides apply as for
    the command itself)."""
    from dienhinh.core.config import load_config

    return create_app(load_config())
