"""Schema migrations with Alembic, run from code (``dienhinh init`` / ``dienhinh migrate``)."""

from __future__ import annotations

import re
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
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return True, None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        return False, None
    return True, (rows[0] if rows else None)


def check_schema(engine: Engine) -> None:
    """Raise SchemaOutOfDate unless the database is at the code's head revision. Read
    without alembic when the migrations are a simple chain (they are), so that a command's
    start-up does not import it; alembic answers otherwise."""
    head = _light_head()
    simple, current = _light_current(engine) if head is not None else (False, None)
    if head is None or not simple:
        current, head = current_revision(engine), head_revision()
    if current != head:
        where = "has no tables" if current is None else f"is at schema {current}"
        raise SchemaOutOfDate(
            f"the database {engine.url.render_as_string(hide_password=True)} {where}; "
            f"this version needs {head}: run `dienhinh init` (or `dienhinh migrate`)"
        )
