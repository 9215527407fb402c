"""The force's counts and a treatment service's confirmation through the API."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    BookingStatus,
    EligibleOffences,
    Role,
    Substance,
    TreatmentEntry,
    TreatmentService,
    utcnow,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.factories import area, create_demo_accounts, make_token
from tests.outcomes.builders import demo_user
from tests.referrals.builders import referral, session_slot

AREA = "warwickshire"


def _tokens(app: Flask) -> dict[str, str]:
    with app.app_context():
        create_demo_accounts()
        here = area(AREA)
        with area_scope(here):
            return {
                role: make_token(demo_user(role, here), area=here)
                for role in (Role.FORCE_ANALYST, Role.TREATMENT_SERVICE, Role.EDUCATOR)
            }


def _auth(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    return {**headers, "Idempotency-Key": key} if key else headers


def test_eligible_offences_and_a_comparison_group(app: Flask, client: FlaskClient) -> None:
    token = _tokens(app)[Role.FORCE_ANALYST]
    url = f"/api/v1/areas/{AREA}/eligible-offences"
    twice = {"months": [{"month": "2026-01", "eligible_offences": 40}] * 2}
    refused = client.post(url, json=twice, headers=_auth(token, "eligible-1"))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == [
        {"field": "months.1.month", "message": "January 2026 appears twice"}
    ]
    good = {
        "months": [
            {"month": "2026-01", "eligible_offences": 40},
            {"month": "2026-02", "eligible_offences": 38},
        ]
    }
    assert client.post(url, json=good, headers=_auth(token, "eligible-2")).get_json() == {
        "recorded": 2,
        "months": ["2026-01", "2026-02"],
    }
    bad_month = {"months": [{"month": "2026-13", "eligible_offences": 1}]}
    answer = client.post(url, json=bad_month, headers=_auth(token, "eligible-3"))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"][0]["field"] == "months.0.month"

    group = {
        "starts_on": "2026-01-01",
        "ends_on": "2026-03-31",
        "people": 10,
        "reoffended": 4,
        "offences": 3,
        "violent": 1,
        "alcohol": 1,
    }
    comparison = f"/api/v1/areas/{AREA}/comparison-groups"
    refused = client.post(comparison, json=group, headers=_auth(token))
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "offences"
    saved = client.post(comparison, json={**group, "offences": 9}, headers=_auth(token))
    assert saved.status_code == 200 and saved.get_json()["people"] == 10
    with app.app_context(), area_scope(area(AREA)):
        months = db.session.execute(
            select(EligibleOffences.month, EligibleOffences.offences).order_by(
                EligibleOffences.month
            )
        ).all()
    assert months == [(date(2026, 1, 1), 40), (date(2026, 2, 1), 38)]


def test_a_treatment_service_confirms_entry(app: Flask, client: FlaskClient) -> None:
    tokens = _tokens(app)
    with app.app_context():
        here = area(AREA)
        with area_scope(here):
            officer, educator = demo_user(Role.OFFICER, here), demo_user(Role.EDUCATOR, here)
            slot = session_slot(here, educator, starts_at=utcnow() - timedelta(days=5))
            onward = referral(here, officer)
            booking = lifecycle.book(onward, slot, officer)
            cannabis = db.session.scalars(
                select(Substance).where(Substance.code == "cannabis")
            ).one()
            service = db.session.scalars(
                select(TreatmentService).where(TreatmentService.code == "community_drug_service")
            ).one()
            lifecycle.record_attendance(
                booking,
                BookingStatus.ATTENDED,
                educator,
                main_substance=cannabis,
                onward_service=service,
            )
            none_onward = referral(here, officer)
            db.session.commit()
            onward_ref, none_ref = onward.reference, none_onward.reference
    url = f"/api/v1/areas/{AREA}/treatment-entries"
    today = date.today().isoformat()
    educator = client.post(
        url,
        json={"reference": onward_ref, "entered_on": today},
        headers=_auth(tokens[Role.EDUCATOR]),
    )
    assert educator.status_code == 403
    no_onward = client.post(
        url,
        json={"reference": none_ref, "entered_on": today},
        headers=_auth(tokens[Role.TREATMENT_SERVICE]),
    )
    assert no_onward.status_code == 409
    assert no_onward.get_json()["error"]["field"] == "referral"
    confirmed = client.post(
        url,
        json={"reference": onward_ref, "entered_on": today},
        headers=_auth(tokens[Role.TREATMENT_SERVICE]),
    )
    assert confirmed.status_code == 200
    assert confirmed.get_json() == {
        "reference": onward_ref,
        "entered_on": today,
        "service": "Community drug and alcohol service",
    }
    with app.app_context(), area_scope(area(AREA)):
        entry = db.session.scalars(select(TreatmentEntry)).one()
        assert entry.confirmed_by == "treatment_service"
