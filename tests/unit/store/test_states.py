from __future__ import annotations

import pytest

from dienhinh.core.errors import IllegalTransition
from dienhinh.store.models import Article, AuditLog, Message
from dienhinh.store.states import ALLOWED, ArticleState, MessageState, initial, transition


class FakeSession:
    def __init__(self):
        self.added = []

    def add(self, obj):
        self.added.append(obj)

    def flush(self):
        pass


def test_every_state_has_a_row():
    assert set(ALLOWED[Message]) == set(MessageState)
    assert set(ALLOWED[Article]) == set(ArticleState)


def test_transition_writes_audit_and_refuses_illegal_moves():
    a = Article(id=7)
    initial(a, ArticleState.PENDING_REVIEW)
    s = FakeSession()
    transition(s, a, ArticleState.APPROVED, actor="editor:lan", reason="ok")
    assert a.status == "approved"
    (row,) = s.added
    assert isinstance(row, AuditLog) and row.before == {"status": "pending-review"}
    assert row.actor == "editor:lan" and row.object_id == 7
    with pytest.raises(IllegalTransition):
        transition(s, a, ArticleState.DUPLICATE, actor="x")
    assert a.status == "approved"


def test_initial_refuses_non_initial_state():
    with pytest.raises(IllegalTransition):
        initial(Message(), MessageState.INGESTED)


def test_the_slow_lane_moves_a_message_between_ingested_and_failed():
    """Issue 12: a conversion or OCR that fails with no readable article left makes the
    message failed; a later success makes it ingested again."""
    m = Message(id=3)
    initial(m, MessageState.RECEIVED)
    s = FakeSession()
    transition(s, m, MessageState.INGESTED, actor="pipeline", audit=False)
    transition(s, m, MessageState.FAILED, actor="slow-lane", reason="no readable article")
    transition(s, m, MessageState.INGESTED, actor="slow-lane")
    assert m.status == "ingested" and [r.action for r in s.added] == [
        "state:failed",
        "state:ingested",
    ]
    with pytest.raises(IllegalTransition):
        transition(s, Message(id=4, status=MessageState.NO_ARTICLE), MessageState.FAILED, actor="x")
