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
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from dienhinh.classifiers.campaigns import Campaign, load_campaigns
from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.classifiers.kinds import KIND_VALUES, SUBJECT_VALUES
from dienhinh.core.config import Config
from dienhinh.review import search
from dienhinh.review.config import ReviewConfig
from dienhinh.review.config import load as load_review_config
from dienhinh.review.labels import (
    KIND_LABELS,
    MESSAGE_STATE_LABELS,
    STATE_LABELS,
    SUBJECT_LABELS,
    flag_label,
    outcome_label,
    reason_parts,
)
from dienhinh.review.web import SecurityHeaders, SessionGate, local_time, render_text
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
        env.filters["localtime"] = lambda v, fmt="%d/%m/%Y %H:%M": local_time(
            v, config.timezone, fmt
        )
        env.filters["article_html"] = render_text
        env.filters["flag"] = flag_label
        env.filters["outcome"] = outcome_label
        env.filters["pretty_json"] = lambda v: json.dumps(
            v, ensure_ascii=False, indent=1, default=str
        )
        env.globals.update(
            STATE_LABELS=STATE_LABELS,
            MESSAGE_STATE_LABELS=MESSAGE_STATE_LABELS,
            reason_parts=reason_parts,
            SUBJECT_LABELS=SUBJECT_LABELS,
            KIND_LABELS=KIND_LABELS,
            unit_name=lambda code: self.unit_names.get(code or "", code or "chưa rõ"),
            campaign_name=lambda code: self.campaign_names.get(code, code),
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
        messages = {404: "Không tìm thấy trang.", 405: "Phương thức không được phép."}
        message = messages.get(exc.status_code) or str(exc.detail or "Lỗi.")
        return console.error_response(request, exc.status_code, message)

    handlers: dict[Any, Callable[..., Any]] = {HTTPException: http_error}
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
