"""HTTP security headers (a strict Content-Security-Policy with no inline script), no caching
of anything personal, the client's address behind trusted proxies, and rate limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask, g, request
from flask_talisman import Talisman
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from divert.extensions import limiter

# Only our own origin, for everything; GOV.UK Frontend's one inline script carries a nonce.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()

# Far deeper than any request of the service (three levels at most); a body nested deeper is
# refused before any parser recurses into it.
MAX_JSON_DEPTH = 32


class RefusedInput(BadRequest):
    """Input no part of the service can store or show, refused for every route and naming where
    it was found: a body that cannot be read as text (JSON nested too deeply, a lone surrogate)
    is 400 `malformed_json`; a NUL character in a value is 422 `invalid`, as the API answers
    any other invalid field."""

    def __init__(self, message: str, field: str, *, unreadable: bool = True) -> None:
        super().__init__(message)
        self.field = field
        if unreadable:
            self.error_code = "malformed_json"
        else:
            self.code, self.error_code = 422, "invalid"
            self.fields = [{"field": field, "message": message}]


def _strings(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """Every (path, string) in a parsed JSON body, keys included, `a.0.b` for nested ones."""
    if depth > MAX_JSON_DEPTH:
        raise RefusedInput(f"The body is nested more than {MAX_JSON_DEPTH} levels deep", path)
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            yield where, key
            yield from _strings(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index), depth + 1)


def _check_text(field: str, value: str) -> None:
    if "\x00" in value:
        message = f"{field} contains a NUL character, which cannot be stored"
        raise RefusedInput(message, field, unreadable=False)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate such as "\ud800"
        message = f"{field} contains an invalid character (a lone surrogate)"
        raise RefusedInput(message, field) from error


def _json_strings() -> Iterator[tuple[str, str]]:
    try:
        body = json.loads(request.get_data(cache=True))
    except RecursionError as error:
        raise RefusedInput(
            f"The body is nested more than {MAX_JSON_DEPTH} levels deep", "body"
        ) from error
    except ValueError:
        return  # not JSON at all: the view answers that in its own words
    yield from _strings(body, "")


def _pairs(values: MultiDict[str, str]) -> Iterator[tuple[str, str]]:
    for name, value in values.items(multi=True):
        yield name, name
        yield name, value


def refuse_unstorable_input() -> None:
    """Before every view: the query string, form fields and JSON body hold only text that can
    be stored and shown. A NUL is an error in PostgreSQL, a lone surrogate cannot be encoded,
    and deep nesting exhausts the parser's recursion: each was a 500 somewhere."""
    found = list(_pairs(request.args))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        found += _pairs(request.form)
    elif request.is_json:
        found += _json_strings()
    for field, value in found:
        _check_text(field or "body", value)


def _no_store(response: Response) -> Response:
    """Nothing a signed-in person (or an API token) was shown, and no download, stays in a
    browser's or a proxy's cache: case and referral pages, exports and subject-access files
    hold people's details, and a shared computer's next user must not find them there."""
    user = g.get("_login_user")  # only if the request loaded one: never a query here
    # Not `is_authenticated`: it reads the account's `active` flag, which a commit has expired
    # (the account would be read again); any account the request loaded counts.
    signed_in = user is not None and not user.is_anonymous
    download = response.headers.get("Content-Disposition", "").startswith("attachment")
    if signed_in or download:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        force_https=False,  # TLS ends at the load balancer; HSTS is sent on HTTPS requests
        strict_transport_security=True,
        strict_transport_security_max_age=31536000,
        frame_options="DENY",
        referrer_policy="same-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    limiter.init_app(app)
    app.before_request(refuse_unstorable_input)
    app.after_request(_no_store)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # The client's address (the rate limits' key, the audit trail's) and scheme as the
        # trusted proxies saw them; with none, a forwarded header is ignored, not believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
