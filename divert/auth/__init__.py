"""Accounts: sign-in, sessions, passwords and API tokens."""

from __future__ import annotations

from flask import Flask, request

from divert.auth import token_views, tokens
from divert.auth.sessions import enforce_timeouts, user_of_session
from divert.auth.views import bp
from divert.extensions import login_manager
from divert.models import User


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a live signed-in session. The API never accepts a session cookie (so a page
    cannot be made to call it with the visitor's rights): it takes bearer tokens only."""
    if tokens.is_api_request(request):
        return None
    return user_of_session(user_id)


login_manager.request_loader(tokens.user_from_request)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.before_request(enforce_timeouts)
    app.register_blueprint(bp)
    app.register_blueprint(token_views.bp)
