"""delivery: attempts and next time of a failed post-action (retried with backoff)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 15:00:00

A post-action (flag or move on the mail server) that fails is tried again by later polls,
waiting ``ingest.retry_backoff_seconds`` doubled at each failure (at most a day):
``post_action_attempts`` counts the failures, ``post_action_next_at`` is the earliest time
of the next try. Existing failed deliveries get 0 attempts and no time: the next poll
tries them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "post_action_attempts", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )
        batch_op.add_column(
            sa.Column("post_action_next_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("post_action_next_at")
        batch_op.drop_column("post_action_attempts")
