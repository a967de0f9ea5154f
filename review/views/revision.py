"""A revision ("bản sửa") beside the article it revises: ``GET /articles/{id}/compare``.

Ingest links a resend or a correction to its original (``Article.revision_of_id``). This
page shows the two versions side by side, title, lead and body compared word by word
(review/diff.py), with the photos of each, and the editor's two choices, posted to the
revision's actions: "Dùng bản sửa" (``use-revision``: the revision's text replaces the
original's, the old one kept in the original's history) and "Giữ bản cũ"
(``keep-original``). Once decided, the page still answers: it shows the decision and
compares the revision with the text the original had before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dienhinh.core.text import body_without_lead
from dienhinh.review import queue
from dienhinh.review.app import Console
from dienhinh.review.diff import TextDiff, diff_texts
from dienhinh.review.flash import flash_message
from dienhinh.review.views.article import _load
from dienhinh.store.models import Article, AuditLog
from dienhinh.store.states import ArticleState

__all__ = ["compare_page"]

_DECISIONS = ("use-revision", "keep-original")
_REVISABLE = (ArticleState.PENDING_REVIEW, ArticleState.APPROVED, ArticleState.PUBLISHED)


@dataclass(frozen=True)
class Field:
    label: str
    key: str
    diff: TextDiff


def _decision(s: Session, original: Article, revision: Article) -> AuditLog | None:
    """The editor's last decision on this pair, if any (an audit row on the original)."""
    rows = s.execute(
        select(AuditLog)
        .where(
            AuditLog.object_type == "article",
            AuditLog.object_id == original.id,
            AuditLog.action.in_(_DECISIONS),
        )
        .order_by(AuditLog.id.desc())
    ).scalars()
    return next((r for r in rows if (r.after or {}).get("revision") == revision.id), None)


def _content(title: str, lead: str, text: str) -> dict[str, str]:
    return {"title": title, "lead": lead, "text": body_without_lead(lead, text)}


def _context(s: Session, console: Console, revision: Article) -> dict[str, Any]:
    if revision.revision_of_id is None:
        raise HTTPException(404, "Bài này không phải bản sửa của bài nào.")
    original = _load(s, revision.revision_of_id)
    decision = _decision(s, original, revision)
    if decision is not None and decision.action == "use-revision" and decision.before:
        # The original now holds the revision's text: compare with what it replaced.
        b = decision.before
        old = _content(str(b.get("title", "")), str(b.get("lead", "")), str(b.get("text", "")))
    else:
        old = _content(original.title, original.lead, original.text)
    new = _content(revision.title, revision.lead, revision.text)
    fields = [
        Field(label, key, diff_texts(old[key], new[key]))
        for label, key in (("Tiêu đề", "title"), ("Sapo", "lead"), ("Nội dung", "text"))
    ]
    have = {a.sha256 for a in original.images}
    return {
        "rev": revision,
        "orig": original,
        "fields": fields,
        "added": sum(f.diff.added for f in fields),
        "removed": sum(f.diff.removed for f in fields),
        "decision": decision,
        "can_decide": revision.status == ArticleState.PENDING_REVIEW
        and original.status in _REVISABLE,
        "new_photos": {a.id for a in revision.images if a.sha256 not in have},
        "reason": (revision.meta or {}).get("revision_reason", ""),
    }


def compare_page(request: Request) -> Response:
    console: Console = request.app.state.console
    f = queue.Filters.from_params(request.query_params)
    with console.sessions() as s:
        revision = _load(s, request.path_params["article_id"])
        ctx = _context(s, console, revision)
        ctx.update(qs=f.query_string(before=None), flash=flash_message(request))
        return console.render(request, "compare.html", ctx)
