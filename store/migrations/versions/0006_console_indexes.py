"""indexes for the review console's queue and dashboard

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 12:00:00

Measured with bench/console.py at 100,000 articles (figures in bench/RESULTS.md). On SQLite
an article row keeps its text in overflow pages, and reading any column after it (status,
unit, flagged) walks them: the state counts and filters must be answered from indexes alone.

* ``ix_article_unit_status`` (unit, status): the unit filter and its state counts without
  reading an article row; with the rowid (SQLite) the page comes out in id order.
* ``ix_article_flagged_status`` (flagged, status): the same for "cần xem kỹ".
* ``ix_tag_field_value_article`` (field, value, article_id) replaces ``ix_tag_field_value``:
  the campaign filter becomes an index-only list of article ids.
* ``ix_message_transient``: the dashboard's failed messages (failed, or waiting for a
  retry) as two index lookups instead of a scan of every message.

PostgreSQL: the statistics are refreshed (ANALYZE) at the end, so the planner knows the new
indexes at once rather than at autovacuum's next visit. (With statistics it also knows that a
common word is in most articles, and would then scan article_search computing to_tsvector on
every text instead of reading the GIN index: review/search.py asks the index for the ids
explicitly.)
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index("ix_article_unit_status", ["unit", "status"], unique=False)
        batch_op.create_index("ix_article_flagged_status", ["flagged", "status"], unique=False)
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tag_field_value_article", ["field", "value", "article_id"], unique=False
        )
        batch_op.drop_index("ix_tag_field_value")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index("ix_message_transient", ["transient"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE")


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_transient")
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index("ix_tag_field_value", ["field", "value"], unique=False)
        batch_op.drop_index("ix_tag_field_value_article")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index("ix_article_flagged_status")
        batch_op.drop_index("ix_article_unit_status")
