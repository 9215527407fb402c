"""Nonsense in query strings and forms is a page with a message (or the page's default), never a
500: numbers too large for the database, dates past the calendar's end, a NUL, a name of only
invisible characters, a value outside its list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.extensions import db
from divert.models import Booking, BookingStatus, Referral, Role, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope, system_scope
from tests.factories import ADMIN_EMAIL, DEMO_PASSWORD, account_email, area, create_demo_accounts
from tests.referrals.builders import referral, session_slot

HUGE = "99999999999999999999"
OWN = "warwickshire"


@pytest.fixture
def world(app: Flask) -> Iterator[dict[str, int]]:
    """A booked referral in Warwickshire. No app context stays open: each request has its own
    `g`, as in a real server."""
    with app.app_context():
        create_demo_accounts()
        here = area(OWN)

        def person(role: Role) -> User:
            email = account_email(role, OWN)
            return db.session.scalars(select(User).where(User.email == email)).one()

        with area_scope(here):
            made = referral(here, person(Role.OFFICER))
            booking = lifecycle.book(
                made, session_slot(here, person(Role.EDUCATOR)), person(Role.OFFICER)
            )
            ids = {"referral_id": made.id, "booking_id": booking.id}
            db.session.commit()
    yield ids


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert (
        client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    )
    return client


NONSENSE = {
    account_email(Role.MANAGER, OWN): [
        f"/{OWN}/audit?since={HUGE}&since=1&since=2024",
        f"/{OWN}/audit?since=1&since=1&since=2024&until=31&until=12&until=9999",
        f"/{OWN}/audit?page={HUGE}",
        f"/{OWN}/audit?record_id={HUGE}",
        f"/{OWN}/dashboard?period=custom&start={HUGE}&start=1&start=2024&end=1&end=2&end=2024",
        f"/{OWN}/dashboard?period=custom&start=1&start=1&start=2024&end=31&end=12&end=9999",
        f"/{OWN}/dashboard?period=fy:{HUGE}",
        f"/{OWN}/caseload?page={HUGE}",
        f"/{OWN}/caseload?educator={HUGE}",
        f"/{OWN}/caseload?educator=-1&page=-5",
        f"/{OWN}/diary?educator={HUGE}",
        f"/{OWN}/diary?day=9999-12-31&view=week",
        f"/{OWN}/diary?day={HUGE}",
        f"/{OWN}/users?page={HUGE}",
    ],
    account_email(Role.OFFICER, OWN): [
        f"/{OWN}/referrals?page={HUGE}",
        f"/{OWN}/referrals?page=²",
    ],
    ADMIN_EMAIL: [
        f"/admin/admin_users/?page={HUGE}",
        f"/admin/admin_users/?page_size={HUGE}&sort={HUGE}&desc={HUGE}",
        f"/admin/admin_contracts/?page={HUGE}",
        f"/admin/audit/?page={HUGE}",
        "/admin/audit/?until=31&until=12&until=9999",
        f"/admin/audit/?since=1&since={HUGE}&since=2024",
    ],
}


@pytest.mark.parametrize("email", list(NONSENSE))
def test_nonsense_in_query_strings_is_never_a_server_error(
    app: Flask, world: dict[str, int], email: str
) -> None:
    client = _client(app, email)
    answers = {url: client.get(url).status_code for url in NONSENSE[email]}
    assert {url: status for url, status in answers.items() if status >= 500} == {}
    assert set(answers.values()) <= {200, 400}


def test_a_number_too_large_is_the_first_page(app: Flask, world: dict[str, int]) -> None:
    client = _client(app, account_email(Role.MANAGER, OWN))
    assert client.get(f"/{OWN}/caseload?page={HUGE}").status_code == 200
    page = client.get(f"/{OWN}/audit?since={HUGE}&since=1&since=2024")
    assert page.status_code == 400 and "From date must be a real date" in page.text


def test_the_cancel_form_checks_who_cancelled_before_the_database(
    app: Flask, world: dict[str, int]
) -> None:
    """The probe's 40-character `cancelled_by` was a database error on PostgreSQL."""
    client = _client(app, account_email(Role.EDUCATOR, OWN))
    url = f"/{OWN}/cases/{world['referral_id']}/cancel"
    response = client.post(url, data={"cancelled_by": "x" * 40})
    assert response.status_code == 302
    assert "Choose who cancelled" in client.get(response.location).text
    with app.app_context(), system_scope():
        booking = db.session.get(Booking, world["booking_id"])
        assert (booking.status, booking.cancelled_by) == (BookingStatus.BOOKED, None)
    assert client.post(url, data={"cancelled_by": "person"}).status_code == 302
    with app.app_context(), system_scope():
        booking = db.session.get(Booking, world["booking_id"])
        assert (booking.status, booking.cancelled_by) == (BookingStatus.CANCELLED, "person")


def _referral_form(**changes: object) -> dict[str, object]:
    today = date.today()
    data: dict[str, object] = {
        "forename": "Jordan",
        "surname": "Smith",
        "date_of_birth": ["14", "2", "2001"],
        "phone": "07911 123456",
        "offence_date": [str(today.day), str(today.month), str(today.year)],
        "crime_reference": "23/12345/24",
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": "token-nonsense",
    }
    data.update(changes)
    return data


def _referrals(app: Flask) -> int:
    with app.app_context(), system_scope():
        return db.session.scalar(select(func.count(Referral.id))) or 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("forename", "A\u0000B"), ("crime_reference", "\u0000"), ("phone", "07911\u0000123456")],
)
def test_a_nul_in_a_form_is_refused_and_nothing_is_saved(
    app: Flask, world: dict[str, int], field: str, value: str
) -> None:
    client = _client(app, account_email(Role.OFFICER, OWN))
    before = _referrals(app)
    response = client.post(f"/{OWN}/referrals/new", data=_referral_form(**{field: value}))
    assert response.status_code == 422
    assert field in response.text and "NUL" in response.text
    assert _referrals(app) == before


@pytest.mark.parametrize("blank", ["\u200b", "\u200b \ufeff", "\u3164", "   "])
def test_a_name_of_invisible_characters_is_blank_in_the_form(
    app: Flask, world: dict[str, int], blank: str
) -> None:
    client = _client(app, account_email(Role.OFFICER, OWN))
    before = _referrals(app)
    response = client.post(f"/{OWN}/referrals/new", data=_referral_form(forename=blank))
    assert response.status_code == 200
    assert "Enter their first name" in response.text
    assert _referrals(app) == before
    manager = _client(app, account_email(Role.MANAGER, OWN))
    invite = manager.post(
        f"/{OWN}/users/invite", data={"name": blank, "email": "x@example.org", "role": "officer"}
    )
    assert invite.status_code == 200 and "Enter the person&#39;s full name" in invite.text
