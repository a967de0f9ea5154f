"""login_throttle replaces login_attempt; reprocess_request: "Chạy lại" queued for the worker

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 10:00:00

Login throttling counted rows of ``login_attempt`` and then added one: checked before it
recorded, so concurrent wrong passwords were all tried, and it kept every typed login
verbatim (a password typed into the login field included). ``login_throttle`` holds one
counter per (login, address) pair and per address, keyed by a sha256, advanced by one
conditional UPDATE (review/auth.py). The old rows only served the throttle: dropped.

``reprocess_request``: the console's "Chạy lại" no longer extracts mail in the web process;
it queues a row that the worker (or `dienhinh reprocess --requested`) takes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.Column("last_attempt", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttle_last_attempt"), ["last_attempt"], unique=False
        )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_login_at")
        batch_op.drop_index("ix_login_attempt_ip_at")
    op.drop_table("login_attempt")

    op.create_table(
        "reprocess_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_pk", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=200), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["message_pk"], ["message.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reprocess_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reprocess_request_message_pk"), ["message_pk"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reprocess_request_done_at"), ["done_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reprocess_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reprocess_request_done_at"))
        batch_op.drop_index(batch_op.f("ix_reprocess_request_message_pk"))
    op.drop_table("reprocess_request")

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=100), nullable=False),
        sa.Column("ip", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_ip_at", ["ip", "at"], unique=False)
        batch_op.create_index("ix_login_attempt_login_at", ["login", "at"], unique=False)
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_attempt"))
    op.drop_table("login_throttle")
