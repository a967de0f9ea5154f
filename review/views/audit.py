"""The audit log for admins (/admin/audit; the session gate refuses /admin to editors):
the latest entries first, filtered by actor and action, 100 a page (keyset on the id, so
page ten costs what page one does).

Article pages already show their own history; this page is where logins, failed logins,
logouts and account changes (object type ``user``) and everything else can be read.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlencode

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from dienhinh.core.labels import (
    AUDIT_ACTION_LABELS,
    MESSAGE_STATE_LABELS,
    PUBLICATION_STATE_LABELS,
    STATE_LABELS,
)
from dienhinh.review.app import Console
from dienhinh.review.ids import parse_id
from dienhinh.store.models import AuditLog

__all__ = ["PAGE_SIZE", "audit_page"]

PAGE_SIZE: Final = 100
# The filter's choices (code, Vietnamese): every action the code writes, the state changes
# after them. Anything else can still be asked for in the URL.
KNOWN_ACTIONS: Final = tuple(AUDIT_ACTION_LABELS.items()) + tuple(
    (f"state:{code}", f"chuyển sang «{label}»")
    for code, label in {
        **PUBLICATION_STATE_LABELS,
        **MESSAGE_STATE_LABELS,
        **STATE_LABELS,
    }.items()
)


def _param(request: Request, key: str, limit: int) -> str:
    return request.query_params.get(key, "").strip()[:limit]


def audit_page(request: Request) -> Response:
    console: Console = request.app.state.console
    actor = _param(request, "actor", 200)
    action = _param(request, "action", 40)
    before = parse_id(_param(request, "before", 20))
    query = select(AuditLog)
    if actor:
        # Logins are one account in any case ("Boss2" is boss2).
        query = query.where(func.lower(AuditLog.actor) == actor.lower())
    if action:
        query = query.where(AuditLog.action == action)
    if before is not None:
        query = query.where(AuditLog.id < before)
    with console.sessions() as s:
        entries = list(s.execute(query.order_by(AuditLog.id.desc()).limit(PAGE_SIZE + 1)).scalars())
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    older = (
        "/admin/audit?"
        + urlencode(
            {k: v for k, v in (("actor", actor), ("action", action)) if v}
            | {"before": entries[-1].id}
        )
        if more and entries
        else ""
    )
    return console.render(
        request,
        "audit.html",
        {
            "active": "audit",
            "entries": entries,
            "actor": actor,
            "action": action,
            "actions": KNOWN_ACTIONS,
            "older": older,
        },
    )
