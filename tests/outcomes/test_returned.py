"""Returned cases: the officer or a police supervisor records the police outcome; cases with
no outcome 14 days after their return are overdue on both home pages."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import PoliceOutcome, PoliceOutcomeKind, Role
from divert.tenancy import area_scope, system_scope
from tests.conftest import Auth
from tests.factories import account_email, area, create_demo_accounts, make_user
from tests.outcomes.builders import demo_user, returned_case

AREA = "warwickshire"


def _overdue_section(client: FlaskClient) -> str:
    page = client.get(f"/{AREA}/").get_data(as_text=True)
    start = page.index('id="overdue-returned-cases"')
    return page[start : page.index("</section>", start)]


def _world() -> dict[str, object]:
    create_demo_accounts()
    here = area(AREA)
    other_officer = make_user("other.officer@example.org", {AREA: Role.OFFICER})
    with area_scope(here):
        officer = demo_user(Role.OFFICER, here)
        mine_overdue = returned_case(here, officer, 15, forename="Mira", crime_reference="WK/1")
        mine_recent = returned_case(here, officer, 3, forename="Rowan", crime_reference="WK/2")
        theirs = returned_case(here, other_officer, 20, forename="Tamsin", crime_reference="WK/3")
        db.session.commit()
        return {"mine_overdue": mine_overdue.id, "mine_recent": mine_recent.id, "theirs": theirs.id}


def test_overdue_lists_of_officer_and_supervisor(app_ctx: Flask, client: FlaskClient) -> None:
    ids = _world()
    auth = Auth(client)
    auth.sign_in(account_email(Role.OFFICER, AREA))
    officer_list = _overdue_section(client)
    assert "(1)" in officer_list and "Mira" in officer_list
    assert "Rowan" not in officer_list and "Tamsin" not in officer_list
    auth.sign_out()
    auth.sign_in(account_email(Role.POLICE_SUPERVISOR, AREA))
    supervisor_list = _overdue_section(client)
    assert "(2)" in supervisor_list and "Mira" in supervisor_list and "Tamsin" in supervisor_list
    response = client.post(
        f"/{AREA}/returned-cases/{ids['theirs']}",
        data={
            "outcome": "caution",
            "decided_on": ["2", "3", str(date.today().year + 1)],
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The date of the outcome must be today or in the past" in body
    assert 'value="caution" checked' in body
    today = date.today()
    response = client.post(
        f"/{AREA}/returned-cases/{ids['theirs']}",
        data={
            "outcome": "caution",
            "decided_on": [str(today.day), str(today.month), str(today.year)],
        },
    )
    assert response.status_code == 302
    supervisor_list = _overdue_section(client)
    assert "(1)" in supervisor_list and "Tamsin" not in supervisor_list
    with system_scope():
        recorded = db.session.scalars(select(PoliceOutcome)).one()
    assert (recorded.referral_id, recorded.outcome) == (ids["theirs"], PoliceOutcomeKind.CAUTION)


def test_an_officer_cannot_record_for_another_officers_case(
    app_ctx: Flask, client: FlaskClient
) -> None:
    ids = _world()
    Auth(client).sign_in(account_email(Role.OFFICER, AREA))
    assert client.get(f"/{AREA}/returned-cases/{ids['theirs']}").status_code == 404
    assert client.get(f"/{AREA}/returned-cases/{ids['mine_recent']}").status_code == 200
    response = client.post(
        f"/{AREA}/returned-cases/{ids['mine_recent']}", data={"decided_on": ["", "", ""]}
    )
    body = response.get_data(as_text=True)
    assert "Select what the police did" in body and "Enter the date of the outcome" in body


def test_an_outcome_cannot_predate_the_return(app_ctx: Flask, client: FlaskClient) -> None:
    ids = _world()
    Auth(client).sign_in(account_email(Role.OFFICER, AREA))
    before = date.today() - timedelta(days=30)
    response = client.post(
        f"/{AREA}/returned-cases/{ids['mine_overdue']}",
        data={
            "outcome": "charge",
            "decided_on": [str(before.day), str(before.month), str(before.year)],
        },
    )
    assert "must be on or after the case was returned" in response.get_data(as_text=True)
    with system_scope():
        assert db.session.scalars(select(PoliceOutcome)).all() == []
