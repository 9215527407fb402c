"""The educator workspace: cases (caseload, case page), the diary, and attendance."""

from __future__ import annotations

from flask import Flask

from divert.sessions import attendance, cases, diary  # noqa: F401  (their routes join the blueprint)
from divert.sessions.blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
