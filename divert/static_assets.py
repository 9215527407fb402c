"""Static files: compressed (Flask-Compress), kept by browsers for a year, and named by their
content so that a new release is fetched at once.

`url_for('static', ...)` adds `?v=<hash of the file>`: a changed file gets a new URL, so the
long cache never serves an old one. HTML pages are not compressed: they carry the CSRF token
next to text a visitor can choose (a search term), which compression would let an attacker
read (BREACH).

Files never open the visitor's session: a stylesheet, a font or the favicon answered with the
session cookie would cost a look-up of the signed-in user, a fresh Set-Cookie and a
`Vary: Cookie` that keeps shared caches from storing what is the same for everyone.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from flask_compress import Compress
from werkzeug.wrappers import Response

compress = Compress()

YEAR = 365 * 24 * 3600
HOUR = 3600
COMPRESSED_TYPES = [
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/svg+xml",
    "text/calendar",
]
# GOV.UK Frontend's fonts and images: their names change with each release of the package.
VERSIONED_ENDPOINTS = frozenset({"home.govuk_assets"})
# The endpoints that answer with a file, the same for every visitor.
FILE_ENDPOINTS = frozenset({"static", *VERSIONED_ENDPOINTS})


class _FileRequestSession(SecureCookieSession):
    """A file request's session: empty, whatever cookie came with it, and never saved."""


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except for requests of a file (FILE_ENDPOINTS)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Flask matches the URL just after opening the session; matching it here first tells a
        # file apart (the second match finds the same rule).
        if request_ctx.url_adapter is not None:
            request_ctx.match_request()
        rule = request.url_rule
        if rule is not None and rule.endpoint in FILE_ENDPOINTS:
            return _FileRequestSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if not isinstance(session, _FileRequestSession):
            super().save_session(app, session, response)


@lru_cache(maxsize=256)
def _content_hash(path: Path, modified: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _version(values: dict[str, Any]) -> None:
    path = Path(current_app.static_folder or "") / str(values["filename"])
    if path.is_file():
        values["v"] = _content_hash(path, path.stat().st_mtime)


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        _version(values)


def _cache_headers(response: Response) -> Response:
    if response.status_code != 200:
        return response
    if request.endpoint == "static" or request.endpoint in VERSIONED_ENDPOINTS:
        response.cache_control.no_cache = None  # Flask's default for files with no max age
    if request.endpoint in VERSIONED_ENDPOINTS or (
        request.endpoint == "static" and request.args.get("v")
    ):
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.public = True
    elif request.endpoint == "static":  # an unversioned URL (a module's import) may change
        response.cache_control.max_age = HOUR
        response.cache_control.public = True
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    compress.init_app(app)
    app.session_interface = SessionInterface()
    app.url_defaults(_add_version)
    app.after_request(_cache_headers)
