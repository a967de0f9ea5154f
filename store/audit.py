"""The audit trail: one helper that writes every audit row.

Every state change (``store/states.py``) and every editor or admin action (the console,
the command line, learning from editors, the slow lane's removals) is recorded through
:func:`record_audit`, so the rows have one shape: who (``actor``), what (``object_type``
and ``object_id``), the ``action``, the values ``before`` and ``after`` it, and why.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dienhinh.store.models import AuditLog

__all__ = ["record_audit"]


def record_audit(
    session: Session,
    *,
    actor: str,
    object_type: str,
    object_id: int,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditLog:
    """Add one audit row to ``session`` (committed with the change it records) and return
    it (its ``id`` is set at the next flush)."""
    row = AuditLog(
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        action=action,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(row)
    return row
