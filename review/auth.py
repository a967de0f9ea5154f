"""Accounts, server-side sessions and login throttling for the console.

* Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended set);
  a hash made with older parameters is replaced at the next login.
* A session is a random cookie token; the database keeps only its sha256 (``WebSession.id``),
  so a copy of the database gives no usable cookie. Every login creates a new row and a new
  token (no session fixation); a session ends after ``session_idle_minutes`` without a
  request or ``session_max_hours`` after login, whichever comes first.
* Throttling counts failed logins since the last success per (login, client address) pair
  and per address, in ``LoginThrottle``, atomically (see "throttling" below): past the
  allowed number each further failure doubles the wait (1 s, 2 s, 4 s, ... up to 15
  minutes). While blocked, the password is not even checked. Another address is never
  blocked by this one's failures.
* Logins are compared case-insensitively everywhere (:func:`normal_login`); passwords
  follow review/passwords.py (12 characters, not a common or obvious one).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from dienhinh.core.errors import DienhinhError
from dienhinh.review.config import ReviewConfig
from dienhinh.review.passwords import MIN_LENGTH, password_problem
from dienhinh.store.audit import record_audit
from dienhinh.store.models import LoginThrottle, User, WebSession, utcnow

__all__ = [
    "MIN_PASSWORD",
    "ROLES",
    "UNKNOWN_LOGIN",
    "AccountError",
    "LoginResult",
    "SessionInfo",
    "add_user",
    "attempt_login",
    "csrf_matches",
    "end_session",
    "find_user",
    "load_session",
    "lockout_remaining",
    "normal_login",
    "reserve_attempt",
    "set_active",
    "set_password",
    "set_role",
    "throttle_delay",
    "token_hash",
]

ROLES = ("editor", "admin")
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,99}")
MIN_PASSWORD = MIN_LENGTH
# Who a failed login names when the typed login matches no account (the text is not kept).
UNKNOWN_LOGIN = "(không có tài khoản)"
_HASHER = PasswordHasher()
# Verified when the login does not exist, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))
# last_seen_at is written at most this often (one write per request would contend with the
# worker on SQLite for no gain).
_TOUCH_EVERY = timedelta(seconds=60)


class AccountError(DienhinhError):
    """An account operation was refused. ``code``: "login" (invalid), "exists", "unknown",
    "role" or "password"; ``shown``: the Vietnamese sentence for the page, when the
    message itself is not for editors."""

    def __init__(self, message: str, *, code: str = "login", shown: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.shown = shown


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a form's CSRF token with the session's."""
    if not given or not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


# --- accounts ---------------------------------------------------------------------------


def normal_login(login: str) -> str:
    """The one form a login is stored and compared in: trimmed, lower case. "Boss2" and
    "boss2" are the same account everywhere (creation, lookups, the admin's own-account
    checks)."""
    return login.strip().lower()


def _check_password(password: str, login: str) -> None:
    problem = password_problem(password, login)
    if problem is not None:
        raise AccountError(f"password refused: {problem}", code="password", shown=problem)


def find_user(session: Session, login: str) -> User | None:
    """The account named ``login`` in any case, or None."""
    return session.execute(
        select(User).where(func.lower(User.login) == normal_login(login))
    ).scalar_one_or_none()


def add_user(
    session: Session, login: str, password: str, *, role: str, display_name: str, actor: str
) -> User:
    login = normal_login(login)
    if not _LOGIN.fullmatch(login):
        raise AccountError(f"invalid login {login!r}", code="login")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use {' or '.join(ROLES)}", code="role")
    _check_password(password, login)
    if find_user(session, login) is not None:
        raise AccountError(f"user {login} already exists", code="exists")
    user = User(
        login=login,
        display_name=display_name.strip() or login,
        password_hash=_HASHER.hash(password),
        role=role,
        active=True,
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    _audit(session, actor, user, "user:add", None, {"login": login, "role": role})
    return user


def _get(session: Session, login: str) -> User:
    user = find_user(session, login)
    if user is None:
        raise AccountError(f"no user {login!r}", code="unknown")
    return user


def set_password(session: Session, login: str, password: str, *, actor: str) -> User:
    """A new password; every open session of the user ends."""
    user = _get(session, login)
    _check_password(password, user.login)
    user.password_hash = _HASHER.hash(password)
    user.password_changed_at = utcnow()
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    _audit(session, actor, user, "user:password", None, None)
    return user


def set_active(session: Session, login: str, active: bool, *, actor: str) -> User:
    """Disable (ending every session) or re-enable an account; the row stays."""
    user = _get(session, login)
    before = user.active
    user.active = active
    if not active:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    _audit(
        session,
        actor,
        user,
        "user:enable" if active else "user:disable",
        {"active": before},
        {"active": active},
    )
    return user


def set_role(session: Session, login: str, role: str, *, actor: str) -> User:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use {' or '.join(ROLES)}", code="role")
    user = _get(session, login)
    before = user.role
    user.role = role
    _audit(session, actor, user, "user:role", {"role": before}, {"role": role})
    return user


def _audit(
    session: Session,
    actor: str,
    user: User,
    action: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> None:
    record_audit(
        session,
        actor=actor,
        object_type="user",
        object_id=user.id,
        action=action,
        before=before,
        after=after,
    )


# --- throttling ---------------------------------------------------------------------------
# One counter per (login, client address) pair and one per address (LoginThrottle). An
# attempt is counted *before* its password is checked, by one conditional UPDATE that
# succeeds only while the counter is not blocked: concurrent attempts are serialised by the
# database on that row, so 15 requests at once against a limit of 5 check 5 passwords, on
# SQLite and PostgreSQL alike. Past the limit each further failure doubles the wait (1 s,
# 2 s, 4 s, ... up to lockout_max_seconds). The wait is per address: five wrong passwords
# from one address never lock the account for the others, its owner included.

# A counter idle this long starts again from zero.
THROTTLE_WINDOW_SECONDS = 24 * 3600


def throttle_delay(failures: int, allowed: int, base: float, cap: float) -> float:
    """Seconds to wait after ``failures`` failures in a row when ``allowed`` pass freely:
    0 below the limit, then base, 2 base, 4 base, ... never more than ``cap``."""
    if failures < allowed:
        return 0.0
    exponent = failures - allowed
    if exponent >= 62 or base * 2**exponent >= cap:
        return float(cap)
    return float(base * 2**exponent)


def _delay_sql(count: Any, allowed: int, cfg: ReviewConfig) -> Any:
    """:func:`throttle_delay` of the SQL expression ``count``, as one CASE (the steps until
    the cap are few: 10 from 1 s to 15 min)."""
    base, cap = cfg.lockout_base_seconds, cfg.lockout_max_seconds
    whens: list[tuple[Any, float]] = [(count < allowed, 0.0)]
    n = allowed
    while (step := throttle_delay(n, allowed, base, cap)) < cap:
        whens.append((count == n, step))
        n += 1
    return case(*whens, else_=float(cap))


def _throttle_key(kind: str, *parts: str) -> str:
    return hashlib.sha256("\x00".join((kind, *parts)).encode("utf-8", "replace")).hexdigest()


def _insert_missing(session: Session, key: str) -> None:
    """The counter's row, created when missing (INSERT ... ON CONFLICT DO NOTHING)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(LoginThrottle)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(LoginThrottle)
    values = {"key": key, "failures": 0, "blocked_until": 0.0, "last_attempt": 0.0}
    session.execute(stmt.values(**values).on_conflict_do_nothing(index_elements=["key"]))


def _count_attempt(
    session: Session, key: str, allowed: int, cfg: ReviewConfig, now: float
) -> float:
    """Count one attempt on ``key`` if it is not blocked; return 0 when counted, else the
    seconds still to wait. Check and count are the same UPDATE statement."""
    _insert_missing(session, key)
    t = LoginThrottle
    count = case((t.last_attempt < now - THROTTLE_WINDOW_SECONDS, 1), else_=t.failures + 1)
    # Below the limit blocked_until is left alone, so that concurrent attempts with a
    # slightly older clock reading are not refused by one that just passed.
    delay = _delay_sql(count, allowed, cfg)
    blocked = case((count < allowed, t.blocked_until), else_=now + delay)
    result = session.execute(
        update(t)
        .where(t.key == key, t.blocked_until <= now)
        .values(failures=count, blocked_until=blocked, last_attempt=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return 0.0
    until = session.execute(select(t.blocked_until).where(t.key == key)).scalar_one()
    return max(float(until) - now, 0.001)


def _throttle_keys(login: str, ip: str, cfg: ReviewConfig) -> list[tuple[str, int]]:
    keys = [(_throttle_key("pair", login, ip), cfg.login_max_failures)]
    if ip:
        keys.append((_throttle_key("ip", ip), cfg.ip_max_failures))
    return keys


def reserve_attempt(session: Session, login: str, ip: str, cfg: ReviewConfig) -> float:
    """Count an attempt of ``login`` from ``ip`` before its password is checked; commits.
    Returns 0 when the attempt may go on, else the seconds to wait (nothing is counted)."""
    now = time.time()
    for key, allowed in _throttle_keys(normal_login(login)[:100], ip[:100], cfg):
        wait = _count_attempt(session, key, allowed, cfg, now)
        if wait > 0:
            session.rollback()
            return wait
    session.commit()
    return 0.0


def _succeeded(session: Session, login: str, ip: str, cfg: ReviewConfig) -> None:
    """A right password: the pair's counter starts again; the address's gets its attempt
    back (an office behind one address logs in all day). Stale counters are dropped."""
    t = LoginThrottle
    (pair, _), *by_ip = _throttle_keys(login, ip, cfg)
    session.execute(
        update(t)
        .where(t.key == pair)
        .values(failures=0, blocked_until=0.0)
        .execution_options(synchronize_session=False)
    )
    for key, _allowed in by_ip:
        session.execute(
            update(t)
            .where(t.key == key, t.failures > 0)
            .values(failures=t.failures - 1)
            .execution_options(synchronize_session=False)
        )
    now = time.time()
    session.execute(
        delete(t)
        .where(t.last_attempt < now - THROTTLE_WINDOW_SECONDS, t.blocked_until < now)
        .execution_options(synchronize_session=False)
    )


def lockout_remaining(session: Session, login: str, ip: str, cfg: ReviewConfig) -> float:
    """Seconds until ``login`` from ``ip`` may try again (0: now); counts nothing."""
    now = time.time()
    keys = [k for k, _allowed in _throttle_keys(normal_login(login)[:100], ip[:100], cfg)]
    until = session.execute(
        select(func.max(LoginThrottle.blocked_until)).where(LoginThrottle.key.in_(keys))
    ).scalar()
    return max(0.0, float(until or 0.0) - now)


# --- sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    session_id: str  # sha256 of the cookie token
    user_id: int
    login: str
    display_name: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    token: str = ""  # the new cookie value when ok
    wait_seconds: float = 0.0  # > 0: throttled, nothing was checked


def attempt_login(
    session: Session, login: str, password: str, *, ip: str, user_agent: str, cfg: ReviewConfig
) -> LoginResult:
    """Check a login; on success create a fresh session row and return its token. Commits.

    The attempt is counted first (:func:`reserve_attempt`); a throttled one checks
    nothing. A login that names no account is audited as ``UNKNOWN_LOGIN``: what was typed
    is not kept (it is often a password typed into the wrong field)."""
    login = normal_login(login)[:100]
    ip = ip[:100]
    wait = reserve_attempt(session, login, ip, cfg)
    if wait > 0:
        return LoginResult(ok=False, wait_seconds=wait)
    user = find_user(session, login) if _LOGIN.fullmatch(login) else None
    ok = False
    try:
        ok = _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    verified = ok
    ok = ok and user is not None and user.active
    if not ok or user is None:
        # Audited (admins read it at /admin/audit) with why, which only admins see. A
        # throttled attempt is not: nothing was checked, and an attacker hammering a locked
        # login would otherwise grow the log without bound.
        why = "unknown-login" if user is None else ("disabled" if verified else "password")
        name = user.login if user is not None else UNKNOWN_LOGIN
        record_audit(
            session,
            actor=name,
            object_type="user",
            object_id=user.id if user is not None else 0,
            action="login-failed",
            before=None,
            after={"ip": ip, "login": name, "why": why},
        )
        session.commit()
        return LoginResult(ok=False)
    _succeeded(session, login, ip, cfg)
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=cfg.session_max_hours),
            ip=ip,
            user_agent=user_agent[:500],
        )
    )
    user.last_login_at = now
    record_audit(
        session,
        actor=user.login,
        object_type="user",
        object_id=user.id,
        action="login",
        before=None,
        after={"ip": ip, "user_agent": user_agent[:200]},
    )
    # Expired sessions of anyone are removed here, where a write happens anyway.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.commit()
    return LoginResult(ok=True, token=token)


def load_session(session: Session, token: str | None, cfg: ReviewConfig) -> SessionInfo | None:
    """The live session behind a cookie token, or None (expired ones are deleted)."""
    if not token or len(token) > 200:
        return None
    sid = token_hash(token)
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id == sid)
    ).first()
    if row is None:
        return None
    ws, user = row
    now = utcnow()
    idle = timedelta(minutes=cfg.session_idle_minutes)
    if not user.active or ws.expires_at <= now or ws.last_seen_at + idle <= now:
        session.delete(ws)
        session.commit()
        return None
    if now - ws.last_seen_at >= _TOUCH_EVERY:
        ws.last_seen_at = now
        session.commit()
    return SessionInfo(
        session_id=sid,
        user_id=user.id,
        login=user.login,
        display_name=user.display_name or user.login,
        role=user.role,
        csrf_token=ws.csrf_token,
    )


def end_session(
    session: Session, session_id: str, *, user: SessionInfo | None = None, ip: str = ""
) -> None:
    """End one session (logout); with ``user``, the logout is audited with the address."""
    session.execute(delete(WebSession).where(WebSession.id == session_id))
    if user is not None:
        record_audit(
            session,
            actor=user.login,
            object_type="user",
            object_id=user.user_id,
            action="logout",
            before=None,
            after={"ip": ip[:100]},
        )
    session.commit()
