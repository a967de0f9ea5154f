"""Schema migrations with Alembic, run from code (``dienhinh init`` / ``dienhinh migrate``)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from dienhinh.core.errors import DienhinhError

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

# Alembic is imported where it is used: every `dienhinh` command imports this module (for
# SchemaOutOfDate), and alembic's import costs a fifth of a second.

__all__ = ["SchemaOutOfDate", "check_schema", "head_revision", "upgrade"]

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# Alembic keeps the running migration's context in module globals (``alembic.op``,
# ``alembic.context``): two upgrades in two threads of one process would send one's
# operations to the other's database. One upgrade at a time per process.
_UPGRADING = threading.Lock()


class SchemaOutOfDate(DienhinhError):
    """The database is missing or older than the code: run `dienhinh init` (or migrate)."""


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    cfg = _alembic_config()
    with _UPGRADING, engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def check_schema(engine: Engine) -> None:
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        where = "has no tables" if current is None else f"is at schema {current}"
        raise SchemaOutOfDate(
            f"the database {engine.url.render_as_string(hide_password=True)} {where}; "
            f"this version needs {head}: run `dienhinh init` (or `dienhinh migrate`)"
        )
