"""Referring into a programme: age and disposal decide it, the officer chooses only when
several fit, and a conditional caution records its date and deadline."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.areas.sync import sync_tenants
from divert.extensions import db
from divert.models import Referral, Role, Substance
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.programmes.test_config import FOURTH, _copy_tenants

TODAY = date.today()
NEW = "/warwickshire/referrals/new"
CAUTION = NEW + "?disposal=conditional_caution"
RESOLUTION = NEW + "?disposal=community_resolution"


@pytest.fixture
def officer(app_ctx: Flask, client: FlaskClient, auth: Auth) -> FlaskClient:
    make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    auth.sign_in("pc@example.org")
    return client


def _born(age: int) -> list[str]:
    born = TODAY - timedelta(days=365 * age + 100)  # `age` today, whatever the leap years
    return [str(born.day), str(born.month), str(born.year)]


def _form(age: int = 30, **overrides: object) -> dict[str, object]:
    with area_scope(area("warwickshire")):
        cannabis = db.session.scalar(select(Substance.id).where(Substance.code == "cannabis"))
    data: dict[str, object] = {
        "forename": "Jordan",
        "surname": "Smith",
        "date_of_birth": _born(age),
        "phone": "07911 123456",
        "guardian_name": "Sam Smith",
        "guardian_contact": "07911 654321",
        "offence_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "crime_reference": "23/12345/24",
        "substances_found": [str(cannabis)],
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": f"token-{age}-{len(overrides)}",
    }
    data.update(overrides)
    return data


def _made() -> Referral:
    """The one referral made, its programme loaded while the area is in scope."""
    with area_scope(area("warwickshire")):
        made = db.session.scalars(select(Referral)).one()
        assert made.programme is not None
        return made


def _input_names(page: str) -> set[str]:
    form = page[page.index('<form method="post"') :]
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form))


def test_the_adult_form_asks_nothing_more_than_before(officer: FlaskClient) -> None:
    names = _input_names(officer.get(NEW).text)
    assert names == {
        "csrf_token",
        "submission_token",
        "forename",
        "surname",
        "date_of_birth",
        "phone",
        "email",
        "guardian_name",
        "guardian_contact",
        "offence_date",
        "crime_reference",
        "substances_found",
        "slot",
        "consent_to_contact",
        "gender",
        "ethnicity",
        "postcode_district",
        "notes",
    }


@pytest.mark.parametrize(
    ("age", "programme"),
    [(15, "divert-young-people"), (17, "divert-young-people"), (18, "divert-adults")],
)
def test_age_decides_the_diversion_programme(
    officer: FlaskClient, age: int, programme: str
) -> None:
    response = officer.post(NEW, data=_form(age))
    assert response.status_code == 302
    made = _made()
    assert (made.programme.code, made.disposal) == (programme, "pre_arrest_diversion")
    assert made.deadline_on is None


def test_a_conditional_caution_records_its_date_and_deadline(officer: FlaskClient) -> None:
    page = officer.get(CAUTION).text
    assert "Date of the disposal" in page
    assert 'name="slot"' not in page and 'name="substances_found"' not in page
    given = TODAY - timedelta(days=3)
    response = officer.post(
        CAUTION,
        data=_form(
            34,
            disposal_on=[str(given.day), str(given.month), str(given.year)],
            substances_found=[],
            slot=None,
        ),
    )
    assert response.status_code == 302
    made = _made()
    assert made.programme.code == "arv"
    assert (made.disposal, made.disposal_on) == ("conditional_caution", given)
    assert made.deadline_on == given + timedelta(days=84)


def test_a_deadline_the_officer_gives_is_kept(officer: FlaskClient) -> None:
    given, due = TODAY - timedelta(days=3), TODAY + timedelta(days=30)
    officer.post(
        RESOLUTION,
        data=_form(
            40,
            disposal_on=[str(given.day), str(given.month), str(given.year)],
            deadline_on=[str(due.day), str(due.month), str(due.year)],
        ),
    )
    assert (_made().disposal, _made().deadline_on) == ("community_resolution", due)


@pytest.mark.parametrize(
    ("url", "overrides", "message"),
    [
        (CAUTION, {"date_of_birth": _born(15)}, "has no programme for someone aged 15"),
        (CAUTION, {}, "Enter the date of the disposal"),
        (
            CAUTION,
            {"disposal_on": ["1", "1", str(TODAY.year + 1)]},
            "Date of the disposal must be today or in the past",
        ),
        (
            CAUTION,
            {"disposal_on": ["10", "1", "2026"], "deadline_on": ["9", "1", "2026"]},
            "The deadline must be after the date of the disposal",
        ),
    ],
)
def test_bad_disposal_input_is_explained_and_kept(
    officer: FlaskClient, url: str, overrides: dict, message: str
) -> None:
    data = _form(30, disposal_on=["2", "1", "2026"])
    data.update(overrides)
    if "Enter the date" in message:
        data.pop("disposal_on")
    page = officer.post(url, data=data)
    assert page.status_code == 200
    assert message in page.text
    assert 'value="Jordan"' in page.text
    with area_scope(area("warwickshire")):
        assert db.session.scalars(select(Referral)).all() == []


def test_an_unknown_disposal_is_not_found(officer: FlaskClient) -> None:
    assert officer.get(NEW + "?disposal=arrest").status_code == 404


def test_the_officer_chooses_when_two_programmes_fit(
    officer: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    sync_tenants(_copy_tenants(tmp_path, FOURTH))  # a 16+ community resolution course too
    given = TODAY - timedelta(days=1)
    data = _form(20, disposal_on=[str(given.day), str(given.month), str(given.year)])
    page = officer.post(RESOLUTION, data=data)
    assert "Choose the programme to refer them to" in page.text
    assert "Cannabis awareness evening" in page.text and "Alcohol Related Violence" in page.text
    with area_scope(area("warwickshire")):
        assert db.session.scalars(select(Referral)).all() == []
    programme_id = re.search(
        r'value="(\d+)"[^>]*>\s*<label[^>]*>\s*Cannabis awareness evening', page.text
    )
    assert programme_id is not None
    response = officer.post(RESOLUTION, data={**data, "programme": programme_id.group(1)})
    assert response.status_code == 302
    assert _made().programme.code == "cannabis-awareness"
