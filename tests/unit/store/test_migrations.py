"""The migrations build exactly the schema the models describe, on both databases.

A column added to a model without a migration would work in tests that create tables from
the models and fail on a user's upgraded database; this catches it.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from dienhinh.store.migrate import current_revision, head_revision, upgrade
from dienhinh.store.models import Base


def test_migrations_reach_head_and_match_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()
