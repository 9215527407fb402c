"""Someone seen by the arrest referral service in custody and later referred to DIVERT is shown
to the officer as an earlier contact, as an earlier referral is, and is the same person record;
the referral is not a repeat referral in the figures."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.custody import use_cases
from divert.extensions import db
from divert.models import InitialContact, Referral, Role, Substance, utcnow
from divert.referrals.submission import CUSTODY_UNCONFIRMED
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.custody.conftest import details
from tests.factories import area, make_user

TODAY = date.today()


def _seen_in_custody() -> int:
    worker = make_user("cars@example.org", {"warwickshire": Role.CUSTODY_WORKER})
    with area_scope(area("warwickshire")):
        seen = use_cases.record_contact(
            area("warwickshire"),
            worker,
            details(
                forename="Jordan",
                surname="Ellison",
                date_of_birth=date(1996, 5, 30),
                seen_at=utcnow() - timedelta(days=20),
            ),
        )
        db.session.commit()
        return seen.person_id


def _referral_form(surname: str, **overrides: object) -> dict[str, object]:
    with area_scope(area("warwickshire")):
        cannabis = db.session.scalar(select(Substance.id).where(Substance.code == "cannabis"))
    data: dict[str, object] = {
        "forename": "Jordan",
        "surname": surname,
        "date_of_birth": ["30", "5", "1996"],
        "phone": "07911 123456",
        "offence_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "crime_reference": "WK/26/0101",
        "substances_found": [str(cannabis)],
        "consent_to_contact": "y",
        "slot": "none",
        "submission_token": "custody-token",
    }
    data.update(overrides)
    return data


def test_a_referral_with_a_typo_shows_the_earlier_custody_contact(
    app_ctx: Flask, client: FlaskClient, auth: Auth
) -> None:
    person_id = _seen_in_custody()
    make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    auth.sign_in("pc@example.org")
    data = _referral_form("Elisson")  # a typo in the surname
    warned = client.post("/warwickshire/referrals/new", data=data)
    assert warned.status_code == 200
    page = warned.text
    assert "This person has been seen by the arrest referral service (CARS)" in page
    assert "Earlier contacts in custody" in page
    assert "Leamington Justice Centre custody suite" in page
    assert "Same person" in page
    assert CUSTODY_UNCONFIRMED in page
    assert 'value="Elisson"' in page  # what was typed is kept
    with area_scope(area("warwickshire")):
        assert db.session.scalars(select(Referral)).all() == []
    confirmed = client.post("/warwickshire/referrals/new", data={**data, "confirm_repeat": "y"})
    assert confirmed.status_code == 302
    with area_scope(area("warwickshire")):
        made = db.session.scalars(select(Referral)).one()
        assert made.person_id == person_id
        assert made.person.surname == "Elisson"
        assert not made.is_repeat  # a custody contact is not an earlier referral
        assert len(db.session.scalars(select(InitialContact)).all()) == 1


def test_someone_else_is_not_shown_a_custody_contact(
    app_ctx: Flask, client: FlaskClient, auth: Auth
) -> None:
    _seen_in_custody()
    make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    auth.sign_in("pc@example.org")
    response = client.post(
        "/warwickshire/referrals/new",
        data=_referral_form("Ellison", forename="Morgan", date_of_birth=["2", "1", "1980"]),
    )
    assert response.status_code == 302
