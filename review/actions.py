"""What an editor can do to an article, each change audited.

The views call these inside one transaction and commit; the caller checks the version
the form was rendered from first (:func:`check_version`), and the database checks it
again at commit (``Article.version`` is SQLAlchemy's version_id_col: a save racing another
one raises StaleDataError and nothing is written). State changes go through
``states.transition`` (it writes their audit rows); content and tag changes write an
``AuditLog`` row with the fields before and after.

An approval checks the text the editor's page carried (:func:`check_seen_text`): an edit
that was never saved is not approved under the stored text. An approval or a rejection can
be taken back for ``review.undo_seconds`` (:func:`undo`, :func:`undo_offer`), by its author,
while nothing else changed the article.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dienhinh.classifiers.directory import UnitDirectory
from dienhinh.core.errors import DienhinhError
from dienhinh.core.evidence import EvidenceKind, item
from dienhinh.core.labels import STATE_LABELS
from dienhinh.core.text import body_without_lead, nfc, scrub
from dienhinh.store.audit import record_audit
from dienhinh.store.models import Article, Asset, AuditLog, Tag, utcnow
from dienhinh.store.states import ArticleState, transition

__all__ = [
    "ActionError",
    "Conflict",
    "UndoOffer",
    "UnsavedEdit",
    "approve",
    "check_seen_text",
    "check_version",
    "edit",
    "keep_original",
    "mark_duplicate",
    "merge",
    "original_of",
    "reject",
    "restore",
    "set_cover",
    "undo",
    "undo_offer",
    "use_revision",
]

_PUBLISHED_STATES = (ArticleState.APPROVED, ArticleState.PUBLISHED)
# The audit reason of an approved or published article whose content an editor changed.
EDITED_AFTER_APPROVAL = "content edited after approval: to be approved again"


class Conflict(DienhinhError):
    """Someone saved the article after this editor opened it: the form is stale."""


class ActionError(DienhinhError):
    """The action is not possible (bad input, wrong state); ``str()`` is shown to the editor."""


class UnsavedEdit(ActionError):
    """An approval whose form carried a title, lead or text other than the stored one: the
    editor changed the text and did not save it, so approving would publish what they did
    not mean (the stored text) or what nobody saved."""


def check_version(article: Article, version: str | int | None) -> None:
    try:
        given = int(version)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise Conflict("the form carries no version") from err
    if given != article.version:
        raise Conflict(f"article {article.id} is at version {article.version}, form has {given}")


def _audit(
    session: Session,
    actor: str,
    article: Article,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str | None = None,
) -> None:
    record_audit(
        session,
        actor=actor,
        object_type="article",
        object_id=article.id,
        action=action,
        before=before,
        after=after,
        reason=reason,
    )


def _clean(text: str) -> str:
    """Editor input as stored text: NFC, no control characters, Unix line ends."""
    return nfc(scrub(text.replace("\r\n", "\n").replace("\r", "\n"))).strip()


def edit(
    session: Session,
    article: Article,
    *,
    actor: str,
    title: str,
    lead: str,
    text: str,
    unit: str | None,
    campaigns: Sequence[str] | None,
    subject_type: str | None,
    kind: str | None,
    directory: UnitDirectory,
    known_campaigns: Sequence[str],
    subject_values: Sequence[str],
    kind_values: Sequence[str],
) -> list[str]:
    """Apply the edit form; return the names of what changed (empty: nothing). ``None``
    for the unit and tags leaves them as they are."""
    changed: list[str] = []
    content = {"title": _clean(title), "lead": _clean(lead), "text": _clean(text)}
    # One model: the lead is its own field and the body never repeats it (a body pasted
    # with its first paragraph still in it would publish that paragraph twice).
    content["text"] = body_without_lead(content["lead"], content["text"])
    if not content["title"]:
        raise ActionError("Tiêu đề không được để trống.")
    before = {k: getattr(article, k) for k in content if getattr(article, k) != content[k]}
    if before:
        for k in before:
            setattr(article, k, content[k])
        _audit(session, actor, article, "edit", before, {k: content[k] for k in before})
        changed += list(before)
        if _new_words_to_review(session, article, actor, EDITED_AFTER_APPROVAL):
            changed.append("status")

    unit = (unit or "").strip()
    if unit and unit != (article.unit or ""):
        if directory.get(unit) is None:
            raise ActionError("Đơn vị đã chọn không có trong danh mục.")
        from dienhinh.learning.editors import assign_unit

        # The message's unit (and so every article of the message). The sender's address
        # is not learned here: the page asks the editor first (learning.learn_offer).
        assign_unit(
            session,
            article.message,
            unit,
            editor=actor,
            directory=directory,
            learn=False,
            article_id=article.id,
        )
        changed.append("unit")

    if campaigns is None or subject_type is None or kind is None:
        return changed
    wanted_campaigns = sorted(set(campaigns))
    unknown = [c for c in wanted_campaigns if c not in known_campaigns]
    if unknown:
        raise ActionError("Có phong trào đã chọn không có trong danh mục.")
    if subject_type and subject_type not in subject_values:
        raise ActionError("Đối tượng đã chọn không hợp lệ.")
    if kind and kind not in kind_values:
        raise ActionError("Loại điển hình đã chọn không hợp lệ.")
    tag_changes = _set_tags(
        session, article, actor, wanted_campaigns, subject_type or None, kind or None
    )
    changed += tag_changes
    if (changed and article.flagged) and ("unit" in changed or tag_changes):
        # An editor looked at the tags and the unit: the "needs a look" flag is answered.
        article.flagged = False
    return changed


def _set_tags(
    session: Session,
    article: Article,
    actor: str,
    campaigns: list[str],
    subject_type: str | None,
    kind: str | None,
) -> list[str]:
    """Set campaigns / subject_type / kind. Tag rows of values no longer chosen are
    removed (they stay in the audit row, with their evidence) so that the Tag table keeps
    mirroring the article's columns, which the queue's campaign filter relies on; each
    newly chosen value gets an editor's Tag (confidence 1.0)."""
    wanted: dict[str, list[str]] = {
        "campaign": campaigns,
        "subject_type": [subject_type] if subject_type else [],
        "kind": [kind] if kind else [],
    }
    current: dict[str, list[str]] = {
        "campaign": sorted(article.campaigns or []),
        "subject_type": [article.subject_type] if article.subject_type else [],
        "kind": [article.kind] if article.kind else [],
    }
    changed = [f for f in wanted if sorted(wanted[f]) != sorted(current[f])]
    if not changed:
        return []
    existing = list(
        session.execute(
            select(Tag).where(Tag.article_id == article.id, Tag.field.in_(changed))
        ).scalars()
    )
    removed = [t for t in existing if t.value not in wanted[t.field]]
    have = {(t.field, t.value) for t in existing if t.tagger == f"editor:{actor}"}
    if removed:
        session.execute(delete(Tag).where(Tag.id.in_([t.id for t in removed])))
    for field in changed:
        for value in wanted[field]:
            if value not in current[field] and (field, value) not in have:
                session.add(
                    Tag(
                        message_pk=article.message_pk,
                        article_id=article.id,
                        field=field,
                        value=value,
                        confidence=1.0,
                        evidence=[item(EvidenceKind.EDITOR_CHOSE, editor=actor)],
                        tagger=f"editor:{actor}",
                    )
                )
    before = {f: current[f] for f in changed}
    after = {f: wanted[f] for f in changed}
    before["removed_tags"] = [
        {
            "field": t.field,
            "value": t.value,
            "confidence": t.confidence,
            "tagger": t.tagger,
            "evidence": t.evidence,
        }
        for t in removed
    ]
    if "campaign" in changed:
        article.campaigns = campaigns
    if "subject_type" in changed:
        article.subject_type = subject_type
    if "kind" in changed:
        article.kind = kind
    _audit(session, actor, article, "tags", before, after)
    return [{"campaign": "campaigns"}.get(f, f) for f in changed]


def set_cover(session: Session, article: Article, *, actor: str, asset_id: int) -> None:
    if asset_id not in {a.id for a in article.images}:
        raise ActionError("Ảnh bìa phải là một ảnh của bài.")
    if article.cover_asset_id == asset_id:
        return
    _audit(
        session,
        actor,
        article,
        "cover",
        {"cover_asset_id": article.cover_asset_id},
        {"cover_asset_id": asset_id},
    )
    article.cover_asset_id = asset_id


_SEEN_FIELDS = {"title": "tiêu đề", "lead": "sapo", "text": "nội dung"}


def check_seen_text(article: Article, seen: Mapping[str, str | None]) -> None:
    """Raise UnsavedEdit when a field the approving form carried differs from the stored
    one (both compared as the edit form would store them). A field the form did not carry
    (``None``: the queue's approve button shows no text) is not compared."""
    differ = [
        label
        for key, label in _SEEN_FIELDS.items()
        if seen.get(key) is not None and _clean(seen[key] or "") != _clean(getattr(article, key))
    ]
    if differ:
        raise UnsavedEdit(
            f"Chưa duyệt: {', '.join(differ)} trên trang khác bản đã lưu (thay đổi chưa được "
            "lưu). Hãy bấm “Lưu và duyệt”, hoặc bỏ thay đổi rồi duyệt lại."
        )


def approve(session: Session, article: Article, *, actor: str) -> None:
    """Approve and put the article in the publication queue."""
    if article.status != ArticleState.PENDING_REVIEW:
        raise ActionError(
            "Chỉ duyệt được bài đang chờ duyệt (bài đang ở trạng thái "
            f"«{STATE_LABELS.get(article.status, 'khác')}»)."
        )
    transition(session, article, ArticleState.APPROVED, actor=actor)
    article.reviewed_by = actor
    article.reviewed_at = utcnow()
    article.reject_reason = None
    from dienhinh.publish.queue import enqueue

    enqueue(session, article, actor=actor)


def _withdraw_if_published(session: Session, article: Article, actor: str) -> None:
    if article.status in _PUBLISHED_STATES:
        from dienhinh.publish.queue import withdraw

        withdraw(session, article, actor=actor)


def _new_words_to_review(session: Session, article: Article, actor: str, reason: str) -> bool:
    """An approved or published article whose words just changed goes back to review: what
    goes (or went) to the portal is what an editor approved. What has not gone out yet waits
    for that approval; a published post keeps its old text until the next approval updates
    it. True when the article moved."""
    if article.status not in _PUBLISHED_STATES:
        return False
    _withdraw_if_published(session, article, actor)
    transition(session, article, ArticleState.PENDING_REVIEW, actor=actor, reason=reason)
    return True


def reject(session: Session, article: Article, *, actor: str, reason: str) -> None:
    reason = _clean(reason)
    if not reason:
        raise ActionError("Cần ghi lý do từ chối.")
    if article.status not in (ArticleState.PENDING_REVIEW, ArticleState.APPROVED):
        raise ActionError(
            f"Không thể từ chối bài đang ở trạng thái «{STATE_LABELS.get(article.status, 'khác')}»."
        )
    _withdraw_if_published(session, article, actor)
    transition(session, article, ArticleState.REJECTED, actor=actor, reason=reason)
    article.reject_reason = reason
    article.reviewed_by = actor
    article.reviewed_at = utcnow()


def restore(session: Session, article: Article, *, actor: str) -> None:
    """Back to the queue (from rejected, duplicate, approved or published)."""
    if article.status == ArticleState.PENDING_REVIEW:
        raise ActionError("Bài đang chờ duyệt.")
    if article.status not in (
        ArticleState.REJECTED,
        ArticleState.DUPLICATE,
        ArticleState.APPROVED,
        ArticleState.PUBLISHED,
    ):
        raise ActionError(
            "Không thể khôi phục bài đang ở trạng thái "
            f"«{STATE_LABELS.get(article.status, 'khác')}»."
        )
    _withdraw_if_published(session, article, actor)
    extra = {}
    if article.status == ArticleState.DUPLICATE and article.duplicate_of_id:
        extra["was_duplicate_of"] = article.duplicate_of_id
    transition(
        session, article, ArticleState.PENDING_REVIEW, actor=actor, reason="restore", extra=extra
    )
    article.duplicate_of_id = None
    article.reject_reason = None


def _target(session: Session, article: Article, target_id: int) -> Article:
    if target_id == article.id:
        raise ActionError("Không thể đánh dấu bài trùng với chính nó.")
    target = session.get(Article, target_id)
    if target is None:
        raise ActionError(f"Không có bài số {target_id}.")
    seen = {article.id}
    while target.duplicate_of_id is not None:  # point at the original, never in a loop
        if target.id in seen:
            raise ActionError("Liên kết trùng lặp tạo thành vòng.")
        seen.add(target.id)
        nxt = session.get(Article, target.duplicate_of_id)
        if nxt is None:
            break
        target = nxt
    if target.id == article.id:
        raise ActionError("Bài kia đang là bản trùng của bài này.")
    return target


def mark_duplicate(session: Session, article: Article, *, actor: str, target_id: int) -> Article:
    """Mark ``article`` a duplicate of ``target_id`` (or of the original it duplicates)."""
    if article.status != ArticleState.PENDING_REVIEW:
        raise ActionError("Chỉ đánh dấu trùng được bài đang chờ duyệt.")
    target = _target(session, article, target_id)
    transition(
        session,
        article,
        ArticleState.DUPLICATE,
        actor=actor,
        reason=f"duplicate of article {target.id}",
        extra={"duplicate_of": target.id},
    )
    article.duplicate_of_id = target.id
    return target


def merge(session: Session, article: Article, *, actor: str, target_id: int) -> Article:
    """Fold ``article`` into another one: its photos and campaigns join the target, and
    it becomes a duplicate of the target."""
    if article.status != ArticleState.PENDING_REVIEW:
        raise ActionError("Chỉ gộp được bài đang chờ duyệt.")
    target = _target(session, article, target_id)
    if target.status not in (
        ArticleState.PENDING_REVIEW,
        ArticleState.APPROVED,
        ArticleState.PUBLISHED,
    ):
        raise ActionError("Chỉ gộp được vào bài đang chờ duyệt hoặc đã duyệt.")
    have = {a.sha256 for a in target.images}
    position = (
        session.execute(
            select(func.max(Asset.position)).where(Asset.article_pk == target.id)
        ).scalar()
        or 0
    )
    moved = []
    for img in list(article.images):
        if img.sha256 in have:
            continue
        position += 1
        img.article_pk = target.id
        img.position = position
        moved.append(img.id)
    new_campaigns = sorted(set(target.campaigns or []) | set(article.campaigns or []))
    added = [c for c in new_campaigns if c not in (target.campaigns or [])]
    for value in added:
        session.add(
            Tag(
                message_pk=target.message_pk,
                article_id=target.id,
                field="campaign",
                value=value,
                confidence=1.0,
                evidence=[item(EvidenceKind.MERGED_FROM, article=article.id)],
                tagger=f"editor:{actor}",
            )
        )
    if added:
        target.campaigns = new_campaigns
    _audit(
        session,
        actor,
        target,
        "merge",
        {"campaigns": sorted(set(new_campaigns) - set(added))},
        {"merged_article": article.id, "moved_assets": moved, "campaigns": new_campaigns},
    )
    target.updated_at = utcnow()
    mark_duplicate(session, article, actor=actor, target_id=target.id)
    return target


# --- undo ---------------------------------------------------------------------------------

# The decisions that can be taken back, and the state each one left the article in.
_UNDOABLE = {"state:approved": ArticleState.APPROVED, "state:rejected": ArticleState.REJECTED}


@dataclass(frozen=True)
class UndoOffer:
    """A "Hoàn tác" button to show: the decision (its audit row) and the article's version
    after it, which the undo form carries back."""

    article_id: int
    audit_id: int
    action: str  # "approved" | "rejected"
    version: int
    seconds_left: int


def _undoable(
    session: Session,
    article: Article,
    *,
    actor: str,
    audit_id: int,
    window_seconds: int,
    now: datetime,
) -> AuditLog:
    """The audit row of the decision to undo, or ActionError saying why it cannot be."""
    row = session.get(AuditLog, audit_id)
    if (
        row is None
        or row.object_type != "article"
        or row.object_id != article.id
        or row.action not in _UNDOABLE
        or row.actor != actor
        or (row.before or {}).get("status") != ArticleState.PENDING_REVIEW
    ):
        raise ActionError("Không có thao tác nào của bạn ở bài này để hoàn tác.")
    if now - row.at > timedelta(seconds=window_seconds):
        raise ActionError(
            f"Đã quá {window_seconds} giây: không hoàn tác được nữa. Hãy dùng nút khôi phục "
            "về hàng chờ duyệt ở trang bài."
        )
    later = session.execute(
        select(AuditLog.id)
        .where(
            AuditLog.object_type == "article",
            AuditLog.object_id == article.id,
            AuditLog.id > row.id,
        )
        .limit(1)
    ).first()
    if later is not None or article.status != _UNDOABLE[row.action]:
        raise ActionError("Bài đã thay đổi sau thao tác này: không hoàn tác được.")
    return row


def undo_offer(
    session: Session, *, actor: str, audit_id: str, window_seconds: int, now: datetime | None = None
) -> UndoOffer | None:
    """The undo button for the decision ``audit_id`` (a page's ``?undo=`` parameter), or
    None when it could not be undone (not the editor's, too late, the article changed)."""
    if not audit_id.isdigit():
        return None
    row = session.get(AuditLog, int(audit_id))
    if row is None or row.object_type != "article":
        return None
    article = session.get(Article, row.object_id)
    if article is None:
        return None
    now = now or utcnow()
    try:
        _undoable(
            session,
            article,
            actor=actor,
            audit_id=row.id,
            window_seconds=window_seconds,
            now=now,
        )
    except ActionError:
        return None
    left = window_seconds - (now - row.at).total_seconds()
    return UndoOffer(
        article_id=article.id,
        audit_id=row.id,
        action=str(_UNDOABLE[row.action]),
        version=article.version,
        seconds_left=max(1, math.floor(left)),
    )


def undo(
    session: Session,
    article: Article,
    *,
    actor: str,
    audit_id: str,
    version: str,
    window_seconds: int,
    now: datetime | None = None,
) -> str:
    """Take back the approval or rejection ``audit_id``: the article goes back to the
    queue (an approval's queued publications are cancelled) and an ``undo`` audit row names
    what was undone. Refused after ``window_seconds``, for someone else's decision, and when
    anything changed the article since (a later audit row, another state, another version).
    Returns the undone state."""
    if not audit_id.isdigit():
        raise ActionError("Không có thao tác nào của bạn ở bài này để hoàn tác.")
    row = _undoable(
        session,
        article,
        actor=actor,
        audit_id=int(audit_id),
        window_seconds=window_seconds,
        now=now or utcnow(),
    )
    if not version.isdigit() or int(version) != article.version:
        raise ActionError("Bài đã thay đổi sau thao tác này: không hoàn tác được.")
    undone = _UNDOABLE[row.action]
    _withdraw_if_published(session, article, actor)
    transition(
        session,
        article,
        ArticleState.PENDING_REVIEW,
        actor=actor,
        reason="undo",
        extra={"undo_of": row.id},
    )
    article.reject_reason = None
    before: dict[str, Any] = {
        "undone": row.action,
        "audit_id": row.id,
        "at": row.at.isoformat(),
        "status": undone,
    }
    if row.reason:
        before["reason"] = row.reason
    _audit(session, actor, article, "undo", before, {"status": ArticleState.PENDING_REVIEW})
    return str(undone)


# --- a revision ("bản sửa") and its original ----------------------------------------------
# Ingest links a resend or a correction to the article it revises (``revision_of_id``);
# the editor compares the two (views/revision.py) and either uses the revision's text in the
# original or keeps the original's. Either way the revision becomes a duplicate of the
# original and keeps its ``revision_of_id``, so both pages link to each other afterwards.

_CONTENT = ("title", "lead", "text")
_REVISABLE = (ArticleState.PENDING_REVIEW, ArticleState.APPROVED, ArticleState.PUBLISHED)


def original_of(session: Session, revision: Article) -> Article:
    """The article ``revision`` revises."""
    if revision.revision_of_id is None:
        raise ActionError(f"Bài #{revision.id} không phải bản sửa của bài nào.")
    original = session.get(Article, revision.revision_of_id)
    if original is None:
        raise ActionError(f"Không còn bài gốc #{revision.revision_of_id}.")
    return original


def _decidable(session: Session, revision: Article, original_version: str | int | None) -> Article:
    if revision.status != ArticleState.PENDING_REVIEW:
        raise ActionError("Chỉ xử lý được bản sửa đang chờ duyệt.")
    original = original_of(session, revision)
    if original.status not in _REVISABLE:
        raise ActionError(
            f"Bài gốc #{original.id} đang ở trạng thái "
            f"«{STATE_LABELS.get(original.status, 'khác')}»: "
            "chỉ thay được bài đang chờ duyệt hoặc đã duyệt."
        )
    # The comparison was made against this version of the original: an edit saved since
    # would be overwritten unseen.
    try:
        check_version(original, original_version)
    except Conflict as err:
        raise ActionError(
            f"Bài gốc #{original.id} vừa được lưu lại sau khi bạn mở trang so sánh: "
            "hãy so sánh lại với bản mới nhất."
        ) from err
    return original


def use_revision(
    session: Session, revision: Article, *, actor: str, original_version: str | int | None
) -> Article:
    """The revision's title, lead and text replace the original's. The original's old
    content is kept in full in its audit row ("use-revision"), which the article page shows
    as the history. New photos and campaigns of the revision join the original (as
    :func:`merge`), and the revision becomes its duplicate. An original that was approved
    or published goes back to review: its new text has not been approved."""
    original = _decidable(session, revision, original_version)
    new = {
        "title": revision.title,
        "lead": revision.lead,
        "text": body_without_lead(revision.lead, revision.text),
    }
    if not new["title"].strip():
        raise ActionError("Bản sửa không có tiêu đề.")
    before = {k: getattr(original, k) for k in _CONTENT}
    _audit(
        session,
        actor,
        original,
        "use-revision",
        {**before, "status": original.status},
        {**new, "revision": revision.id},
    )
    for k, v in new.items():
        setattr(original, k, v)
    _new_words_to_review(
        session, original, actor, f"text replaced by revision {revision.id}: to be approved again"
    )
    merge(session, revision, actor=actor, target_id=original.id)
    return original


def keep_original(
    session: Session, revision: Article, *, actor: str, original_version: str | int | None
) -> Article:
    """The original stays as it is; the revision becomes its duplicate (nothing of it is
    used). The original's history records the decision."""
    original = _decidable(session, revision, original_version)
    _audit(session, actor, original, "keep-original", None, {"revision": revision.id})
    mark_duplicate(session, revision, actor=actor, target_id=original.id)
    return original
