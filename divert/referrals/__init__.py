"""The officer pathway and the referral's life: submission, references, status, bookings."""

from __future__ import annotations

from flask import Flask

from divert.referrals.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
