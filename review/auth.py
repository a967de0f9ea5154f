"""Accounts, server-side sessions and login throttling for the console.

* Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended set);
  a hash made with older parameters is replaced at the next login.
* A session is a random cookie token; the database keeps only its sha256 (``WebSession.id``),
  so a copy of the database gives no usable cookie. Every login creates a new row and a new
  token (no session fixation); a session ends after ``session_idle_minutes`` without a
  request or ``session_max_hours`` after login, whichever comes first.
* Throttling counts failed logins since the last success, per login name and per client
  address, in ``LoginAttempt``: past the allowed number, each further failure doubles the
  wait (30 s, 60 s, 120 s, ... up to an hour). While locked, the password is not even checked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dienhinh.core.errors import DienhinhError
from dienhinh.review.config import ReviewConfig
from dienhinh.store.models import AuditLog, LoginAttempt, User, WebSession, utcnow

__all__ = [
    "ROLES",
    "AccountError",
    "LoginResult",
    "SessionInfo",
    "add_user",
    "attempt_login",
    "csrf_matches",
    "end_session",
    "load_session",
    "lockout_remaining",
    "set_active",
    "set_password",
    "set_role",
    "token_hash",
]

ROLES = ("editor", "admin")
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._@-]{0,99}")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
# Verified when the login does not exist, so an unknown name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))
# last_seen_at is written at most this often (one write per request would contend with the
# worker on SQLite for no gain).
_TOUCH_EVERY = timedelta(seconds=60)


class AccountError(DienhinhError):
    """An account operation was refused (unknown login, bad role, weak password)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a form's CSRF token with the session's."""
    if not given or not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


# --- accounts ---------------------------------------------------------------------------


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def add_user(
    session: Session, login: str, password: str, *, role: str, display_name: str, actor: str
) -> User:
    login = login.strip().lower()
    if not _LOGIN.fullmatch(login):
        raise AccountError(f"invalid login {login!r}")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use {' or '.join(ROLES)}")
    _check_password(password)
    if session.execute(select(User.id).where(User.login == login)).first() is not None:
        raise AccountError(f"user {login} already exists")
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
    user = session.execute(
        select(User).where(User.login == login.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise AccountError(f"no user {login!r}")
    return user


def set_password(session: Session, login: str, password: str, *, actor: str) -> User:
    """A new password; every open session of the user ends."""
    _check_password(password)
    user = _get(session, login)
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
        raise AccountError(f"unknown role {role!r}; use {' or '.join(ROLES)}")
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
    session.add(
        AuditLog(
            actor=actor,
            object_type="user",
            object_id=user.id,
            action=action,
            before=before,
            after=after,
        )
    )


# --- throttling ---------------------------------------------------------------------------


def _failures(
    session: Session, column: object, value: str, since: datetime
) -> tuple[int, datetime | None]:
    """Failures of ``column == value`` after its last success (and after ``since``)."""
    last_ok = session.execute(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok.is_(True))  # type: ignore[operator]
    ).scalar()
    start = max(since, last_ok) if last_ok else since
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            column == value,  # type: ignore[operator]
            LoginAttempt.ok.is_(False),
            LoginAttempt.at > start,
        )
    ).one()
    return int(count), last


def _wait(
    failures: int, allowed: int, last: datetime | None, cfg: ReviewConfig, now: datetime
) -> float:
    if failures < allowed or last is None:
        return 0.0
    delay = min(cfg.lockout_base_seconds * 2 ** (failures - allowed), cfg.lockout_max_seconds)
    return max(0.0, (last + timedelta(seconds=delay) - now).total_seconds())


def lockout_remaining(session: Session, login: str, ip: str, cfg: ReviewConfig) -> float:
    """Seconds until ``login`` from ``ip`` may try again (0: now)."""
    now = utcnow()
    since = now - timedelta(days=1)
    by_login = _failures(session, LoginAttempt.login, login, since)
    by_ip = _failures(session, LoginAttempt.ip, ip, since) if ip else (0, None)
    return max(
        _wait(by_login[0], cfg.login_max_failures, by_login[1], cfg, now),
        _wait(by_ip[0], cfg.ip_max_failures, by_ip[1], cfg, now),
    )


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
    """Check a login; on success create a fresh session row and return its token. Commits."""
    login = login.strip().lower()[:100]
    ip = ip[:100]
    wait = lockout_remaining(session, login, ip, cfg)
    if wait > 0:
        return LoginResult(ok=False, wait_seconds=wait)
    user = session.execute(select(User).where(User.login == login)).scalar_one_or_none()
    ok = False
    try:
        ok = _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    verified = ok
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(login=login, ip=ip, ok=ok))
    if not ok or user is None:
        # Audited (admins read it at /admin/audit) with why, which only admins see. A
        # throttled attempt is not: nothing was checked, and an attacker hammering a locked
        # login would otherwise grow the log without bound.
        why = "unknown-login" if user is None else ("disabled" if verified else "password")
        session.add(
            AuditLog(
                actor=login,
                object_type="user",
                object_id=user.id if user is not None else 0,
                action="login-failed",
                before=None,
                after={"ip": ip, "login": login, "why": why},
            )
        )
        session.commit()
        return LoginResult(ok=False)
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
    session.add(
        AuditLog(
            actor=user.login,
            object_type="user",
            object_id=user.id,
            action="login",
            before=None,
            after={"ip": ip, "user_agent": user_agent[:200]},
        )
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
        session.add(
            AuditLog(
                actor=user.login,
                object_type="user",
                object_id=user.user_id,
                action="logout",
                before=None,
                after={"ip": ip[:100]},
            )
        )
    session.commit()
