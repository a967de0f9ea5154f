"""The article page and the editor's actions on it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from markupsafe import Markup
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from dienhinh.core.errors import IllegalTransition
from dienhinh.learning import editors as learning
from dienhinh.review import actions, queue, reads
from dienhinh.review.app import Console
from dienhinh.review.flash import flash_message
from dienhinh.review.ids import parse_id
from dienhinh.review.preview import PREVIEW_CHARS, preview, text_preview
from dienhinh.review.views.auth import _safe_next
from dienhinh.review.web import checked_form, form_str, render_text, user_of
from dienhinh.store.audit import record_audit
from dienhinh.store.models import Article, AuditLog, Message, Publication, Tag
from dienhinh.store.states import ArticleState

__all__ = [
    "ACTIONS",
    "EDIT_CHARS",
    "PREVIEW_CHARS",
    "article_action",
    "article_page",
    "article_text",
    "learn_address",
    "undo_context",
]

# A save refused by optimistic locking answers with a redirect (POST/redirect/GET: a reload
# does not post again) to the article with ``?msg=conflict`` (flash.MESSAGES, shown as the
# error) and ``draft=<audit id>``: what the editor typed is kept in that audit row
# (object type "draft", action "save-conflict": the refused save's record, on the admins'
# audit page, not in the article's history) and shown again, to its author only.
DRAFT_FIELDS = ("title", "lead", "text", "reason")
# The fields of the edit form that an approval compares with the stored article (see
# actions.check_seen_text): the article page's script copies them into the approve form.
SEEN_FIELDS = ("title", "lead", "text")
ILLEGAL = "Bài đã đổi trạng thái nên không thực hiện được thao tác này. Hãy tải lại trang."
log = logging.getLogger(__name__)
# The article page shows the first PREVIEW_CHARS characters of the text, with "Xem toàn
# bộ" (article_text, streamed) for the rest: a 3-million-character text made the page
# 8 MB and took chromium 14 s to lay out. The edit box holds the text up to EDIT_CHARS;
# a longer text is not editable in the browser (the rest of the form still is), as a
# form that posted it back would be megabytes for a change of title.
EDIT_CHARS = 200_000
# The full text is streamed this many paragraphs at a time.
_STREAM_PARAGRAPHS = 200


def _load(s: Session, article_id: int) -> Article:
    art = s.execute(
        select(Article)
        .where(Article.id == article_id)
        .options(
            selectinload(Article.images),
            selectinload(Article.message).selectinload(Message.assets),
        )
    ).scalar_one_or_none()
    if art is None:
        raise HTTPException(404, "Không có bài này.")
    return art


def _context(s: Session, console: Console, f: queue.Filters, art: Article) -> dict[str, Any]:
    msg = art.message
    tz = console.config.timezone
    tags = list(
        s.execute(
            select(Tag)
            .where(
                or_(
                    Tag.article_id == art.id,
                    and_(Tag.message_pk == msg.id, Tag.article_id.is_(None)),
                )
            )
            .order_by(Tag.field, Tag.confidence.desc(), Tag.id)
        ).scalars()
    )
    pubs = list(s.execute(select(Publication).where(Publication.article_id == art.id)).scalars())
    audit_cond = or_(
        and_(AuditLog.object_type == "article", AuditLog.object_id == art.id),
        and_(AuditLog.object_type.in_(("message", "address")), AuditLog.object_id == msg.id),
    )
    if pubs:
        audit_cond = or_(
            audit_cond,
            and_(
                AuditLog.object_type == "publication",
                AuditLog.object_id.in_([p.id for p in pubs]),
            ),
        )
    audit = list(
        s.execute(
            select(AuditLog).where(audit_cond).order_by(AuditLog.at.desc(), AuditLog.id.desc())
        ).scalars()
    )
    related = {
        a.id: a
        for a in s.execute(
            select(Article).where(
                Article.id.in_(
                    [i for i in (art.duplicate_of_id, art.revision_of_id, _same_as(art)) if i]
                )
            )
        ).scalars()
    }
    siblings = [a for a in msg.articles if a.id != art.id]
    # Later versions of this article ("có bản sửa"), linked both ways with revision_of_id.
    revisions = list(
        s.execute(
            select(Article).where(Article.revision_of_id == art.id).order_by(Article.id)
        ).scalars()
    )
    cover = art.cover_asset_id or (art.images[0].id if art.images else None)
    return {
        "art": art,
        "msg": msg,
        "unit_tags": [t for t in tags if t.field == "unit"],
        "article_tags": [t for t in tags if t.article_id == art.id],
        "publications": pubs,
        "audit": audit,
        "related": related,
        "siblings": siblings,
        "revisions": revisions,
        # The full content each "Dùng bản sửa" replaced, newest first (audit rows).
        "history": [
            a
            for a in audit
            if a.action == "use-revision" and a.object_type == "article" and a.object_id == art.id
        ],
        "preview": preview(art, console.config),
        "attachments": [a for a in msg.assets if a.article_pk is None],
        "cover_id": cover,
        "f": f,
        "qs": f.query_string(before=None),
        "older": queue.neighbour(s, f, tz, art.id, older=True),
        "newer": queue.neighbour(s, f, tz, art.id, older=False),
        "units": sorted(console.directory, key=lambda u: u.name),
        "campaigns": console.campaigns,
        "subject_values": console.subject_values,
        "kind_values": console.kind_values,
        **_text_view(art.text or ""),
        "forwarded": (art.meta or {}).get("forwarded_from")
        or (msg.meta or {}).get("forwarded_from")
        or [],
        "review_reasons": (art.meta or {}).get("review_reasons", []),
    }


def _text_view(text: str) -> dict[str, Any]:
    return {
        "text_preview": text_preview(text),
        "text_length": len(text),
        "text_cut": len(text) > PREVIEW_CHARS,
        "text_editable": len(text) <= EDIT_CHARS,
    }


def _saved_draft(s: Session, article_id: int, login: str, ref: str) -> dict[str, str] | None:
    """The input of a refused save (see DRAFT_FIELDS' comment), for its author only."""
    draft_id = parse_id(ref)
    if draft_id is None:
        return None
    row = s.execute(
        select(AuditLog.after).where(
            AuditLog.id == draft_id,
            AuditLog.object_type == "draft",
            AuditLog.object_id == article_id,
            AuditLog.action == "save-conflict",
            AuditLog.actor == login,
        )
    ).scalar_one_or_none()
    if not isinstance(row, dict):
        return None
    return {k: str(row.get(k) or "") for k in DRAFT_FIELDS}


def _render(
    request: Request,
    console: Console,
    article_id: int,
    f: queue.Filters,
    *,
    error: str = "",
    status: int = 200,
    draft: dict[str, str] | None = None,
) -> Response:
    flash = flash_message(request)
    conflict = request.query_params.get("msg") == "conflict"
    if conflict:  # an error, not a green notice
        error, flash = error or flash, ""
    with console.sessions() as s:
        art = _load(s, article_id)
        ctx = _context(s, console, f, art)
        if conflict and draft is None:
            draft = _saved_draft(
                s, article_id, user_of(request).login, request.query_params.get("draft", "")
            )
        offer = None
        if request.query_params.get("ask") == "learn":
            offer = learning.learn_offer(s, art.message, console.directory)
        ctx.update(error=error, draft=draft, flash=flash, learn_offer=offer)
        ctx.update(undo_context(request, console, s, back="", qs=ctx["qs"]))
        return console.render(request, "article.html", ctx, status_code=status)


def undo_context(
    request: Request, console: Console, s: Session, *, back: str, qs: str
) -> dict[str, Any]:
    """The "Hoàn tác" button of the page an approval or a rejection led to (``?undo=`` the
    decision's audit row), while it can still be undone; ``back`` and ``qs`` say where the
    undo returns (the queue, with its filters and page, or the article)."""
    user = request.state.user
    ref = request.query_params.get("undo", "")
    if user is None or not ref:
        return {}
    offer = actions.undo_offer(
        s, actor=user.login, audit_id=ref, window_seconds=console.review.undo_seconds
    )
    return {"undo": offer, "undo_back": back, "undo_qs": qs} if offer else {}


def article_page(request: Request) -> Response:
    console: Console = request.app.state.console
    f = queue.Filters.from_params(request.query_params)
    article_id: int = request.path_params["article_id"]
    response = _render(request, console, article_id, f)
    # Opened: no longer "chưa đọc" in this editor's queue (after the page was found).
    with console.sessions() as s:
        reads.mark_read(s, user_of(request).user_id, article_id)
    return response


def _paragraph_chunks(text: str) -> Iterator[Markup]:
    """The text as HTML (web.render_text), a few hundred paragraphs at a time."""
    paras = text.split("\n\n")
    for i in range(0, len(paras), _STREAM_PARAGRAPHS):
        yield render_text("\n\n".join(paras[i : i + _STREAM_PARAGRAPHS]))


def article_text(request: Request) -> Response:
    """The whole text of an article ("Xem toàn bộ"), streamed: the browser shows the
    beginning while the rest is still being escaped and sent."""
    console: Console = request.app.state.console
    article_id: int = request.path_params["article_id"]
    with console.sessions() as s:
        row = s.execute(
            select(Article.id, Article.title, Article.text).where(Article.id == article_id)
        ).first()
    if row is None:
        raise HTTPException(404, "Không có bài này.")
    user = user_of(request)
    template = console.templates.env.get_template("article_text.html")
    body = template.generate(
        {
            "request": request,
            "user": user,
            "csrf_token": user.csrf_token,
            "flash": "",
            "active": "queue",
            "art_id": row.id,
            "title": row.title,
            "text_length": len(row.text or ""),
            "chunks": _paragraph_chunks(row.text or ""),
        }
    )
    return StreamingResponse(body, media_type="text/html; charset=utf-8")


# --- actions ----------------------------------------------------------------------------


def _edit(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    # The tag fields are applied only when the form carried them: an unticked checkbox
    # sends nothing, so "no campaigns" and "a form without the tag fields" look alike.
    with_tags = form_str(form, "tags_present") == "1"
    changed = actions.edit(
        s,
        art,
        actor=login,
        title=form_str(form, "title"),
        lead=form_str(form, "lead"),
        # A text too long for the edit box is not in the form (EDIT_CHARS): kept as is.
        text=form_str(form, "text") if "text" in form else art.text,
        unit=form_str(form, "unit") if with_tags else None,
        campaigns=[v for v in form.getlist("campaigns") if isinstance(v, str)]
        if with_tags
        else None,
        subject_type=form_str(form, "subject_type") if with_tags else None,
        kind=form_str(form, "kind") if with_tags else None,
        directory=console.directory,
        known_campaigns=[c.code for c in console.campaigns],
        subject_values=console.subject_values,
        kind_values=console.kind_values,
    )
    # "Lưu và duyệt" / "Lưu và từ chối": the decision on the text just saved, in the same
    # transaction (the editor decides on what they see, and either both happen or neither).
    then = form_str(form, "then")
    if then == "approve" and art.status in (ArticleState.APPROVED, ArticleState.PUBLISHED):
        # Nothing the approval covers changed (a tag, or nothing): it stands as it is.
        return "saved" if changed else "unchanged"
    if then == "approve":
        return _approve(s, console, art, login, form)
    if then == "reject":
        return _reject(s, console, art, login, form)
    if "status" in changed:  # content of an approved or published article: back to review
        return "saved-to-review"
    return "saved" if changed else "unchanged"


def _approve(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    seen = {k: form_str(form, k) if k in form else None for k in SEEN_FIELDS}
    actions.check_seen_text(art, seen)
    actions.approve(s, art, actor=login)
    return "approved"


def _reject(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.reject(s, art, actor=login, reason=form_str(form, "reason"))
    return "rejected"


def _restore(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.restore(s, art, actor=login)
    return "restored"


def _target_id(form: FormData) -> int:
    value = parse_id(form_str(form, "target").strip().lstrip("#"))
    if value is None:
        raise actions.ActionError("Hãy nhập số của bài gốc.")
    return value


def _duplicate(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.mark_duplicate(s, art, actor=login, target_id=_target_id(form))
    return "duplicate"


def _merge(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.merge(s, art, actor=login, target_id=_target_id(form))
    return "merged"


def _undo(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.undo(
        s,
        art,
        actor=login,
        audit_id=form_str(form, "action_id"),
        version=form_str(form, "version"),
        window_seconds=console.review.undo_seconds,
    )
    return "undone"


def _cover(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    value = parse_id(form_str(form, "asset_id"))
    if value is None:
        raise actions.ActionError("Chưa chọn ảnh.")
    actions.set_cover(s, art, actor=login, asset_id=value)
    return "cover"


def _use_revision(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.use_revision(s, art, actor=login, original_version=form_str(form, "original_version"))
    return "revision-used"


def _keep_original(s: Session, console: Console, art: Article, login: str, form: FormData) -> str:
    actions.keep_original(s, art, actor=login, original_version=form_str(form, "original_version"))
    return "original-kept"


Action = Callable[[Session, Console, Article, str, FormData], str]
ACTIONS: dict[str, Action] = {
    "save": _edit,
    "approve": _approve,
    "reject": _reject,
    "restore": _restore,
    "duplicate": _duplicate,
    "merge": _merge,
    "cover": _cover,
    "undo": _undo,
    # On a revision, from its comparison page (views/revision.py).
    "use-revision": _use_revision,
    "keep-original": _keep_original,
}
# After these the editor moves on to the next article of the queue (triage).
_MOVE_ON = {"approved", "rejected", "duplicate", "merged"}
# These decisions offer "Hoàn tác" on the page they lead to.
_UNDOABLE = {"approved": "state:approved", "rejected": "state:rejected"}
# After these the editor sees the original the revision was compared with.
_TO_ORIGINAL = {"revision-used", "original-kept"}


async def article_action(request: Request) -> Response:
    console: Console = request.app.state.console
    form = await checked_form(request)
    user = user_of(request)
    article_id: int = request.path_params["article_id"]
    action = ACTIONS.get(request.path_params["action"])
    if action is None:
        raise HTTPException(404, "Không có thao tác này.")
    qs = form_str(form, "queue")
    f = queue.Filters.from_params(dict(_parse_qs(qs)))
    undo_ref: list[int] = []  # the audit row of an approval or a rejection, once committed
    # A save that changed the unit of mail from an address the directory does not know:
    # the page then asks whether to remember the address (nothing is learned unless the
    # editor answers), whatever the save went on to do (approve, reject, leave).
    ask_learn: list[bool] = []

    def run() -> tuple[str, str, int, int | None]:
        """(outcome, message, http status, next article) in one transaction; after a
        conflict, the id of the audit row keeping the refused input is the "next"."""
        with console.sessions() as s:
            art = _load(s, article_id)
            unit_before = art.unit
            try:
                if request.path_params["action"] != "undo":  # undo checks its own version
                    actions.check_version(art, form_str(form, "version"))
                # One flush at commit: the version goes up once per save.
                with s.no_autoflush:
                    outcome = action(s, console, art, user.login, form)
                s.commit()
            except (actions.Conflict, StaleDataError):
                s.rollback()
                current = s.get(Article, article_id)
                draft = {k: form_str(form, k) for k in DRAFT_FIELDS}
                record = record_audit(
                    s,
                    actor=user.login,
                    object_type="draft",  # not the article's history: nothing changed
                    object_id=article_id,
                    action="save-conflict",
                    before={
                        "action": request.path_params["action"],
                        "version_seen": form_str(form, "version")[:20],
                        "version_saved": current.version if current else None,
                    },
                    after={k: v for k, v in draft.items() if v} or None,
                )
                s.commit()
                return "conflict", "", 409, record.id if record.after else None
            except actions.UnsavedEdit as err:
                s.rollback()
                return "unsaved", str(err), 409, None
            except actions.ActionError as err:
                s.rollback()
                return "error", str(err), 400, None
            except IllegalTransition as err:  # English, for the log: the editor reads why
                s.rollback()
                log.info("article %s: %s refused: %s", article_id, request.url.path, err)
                return "error", ILLEGAL, 400, None
            if outcome in _UNDOABLE:
                undo_ref.extend(_decision_row(s, article_id, user.login, _UNDOABLE[outcome]))
            if art.unit != unit_before and learning.learn_offer(s, art.message, console.directory):
                ask_learn.append(True)
            nxt = None
            if outcome in _MOVE_ON:
                nxt = queue.neighbour(s, f, console.config.timezone, article_id, older=True)
            elif outcome in _TO_ORIGINAL:
                nxt = art.revision_of_id
            return outcome, "", 200, nxt

    outcome, message, status, nxt = await run_in_threadpool(run)
    sep = f"&{qs}" if qs else ""
    if outcome == "conflict":
        keep = f"&draft={nxt}" if nxt is not None else ""
        return RedirectResponse(
            f"/articles/{article_id}?msg=conflict&id={article_id}{keep}{sep}", 303
        )
    if status != 200:
        # A refused approval of unsaved text keeps what the page carried, shown again.
        kept = {k: form_str(form, k) for k in DRAFT_FIELDS} if outcome == "unsaved" else None
        return await run_in_threadpool(
            lambda: _render(
                request, console, article_id, f, error=message, status=status, draft=kept
            )
        )
    if undo_ref:
        sep = f"&undo={undo_ref[0]}{sep}"
    if ask_learn:  # the question first: moving on would lose it
        return RedirectResponse(
            f"/articles/{article_id}?msg={outcome}&id={article_id}&ask=learn{sep}#learn-ask", 303
        )
    if outcome in _TO_ORIGINAL:
        return RedirectResponse(f"/articles/{nxt}?msg={outcome}&id={nxt}{sep}", 303)
    if form_str(form, "back") == "queue":
        return RedirectResponse(f"/?msg={outcome}&id={article_id}{sep}", 303)
    if outcome in _MOVE_ON:
        if nxt is not None:
            return RedirectResponse(f"/articles/{nxt}?msg={outcome}&id={article_id}{sep}", 303)
        return RedirectResponse(f"/?msg={outcome}&id={article_id}{sep}", 303)
    going = form_str(form, "next")
    if outcome in ("saved", "unchanged") and going:
        # "Lưu" in the leave dialog: saved, now where the editor was going (this site only).
        return RedirectResponse(_with_notice(_safe_next(going), outcome, article_id), 303)
    return RedirectResponse(f"/articles/{article_id}?msg={outcome}&id={article_id}{sep}", 303)


async def learn_address(request: Request) -> Response:
    """The answer "Ghi nhớ" to the question asked after a unit change: remember the
    sender's address for the message's unit. The form names the address and unit it was
    asked about; when either changed since (another editor, another save), nothing is
    learned and the editor is told."""
    console: Console = request.app.state.console
    form = await checked_form(request)
    user = user_of(request)
    article_id: int = request.path_params["article_id"]
    qs = form_str(form, "queue")
    asked = (form_str(form, "address").strip().lower(), form_str(form, "unit").strip())

    def run() -> str:
        with console.sessions() as s:
            art = _load(s, article_id)
            offer = learning.learn_offer(s, art.message, console.directory)
            if offer is None:
                return "address-known"
            if (offer.address, offer.unit) != asked:
                return "stale"
            learning.learn_address(
                s, art.message, editor=user.login, directory=console.directory, article_id=art.id
            )
            s.commit()
            return "address-learned"

    outcome = await run_in_threadpool(run)
    f = queue.Filters.from_params(dict(_parse_qs(qs)))
    if outcome == "stale":
        message = "Người gửi hoặc đơn vị của bài đã thay đổi: chưa ghi nhớ địa chỉ nào."
        return await run_in_threadpool(
            lambda: _render(request, console, article_id, f, error=message, status=409)
        )
    sep = f"&{qs}" if qs else ""
    return RedirectResponse(f"/articles/{article_id}?msg={outcome}&id={article_id}{sep}", 303)


def _decision_row(s: Session, article_id: int, login: str, action: str) -> list[int]:
    """The audit row the decision just committed wrote (for its undo button)."""
    row = s.execute(
        select(AuditLog.id)
        .where(
            AuditLog.object_type == "article",
            AuditLog.object_id == article_id,
            AuditLog.action == action,
            AuditLog.actor == login,
        )
        .order_by(AuditLog.id.desc())
        .limit(1)
    ).scalar()
    return [row] if row is not None else []


def _with_notice(path: str, outcome: str, article_id: int) -> str:
    """``path`` (a safe local path) with the flash notice of ``outcome`` in its query, in
    place of any notice it had: the next page says the save happened (and the article page's
    script forgets the saved draft on seeing it)."""
    from urllib.parse import urlencode, urlsplit

    parts = urlsplit(path)
    params = [(k, v) for k, v in _parse_qs(parts.query) if k not in ("msg", "id", "undo")]
    params += [("msg", outcome), ("id", str(article_id))]
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.path}?{urlencode(params)}{fragment}"


def _parse_qs(qs: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(qs, keep_blank_values=True)[:20]


def _same_as(art: Article) -> int | None:
    """The earlier article of another unit that this one repeats (ingest.duplicates)."""
    same = (art.meta or {}).get("same_as") or {}
    target = same.get("article") if isinstance(same, dict) else None
    return target if isinstance(target, int) else None
