"""article: the body no longer repeats the lead; an index on revision_of_id

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 09:00:00

The lead (sapo) is a field of its own and the body never repeats it: extraction used to
keep the first paragraph in the text as well as in ``lead``, and the publishers left the
first paragraph out when it equalled the lead, which stopped working once an editor changed
either (the lead then went out twice). Rows whose text starts with a paragraph equal to the
lead (spacing aside) lose that paragraph; nothing else changes. What a publisher sends for
such a row is the same before and after (the lead once, then the rest). A row whose lead
differs from its first paragraph is left as it is: that is what was published for it.

``version`` and ``updated_at`` are not touched: no editor changed anything, an open form
stays valid, and the search index (which reads the lead and the body) finds the same words.
The rule is copied here from ``dienhinh.core.text.body_without_lead`` so that this migration
keeps meaning what it meant if that code changes.

``ix_article_revision_of_id``: the article page lists the revisions of an article ("có bản
sửa: #N"), one indexed lookup instead of a scan of every article.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WS = re.compile(r"\s+")
_CHUNK = 500

article = sa.table(
    "article",
    sa.column("id", sa.Integer),
    sa.column("lead", sa.Text),
    sa.column("text", sa.Text),
)


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def body_without_lead(lead: str, text: str) -> str:
    key = _collapse(lead)
    if not key:
        return text
    chunks = text.split("\n\n")
    for i, chunk in enumerate(chunks):
        if chunk.strip():
            if _collapse(chunk) != key:
                return text
            return "\n\n".join(chunks[i + 1 :]).lstrip("\n")
    return text


def upgrade() -> None:
    op.create_index("ix_article_revision_of_id", "article", ["revision_of_id"], unique=False)
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(article.c.id, article.c.lead, article.c.text)
            .where(article.c.id > last, article.c.lead != "")
            .order_by(article.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        changes = [
            {"row_id": aid, "body": body}
            for aid, lead, text in rows
            if (body := body_without_lead(lead or "", text or "")) != (text or "")
        ]
        if changes:
            conn.execute(
                article.update()
                .where(article.c.id == sa.bindparam("row_id"))
                .values(text=sa.bindparam("body")),
                changes,
            )
        last = rows[-1][0]


def downgrade() -> None:
    """Put the lead back as the first paragraph of the body where the body does not start
    with it (the old model: the publishers then left that paragraph out)."""
    op.drop_index("ix_article_revision_of_id", table_name="article")
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(article.c.id, article.c.lead, article.c.text)
            .where(article.c.id > last, article.c.lead != "")
            .order_by(article.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        changes = [
            {"row_id": aid, "body": "\n\n".join(p for p in (lead.strip(), text or "") if p)}
            for aid, lead, text in rows
            if lead.strip() and body_without_lead(lead, text or "") == (text or "")
        ]
        if changes:
            conn.execute(
                article.update()
                .where(article.c.id == sa.bindparam("row_id"))
                .values(text=sa.bindparam("body")),
                changes,
            )
        last = rows[-1][0]
