"""Alembic environment: the connection is always handed in by dienhinh.store.migrate."""

from __future__ import annotations

from alembic import context

from dienhinh.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
