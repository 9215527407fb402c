"""Search: find a case by name, reference or crime reference within the area."""

from __future__ import annotations

from flask import Flask

from divert.search.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
