"""Each role's home page says what there is to do, each item linked to the list behind it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from divert.clock import utcnow
from divert.extensions import db
from divert.models import ReferralStatus, Role, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot


@pytest.fixture
def people(app_ctx: Flask) -> dict[str, User]:
    return {
        "officer": make_user("pc@example.org", {"warwickshire": Role.OFFICER}),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}),
        "manager": make_user("boss@example.org", {"warwickshire": Role.MANAGER}),
        "commissioner": make_user("pcc@example.org", {"warwickshire": Role.COMMISSIONER}),
        "leaver": make_user("gone@example.org", {"staffordshire": Role.EDUCATOR}),
    }


@pytest.fixture
def casework(people: dict[str, User]) -> None:
    """Two cases awaiting contact, one returned, one whose session began an hour ago, and a
    session tomorrow in the diary of someone who does not work in Warwickshire."""
    here = area("warwickshire")
    with area_scope(here):
        referral(here, people["officer"], surname="Waiting")
        referral(here, people["officer"], surname="Alsowaiting")
        returned = referral(here, people["officer"], surname="Returned")
        lifecycle.change_status(returned, ReferralStatus.NOT_ENGAGED, people["educator"])
        seen = referral(here, people["officer"], surname="Seen")
        begun = session_slot(here, people["educator"], starts_at=utcnow() - timedelta(hours=1))
        lifecycle.book(seen, begun, people["educator"])
        session_slot(here, people["leaver"], starts_at=utcnow() + timedelta(days=1))
        db.session.commit()


def _home(client: FlaskClient, auth: Auth, email: str) -> str:
    auth.sign_in(email)
    page = client.get("/warwickshire/")
    assert page.status_code == 200
    return page.text


def test_officer_home(client: FlaskClient, auth: Auth, casework: None) -> None:
    page = _home(client, auth, "pc@example.org")
    assert (
        'href="/warwickshire/referrals?status=returned">'
        "1 case has been returned to you for another outcome</a>"
    ) in page
    assert (
        'href="/warwickshire/referrals?status=awaiting">'
        "2 of your referrals are awaiting contact from the drug education service</a>"
    ) in page
    listed = client.get("/warwickshire/referrals?status=awaiting").text
    assert "Alex Waiting" in listed and "Alex Alsowaiting" in listed
    assert "Alex Returned" not in listed and "Alex Seen" not in listed


def test_educator_home(client: FlaskClient, auth: Auth, casework: None) -> None:
    page = _home(client, auth, "ed@example.org")
    assert (
        'href="/warwickshire/caseload?status=attendance_due">'
        "1 person&#39;s attendance to record</a>"
    ) in page
    assert 'href="/warwickshire/caseload?status=awaiting">2 people to contact</a>' in page
    assert "No attended case is awaiting its outcome" in page
    due = client.get("/warwickshire/caseload?status=attendance_due").text
    assert "Alex Seen" in due and "Alex Waiting" not in due


def test_manager_home(client: FlaskClient, auth: Auth, casework: None) -> None:
    page = _home(client, auth, "boss@example.org")
    assert "No possible repeat referrals to review" in page
    assert (
        'href="/warwickshire/caseload?status=awaiting&amp;educator=none">'
        "2 cases without an educator</a>"
    ) in page
    assert (
        'href="/warwickshire/diary?view=week&amp;educator=none">'
        "1 upcoming session whose educator has left Warwickshire</a>"
    ) in page
    unassigned = client.get("/warwickshire/caseload?status=awaiting&educator=none").text
    assert "Alex Waiting" in unassigned


def test_commissioner_home_shows_this_quarters_figures(
    client: FlaskClient, auth: Auth, casework: None
) -> None:
    page = _home(client, auth, "pcc@example.org")
    assert "This quarter:" in page
    assert "Referrals received" in page and "Engagement rate" in page
    assert "West Midlands region</th>" in page
    assert "Alex" not in page  # aggregates only, never a name
    assert 'href="/warwickshire/dashboard?period=q:' in page


def test_the_service_wears_its_own_header_and_footer(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    signed_out = client.get("/sign-in").text
    assert "govuk-header" not in signed_out and "Crown copyright" not in signed_out
    assert "govuk-footer__crown" not in signed_out and "Open Government Licence" not in signed_out
    assert "govuk-icon" not in signed_out and "favicon.ico" not in signed_out
    assert "© Police and Crime Commissioners" in signed_out
    page = _home(client, auth, "pcc@example.org")
    assert '<p class="divert-header__owner">Warwickshire Police and Crime Commissioner</p>' in page
    assert "© Warwickshire Police and Crime Commissioner" in page
    assert "<title>Home – divert – Warwickshire</title>" in page
