"""Hardening: CSRF on every form, security headers, cookies, sign-in limits, passwords."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from sqlalchemy import select

from divert import create_app
from divert.auth.password_policy import COMMON_PASSWORDS, password_problem
from divert.extensions import db, limiter
from divert.models import AuditEvent, Role, User, utcnow
from divert.tenancy import system_scope
from tests.conftest import make_app
from tests.factories import (
    ADMIN_EMAIL,
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


# -- secrets ------------------------------------------------------------------------------------

STRONG = "0123456789abcdef" * 4
PUBLIC_DEFAULT_KEY = "dev-only-not-secret"  # what production fell back to, written in the source


@pytest.mark.parametrize(
    ("variable", "environment"),
    [
        ("SECRET_KEY", {"REGIONAL_MATCH_SECRET": STRONG}),
        ("SECRET_KEY", {"SECRET_KEY": PUBLIC_DEFAULT_KEY, "REGIONAL_MATCH_SECRET": STRONG}),
        ("SECRET_KEY", {"SECRET_KEY": "short", "REGIONAL_MATCH_SECRET": STRONG}),
        ("REGIONAL_MATCH_SECRET", {"SECRET_KEY": STRONG}),
        (
            "REGIONAL_MATCH_SECRET",
            {"SECRET_KEY": STRONG, "REGIONAL_MATCH_SECRET": "dev-only-regional"},
        ),
    ],
)
def test_production_refuses_to_start_without_strong_secrets(
    monkeypatch: pytest.MonkeyPatch, variable: str, environment: dict[str, str]
) -> None:
    monkeypatch.setenv("DIVERT_ENV", "production")
    for name in ("SECRET_KEY", "REGIONAL_MATCH_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=variable):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_starts_with_strong_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIVERT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("REGIONAL_MATCH_SECRET", STRONG[::-1])
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == STRONG


def _forged_cookie(app: Flask, client: FlaskClient, user_id: int) -> str:
    """A session cookie naming `user_id` as signed in, signed with the app's key of the moment,
    as the probe made with the key published in the source."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what Flask-Login's strong protection compares
    signer = app.session_interface.get_signing_serializer(app)
    now = utcnow().isoformat()
    return signer.dumps(
        {
            "_user_id": str(user_id),
            "_fresh": True,
            "_id": identifier,
            "sid": secrets.token_urlsafe(32),  # any value: the old code never checked it
            "signed_in_at": now,
            "last_seen": now,
        }
    )


def test_a_forged_admin_cookie_opens_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Signed with the old public key, or even with the app's own key (as if it had leaked): a
    cookie that is not a live session on the server opens no page."""
    with app.app_context():
        create_demo_accounts()
        admin_id = db.session.scalars(select(User.id).where(User.email == ADMIN_EMAIL)).one()
    for key in (PUBLIC_DEFAULT_KEY, app.config["SECRET_KEY"]):
        monkeypatch.setitem(app.config, "SECRET_KEY", key)  # the app as the probe found it
        client = app.test_client()
        client.set_cookie("session", _forged_cookie(app, client, admin_id))
        assert client.get("/admin/").status_code == 302, f"a cookie signed with {key} opened /admin"


# -- caching ------------------------------------------------------------------------------------


def test_pages_and_downloads_with_personal_details_are_never_cached(
    app: Flask, client: FlaskClient
) -> None:
    from divert.tenancy import area_scope
    from tests.factories import account_email, area
    from tests.referrals.builders import referral

    with app.app_context():
        create_demo_accounts()
        here = area("warwickshire")
        officer = db.session.scalars(
            select(User).where(User.email == account_email(Role.OFFICER, "warwickshire"))
        ).one()
        with area_scope(here):
            made = referral(here, officer)
            referral_id, person_id = made.id, made.person_id
            db.session.commit()
    pages = {
        account_email(Role.MANAGER, "warwickshire"): [
            f"/warwickshire/cases/{referral_id}",
            "/warwickshire/caseload",
            "/warwickshire/dashboard/export.csv",
            "/warwickshire/dashboard/export.xlsx",
            "/warwickshire/audit",
        ],
        account_email(Role.OFFICER, "warwickshire"): [
            f"/warwickshire/referrals/{referral_id}",
            "/warwickshire/referrals",
        ],
        ADMIN_EMAIL: [
            f"/admin/people/{person_id}",
            f"/admin/people/{person_id}/subject-access.json",
        ],
    }
    for email, urls in pages.items():
        client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers.get("Cache-Control") == "no-store", url
        client.post("/sign-out")
    # Public pages (and the service's own assets) may be cached as usual.
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")


# -- behind a proxy, and the sign-in limits -----------------------------------------------------


@pytest.fixture
def proxied_app(app: Flask, database_url: str) -> Iterator[Flask]:
    """The app behind one trusted proxy (a load balancer), rate limits on."""
    behind = make_app(
        database_url,
        RATELIMIT_ENABLED=True,
        SIGN_IN_RATE_LIMIT="3 per minute",
        SIGN_IN_ACCOUNT_RATE_LIMIT="3 per minute",
        TRUSTED_PROXIES=1,
    )
    with behind.app_context():
        create_demo_accounts()
        limiter.reset()
        yield behind
    limiter.enabled = False


def _attempt(app: Flask, email: str, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    with app.app_context():  # a fresh `g` per request, as in a real server
        return (
            app.test_client()
            .post("/sign-in", data={"email": email, "password": "wrong"}, headers=headers)
            .status_code
        )


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(
    proxied_app: Flask,
) -> None:
    """All requests reach the app from the proxy's address: without ProxyFix one attacker used
    up everybody's limit. Now the limit follows the client's forwarded address."""
    attacker = [_attempt(proxied_app, f"guess{n}@example.org", "198.51.100.7") for n in range(4)]
    assert attacker == [200, 200, 200, 429]
    assert _attempt(proxied_app, OFFICER, "203.0.113.20") == 200  # an officer elsewhere


def test_the_sign_in_limit_also_holds_per_account(proxied_app: Flask) -> None:
    """Guessing one person's password from many addresses is limited too (the address limit
    is set high here, so only the account's can answer 429)."""
    proxied_app.config["SIGN_IN_RATE_LIMIT"] = "100 per minute"
    answers = [_attempt(proxied_app, OFFICER, None) for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert _attempt(proxied_app, "someone.else@example.org", None) == 200


def test_without_trusted_proxies_a_forwarded_address_is_not_believed(
    strict_app: Flask,
) -> None:
    """With TRUSTED_PROXIES at 0 (the default) a client cannot choose a fresh bucket by header."""
    statuses = []
    for n in range(7):
        with strict_app.app_context():
            client = strict_app.test_client()
            token = _csrf_token(client)
            statuses.append(
                client.post(
                    "/sign-in",
                    data={"email": f"x{n}@example.org", "password": "wrong", "csrf_token": token},
                    headers={"X-Forwarded-For": f"192.0.2.{n}"},
                ).status_code
            )
    assert statuses[-1] == 429


def test_rate_limit_storage_and_proxies_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from divert.config import settings_from_environment

    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/0")
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    settings = settings_from_environment("/tmp")
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert settings["TRUSTED_PROXIES"] == 2


def test_a_very_long_password_is_judged_not_a_server_error() -> None:
    """Found by the web-form property test: zxcvbn raises on more than 72 characters."""
    assert password_problem("lantern orbit tulip gravel " * 4) is None
    assert password_problem("a" * 200) is not None
