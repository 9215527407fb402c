"""Hardening: CSRF on every form, security headers, cookies, sign-in limits, passwords."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.auth.password_policy import COMMON_PASSWORDS, password_problem
from divert.extensions import db, limiter
from divert.models import AuditEvent, Role
from divert.tenancy import system_scope
from tests.conftest import make_app
from tests.factories import (
    DEMO_PASSWORD,
    REGIONAL_LEAD_EMAIL,
    account_email,
    create_demo_accounts,
)

OFFICER = account_email(Role.OFFICER, "warwickshire")
SIGN_IN_FAILED = "Enter a correct email address and password"


@pytest.fixture
def strict_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The app as deployed: CSRF on, rate limits on, secure cookies."""
    hardened = make_app(
        database_url,
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        SIGN_IN_RATE_LIMIT="6 per minute",
        SESSION_COOKIE_SECURE=True,
    )
    with hardened.app_context():
        create_demo_accounts()
        limiter.reset()
        yield hardened
    # The limiter extension is a process-wide singleton: hand it back switched off, as the
    # other tests' app has it.
    limiter.enabled = False


def _csrf_token(client: FlaskClient, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    return (
        re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|'
            r'name="csrf_token" value="([^"]+)"',
            page,
        ).group(1)
        or ""
    )


def _sign_in(client: FlaskClient, email: str = OFFICER, password: str = DEMO_PASSWORD):
    token = _csrf_token(client)
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def test_every_form_post_without_a_token_is_refused(strict_app: Flask) -> None:
    officer, lead = strict_app.test_client(), strict_app.test_client()
    assert _sign_in(officer).status_code == 302
    with strict_app.app_context():  # a fresh `g`: Flask-WTF keeps the last token made there
        assert _sign_in(lead, REGIONAL_LEAD_EMAIL).status_code == 302
    posts = [
        rule
        for rule in strict_app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")
    ]
    assert len(posts) > 20, "form routes missing"
    values = {"area_slug": "warwickshire", "region_slug": "west-midlands-region"}
    for rule in posts:
        # The token is checked before the view runs, so any value that matches the route will do.
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values.get(m.group(1), "1"), rule.rule)
        client = lead if "region_slug" in rule.arguments else officer
        with strict_app.app_context():  # a fresh `g` per request, as in a real server
            response = client.post(url, data={"anything": "x"})
        assert response.status_code == 400, f"{url} accepted a post without a CSRF token"


def test_sign_in_without_token_is_refused(strict_app: Flask) -> None:
    client = strict_app.test_client()
    response = client.post("/sign-in", data={"email": OFFICER, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_security_headers(strict_app: Flask) -> None:
    response = strict_app.test_client().get("/sign-in")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'nonce-" in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    page = response.get_data(as_text=True)
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
    assert inline_scripts and all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)


def test_hsts_over_https_only(strict_app: Flask) -> None:
    client = strict_app.test_client()
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    secure = client.get("/sign-in", base_url="https://localhost")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_session_cookie_flags(strict_app: Flask) -> None:
    client = strict_app.test_client()
    cookie = _sign_in(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_sign_in_is_rate_limited(strict_app: Flask) -> None:
    client = strict_app.test_client()
    statuses = [
        _sign_in(client, "nobody@example.org", "wrong-password").status_code for _ in range(7)
    ]
    assert statuses[:6] == [200] * 6
    assert statuses[6] == 429


def test_lock_out_after_repeated_failures_in_the_same_words(
    client: FlaskClient, app_ctx: Flask
) -> None:
    create_demo_accounts()
    for _ in range(5):
        client.post("/sign-in", data={"email": OFFICER, "password": "not-the-password"})
    response = client.post("/sign-in", data={"email": OFFICER, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert SIGN_IN_FAILED in response.get_data(as_text=True)
    with system_scope():
        reasons = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "sign_in_failed")
        ).all()
    assert [r["reason"] for r in reasons][-2:] == ["wrong_password_now_locked", "locked"]


def test_common_and_short_passwords_are_refused() -> None:
    common = next(p for p in sorted(COMMON_PASSWORDS) if len(p) >= 12)
    assert "commonly used" in password_problem(common)
    assert "12 characters" in password_problem("Sh0rt!")
    assert password_problem("aaaaaaaaaaaaaaaa") is not None
    assert password_problem("lantern orbit tulip gravel") is None
