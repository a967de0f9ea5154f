"""Accounts, sessions and throttling, against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from dienhinh.review import auth
from dienhinh.review.config import ReviewConfig
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import LoginAttempt, User, WebSession, utcnow

CFG = ReviewConfig(
    login_max_failures=3,
    ip_max_failures=10,
    lockout_base_seconds=30,
    lockout_max_seconds=300,
    session_idle_minutes=30,
    session_max_hours=8,
)
PW = "mot-mat-khau-dai"


@pytest.fixture
def s(db_url: str) -> Iterator[Session]:
    eng: Engine = create_engine(db_url)
    upgrade(eng)
    with Session(eng) as session:
        auth.add_user(session, "Mai", PW, role="editor", display_name="Lý Thị Mai", actor="t")
        session.commit()
        yield session
    eng.dispose()


def _login(s: Session, password: str = PW, ip: str = "10.0.0.1") -> auth.LoginResult:
    return auth.attempt_login(s, "mai", password, ip=ip, user_agent="t", cfg=CFG)


def test_accounts_are_checked(s: Session) -> None:
    user = s.execute(select(User)).scalar_one()
    assert user.login == "mai" and user.password_hash.startswith("$argon2id$")
    for login, pw, role in (
        ("mai", PW, "editor"),
        ("x y", PW, "editor"),
        ("an", "ngan", "editor"),
        ("an", PW, "boss"),
        ("../a", PW, "editor"),
    ):
        with pytest.raises(auth.AccountError):
            auth.add_user(s, login, pw, role=role, display_name="", actor="t")


def test_login_makes_a_new_session_each_time(s: Session) -> None:
    first, second = _login(s), _login(s)
    assert first.ok and second.ok and first.token != second.token
    info = auth.load_session(s, first.token, CFG)
    assert info is not None and info.login == "mai" and info.role == "editor"
    assert auth.load_session(s, "not-a-token", CFG) is None
    stored = set(s.execute(select(WebSession.id)).scalars())
    assert first.token not in stored and auth.token_hash(first.token) in stored
    assert not _login(s, "wrong").ok


def test_sessions_expire_when_idle_and_after_the_absolute_limit(s: Session) -> None:
    idle, absolute = _login(s).token, _login(s).token
    rows = {r.id: r for r in s.execute(select(WebSession)).scalars()}
    rows[auth.token_hash(idle)].last_seen_at = utcnow() - timedelta(minutes=31)
    rows[auth.token_hash(absolute)].expires_at = utcnow() - timedelta(seconds=1)
    s.commit()
    assert auth.load_session(s, idle, CFG) is None
    assert auth.load_session(s, absolute, CFG) is None
    assert s.execute(select(WebSession)).first() is None  # both deleted


def test_password_change_and_disabling_end_sessions(s: Session) -> None:
    token = _login(s).token
    auth.set_password(s, "mai", "mot-mat-khau-moi", actor="t")
    s.commit()
    assert auth.load_session(s, token, CFG) is None
    assert not _login(s).ok and _login(s, "mot-mat-khau-moi").ok
    token = _login(s, "mot-mat-khau-moi").token
    auth.set_active(s, "mai", False, actor="t")
    s.commit()
    assert auth.load_session(s, token, CFG) is None
    assert not _login(s, "mot-mat-khau-moi").ok  # a disabled account cannot log in


def test_lockout_doubles_with_each_failure_and_a_success_resets_it(s: Session) -> None:
    for _ in range(3):
        assert not _login(s, "wrong").ok
    locked = _login(s)  # the right password, but locked: not checked
    assert not locked.ok and 25 < locked.wait_seconds <= 30
    # Four failures in a row (the last just now) wait 60 s; five, 120 s.
    s.add(LoginAttempt(login="mai", ip="10.0.0.1", ok=False))
    s.commit()
    assert 55 < auth.lockout_remaining(s, "mai", "10.0.0.2", CFG) <= 60
    for row in s.execute(select(LoginAttempt)).scalars():
        row.at = row.at - timedelta(minutes=10)  # time passes
    s.commit()
    assert _login(s).ok
    assert auth.lockout_remaining(s, "mai", "10.0.0.1", CFG) == 0
    # The cap.
    for _ in range(12):
        s.add(LoginAttempt(login="mai", ip="", ok=False))
    s.commit()
    assert 295 < auth.lockout_remaining(s, "mai", "", CFG) <= 300


def test_csrf_comparison() -> None:
    assert auth.csrf_matches("abc", "abc")
    assert not auth.csrf_matches("abc", "abd")
    assert not auth.csrf_matches("abc", None)
    assert not auth.csrf_matches("", "")
    assert not auth.csrf_matches("abc", "ábc")
