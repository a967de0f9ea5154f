from __future__ import annotations

import pytest

from dienhinh.core import states as core_states
from dienhinh.core.errors import IllegalTransition
from dienhinh.store.models import (
    Article,
    AuditLog,
    Delivery,
    Message,
    Notification,
    PollRun,
    Publication,
)
from dienhinh.store.states import (
    ALLOWED,
    INITIAL,
    ArticleState,
    MessageState,
    NotificationState,
    PostActionState,
    PublicationState,
    RunState,
    check_transition,
    initial,
    transition,
)


class FakeSession:
    def __init__(self):
        self.added = []

    def add(self, obj):
        self.added.append(obj)

    def flush(self):
        pass


TABLES = {
    Message: MessageState,
    Article: ArticleState,
    Publication: PublicationState,
    Notification: NotificationState,
    PollRun: RunState,
    Delivery: PostActionState,
}


def test_every_state_has_a_row():
    for model, enum in TABLES.items():
        assert set(ALLOWED[model]) == set(enum), model
        moves = set().union(*ALLOWED[model].values()) | INITIAL[model]
        assert moves <= set(enum), f"{model.__name__}: moves to a state its enum lacks"


def test_every_state_enum_of_core_has_a_table():
    enums = {
        obj for name in core_states.__all__ if isinstance(obj := getattr(core_states, name), type)
    }
    assert enums == set(TABLES.values())


def test_the_ledgers_move_once_and_never_back():
    """A notification's attempt ends once (an interrupted one is never resent, only a
    transient failure is claimed again); a run finishes once; a post-action is done, retried
    after a failure, or abandoned when the folder's UIDVALIDITY changed."""
    check_transition(Notification, NotificationState.FAILED, NotificationState.SENDING)
    for ended in (NotificationState.SENT, NotificationState.UNKNOWN, NotificationState.REFUSED):
        with pytest.raises(IllegalTransition, match="not allowed"):
            check_transition(Notification, ended, NotificationState.SENDING, "ack:x")
    with pytest.raises(IllegalTransition):
        check_transition(PollRun, RunState.OK, RunState.RUNNING)
    with pytest.raises(IllegalTransition):
        check_transition(Delivery, PostActionState.NONE, PostActionState.DONE)
    with pytest.raises(IllegalTransition):
        check_transition(Delivery, PostActionState.DONE, PostActionState.PENDING)


def test_transition_sets_the_post_action_column():
    d = Delivery(id=5)
    initial(d, PostActionState.PENDING)
    assert d.post_action_state == "pending"
    s = FakeSession()
    transition(s, d, PostActionState.FAILED, actor="poll", audit=False)
    transition(s, d, PostActionState.DONE, actor="poll", audit=False)
    assert d.post_action_state == "done" and not s.added
    with pytest.raises(IllegalTransition):
        transition(s, d, PostActionState.STALE, actor="poll")


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
