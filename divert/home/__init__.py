"""The front door: the service's root, each area's home page and the health check."""

from __future__ import annotations

from flask import Flask

from divert.home import navigation
from divert.home.views import bp


def init_app(app: Flask) -> None:
    navigation.init_app(app)
    app.register_blueprint(bp)
