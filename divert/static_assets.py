"""Static files: compressed (Flask-Compress), kept by browsers for a year, and named by their
content so that a new release is fetched at once.

`url_for('static', ...)` adds `?v=<hash of the file>`: a changed file gets a new URL, so the
long cache never serves an old one. HTML pages are not compressed: they carry the CSRF token
next to text a visitor can choose (a search term), which compression would let an attacker
read (BREACH).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
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
    app.url_defaults(_add_version)
    app.after_request(_cache_headers)
