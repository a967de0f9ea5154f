"""the account of every attachment; messages waiting for an editor's decision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 15:00:00

Issue 12 ("nothing silent").

* ``asset.declared_type``: the type the sender's mail client declared, kept beside
  ``content_type`` (what the bytes are, as sniffed), so an export and the console can show
  both when they differ.
* ``asset.used_as`` widened from 20 to 40 characters: it holds an attachment's outcome
  (``core.types.AttachmentOutcome``), the longest today being "official-document" (17).
  SQLite does not enforce a VARCHAR length: only PostgreSQL changes.
* ``message.review_needed`` (indexed) with ``decided_by``/``decided_at``: a message that
  yielded no article although it came from a known unit, or carried an attachment not
  accounted as an article, waits for an editor ("cần xem"); the compliance report shows its
  unit-period as unresolved until then. Existing rows start False: earlier runs recorded
  nothing to decide, and a reprocess recomputes the flag.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("declared_type", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_needed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("decided_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_message_review_needed", ["review_needed"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "asset",
            "used_as",
            existing_type=sa.String(length=20),
            type_=sa.String(length=40),
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Outcomes longer than the old width are cut rather than refused.
        op.execute("UPDATE asset SET used_as = left(used_as, 20)")
        op.alter_column(
            "asset",
            "used_as",
            existing_type=sa.String(length=40),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_review_needed")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("review_needed")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_column("declared_type")
