"""The educator workspace: diary, caseload, cases, attendance."""

from __future__ import annotations

from flask import Flask

from divert.sessions.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
