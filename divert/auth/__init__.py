"""Accounts: sign-in, sessions and passwords."""

from __future__ import annotations

from flask import Flask

from divert.auth.sessions import enforce_timeouts
from divert.auth.views import bp
from divert.extensions import db, login_manager
from divert.models import User


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(enforce_timeouts)
    app.register_blueprint(bp)
