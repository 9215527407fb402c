"""Static files are compressed and cached for a year under a URL that changes with their
content; pages are not compressed (they carry the CSRF token)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from divert.models import Role
from tests.conftest import Auth
from tests.factories import account_email, create_demo_accounts


def test_static_files_are_versioned_compressed_and_cached(client: FlaskClient) -> None:
    page = client.get("/sign-in", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in page.headers
    stylesheet = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page.text)
    assert stylesheet, "the stylesheet's URL carries its content hash"
    css = client.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip, deflate, br"})
    assert css.status_code == 200
    assert css.headers["Content-Encoding"] == "br"
    assert css.headers["Cache-Control"] == "max-age=31536000, immutable, public"
    unversioned = client.get("/static/css/app.css")
    assert unversioned.headers["Cache-Control"] == "max-age=3600, public"
    font = client.get("/assets/fonts/light-94a07e06a1-v2.woff2")
    assert font.status_code == 200
    assert font.headers["Cache-Control"] == "max-age=31536000, immutable, public"


def test_files_neither_read_nor_write_the_session(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    """A signed-in browser's requests for files get no session cookie back and no
    `Vary: Cookie`: the same answer for everyone, which a shared cache may keep. (Each request
    in an app context of its own, as served: one shared by the test would carry the user
    loaded by one request over to the next.)"""
    with app.app_context():
        create_demo_accounts()
    auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    page = client.get("/warwickshire/referrals/new")
    assert page.status_code == 200
    assert "Cookie" in page.headers["Vary"]  # a page does use the session
    for url in (
        "/static/css/app.css",
        "/static/images/favicon.svg",
        "/static/js/app.js",
        "/assets/fonts/light-94a07e06a1-v2.woff2",
    ):
        answer = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.status_code == 200, url
        assert "Set-Cookie" not in answer.headers, url
        assert "Cookie" not in answer.headers.get("Vary", ""), url
    # The session is untouched by them: the next page is still signed in.
    assert client.get("/warwickshire/referrals/new").status_code == 200
