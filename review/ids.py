"""Ids from URLs and forms, read once with bounds.

Every id a request carries (a path's ``{name:id}``, ``?before=``, a form's target) is read
here: ASCII digits for a number from 0 to :data:`MAX_ID`, the largest value of the id
columns (``Integer``: 32 bits on PostgreSQL). Anything else is no id of ours: 404 (or "no
value") rather than an OverflowError or "integer out of range" from the database driver,
a 500 and a traceback in the log.
"""

from __future__ import annotations

import re

from starlette.convertors import Convertor

__all__ = ["ID_PATTERN", "MAX_ID", "IdConvertor", "parse_id"]

MAX_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regular expression for the decimal numbers 0..``limit`` (ASCII digits)."""
    digits = str(limit)
    parts = [f"[0-9]{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, d in enumerate(digits):
        if d != "0":
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[0-{int(d) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "|".join(f"(?:{p})" for p in parts)


ID_PATTERN = _at_most(MAX_ID)
_ID = re.compile(ID_PATTERN)


def parse_id(value: str | None) -> int | None:
    """``value`` as an id, or None ("", "-1", "²", "1e3" and numbers past MAX_ID are not
    ids)."""
    if value is None:
        return None
    value = value.strip()
    return int(value) if _ID.fullmatch(value) else None


class IdConvertor(Convertor[int]):
    """The ``{name:id}`` path parameter: a path whose id is past MAX_ID simply does not
    match (404). Registered by review/routes.py; the routes use it, never Starlette's
    unbounded ``int``."""

    regex = f"(?:{ID_PATTERN})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))
