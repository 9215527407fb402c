"""Signed-in sessions, kept on the server: a fresh session at sign-in, idle and absolute
time-outs, and ending sessions from anywhere (sign-out, a password change or reset, a
deactivated account, an administrator's "sign out everywhere").

The cookie carries a random session secret; the `user_session` table keeps its SHA-256 and
whether the session has ended. Each request costs one lookup by that unique hash, which also
loads the user (it replaces the user lookup Flask-Login would make anyway).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, flash, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update

from divert.extensions import db
from divert.models import User, UserSession, utcnow
from divert.tenancy import with_own_memberships

# The session's last activity is written at most this often: the account page is accurate to
# the minute without a write on every request.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(user: User) -> None:
    """Drop everything of the anonymous session, so no earlier cookie value stays valid, and
    record the new session (the caller commits)."""
    session.clear()
    login_user(user)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    record = UserSession(
        user_id=user.id,
        secret_hash=_digest(secret),
        created_at=now,
        last_seen_at=now,
        address=(request.remote_addr or "")[:45] or None,
        user_agent=request.user_agent.string[:200] or None,
    )
    db.session.add(record)
    g.user_session = record
    session["sid"] = secret
    session["signed_in_at"] = now.isoformat()
    session["last_seen"] = now.isoformat()
    session.permanent = False


def end_session() -> None:
    """End this browser's session, on the server as well as in the cookie (the caller commits)."""
    record: UserSession | None = g.pop("user_session", None)
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
    logout_user()
    session.clear()


def end_sessions(user: User, *, keep: UserSession | None = None) -> None:
    """End every session of `user` but `keep` (the caller commits): a copied cookie stops
    working at once."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    db.session.execute(query.values(ended_at=utcnow()))


def current_session() -> UserSession | None:
    """The server record of this request's session, once the user is loaded."""
    return g.get("user_session")


def user_of_session(user_id: str) -> User | None:
    """Flask-Login's user loader for pages: the user of a live session whose secret the cookie
    carries, never just the user id the cookie names."""
    secret = session.get("sid")
    if not isinstance(secret, str) or not secret:
        return None
    # Memberships in the same statement: every area page checks the role held there.
    row = with_own_memberships(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.secret_hash == _digest(secret), UserSession.ended_at.is_(None))
    )
    if row is None or str(row.User.id) != user_id or not row.User.active:
        return None
    g.user_session = row.UserSession
    return row.User


def active_sessions(user: User) -> list[UserSession]:
    """Sessions of `user` that would still open a page, most recently used first."""
    now = utcnow()
    config = current_app.config
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.last_seen_at > now - config["SESSION_IDLE_TIMEOUT"],
                UserSession.created_at > now - config["SESSION_ABSOLUTE_TIMEOUT"],
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    )


def _expired() -> str | None:
    now = utcnow()
    try:
        signed_in_at = datetime.fromisoformat(session["signed_in_at"])
        last_seen = datetime.fromisoformat(session["last_seen"])
    except (KeyError, TypeError, ValueError):
        return "You have been signed out. Sign in again."
    if now - signed_in_at > current_app.config["SESSION_ABSOLUTE_TIMEOUT"]:
        return "You have been signed out because you have been signed in for a long time."
    if now - last_seen > current_app.config["SESSION_IDLE_TIMEOUT"]:
        return "You have been signed out because you did not do anything for a while."
    return None


def enforce_timeouts() -> None:
    """Before each request: end a session past either time-out, else note the activity."""
    if not current_user.is_authenticated or g.get("api_token") is not None:
        return  # an API token has no session to time out (and must not start one)
    reason = _expired()
    if reason:
        end_session()
        db.session.commit()
        flash(reason, "info")
        return
    now = utcnow()
    session["last_seen"] = now.isoformat()
    record = current_session()
    if record is not None and now - record.last_seen_at > LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        db.session.commit()
