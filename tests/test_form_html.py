"""Every form page's HTML stays exactly what govuk-frontend-wtf rendered field by field.

The fixtures in tests/fixtures/forms/ were captured from the pages as they were before the
widgets were rendered in one template pass; only per-request secrets (CSRF and submission
tokens) are blanked. Records are made with fixed dates so the pages do not change day to day.
Set DIVERT_WRITE_FORM_FIXTURES=1 to capture them again after a deliberate change of markup.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from divert import widgets
from divert.extensions import db
from divert.models import Role, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.factories import ADMIN_EMAIL, account_email, area, create_demo_accounts
from tests.referrals.builders import referral, session_slot

FIXTURES = Path(__file__).parent / "fixtures" / "forms"
AREA = "warwickshire"
SECRETS = re.compile(r'(name="(?:csrf_token|submission_token)"[^>]*value="|nonce=")[^"]*(")')


def _normalised(html: str) -> str:
    """Per-request secrets blanked, and today's date and time (a referral is received now) fixed."""
    today = date.today()
    html = SECRETS.sub(r"\1TOKEN\2", html)
    for shown in (f"{today:%-d %B %Y}", f"{today:%-d %b %Y}", today.isoformat()):
        html = html.replace(shown, "TODAY")
    return re.sub(r"TODAY \d\d:\d\d", "TODAY NOW", html)


@pytest.fixture
def world(app_ctx: object) -> dict[str, int]:
    create_demo_accounts()
    here = area(AREA)
    with area_scope(here):
        officer = db.session.query(User).filter_by(email=account_email(Role.OFFICER, AREA)).one()
        educator = db.session.query(User).filter_by(email=account_email(Role.EDUCATOR, AREA)).one()
        made = referral(here, officer, offence_date=date(2026, 1, 5))
        slot = session_slot(here, educator, starts_at=datetime(2099, 3, 2, 10, 0, tzinfo=UTC))
        booking = lifecycle.book(made, slot, officer)
        db.session.commit()
        return {"referral": made.id, "booking": booking.id, "educator": educator.id}


# (fixture name, who signs in, method, URL with {ids}, form data for a POST)
PAGES: list[tuple[str, str | None, str, str, dict[str, str]]] = [
    ("sign_in", None, "GET", "/sign-in", {}),
    ("sign_in_errors", None, "POST", "/sign-in", {"email": "x", "password": ""}),
    ("forgot_password", None, "GET", "/forgot-password", {}),
    ("change_password", "officer", "GET", "/account/password", {}),
    ("change_password_errors", "officer", "POST", "/account/password", {}),
    ("api_token_new", "officer", "GET", f"/{AREA}/api-tokens/new", {}),
    ("referral_new", "officer", "GET", f"/{AREA}/referrals/new", {}),
    (
        "referral_new_errors",
        "officer",
        "POST",
        f"/{AREA}/referrals/new",
        {
            "forename": "Sam <b>",
            "date_of_birth": ["31", "2", "1990"],
            "offence_date": ["", "3", "2026"],
            "phone": "123",
            "email": "nope",
            "substances_found": "cannabis",
            "notes": "kept & shown",
        },
    ),
    ("diary_new", "educator", "GET", f"/{AREA}/diary/new", {}),
    ("diary_new_errors", "educator", "POST", f"/{AREA}/diary/new", {"capacity": "x"}),
    ("case", "educator", "GET", f"/{AREA}/cases/{{referral}}", {}),
    ("attendance", "educator", "GET", f"/{AREA}/bookings/{{booking}}/attendance", {}),
    ("attendance_errors", "educator", "POST", f"/{AREA}/bookings/{{booking}}/attendance", {}),
    ("invite", "manager", "GET", f"/{AREA}/users/invite", {}),
    ("invite_errors", "manager", "POST", f"/{AREA}/users/invite", {"email": "bad"}),
    ("user_edit", "manager", "GET", f"/{AREA}/users/{{educator}}", {}),
    ("audit", "manager", "GET", f"/{AREA}/audit?action=sign_in", {}),
    ("dashboard", "manager", "GET", f"/{AREA}/dashboard?period=fy:2025", {}),
]


def _sign_in(client: FlaskClient, who: str | None) -> None:
    if who is None:
        return
    email = ADMIN_EMAIL if who == "admin" else account_email(who, AREA)
    client.post("/sign-in", data={"email": email, "password": "divert-demo-password"})


@pytest.mark.parametrize(("name", "who", "method", "url", "data"), PAGES, ids=[p[0] for p in PAGES])
def test_form_html_is_unchanged(
    client: FlaskClient,
    world: dict[str, int],
    name: str,
    who: str | None,
    method: str,
    url: str,
    data: dict[str, str],
) -> None:
    _sign_in(client, who)
    response = client.open(url.format(**world), method=method, data=data)
    assert response.status_code == 200, response.status_code
    html = _normalised(response.get_data(as_text=True))
    fixture = FIXTURES / f"{name}.html"
    if os.environ.get("DIVERT_WRITE_FORM_FIXTURES"):
        fixture.write_text(html)
    assert html == fixture.read_text()


def test_what_someone_typed_is_never_kept_with_the_rendered_fields(
    client: FlaskClient, world: dict[str, int]
) -> None:
    _sign_in(client, "officer")
    # "!" is in no token: the navigation kept with a session's CSRF token cannot match by chance.
    typed = {"forename": "Zq!typedname", "phone": "Zq!1", "notes": "Zq!note", "email": "zq!@"}
    page = client.post(f"/{AREA}/referrals/new", data=typed).get_data(as_text=True)
    assert "Zq!typedname" in page  # shown again to the officer...
    kept = "".join(widgets._RENDERED.values())
    assert "Zq!" not in kept and "zq!@" not in kept  # ...but not kept once the page is sent
