"""The JSON API at /api/v1/ on flask-smorest: marshmallow schemas that check each request and
make the OpenAPI document, bearer tokens, a rate limit per token. A thin layer over the same
use cases as the web pages."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api
from werkzeug.routing import UnicodeConverter

from divert.api import (
    attendance,
    cars_figures,
    custody,
    docs,
    figures,
    outcomes,
    programmes,
    referrals,
)
from divert.api.blueprint import bp
from divert.api.schemas import Error
from divert.extensions import csrf

# Importing the view modules registers their operations on the blueprint.
__all__ = [
    "attendance",
    "cars_figures",
    "custody",
    "docs",
    "figures",
    "init_app",
    "outcomes",
    "programmes",
    "referrals",
]

DESCRIPTION = (
    "Referrals, slots, attendance and figures of a PCC area's drug diversion scheme. "
    "Send an API token made on the service's API tokens page in an "
    "Authorization: Bearer <token> header. "
    "A token works only in the area (or region) it was made for, with its holder's role there."
)
SLUG_PATTERN = "^[a-z0-9-]{1,64}$"


def _slug_schema(_converter: UnicodeConverter) -> dict[str, str]:
    return {"type": "string", "pattern": SLUG_PATTERN}


class DivertApi(Api):
    """flask-smorest, answering errors in divert's one JSON shape (divert.errors) and
    documenting each error status an operation declares, with no catch-all default."""

    ERROR_SCHEMA = Error
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """divert.errors answers every error, the API's in JSON."""

    def _register_pagination_header(self) -> None:
        """Lists carry their page, total and links in the body (divert.api.paging), not in
        flask-smorest's X-Pagination header."""


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # no cookies are accepted on the API, so there is nothing to forge
    api = DivertApi(
        app,
        spec_kwargs={
            "title": "divert API",
            "version": "1.0.0",
            "openapi_version": "3.0.3",
            "info": {"description": DESCRIPTION},
        },
    )
    api.spec.components.security_scheme(
        "bearerToken", {"type": "http", "scheme": "bearer", "description": "An API token"}
    )
    # Record ids (divert.urls.RecordId) are documented with their bounds by flask-smorest;
    # every other path parameter of the API is an area's or a region's slug.
    api.register_converter(UnicodeConverter, _slug_schema)
    api.register_blueprint(bp)
