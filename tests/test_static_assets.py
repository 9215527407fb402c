"""Static files are compressed and cached for a year under a URL that changes with their
content; pages are not compressed (they carry the CSRF token)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


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
