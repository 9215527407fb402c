"""The JSON API at /api/v1/: marshmallow schemas, an OpenAPI document made from them, bearer
tokens, a rate limit per token. A thin layer over the same services as the web pages."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from divert.api import attendance, docs, figures, referrals
from divert.api.blueprint import bp
from divert.api.schemas import MAX_ID
from divert.extensions import csrf

# Importing the view modules registers their operations on the blueprint.
__all__ = ["attendance", "docs", "figures", "init_app", "referrals"]


class RecordId(IntegerConverter):
    """A record id in a URL: 1 to the largest id the database holds. A larger number matches
    no route (404) instead of overflowing the database driver."""

    def __init__(self, url_map: object) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RecordId  # before the blueprint's rules are added
    csrf.exempt(bp)  # no cookies are accepted on the API, so there is nothing to forge
    app.register_blueprint(bp)
