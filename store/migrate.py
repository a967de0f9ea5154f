"""Schema migrations with Alembic, run from code (``dienhinh init`` / ``dienhinh migrate``)."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from dienhinh.core.errors import DienhinhError
from dienhinh.store.dbapi import Db, on_engine
from dienhinh.store.quick import schema_revision

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import Engine

# Alembic (and SQLAlchemy) are imported where they are used: every `dienhinh` command
# imports this module (for SchemaOutOfDate), alembic's import costs a fifth of a second,
# and `dienhinh poll` checks the schema on the driver's own connection (check_light).

__all__ = ["SchemaOutOfDate", "check_light", "check_schema", "head_revision", "upgrade"]

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


# What the fast schema check (``check_schema``) reads in a migration file: the module-level
# ``revision = "..."`` and ``down_revision = "..."`` / ``None`` assignments alembic reads.
_REVISION_LINE = re.compile(
    r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|(None))\s*$""", re.M
)


def _light_head() -> str | None:
    """The head revision read from the migration files without importing alembic (a fifth
    of a second of every command's start-up, `dienhinh poll` included): the one revision
    no other file names as its ``down_revision``. None when a file is not in that simple
    form (a merge revision's tuple, a branch) or there is not exactly one head: the caller
    then asks alembic."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (_SCRIPTS / "versions").glob("*.py"):
        if path.name.startswith("__"):
            continue
        found: dict[str, str | None] = {}
        for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(m.group(1), m.group(2))
        if "revision" not in found or "down_revision" not in found or not found["revision"]:
            return None
        revisions.add(found["revision"])  # type: ignore[arg-type]
        if found["down_revision"] is not None:
            downs.add(found["down_revision"])
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None


def _light_current(engine: Engine) -> tuple[bool, str | None]:
    """(True, the database's revision) read from alembic's version table with one query,
    or (False, None) when that table holds more than one row (branches: alembic decides)."""
    with on_engine(engine) as db:
        return schema_revision(db)


def _refuse(where_url: str, current: str | None, head: str) -> SchemaOutOfDate:
    where = "has no tables" if current is None else f"is at schema {current}"
    return SchemaOutOfDate(
        f"the database {where_url} {where}; "
        f"this version needs {head}: run `dienhinh init` (or `dienhinh migrate`)"
    )


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutOfDate unless the database is at the code's head revision. Read
    without alembic when the migrations are a simple chain (they are), so that a command's
    start-up does not import it; alembic answers otherwise."""
    head = _light_head()
    simple, current = _light_current(engine) if head is not None else (False, None)
    if head is None or not simple:
        current, head = current_revision(engine), head_revision()
    if current != head:
        raise _refuse(engine.url.render_as_string(hide_password=True), current, head)


def check_light(db: Db, shown_url: str) -> bool:
    """:func:`check_schema` on a driver's connection (`dienhinh poll`, store/dbapi.py):
    raise SchemaOutOfDate as it would; False when only alembic can tell (not a simple
    chain), and the caller asks :func:`check_schema`."""
    head = _light_head()
    if head is None:
        return False
    simple, current = schema_revision(db)
    if not simple:
        return False
    if current != head:
        raise _refuse(shown_url, current, head)
    return True
