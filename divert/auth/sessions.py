"""Signed-in sessions: a fresh session at sign-in, idle and absolute time-outs."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, flash, g, session
from flask_login import current_user, login_user, logout_user

from divert.models import User, utcnow


def start_session(user: User) -> None:
    """Drop everything of the anonymous session, so no earlier cookie value stays valid."""
    session.clear()
    login_user(user)
    now = utcnow().isoformat()
    session["sid"] = secrets.token_urlsafe(32)
    session["signed_in_at"] = now
    session["last_seen"] = now
    session.permanent = False


def end_session() -> None:
    logout_user()
    session.clear()


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
        flash(reason, "info")
        return
    session["last_seen"] = utcnow().isoformat()
