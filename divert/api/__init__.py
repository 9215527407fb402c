"""The JSON API at /api/v1/: marshmallow schemas, an OpenAPI document made from them, bearer
tokens, a rate limit per token. A thin layer over the same services as the web pages."""

from __future__ import annotations

from flask import Flask

from divert.api import attendance, docs, figures, programmes, referrals
from divert.api.blueprint import bp
from divert.extensions import csrf

# Importing the view modules registers their operations on the blueprint.
__all__ = ["attendance", "docs", "figures", "init_app", "programmes", "referrals"]


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # no cookies are accepted on the API, so there is nothing to forge
    app.register_blueprint(bp)
