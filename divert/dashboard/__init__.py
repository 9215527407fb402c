"""Figures pages for commissioners, managers and regional leads."""

from __future__ import annotations

from flask import Flask

from divert.dashboard.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
