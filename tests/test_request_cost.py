"""What each busy page costs in SQL statements, written out, and that the cost stays the same
with ten times the records (no N+1). A signed-in request's fixed cost is one statement: the
user with their memberships (the area comes from the process's cache, divert.area_cache)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import BookingStatus, Role, Substance, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import REGIONAL_LEAD_EMAIL, account_email, area, create_demo_accounts
from tests.referrals.builders import referral, session_slot
from tests.support.queries import queries_for

AREA = "warwickshire"
TODAY = date.today()


def _user(role: Role) -> User:
    return db.session.scalars(select(User).where(User.email == account_email(role, AREA))).one()


def _add_cases(how_many: int) -> int:
    """Referrals booked, half of them attended; returns the first one's id (booked only)."""
    here = area(AREA)
    with area_scope(here):
        officer, educator = _user(Role.OFFICER), _user(Role.EDUCATOR)
        cannabis = db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()
        first = 0
        for number in range(how_many):
            made = referral(
                here,
                officer,
                forename=f"Person{number}",
                surname=f"Case{number}",
                date_of_birth=date(1990, 1 + number % 12, 1 + number % 28),
                received_on=TODAY - timedelta(days=number % 60),
            )
            # Attendance is recorded only once a session has started: the attended ones' are past.
            days = timedelta(days=1 + number % 5)
            when = TODAY - days if number % 2 else TODAY + days
            starts = datetime.combine(when, time(10), tzinfo=UTC)
            booking = lifecycle.book(made, session_slot(here, educator, starts_at=starts), officer)
            if number % 2:
                lifecycle.record_attendance(
                    booking, BookingStatus.ATTENDED, educator, main_substance=cannabis
                )
            first = first or made.id
        db.session.commit()
    return first


@pytest.fixture
def signed_in(app_ctx: Flask, client: FlaskClient, auth: Auth) -> Callable[[str], FlaskClient]:
    create_demo_accounts()

    def as_(email: str) -> FlaskClient:
        auth.sign_out()
        auth.sign_in(email)
        return client

    return as_


PEOPLE = {
    "t0": ("Moreau", "1994"),
    "t1": ("Ellis", "1999"),
    "t2": ("Okafor", "1987"),
    "t3": ("Lindqvist", "2003"),
}


def _officer_form(token: str) -> dict[str, object]:
    with area_scope(area(AREA)):
        cannabis = db.session.scalars(select(Substance.id).where(Substance.code == "cannabis"))
        substance_id = str(cannabis.one())
    return {
        "forename": "Jordan",
        "surname": PEOPLE[token][0],
        "date_of_birth": ["14", "2", PEOPLE[token][1]],
        "phone": "07911 123456",
        "offence_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "crime_reference": f"CR/{token}",
        "substances_found": [substance_id],
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": token,
    }


# (who, URL, statements): the session with its user and their memberships, then what the page
# itself needs.
PAGES = [
    ("officer", f"/{AREA}/", 5),  # returned to them, awaiting contact, overdue outcomes, the region
    # open slots (the disposals offered and the substances are kept in the process)
    ("officer", f"/{AREA}/referrals/new", 2),
    ("officer", f"/{AREA}/referrals", 7),  # count, page, people, repeats of, programmes
    # the page with its count and appointments (the educators to filter by are kept)
    ("educator", f"/{AREA}/caseload", 2),
    # the case, its lists and the audit of the view, committed once the page is made (so
    # nothing is read again after it)
    ("educator", f"/{AREA}/cases/{{case}}", 19),  # with its programme, assessment and outcomes
    ("educator", f"/{AREA}/diary", 2),  # the week's sessions (the programmes to filter by are kept)
]


@pytest.mark.parametrize(("who", "url", "statements"), PAGES, ids=[f"{p[0]}{p[1]}" for p in PAGES])
def test_a_page_costs_the_same_statements_with_ten_times_the_records(
    signed_in: Callable[[str], FlaskClient], who: str, url: str, statements: int
) -> None:
    last = _add_cases(3)
    client = signed_in(account_email(who, AREA))
    assert queries_for(client, url.format(case=last)) == statements
    last = _add_cases(30)
    assert queries_for(client, url.format(case=last)) == statements


# The area dashboard worked out: contracts, region and areas, the period's referrals grouped and
# what sessions gave (whole months from the monthly summary), the contracts' money, places used
# (whole months from the summary, this part-month from the records), substance and service
# labels, the programmes to choose from; the outcomes: the cases (cohorts, treatment, police
# outcomes and reoffending results in one), comparison groups, eligible offences and the
# referrals of those months; the CARS programmes and the CARS figures' seven counts (contacts,
# required assessments, assessment records, suitability, closures, naloxone, bookings).
DASHBOARD_WORKED_OUT = 24
# On PostgreSQL, the page kept at this snapshot (divert.figures.snapshot): the session with its
# user, then the snapshot, and nothing else. SQLite keeps nothing: worked out every time.
DASHBOARD_SHOWN_AGAIN = {"sqlite": DASHBOARD_WORKED_OUT, "postgresql": 2}


@pytest.mark.parametrize("who", ["manager", "commissioner"])
def test_the_dashboard_costs_the_same_statements_with_ten_times_the_records(
    app_ctx: Flask,
    signed_in: Callable[[str], FlaskClient],
    backend: str,
    who: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"/{AREA}/dashboard"
    _add_cases(3)
    client = signed_in(account_email(who, AREA))
    for more in (0, 30):
        _add_cases(more)
        monkeypatch.setitem(app_ctx.config, "DASHBOARD_FIGURES_CACHE", False)
        assert queries_for(client, url) == DASHBOARD_WORKED_OUT
        monkeypatch.setitem(app_ctx.config, "DASHBOARD_FIGURES_CACHE", True)
        assert queries_for(client, url) == DASHBOARD_SHOWN_AGAIN[backend]


def test_the_regional_dashboard_costs_the_same_with_more_referrals(
    signed_in: Callable[[str], FlaskClient],
) -> None:
    _add_cases(3)
    client = signed_in(REGIONAL_LEAD_EMAIL)
    url = "/region/west-midlands-region/dashboard"
    few = queries_for(client, url)
    _add_cases(30)
    assert queries_for(client, url) == few


# The session with its user and memberships; the token's earlier submission (the substances
# offered and found, the programmes and the disposals are kept in the process, and open slots
# are read only to show the form again); repeats: blocking keys, the regional index (the
# region's areas come from the process's cache); the person, its blocking keys and regional
# hashes (one statement each); the reference counter (one upsert, taken this late because
# concurrent submissions queue for it until the commit); the referral, its substances found,
# its event; the audit event; the token; the new referral's counts, added to its group's row in
# the month's summary by one UPDATE (PostgreSQL first takes the month's lock). Nothing after
# the commit.
REFERRAL_POST = {"sqlite": 14, "postgresql": 15}


def test_submitting_a_referral_and_its_confirmation(
    signed_in: Callable[[str], FlaskClient], backend: str
) -> None:
    """The confirmation page is drawn from what the POST found: no look-up is repeated."""
    _add_cases(3)
    client = signed_in(account_email(Role.OFFICER, AREA))
    # A process's first submission reads its area's region into the cache: not counted.
    client.post(f"/{AREA}/referrals/new", data=_officer_form("t0"))
    first = queries_for(
        client, f"/{AREA}/referrals/new", method="POST", status=302, data=_officer_form("t1")
    )
    assert first == REFERRAL_POST[backend]
    _add_cases(30)
    response = client.post(f"/{AREA}/referrals/new", data=_officer_form("t2"))
    location = response.headers["Location"]
    assert queries_for(client, location, warm=False) == 1  # the user, nothing else
    assert "Referral submitted" in client.get(location).text  # opened again: looked up
    assert (
        queries_for(
            client, f"/{AREA}/referrals/new", method="POST", status=302, data=_officer_form("t3")
        )
        == first
    )
