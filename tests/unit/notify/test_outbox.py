"""The ledger: once-only by the UNIQUE dedupe_key, retries of transient failures, refusals
kept, and a crash in the middle of a send reported, never resent blindly."""

from __future__ import annotations

import email
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from dienhinh.notify.compose import alert_mail
from dienhinh.notify.outbox import Outbox, make_key
from dienhinh.notify.transport import (
    DryRunTransport,
    PermanentSendError,
    ServerUnavailable,
    TransientSendError,
)
from dienhinh.store.models import Notification
from notifykit import ICT, Recording

NOW = datetime(2018, 3, 22, 9, 0, tzinfo=ICT)


@pytest.fixture
def env(notify_env):
    return notify_env(admins=["quantri@laocai.gov.vn"])


def _send(box: Outbox, key: str = "alert:test") -> str | None:
    msg = alert_mail(
        box.cfg, to=["quantri@laocai.gov.vn"], subject="Thử", body="Nội dung", now=box.now
    )
    return box.send(kind="alert", key=key, msg=msg, recipients=["quantri@laocai.gov.vn"])


def _box(env, transport, now=NOW) -> Outbox:
    return Outbox(env.engine, env.notify(), transport, now=now)


def test_a_key_is_sent_once(env):
    """GIVEN a key already sent WHEN another run (or worker) sends it THEN nothing goes out."""
    t = Recording()
    assert _send(_box(env, t)) == "sent"
    assert _send(_box(env, t, NOW + timedelta(hours=1))) is None
    assert len(t.sent) == 1
    [row] = env.rows()
    assert (row.status, row.kind, row.recipient, row.subject) == (
        "sent", "alert", "quantri@laocai.gov.vn", "[dienhinh] Thử",
    )  # fmt: skip
    assert row.sent_at == NOW and row.error is None


def test_a_key_claimed_by_another_worker_is_left_alone(env):
    """GIVEN another worker's row in 'sending' (its attempt in flight) WHEN we try the key
    THEN we neither send nor touch the row."""
    with Session(env.engine) as s:
        s.add(Notification(kind="alert", dedupe_key="alert:test", status="sending",
                           created_at=NOW, sent_at=NOW))  # fmt: skip
        s.commit()
    t = Recording()
    assert _send(_box(env, t, NOW + timedelta(minutes=1))) is None
    assert t.sent == [] and env.rows()[0].status == "sending"


def test_transient_failure_is_retried_by_the_next_run(env):
    t = Recording(fail_with=[TransientSendError("451 4.7.1 greylisted, try again")])
    assert _send(_box(env, t)) == "failed"
    [row] = env.rows()
    assert row.status == "failed" and "greylisted" in row.error and row.sent_at is None
    later = NOW + timedelta(minutes=30)
    assert _send(_box(env, t, later)) == "sent"
    [row] = env.rows()
    assert row.status == "sent" and row.error is None and row.sent_at == later
    assert len(t.sent) == 1


def test_failed_rows_are_not_retried_after_the_retry_window(env):
    t = Recording(fail_with=[TransientSendError("421 busy")])
    _send(_box(env, t))
    too_late = NOW + timedelta(hours=env.notify().retry_hours, minutes=1)
    assert _send(_box(env, t, too_late)) is None
    assert t.sent == [] and env.rows()[0].status == "failed"


def test_permanent_refusal_is_recorded_and_not_retried(env):
    t = Recording(fail_with=[PermanentSendError("550 5.1.1 no such user")])
    assert _send(_box(env, t)) == "refused"
    assert _send(_box(env, t, NOW + timedelta(hours=1))) is None
    [row] = env.rows()
    assert row.status == "refused" and "550" in row.error and t.sent == []


def test_server_unavailable_is_recorded_then_raised(env):
    t = Recording(fail_with=[ServerUnavailable("smtp://127.0.0.1:1: ConnectionRefusedError")])
    with pytest.raises(ServerUnavailable):
        _send(_box(env, t))
    assert env.rows()[0].status == "failed"


def test_an_interrupted_send_is_reported_unknown_and_never_resent(env):
    """GIVEN a crash after the claim (row left 'sending') WHEN a later run starts
    THEN before the timeout the row is left alone; after it, the row becomes 'unknown' with
    an explanation, and the key is not sent again."""
    with Session(env.engine) as s:
        s.add(Notification(kind="alert", dedupe_key="alert:test", status="sending",
                           recipient="quantri@laocai.gov.vn",
                           created_at=NOW, sent_at=NOW))  # fmt: skip
        s.commit()
    timeout = timedelta(minutes=env.notify().sending_timeout_minutes)
    t = Recording()
    assert _box(env, t, NOW + timeout - timedelta(seconds=1)).reap_stale() == 0
    assert env.rows()[0].status == "sending"
    box = _box(env, t, NOW + timeout + timedelta(seconds=1))
    assert box.reap_stale() == 1
    [row] = env.rows()
    assert row.status == "unknown" and "may or may not have been delivered" in row.error
    assert _send(box) is None and t.sent == []


def test_skip_records_the_reason_once(env):
    box = _box(env, Recording())
    assert box.skip(kind="ack", key="ack:x@y", reason="auto-reply", recipients=["a@b.vn"])
    assert not box.skip(kind="ack", key="ack:x@y", reason="again")
    [row] = env.rows()
    assert (row.status, row.error) == ("skipped", "auto-reply")
    assert _send(box, "ack:x@y") is None


def test_enabling_time_is_recorded_by_the_first_run(env):
    first = _box(env, Recording()).mark_enabled("ack")
    again = _box(env, Recording(), NOW + timedelta(days=3)).mark_enabled("ack")
    assert first == again == NOW


def test_long_keys_are_hashed_to_fit_the_column():
    key = make_key("ack", "x" * 1000 + "@laocai.gov.vn")
    assert key.startswith("ack:sha256:") and len(key) < 100
    assert make_key("ack", "a@b") == "ack:a@b"


def test_dry_run_writes_each_mail_once_as_eml(env, tmp_path):
    folder = tmp_path / "outbox"
    assert _send(_box(env, DryRunTransport(folder))) == "dry-run"
    assert _send(_box(env, DryRunTransport(folder))) is None
    [path] = folder.glob("*.eml")
    [row] = env.rows()
    assert row.status == "dry-run" and row.path == str(path)
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "[dienhinh] Thử"
    assert "Nội dung" in msg.get_body().get_content()


def test_dedupe_key_is_unique_in_the_database(env):
    """The guarantee rests on the constraint itself, not on our reads."""
    from sqlalchemy.exc import IntegrityError

    with Session(env.engine) as s:
        s.add(Notification(kind="ack", dedupe_key="ack:k", status="sent", created_at=NOW))
        s.commit()
        s.add(Notification(kind="ack", dedupe_key="ack:k", status="sending", created_at=NOW))
        with pytest.raises(IntegrityError):
            s.commit()
        s.rollback()
