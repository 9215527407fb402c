"""Repeat detection in the application: the review queue, decisions that stick, and the
regional index that tells another area only where and when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select
from sqlalchemy import inspect as sa_inspect

from divert.extensions import db
from divert.figures.periods import custom
from divert.figures.report import area_figures, region_figures
from divert.models import MatchReview, Referral, RegionalKeyHash, Role, Substance, User
from divert.referrals.submission import ELSEWHERE_UNANSWERED
from divert.tenancy import area_scope, system_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral

TODAY = date.today()


@pytest.fixture
def people(app_ctx: Flask) -> dict[str, User]:
    return {
        "officer": make_user("pc@example.org", {"warwickshire": Role.OFFICER}),
        "manager": make_user("boss@example.org", {"warwickshire": Role.MANAGER}),
        "staffs_officer": make_user("pc@staffs.org", {"staffordshire": Role.OFFICER}),
    }


def _form(
    forename: str, token: str, slug: str = "warwickshire", **overrides: object
) -> dict[str, object]:
    with area_scope(area(slug)):
        cannabis = db.session.scalar(select(Substance.id).where(Substance.code == "cannabis"))
    data = {
        "forename": forename,
        "surname": "Rogers",
        "date_of_birth": ["10", "10", "1992"],
        "postcode_district": "CV20",
        "phone": "",
        "email": f"{token}@example.org",
        "offence_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "crime_reference": "CR/1",
        "substances_found": [str(cannabis)],
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": token,
    }
    data.update(overrides)
    return data


def test_a_different_person_decision_is_respected_later(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    with area_scope(area("warwickshire")):
        twin = referral(
            area("warwickshire"),
            people["officer"],
            forename="Kimberley",
            surname="Rogers",
            date_of_birth=date(1992, 10, 10),
            postcode_district="CV20",
            received_on=TODAY - timedelta(days=30),
            phone=None,
        )
        db.session.commit()
    auth.sign_in("pc@example.org")
    warned = client.post("/warwickshire/referrals/new", data=_form("Michael", "t1"))
    assert "This may be a person referred in Warwickshire before" in warned.text
    assert twin.reference in warned.text
    client.post("/warwickshire/referrals/new", data=_form("Michael", "t1", confirm_repeat="y"))
    with area_scope(area("warwickshire")):
        review = db.session.scalars(select(MatchReview)).one()
        first_michael = db.session.get(Referral, review.referral_id)
        assert not first_michael.is_repeat  # a possible match is not counted as a repeat
    auth.sign_out()
    auth.sign_in("boss@example.org")
    queue = client.get("/warwickshire/repeats/reviews").text
    assert "Michael Rogers" in queue and "Kimberley Rogers" in queue
    client.post(f"/warwickshire/repeats/reviews/{review.id}", data={"decision": "different"})
    auth.sign_out()
    auth.sign_in("pc@example.org")
    again = client.post("/warwickshire/referrals/new", data=_form("Michael", "t2"))
    assert "referred in Warwickshire before" in again.text  # Michael himself: a match
    assert _reference(twin) not in again.text  # but no longer Kimberley
    client.post("/warwickshire/referrals/new", data=_form("Michael", "t2", confirm_repeat="y"))
    with area_scope(area("warwickshire")):
        assert db.session.scalar(select(func.count()).select_from(MatchReview)) == 1
        second = db.session.scalars(select(Referral).order_by(Referral.id.desc())).first()
        assert second.is_repeat and second.repeat_of_id == first_michael.id
        assert second.person_id == first_michael.person_id


def test_another_area_learns_only_where_and_when(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    earlier_on = TODAY - timedelta(days=20)
    with area_scope(area("staffordshire")):
        staffs = referral(
            area("staffordshire"),
            people["staffs_officer"],
            forename="Michael",
            surname="Rogers",
            date_of_birth=date(1992, 10, 10),
            received_on=earlier_on,
            email="unique.marker@example.org",
        )
        db.session.commit()
        staffs_reference = staffs.reference  # read in its area (a refresh outside finds nothing)
    auth.sign_in("pc@example.org")
    asked = client.post("/warwickshire/referrals/new", data=_form("Michael", "t3"))
    assert asked.status_code == 200 and ELSEWHERE_UNANSWERED in asked.text
    for secret in (staffs_reference, "unique.marker"):
        assert secret not in asked.text
    response = client.post(
        "/warwickshire/referrals/new", data=_form("Michael", "t3", same_person_elsewhere="no")
    )
    confirmation = client.get(response.headers["Location"]).text
    expected = f"earlier referral in Staffordshire on {earlier_on:%-d %B %Y}"
    assert expected in confirmation
    for secret in (staffs_reference, "unique.marker"):
        assert secret not in confirmation
    columns = {c["name"] for c in inspect(db.engine).get_columns("regional_key_hash")}
    assert columns == {"id", "region_id", "area_id", "key_hash", "referral_on"}
    with system_scope():
        hashes = db.session.scalars(select(RegionalKeyHash.key_hash)).all()
    assert hashes and all(len(h) == 64 and "rogers" not in h for h in hashes)


def test_a_repeat_in_another_area_is_confirmed_by_the_officer_and_counted_once(
    client: FlaskClient, auth: Auth, people: dict[str, User]
) -> None:
    auth.sign_in("pc@staffs.org")
    first = client.post(
        "/staffordshire/referrals/new", data=_form("Michael", "s1", slug="staffordshire")
    )
    assert first.status_code == 302
    auth.sign_out()
    auth.sign_in("pc@example.org")
    typo = {"surname": "Rodgers"}  # Rogers, misspelt: the same sound, so the same keys
    asked = client.post("/warwickshire/referrals/new", data=_form("Michael", "w1", **typo))
    assert asked.status_code == 200
    assert ELSEWHERE_UNANSWERED in asked.text and 'name="same_person_elsewhere"' in asked.text
    assert "Staffordshire on" in asked.text
    with area_scope(area("warwickshire")):
        assert db.session.scalar(select(func.count(Referral.id))) == 0  # nothing until answered
    confirmed = client.post(
        "/warwickshire/referrals/new",
        data=_form("Michael", "w1", same_person_elsewhere="yes", **typo),
    )
    assert confirmed.status_code == 302
    with area_scope(area("warwickshire")):
        made = db.session.scalars(select(Referral)).one()
        assert made.is_repeat and made.repeat_of_id is None  # the earlier one stays in its area
    today = custom(TODAY, TODAY)
    with area_scope(area("warwickshire")):
        beside = area_figures(area("warwickshire"), today)
    assert [beside.cell(i, "repeats").value for i in (0, 1)] == [1, 1]
    region = region_figures(area("warwickshire").region, today, restrict_small_periods=False)
    names = [column.name for column in region.columns]
    repeats = dict(zip(names, (region.cell(i, "repeats").value for i in range(5)), strict=True))
    assert repeats == {
        "Staffordshire": 0,
        "Warwickshire": 1,
        "West Mercia": 0,
        "West Midlands": 0,
        "West Midlands region": 1,  # two referrals of one person: one repeat, counted once
    }
    assert region.cell(4, "referrals").value == 2


def _reference(referral: Referral) -> str:
    """A referral's reference, read in its own area (outside it, row-level security hides the
    row from the reload of an expired object); its id is read from its identity, not the row."""
    (referral_id,) = sa_inspect(referral).identity
    with system_scope():
        return db.session.get(Referral, referral_id).reference
