"""Accounts, sessions and throttling, against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, create_engine, select, update
from sqlalchemy.orm import Session

from dienhinh.review import auth
from dienhinh.review.config import ReviewConfig
from dienhinh.store.migrate import upgrade
from dienhinh.store.models import AuditLog, LoginThrottle, User, WebSession, utcnow

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


def _age(s: Session, seconds: float) -> None:
    """Time passes for the throttle's counters."""
    s.execute(
        update(LoginThrottle).values(
            blocked_until=LoginThrottle.blocked_until - seconds,
            last_attempt=LoginThrottle.last_attempt - seconds,
        )
    )
    s.commit()


def test_throttle_is_per_address_doubles_and_a_success_resets_it(s: Session) -> None:
    for _ in range(3):
        assert not _login(s, "wrong").ok
    locked = _login(s)  # the right password, but blocked at this address: not checked
    assert not locked.ok and 25 < locked.wait_seconds <= 30
    # Another address is not blocked: five wrong passwords from an attacker's machine do
    # not lock the account's owner out.
    assert _login(s, ip="10.0.0.2").ok
    _age(s, 31)
    assert not _login(s, "wrong").ok  # the fourth failure in a row: 60 s
    assert 55 < auth.lockout_remaining(s, "mai", "10.0.0.1", CFG) <= 60
    assert not _login(s).ok
    _age(s, 61)
    assert _login(s).ok
    assert auth.lockout_remaining(s, "mai", "10.0.0.1", CFG) == 0
    # After a success the count starts again: three failures before any wait.
    for _ in range(2):
        assert not _login(s, "wrong").ok
    assert _login(s).ok
    # The cap.
    for _ in range(12):
        _login(s, "wrong", ip="10.0.0.3")
        _age(s, 400)
    _login(s, "wrong", ip="10.0.0.3")
    assert 295 < auth.lockout_remaining(s, "mai", "10.0.0.3", CFG) <= 300


def test_concurrent_attempts_are_counted_before_any_is_checked(db_url: str) -> None:
    """Fifteen attempts at once against a limit of 3: the check and the count are one
    conditional UPDATE, so exactly 3 get through, on SQLite (a real file) and PostgreSQL."""
    import threading

    from dienhinh.store.db import make_engine

    engine = (
        make_engine(db_url, pool_size=16, max_overflow=0)
        if "postgresql" in db_url
        else (make_engine(db_url))
    )
    upgrade(engine)
    start = threading.Barrier(15)
    waits: list[float] = []

    def attempt() -> None:
        with Session(engine) as session:
            start.wait()
            waits.append(auth.reserve_attempt(session, "mai", "10.0.0.1", CFG))

    threads = [threading.Thread(target=attempt) for _ in range(15)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    engine.dispose()
    assert len(waits) == 15
    assert sum(1 for w in waits if w == 0) == CFG.login_max_failures
    assert all(0 < w <= CFG.lockout_base_seconds + 1 for w in waits if w)


def test_the_address_counter_spans_logins(s: Session) -> None:
    """Guessing many logins from one address (password spraying) is slowed too, at that
    address only: ip_max_failures (10 here) failures whatever the login."""
    for i in range(10):
        assert not auth.attempt_login(
            s, f"x{i}", "wrong", ip="10.0.0.9", user_agent="t", cfg=CFG
        ).ok
    assert _login(s, ip="10.0.0.9").wait_seconds > 0
    assert _login(s, ip="10.0.0.10").ok


def test_logins_are_one_account_in_any_case(s: Session) -> None:
    with pytest.raises(auth.AccountError) as err:
        auth.add_user(s, "MAI", "mot-mat-khau-khac-han", role="editor", display_name="", actor="t")
    assert err.value.code == "exists"
    found = auth.find_user(s, "  mAi ")
    assert found is not None and found.login == "mai"
    assert auth.attempt_login(s, "MAI", PW, ip="10.0.0.1", user_agent="t", cfg=CFG).ok
    auth.set_active(s, "Mai", False, actor="t")
    s.commit()
    assert not auth.attempt_login(s, "mai", PW, ip="10.0.0.1", user_agent="t", cfg=CFG).ok


def test_a_login_matching_no_account_is_not_stored(s: Session) -> None:
    """Someone types a password into the login field: the audit log and the throttle keep
    a marker and a hash, never the text."""
    typed = "toi-la-mat-khau-bi-mat"
    assert not auth.attempt_login(s, typed, "x", ip="10.0.0.1", user_agent="t", cfg=CFG).ok
    row = s.execute(select(AuditLog).where(AuditLog.action == "login-failed")).scalar_one()
    assert row.actor == auth.UNKNOWN_LOGIN
    assert row.after == {"ip": "10.0.0.1", "login": auth.UNKNOWN_LOGIN, "why": "unknown-login"}
    keys = list(s.execute(select(LoginThrottle.key)).scalars())
    assert keys and all(len(k) == 64 and typed not in k for k in keys)


def test_weak_passwords_are_refused_for_new_and_changed_accounts(s: Session) -> None:
    for pw in ("ngan-qua", "laocai@2024!", "Password2024!", "hoa-ngay-xuan-1", "123456789012345"):
        with pytest.raises(auth.AccountError) as err:
            auth.add_user(s, "hoa", pw, role="editor", display_name="", actor="t")
        assert err.value.code == "password" and err.value.shown
    with pytest.raises(auth.AccountError):
        auth.set_password(s, "mai", "mai-mai-mai-2024", actor="t")


def test_csrf_comparison() -> None:
    assert auth.csrf_matches("abc", "abc")
    assert not auth.csrf_matches("abc", "abd")
    assert not auth.csrf_matches("abc", None)
    assert not auth.csrf_matches("", "")
    assert not auth.csrf_matches("abc", "ábc")
