"""HTTP security headers (a strict Content-Security-Policy with no inline script), no caching
of anything personal, the client's address behind trusted proxies, and rate limits."""

from __future__ import annotations

from flask import Flask, g
from flask_talisman import Talisman
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


def _no_store(response: Response) -> Response:
    """Nothing a signed-in person (or an API token) was shown, and no download, stays in a
    browser's or a proxy's cache: case and referral pages, exports and subject-access files
    hold people's details, and a shared computer's next user must not find them there."""
    user = g.get("_login_user")  # only if the request loaded one: never a query here
    signed_in = user is not None and user.is_authenticated
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
    app.after_request(_no_store)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # The client's address (the rate limits' key, the audit trail's) and scheme as the
        # trusted proxies saw them; with none, a forwarded header is ignored, not believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
