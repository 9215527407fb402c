"""The figures pages' HTML stays exactly what it was when the figures were worked out and laid
out call by call: the fixtures in tests/fixtures/dashboard/ were captured from the pages before
their statements were built once and their tables rendered in one pass.

The demo region is built as of a fixed day and the pages are asked for on that day (the period
choices, a figure's "as of" and the reoffending windows passed all follow today), with the
figures worked out at every view (DASHBOARD_FIGURES_CACHE off). Set
DIVERT_WRITE_DASHBOARD_FIXTURES=1 to capture them again after a deliberate change of markup.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from divert.dashboard import views
from divert.demo.builder import build_demo
from divert.demo.outcomes import build_outcomes
from divert.figures import cars_report, report
from tests.factories import REGIONAL_LEAD_EMAIL, account_email, create_demo_accounts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "dashboard"
TODAY = date(2025, 11, 17)
SEED = 31
REGION = "/region/west-midlands-region"
SECRETS = re.compile(r'(name="csrf_token"[^>]*value="|nonce=")[^"]*(")')

# (fixture name, who signs in: a role in the area of the URL or the regional lead, URL)
PAGES = [
    ("commissioner_year", "commissioner", "/west-midlands/dashboard?period=fy:2025"),
    ("commissioner_default", "commissioner", "/warwickshire/dashboard"),
    ("manager_quarter", "manager", "/warwickshire/dashboard?period=q:2025-3"),
    (
        "commissioner_publication",
        "commissioner",
        "/west-midlands/dashboard?period=fy:2024&publication=y",
    ),
    ("commissioner_month", "commissioner", "/staffordshire/dashboard?period=m:2025-10"),
    (
        "commissioner_programme",
        "commissioner",
        "/west-midlands/dashboard?period=fy:2025&programme=divert-young-people",
    ),
    ("commissioner_cars", "commissioner", "/west-midlands/dashboard?period=fy:2025&programme=cars"),
    (
        "commissioner_custom_error",
        "commissioner",
        "/west-midlands/dashboard?period=custom&start=31&start=2&start=2025",
    ),
    (
        "commissioner_few_days",
        "commissioner",
        "/warwickshire/dashboard?period=custom&start=1&start=10&start=2025&end=3&end=10&end=2025",
    ),
    ("board_report", "commissioner", "/west-midlands/dashboard/board-report?period=fy:2025"),
    ("region_year", "regional lead", f"{REGION}/dashboard?period=fy:2025"),
    ("region_publication", "regional lead", f"{REGION}/dashboard?period=fy:2024&publication=y"),
    ("region_board_report", "regional lead", f"{REGION}/dashboard/board-report?period=fy:2025"),
]


class _Frozen(date):
    """`date` whose today() is TODAY: the pages' modules ask it for today's date."""

    @classmethod
    def today(cls) -> _Frozen:
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture
def region(app_ctx: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    create_demo_accounts()
    build_demo(1500, seed=SEED, today=TODAY)
    build_outcomes(SEED, TODAY)
    for module in (views, report, cars_report):
        monkeypatch.setattr(module, "date", _Frozen)
    monkeypatch.setitem(app_ctx.config, "DASHBOARD_FIGURES_CACHE", False)


def _sign_in(client: FlaskClient, who: str, url: str) -> None:
    slug = url.split("/")[1]
    email = REGIONAL_LEAD_EMAIL if who == "regional lead" else account_email(who, slug)
    client.post("/sign-in", data={"email": email, "password": "divert-demo-password"})


def test_the_figures_pages_are_unchanged(app: Flask, region: None) -> None:
    changed = []
    for name, who, url in PAGES:
        client = app.test_client()
        _sign_in(client, who, url)
        response = client.get(url)
        assert response.status_code == 200, name
        html = SECRETS.sub(r"\1TOKEN\2", response.get_data(as_text=True))
        fixture = FIXTURES / f"{name}.html"
        if os.environ.get("DIVERT_WRITE_DASHBOARD_FIXTURES"):
            fixture.write_text(html)
        if html != fixture.read_text():
            changed.append(name)
    assert changed == []
