"""Write a group of extraction results in a few statements.

Writing through ORM objects cost a dozen statements per message and more time in
SQLAlchemy's unit of work than extraction spends parsing. Here a group of messages is
written with bulk statements: the stored articles a group can match are read in three
queries, each message's articles are inserted with one multi-row INSERT, and the group's
assets, LSH bands and message updates with one executemany each.
Duplicate decisions are the same ``duplicates.decide`` as everywhere, over prefetched rows
plus the group's own earlier articles (two copies of one article in one poll still link).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from dienhinh.core.text import body_without_lead, lead_and_body
from dienhinh.core.types import ArticleDraft, Outcome
from dienhinh.ingest import similarity
from dienhinh.ingest.apply import (
    clear_previous,
    message_fields,
    origins,
    tag_columns,
    tag_row,
    with_review_reasons,
)
from dienhinh.ingest.duplicates import (
    OTHER_UNIT,
    OTHER_UNIT_FLAG,
    MatchRef,
    Stored,
    decide,
    same_as,
)
from dienhinh.store.account import needs_review
from dienhinh.store.models import (
    Article,
    ArticleBand,
    Asset,
    Message,
    SenderAddress,
    Tag,
    utcnow,
)
from dienhinh.store.states import ArticleState, MessageState, check_initial, check_transition

if TYPE_CHECKING:  # a type only (the taggers run in the extraction, not here)
    from dienhinh.classifiers.tagging import ArticleTags

__all__ = ["write_group"]


class _GroupLookup:
    """Stored originals prefetched for a group, plus the group's own new articles."""

    def __init__(self, session: Session, drafts: Sequence[ArticleDraft]) -> None:
        self.session = session
        fps = sorted({d.fingerprint for d in drafts if d.fingerprint})
        bands = sorted({b for d in drafts for b in _bands(d)})
        self.by_fp: dict[str, list[Stored]] = {}
        self.by_band: dict[str, list[int]] = {}
        self.rows: dict[int, Stored] = {}
        self.texts: dict[int, str] = {}
        for chunk in _chunks(fps, 500):
            for aid, mpk, sig, fp, unit in session.execute(
                select(
                    Article.id,
                    Article.message_pk,
                    Article.signature,
                    Article.text_sha256,
                    Article.unit,
                )
                .where(Article.text_sha256.in_(chunk), Article.duplicate_of_id.is_(None))
                .order_by(Article.id)
            ):
                st = Stored(aid, mpk, sig, unit)
                self.by_fp.setdefault(fp, []).append(st)
                self.rows[aid] = st
        for chunk in _chunks(bands, 500):
            for band, aid in session.execute(
                select(ArticleBand.band, ArticleBand.article_id).where(ArticleBand.band.in_(chunk))
            ):
                self.by_band.setdefault(band, []).append(aid)
        missing = {a for ids in self.by_band.values() for a in ids} - set(self.rows)
        for chunk in _chunks(sorted(missing), 500):
            for aid, mpk, sig, unit in session.execute(
                select(Article.id, Article.message_pk, Article.signature, Article.unit).where(
                    Article.id.in_(chunk), Article.duplicate_of_id.is_(None)
                )
            ):
                self.rows[aid] = Stored(aid, mpk, sig, unit)

    # Lookup protocol
    def exact(self, fingerprint: str, not_message: int) -> Stored | None:
        for st in self.by_fp.get(fingerprint, ()):
            if st.message_pk != not_message:
                return st
        return None

    def band_hits(self, bands: list[str]) -> Counter[int]:
        return Counter(a for b in bands for a in self.by_band.get(b, ()))

    def stored(self, ids: Iterable[int]) -> list[Stored]:
        return [self.rows[i] for i in ids if i in self.rows]

    def text(self, article_id: int) -> str:
        if article_id not in self.texts:
            lead, body = self.session.execute(
                select(Article.lead, Article.text).where(Article.id == article_id)
            ).one()
            self.texts[article_id] = lead_and_body(lead, body)
        return self.texts[article_id]

    def add(
        self,
        aid: int,
        message_pk: int,
        draft: ArticleDraft,
        bands: list[str],
        unit: str | None,
    ) -> None:
        """A new original of this group (``aid`` its placeholder until the group is
        inserted): later messages of the group can match it."""
        st = Stored(aid, message_pk, draft.signature or None, unit)
        self.rows[aid] = st
        self.texts[aid] = draft.text
        if draft.fingerprint:
            self.by_fp.setdefault(draft.fingerprint, []).append(st)
        for band in set(bands):
            self.by_band.setdefault(band, []).append(aid)


def _chunks(seq: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _learned(session: Session, items: Sequence[tuple[Message, Outcome]]) -> set[str]:
    """The group's sender addresses that an editor attributed to a unit (one query)."""
    addrs = sorted({o.headers.from_addr.strip().lower() for _m, o in items} - {""})
    found: set[str] = set()
    for chunk in _chunks(addrs, 500):
        found.update(
            session.execute(
                select(SenderAddress.address).where(
                    SenderAddress.address.in_(chunk), SenderAddress.active.is_(True)
                )
            ).scalars()
        )
    return found


# Placeholder ids of the group's own new articles, until the group's one INSERT gives them
# their real ids: above any real id and in insertion order, as the real ids will be, so
# duplicate decisions (which break ties by the lower id) are the same.
_PLACEHOLDER = 1 << 62


def write_group(session: Session, items: Sequence[tuple[Message, Outcome]]) -> None:
    """Write every (message, outcome) of the group; the caller owns the transaction.

    The Message objects are only read (id, status, whether extracted before); their rows
    are updated with one bulk UPDATE, so the caller must not flush changes to them.
    Every article of the group is inserted with one multi-row INSERT and its id read back
    with one query; an article that duplicates or revises an earlier one of the same
    group points at it through a placeholder until then (fixed by one executemany).
    """
    lookup = _GroupLookup(session, [d for _m, o in items for d in o.articles])
    learned = _learned(session, items)
    # Core statements on the session's connection: plain executemany, none of the ORM
    # bulk path's per-row grouping (it split the assets into one INSERT per few rows).
    conn = session.connection()
    asset_rows: list[dict[str, Any]] = []
    message_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    article_rows: list[dict[str, Any]] = []
    # (placeholder, message pk, ordinal, draft, tags) of every article, in row order
    placed: list[tuple[int, int, int, ArticleDraft, ArticleTags | None]] = []
    indexed: list[tuple[int, list[str]]] = []  # (placeholder, LSH bands) of new originals
    for msg, _o in items:
        if msg.headers_text:  # extracted before: a reprocess replaces what it found
            clear_previous(session, msg.id)
    for msg, outcome in items:
        fields = message_fields(outcome)
        for att in outcome.attachments:
            asset_rows.append(
                {
                    "message_pk": msg.id,
                    "article_pk": None,
                    "sha256": att.sha256,
                    "size": att.size,
                    "content_type": att.content_type,
                    "filename": att.filename,
                    "role": "photo" if att.used_as == "photo" else "document",
                    "caption": "",
                    "position": 0,
                    "part_path": att.part_path,
                    "used_as": att.used_as,
                    "error": att.error or None,
                    "declared_type": (att.declared_type or "")[:200],
                }
            )
        hint = f"{outcome.headers.subject}\n{outcome.cover_note}"
        tags = outcome.tags
        unit = fields["unit"]
        if tags is not None and tags.unit is not None:
            tag_rows.append(tag_row(msg.id, None, tags.unit))
        first_dup_message: int | None = None
        all_duplicates = bool(outcome.articles)
        originals: list[tuple[int, ArticleDraft, list[str]]] = []
        for ordinal, draft in enumerate(outcome.articles, start=1):
            check_initial(Article, draft.status)
            bands = _bands(draft)
            match = None
            if draft.status == ArticleState.PENDING_REVIEW:
                match = decide(
                    lookup,
                    text=draft.text,
                    fingerprint=draft.fingerprint,
                    signature=draft.signature or None,
                    message_pk=msg.id,
                    hint=hint,
                    bands=bands,
                    unit=unit,
                )
            art_tags = tags.articles[ordinal - 1] if tags is not None else None
            placeholder = _PLACEHOLDER + len(placed)
            article_rows.append(_article_row(msg.id, ordinal, draft, match, unit, art_tags))
            placed.append((placeholder, msg.id, ordinal, draft, art_tags))
            if match is not None and match.verdict == "duplicate":
                first_dup_message = first_dup_message or match.original_message_pk
            else:
                all_duplicates = False
                if draft.status == ArticleState.PENDING_REVIEW and draft.signature:
                    originals.append((placeholder, draft, bands))
        # The message's new originals join the lookup after its own articles are decided
        # (a message's articles never match each other), before the next message's.
        for placeholder, draft, bands in originals:
            lookup.add(placeholder, msg.id, draft, bands, unit)
            indexed.append((placeholder, bands))
        if (
            outcome.status == MessageState.INGESTED
            and all_duplicates
            and first_dup_message is not None
        ):
            to, reason, dup = (
                MessageState.DUPLICATE,
                "duplicate: every article was received before",
                first_dup_message,
            )
        else:
            to, reason, dup = MessageState(outcome.status), outcome.reason, None
        fields.update(
            id=msg.id,
            status=check_transition(Message, msg.status, to, msg.message_id),
            reason=reason,
            duplicate_of_id=dup,
            # A new extraction asks afresh: an earlier decision was about earlier results.
            review_needed=needs_review(
                to,
                unit=unit,
                learned_sender=outcome.headers.from_addr.strip().lower() in learned,
                outcomes=[att.used_as for att in outcome.attachments],
                automatic=outcome.automatic,
            ),
            decided_by=None,
            decided_at=None,
            updated_at=utcnow(),
        )
        message_rows.append(fields)
    if article_rows:
        real = _insert_articles(session, conn, article_rows, placed)
        band_rows = [
            {"band": b, "article_id": real[placeholder]}
            for placeholder, bands in indexed
            for b in sorted(set(bands))
        ]
        if band_rows:
            conn.execute(ArticleBand.__table__.insert(), band_rows)
        for placeholder, msg_pk, _ordinal, draft, art_tags in placed:
            aid = real[placeholder]
            if art_tags is not None:
                tag_rows.extend(tag_row(msg_pk, aid, t) for t in art_tags.suggestions)
            for pos, img in enumerate(draft.images):
                asset_rows.append(
                    {
                        "message_pk": msg_pk,
                        "article_pk": aid,
                        "sha256": img.sha256,
                        "size": img.size,
                        "content_type": img.content_type,
                        "filename": img.filename,
                        "role": img.role,
                        "caption": img.caption,
                        "position": pos,
                        "part_path": img.part_path,
                        "used_as": "photo" if img.role == "photo" else "image",
                        "error": None,
                        "declared_type": "",
                    }
                )
    if asset_rows:
        conn.execute(Asset.__table__.insert(), asset_rows)
    if tag_rows:
        conn.execute(Tag.__table__.insert(), tag_rows)
    if message_rows:
        # Rows differ in which keys matter but all carry the same keys: one executemany.
        session.execute(update(Message), message_rows)
        for msg, _o in items:
            session.expire(msg)


def _bands(draft: ArticleDraft) -> list[str]:
    """The draft's LSH band keys: computed by the extraction, else here."""
    if draft.bands or not draft.signature:
        return list(draft.bands)
    return similarity.lsh_bands(tuple(draft.signature))


def _insert_articles(
    session: Session,
    conn: Any,
    rows: list[dict[str, Any]],
    placed: Sequence[tuple[int, int, int, ArticleDraft, ArticleTags | None]],
) -> dict[int, int]:
    """Insert the group's articles with one multi-row INSERT; their real ids by
    placeholder. SQLite cannot return the ids of a multi-row INSERT in parameter order, so
    they are read back by (message, ordinal), which is unique. Links to an article of the
    same group (a placeholder) are inserted empty, then set to its real id (a placeholder
    never reaches the database: its foreign keys would refuse it)."""
    linked = [
        (i, row["duplicate_of_id"], row["revision_of_id"])
        for i, row in enumerate(rows)
        if (row["duplicate_of_id"] or 0) >= _PLACEHOLDER
        or (row["revision_of_id"] or 0) >= _PLACEHOLDER
    ]
    insert_rows = list(rows)
    for i, dup, rev in linked:
        insert_rows[i] = {
            **rows[i],
            "duplicate_of_id": None if (dup or 0) >= _PLACEHOLDER else dup,
            "revision_of_id": None if (rev or 0) >= _PLACEHOLDER else rev,
        }
    conn.execute(Article.__table__.insert(), insert_rows)
    message_pks = sorted({msg_pk for _p, msg_pk, _o, _d, _t in placed})
    by_place: dict[tuple[int, int], int] = {}
    for chunk in _chunks(message_pks, 500):
        for aid, msg_pk, ordinal in session.execute(
            select(Article.id, Article.message_pk, Article.ordinal).where(
                Article.message_pk.in_(chunk)
            )
        ):
            by_place[(msg_pk, ordinal)] = aid
    real = {
        placeholder: by_place[(msg_pk, ordinal)] for placeholder, msg_pk, ordinal, _d, _t in placed
    }
    fixes = [
        {
            "aid": real[placed[i][0]],
            "dup": real[dup] if dup and dup >= _PLACEHOLDER else dup,
            "rev": real[rev] if rev and rev >= _PLACEHOLDER else rev,
        }
        for i, dup, rev in linked
    ]
    table = Article.__table__
    if fixes:
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("aid"))
            .values(duplicate_of_id=bindparam("dup"), revision_of_id=bindparam("rev")),
            fixes,
        )
    # The same for another unit's article of this group named in meta["same_as"].
    same = [
        {
            "aid": real[placed[i][0]],
            "meta": {
                **row["meta"],
                "same_as": {**row["meta"]["same_as"], "article": real[s["article"]]},
            },
        }
        for i, row in enumerate(rows)
        if (s := row["meta"].get("same_as")) and s["article"] >= _PLACEHOLDER
    ]
    if same:
        conn.execute(
            table.update().where(table.c.id == bindparam("aid")).values(meta=bindparam("meta")),
            same,
        )
    return real


def _article_row(
    message_pk: int,
    ordinal: int,
    draft: ArticleDraft,
    match: MatchRef | None,
    unit: str | None,
    tags: ArticleTags | None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if draft.forwarded_from:
        meta["forwarded_from"] = origins(draft.forwarded_from)
    status, flags = draft.status, list(draft.flags)
    duplicate_of = revision_of = None
    similarity = None
    if match is not None and match.verdict == "duplicate":
        status, duplicate_of, similarity = (
            ArticleState.DUPLICATE,
            match.original_id,
            match.similarity,
        )
        meta["duplicate_reason"] = match.reason
    elif match is not None and match.verdict == OTHER_UNIT:
        similarity = match.similarity
        flags.append(OTHER_UNIT_FLAG)
        meta["same_as"] = same_as(match)
    elif match is not None:
        revision_of, similarity = match.original_id, match.similarity
        flags.append("revision")
        meta["revision_reason"] = match.reason
    return {
        "message_pk": message_pk,
        "ordinal": ordinal,
        "title": draft.title,
        "lead": draft.lead,
        # The draft's text still holds its first paragraph, the lead (extraction and the
        # taggers read the whole text); the stored body does not repeat it (core.text).
        "text": body_without_lead(draft.lead, draft.text),
        "source": draft.source,
        "origin": draft.origin[:1000],
        "status": str(status),
        "error": draft.error or None,
        "flags": flags,
        "header_lines": list(draft.header_lines),
        "text_sha256": draft.fingerprint,
        "document_sha256": draft.document_sha256,
        "duplicate_of_id": duplicate_of,
        "revision_of_id": revision_of,
        "similarity": similarity,
        "signature": list(draft.signature) or None,
        "meta": with_review_reasons(meta, tags),
        **tag_columns(unit, tags),
        **({"flagged": True} if OTHER_UNIT_FLAG in flags else {}),
        "version": 1,
    }
