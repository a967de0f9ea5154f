"""message.received_source; sender_address: the article and message it was taught from

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 18:00:00

``message.received_source`` says where ``received_at`` came from (``ingest.received``:
the server, the top Received header, the Date header, the file's time or the clock); rows
stored before stay NULL (unknown). ``sender_address.source_article_id`` and
``source_message_pk`` name the article and message an editor taught an address from, for
the admins' list of learned addresses; older rows stay NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_source", sa.String(length=20), nullable=True))
    with op.batch_alter_table("sender_address", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_article_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_message_pk", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sender_address", schema=None) as batch_op:
        batch_op.drop_column("source_message_pk")
        batch_op.drop_column("source_article_id")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("received_source")
