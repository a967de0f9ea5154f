"""The console's URL map: the one routing table.

Public: /healthz, /login, /feed.atom, /feed/media/{id}, /static. Everything else needs a
session (web.SessionGate), and /admin an admin's. Every POST checks the session's CSRF token.
"""

from __future__ import annotations

from pathlib import Path

from starlette.convertors import register_url_convertor
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dienhinh.review.ids import IdConvertor
from dienhinh.review.views import (
    addresses,
    admin,
    article,
    audit,
    auth,
    compliance,
    dashboard,
    files,
    messages,
    queue,
    revision,
)

__all__ = ["routes"]

_STATIC = Path(__file__).resolve().parent / "static"
# Every id in a path is {name:id}: 0..ids.MAX_ID (ids.IdConvertor); anything past is 404.
register_url_convertor("id", IdConvertor())

routes = [
    Route("/healthz", auth.healthz, methods=["GET"]),
    Route("/login", auth.login_form, methods=["GET"]),
    Route("/login", auth.login_submit, methods=["POST"]),
    Route("/logout", auth.logout, methods=["POST"]),
    Route("/", queue.queue_page, methods=["GET"]),
    Route("/articles/{article_id:id}", article.article_page, methods=["GET"]),
    Route("/articles/{article_id:id}/text", article.article_text, methods=["GET"]),
    Route("/articles/{article_id:id}/compare", revision.compare_page, methods=["GET"]),
    # Before the generic action route, which would take "learn-address" for an action name.
    Route("/articles/{article_id:id}/learn-address", article.learn_address, methods=["POST"]),
    Route("/articles/{article_id:id}/{action:str}", article.article_action, methods=["POST"]),
    Route("/assets/{asset_id:id}", files.asset_inline, methods=["GET"]),
    Route("/assets/{asset_id:id}/thumb", files.asset_thumb, methods=["GET"]),
    Route("/assets/{asset_id:id}/download", files.asset_download, methods=["GET"]),
    Route("/messages/review", messages.review_list_page, methods=["GET"]),
    Route("/messages/{message_id:id}", messages.message_page, methods=["GET"]),
    Route(
        "/messages/{message_id:id}/confirm-no-article",
        messages.confirm_no_article,
        methods=["POST"],
    ),
    Route("/messages/{message_id:id}/requeue", messages.requeue_message, methods=["POST"]),
    Route("/messages/{message_id:id}/raw", files.raw_message, methods=["GET"]),
    Route("/messages/{message_id:id}/reprocess", dashboard.reprocess_message, methods=["POST"]),
    Route("/dashboard", dashboard.dashboard_page, methods=["GET"]),
    Route("/compliance", compliance.compliance_page, methods=["GET"]),
    Route("/compliance.xlsx", compliance.compliance_xlsx, methods=["GET"]),
    Route("/publications/{publication_id:id}/retry", dashboard.retry_publication, methods=["POST"]),
    Route("/feed.atom", files.feed, methods=["GET"]),
    Route("/feed/media/{asset_id:id}", files.feed_media, methods=["GET"]),
    Mount(
        "/admin",
        routes=[
            Route("/users", admin.users_page, methods=["GET"]),
            Route("/users", admin.user_add, methods=["POST"]),
            Route("/users/{login:str}", admin.user_change, methods=["POST"]),
            Route("/audit", audit.audit_page, methods=["GET"]),
            Route("/addresses", addresses.addresses_page, methods=["GET"]),
            Route("/addresses", addresses.forget, methods=["POST"]),
        ],
    ),
    Mount("/static", app=StaticFiles(directory=_STATIC), name="static"),
]
