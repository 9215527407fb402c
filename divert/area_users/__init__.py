"""A manager's officers and educators: invite, change role, deactivate."""

from __future__ import annotations

from flask import Flask

from divert.area_users.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
