"""Managers' review of possible repeat referrals: same person or different person."""

from __future__ import annotations

from flask import Flask

from divert.reviews.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
