"""The CARS pages as a custody worker and a police officer use them: each form one page, bad
input answered next to its field with what was typed kept, nothing half-saved."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.clock import LOCAL
from divert.extensions import db
from divert.models import (
    CustodyActivity,
    CustodyAppointment,
    CustodyLocation,
    DrugInterventionsRecord,
    InitialContact,
    Person,
    Role,
    SuitabilityAssessment,
    TreatmentService,
)
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user

TODAY = date.today()
TOMORROW = TODAY + timedelta(days=1)


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _in_warwickshire(query):  # type: ignore[no-untyped-def]
    with area_scope(area("warwickshire")):
        return db.session.execute(query).scalars().all()


def _count(model: type) -> int:
    with area_scope(area("warwickshire")):
        return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def worker_client(app_ctx: Flask, client: FlaskClient, auth: Auth) -> FlaskClient:
    make_user("cars@example.org", {"warwickshire": Role.CUSTODY_WORKER}, name="Casey Worker")
    auth.sign_in("cars@example.org")
    return client


def _location_id(code: str = "leamington") -> str:
    return str(_in_warwickshire(select(CustodyLocation.id).where(CustodyLocation.code == code))[0])


def _contact_form(**overrides: object) -> dict[str, object]:
    earlier = datetime.now(LOCAL) - timedelta(minutes=30)
    data: dict[str, object] = {
        "forename": "Jordan",
        "surname": "Ellis",
        "date_of_birth": ["14", "3", "1990"],
        "location": _location_id(),
        "seen_on": _parts(earlier.date()),
        "seen_at": earlier.strftime("%H:%M"),
        "test_result": "positive_cocaine",
        "phone": "07911 123456",
    }
    data.update(overrides)
    return data


def _record_contact(client: FlaskClient, **overrides: object) -> int:
    response = client.post("/warwickshire/custody/new", data=_contact_form(**overrides))
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_caseload_and_the_contact_form(worker_client: FlaskClient) -> None:
    page = worker_client.get("/warwickshire/custody").text
    assert "My open contacts (0)" in page
    form = worker_client.get("/warwickshire/custody/new").text
    assert "Leamington Justice Centre custody suite" in form
    assert "Positive for cocaine and opiates" in form
    contact_id = _record_contact(worker_client)
    page = worker_client.get("/warwickshire/custody").text
    assert "My open contacts (1)" in page and "Jordan Ellis" in page
    shown = worker_client.get(f"/warwickshire/custody/{contact_id}").text
    assert "Positive for cocaine" in shown
    assert "Required assessment" in shown
    assert "Casey Worker" in shown


def test_bad_input_is_answered_by_its_field_and_kept(worker_client: FlaskClient) -> None:
    response = worker_client.post(
        "/warwickshire/custody/new",
        data=_contact_form(
            forename="Jordan",
            surname="",
            date_of_birth=["31", "2", "1990"],
            seen_at="25:99",
            test_result="",
            location="",
            phone="not a phone",
        ),
    )
    assert response.status_code == 200
    page = response.text
    assert "Enter their last name" in page
    assert "Date of birth must be a real date" in page
    assert "Enter a time like 09:30 or 14:00" in page
    assert "Choose the Drug Testing on Arrest result" in page
    assert "Choose the custody suite or court" in page
    assert "Enter a UK phone number" in page
    assert 'value="Jordan"' in page and 'value="25:99"' in page
    assert _count(InitialContact) == 0 and _count(Person) == 0


def test_a_refusal_of_the_use_case_goes_next_to_its_field(worker_client: FlaskClient) -> None:
    later = datetime.now(LOCAL) + timedelta(hours=3)
    response = worker_client.post(
        "/warwickshire/custody/new",
        data=_contact_form(seen_on=_parts(later.date()), seen_at=later.strftime("%H:%M")),
    )
    assert response.status_code == 200
    assert "The contact must be now or in the past" in response.text
    assert _count(InitialContact) == 0


def test_assessment_referral_follow_up_and_entry_into_treatment(
    worker_client: FlaskClient,
) -> None:
    contact_id = _record_contact(worker_client)
    service = _in_warwickshire(
        select(TreatmentService.id).where(TreatmentService.code == "community_drug_service")
    )[0]
    base = f"/warwickshire/custody/{contact_id}"
    missing = worker_client.post(
        f"{base}/assessment",
        data={
            "kind": "required",
            "assessed_on": _parts(TODAY),
            "substances": ["cocaine"],
            "route": "",
            "alcohol_use": "within_guidelines",
            "outcome": "referred_to_treatment",
            "treatment_service": "",
        },
    )
    assert missing.status_code == 200
    assert "Choose how they mostly take it" in missing.text
    assert "Choose the treatment service they were referred to" in missing.text
    assert _count(DrugInterventionsRecord) == 0
    saved = worker_client.post(
        f"{base}/assessment",
        data={
            "kind": "required",
            "assessed_on": _parts(TODAY),
            "substances": ["cocaine", "cannabis"],
            "route": "snorted",
            "alcohol_use": "harmful",
            "needs": ["housing"],
            "risk_flags": ["overdose"],
            "outcome": "referred_to_treatment",
            "treatment_service": str(service),
        },
    )
    assert saved.status_code == 302
    booked = worker_client.post(
        f"{base}/appointments/new",
        data={"kind": "follow_up", "day": _parts(TOMORROW), "starts": "10:30"},
    )
    assert booked.status_code == 302
    page = worker_client.get(base).text
    assert "Referred into treatment: Community drug and alcohol service" in page
    assert "Awaiting the treatment service" in page
    assert "Follow-up appointment" in page
    record_id = _in_warwickshire(select(DrugInterventionsRecord.id))[0]
    no_date = worker_client.post(
        f"/warwickshire/custody/records/{record_id}/treatment", data={"entered": "yes"}
    )
    assert "Enter the date they entered treatment" in no_date.text
    confirmed = worker_client.post(
        f"/warwickshire/custody/records/{record_id}/treatment",
        data={"entered": "yes", "entered_on": _parts(TODAY)},
    )
    assert confirmed.status_code == 302
    assert "Confirmed: entered on" in worker_client.get(base).text


def test_an_appointment_is_attended_changed_or_missed(worker_client: FlaskClient) -> None:
    contact_id = _record_contact(worker_client)
    base = f"/warwickshire/custody/{contact_id}"
    worker_client.post(
        f"{base}/appointments/new",
        data={"kind": "required_assessment", "day": _parts(TOMORROW), "starts": "09:00"},
    )
    appointment_id = _in_warwickshire(select(CustodyAppointment.id))[0]
    url = f"/warwickshire/custody/appointments/{appointment_id}"
    assert "Did they stay to the end of the assessment?" in worker_client.get(url).text
    changed = worker_client.post(
        url,
        data={"change-day": _parts(TOMORROW), "change-starts": "11:00", "change-submit": "y"},
    )
    assert changed.status_code == 302
    new_id = max(_in_warwickshire(select(CustodyAppointment.id)))
    assert worker_client.get(url).status_code == 404  # the old one was changed
    missed = worker_client.post(
        f"/warwickshire/custody/appointments/{new_id}",
        data={"outcome": "did_not_attend", "submit": "y"},
    )
    assert missed.status_code == 302
    assert "Recorded for the police" in worker_client.get(base).text


def test_court_naloxone_and_closing(worker_client: FlaskClient) -> None:
    contact_id = _record_contact(
        worker_client, location=_location_id("leamington-court"), test_result="not_tested"
    )
    base = f"/warwickshire/custody/{contact_id}"
    asked = worker_client.post(
        f"{base}/court",
        data={
            "requested_on": _parts(TODAY),
            "court_date": _parts(TODAY + timedelta(days=14)),
            "adjourned": "y",
        },
    )
    assert asked.status_code == 302
    suitability_id = _in_warwickshire(select(SuitabilityAssessment.id))[0]
    url = f"/warwickshire/custody/court/{suitability_id}"
    assert "Recommendation to the court" in worker_client.get(url).text
    worker_client.post(url, data={"recommendation": "atr", "completed_on": _parts(TODAY)})
    assert "What the court decided" in worker_client.get(url).text
    worker_client.post(url, data={"result": "atr", "result_on": _parts(TODAY)})
    assert worker_client.get(url).status_code == 404
    worker_client.post(
        f"{base}/activity", data={"kind": "naloxone_supplied", "done_on": _parts(TODAY)}
    )
    assert _count(CustodyActivity) == 1
    closed = worker_client.post(
        f"{base}/close", data={"reason": "end_of_contact", "closed_on": _parts(TODAY)}
    )
    assert closed.status_code == 302
    page = worker_client.get(base).text
    assert "ATR made" in page and "Naloxone supplied" in page and "End of contact" in page
    assert worker_client.get(f"{base}/close").status_code == 404


def test_police_book_out_of_hours_and_a_worker_takes_the_contact(
    app_ctx: Flask, client: FlaskClient, auth: Auth
) -> None:
    make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    make_user("cars@example.org", {"warwickshire": Role.CUSTODY_WORKER})
    auth.sign_in("pc@example.org")
    assert client.get("/warwickshire/custody").status_code == 403  # no names for officers
    form = {
        "forename": "Sam",
        "surname": "Taylor",
        "date_of_birth": ["2", "6", "1985"],
        "location": _location_id("nuneaton"),
        "test_result": "positive_opiates",
        "day": _parts(TOMORROW),
        "starts": "09:30",
    }
    refused = client.post("/warwickshire/custody/book", data={**form, "starts": ""})
    assert "Enter the time" in refused.text and 'value="Sam"' in refused.text
    booked = client.post("/warwickshire/custody/book", data=form, follow_redirects=True)
    assert "The required assessment is booked for" in booked.text
    assert "09:30" in booked.text
    auth.sign_out()
    auth.sign_in("cars@example.org")
    page = client.get("/warwickshire/custody?show=awaiting").text
    assert "Sam Taylor" in page and "Awaiting a worker" in page
    contact_id = _in_warwickshire(select(InitialContact.id))[0]
    assert "Police" in client.get(f"/warwickshire/custody/{contact_id}").text
    taken = client.post(f"/warwickshire/custody/{contact_id}/take", data={})
    assert taken.status_code == 302
    assert "Sam Taylor" in client.get("/warwickshire/custody").text


def test_the_custody_workers_home_page_says_what_to_do(
    app_ctx: Flask, client: FlaskClient, auth: Auth
) -> None:
    make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    make_user("cars@example.org", {"warwickshire": Role.CUSTODY_WORKER})
    auth.sign_in("pc@example.org")
    client.post(
        "/warwickshire/custody/book",
        data={
            "forename": "Sam",
            "surname": "Taylor",
            "date_of_birth": ["2", "6", "1985"],
            "location": _location_id("nuneaton"),
            "test_result": "negative",
            "day": _parts(TOMORROW),
            "starts": "09:30",
        },
    )
    auth.sign_out()
    auth.sign_in("cars@example.org")
    page = client.get("/warwickshire/").text
    assert "1 contact booked by police is awaiting a worker" in page
    assert "You have no open custody contacts" in page
    assert "Custody contacts" in page
