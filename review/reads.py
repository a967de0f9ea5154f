"""Which articles an editor has opened: the queue's "chưa đọc" marks, per editor.

Opening the article page writes one ``ArticleRead`` row (once: a second opening changes
nothing); the queue asks for the rows of its page's ids only (the primary key answers).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dienhinh.store.models import ArticleRead, utcnow

__all__ = ["mark_read", "read_ids"]


def mark_read(session: Session, user_id: int, article_id: int) -> None:
    """Record that the editor opened the article (idempotent, also when two requests of
    the same editor race: the insert does nothing on the existing key). Commits."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(
        insert(ArticleRead)
        .values(user_id=user_id, article_id=article_id, read_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "article_id"])
    )
    session.commit()


def read_ids(session: Session, user_id: int, article_ids: Iterable[int]) -> set[int]:
    """The ones among ``article_ids`` the editor has opened."""
    ids = list(article_ids)
    if not ids:
        return set()
    return set(
        session.execute(
            select(ArticleRead.article_id).where(
                ArticleRead.user_id == user_id, ArticleRead.article_id.in_(ids)
            )
        ).scalars()
    )
