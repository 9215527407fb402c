"""Retention, erasure and subject access cover CARS (custody) records as they cover referrals.

The retention tests use the CARS world of tests/cars_figures (its conftest and test_kpis tell
it). Warwickshire's closed contacts: C1, closed 25 Oct 2024, and C4, closed 30 Nov 2024; every
other contact is open. Warwickshire keeps data 24 months, so:

- on 23 Nov 2026 the cut-off is 23 Nov 2024: C1's person is past it, C4's (closed on 30 Nov)
  not yet;
- on 1 Jan 2027 the cut-off is 1 Jan 2025: C4's person too.
Staffordshire closed nothing, so no one there is past it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.custody import use_cases
from divert.custody.use_cases import AssessmentDetails, ContactDetails
from divert.extensions import db
from divert.figures.cars_report import area_cars_figures
from divert.figures.periods import financial_year, quarter
from divert.models import (
    Area,
    ClosureReason,
    CustodyLocation,
    DrugInterventionsRecord,
    DrugTestResult,
    InitialContact,
    Person,
    ReferralStatus,
    Role,
    Substance,
    TreatmentService,
)
from divert.privacy.removal import PERSONAL_FIELDS
from divert.privacy.retention import apply_retention, expired_people
from divert.referrals import lifecycle
from divert.tenancy import area_scope, system_scope
from tests.cars_figures.builders import book, contact, local, suitability
from tests.cars_figures.conftest import built  # noqa: F401
from tests.cars_figures.test_kpis import _texts
from tests.factories import ADMIN_EMAIL, area, create_demo_accounts, make_user
from tests.referrals.builders import referral

TODAY = date(2026, 11, 23)

# The quarter October to December 2024 for Warwickshire, worked out by hand in
# tests/cars_figures/test_kpis.py's docstring: retention must change none of it.
QUARTER = {
    "cars_summary.contacts": "7",
    "cars_summary.assessments": "6 (86%)",
    "cars_summary.treatment_referrals": "2",
    "cars_summary.closed": "2",
    "cars_summary.naloxone_kits": "1",
    "cars_contact_kinds.test_on_arrest": "3 (43%)",
    "cars_contact_kinds.voluntary_assessment": "1 (14%)",
    "cars_contact_kinds.contact_only": "3 (43%)",
    "cars_required.required_requested": "2",
    "cars_required.required_completed": "2 (33%)",
    "cars_treatment.treatment_entries": "1 (50%)",
    "cars_treatment.declined_treatment": "1 (50%)",
    "cars_closures.transferred_to_treatment": "1 (50%)",
    "cars_closures.end_of_contact": "1 (50%)",
    "cars_appointments.appointments_booked": "3",
    "cars_appointments.booked_by_police": "2",
    "cars_appointments.out_of_hours": "2 (67%)",
    "cars_months.2024-10": "3",
    "cars_months.2024-11": "2",
    "cars_months.2024-12": "2",
}
# The region (Warwickshire and Staffordshire) for the quarter, by hand in the same docstring.
REGION = {
    "cars_summary.contacts": "10",
    "cars_summary.assessments": "7 (70%)",
    "cars_summary.closed": "2",
    "cars_treatment.treatment_entries": "2 (67%)",
    "cars_appointments.appointments_booked": "3",
}


def _shown(here: Area) -> tuple[dict[str, str], dict[str, str], str]:
    """The quarter's figures for the area and the region, and the year's contacts."""
    figures = area_cars_figures(here, quarter(2024, 4), today=TODAY)
    area_texts, region_texts = _texts(figures, 0), _texts(figures, 1)
    year = _texts(area_cars_figures(here, financial_year(2024), today=TODAY), 0)
    return (
        {key: area_texts[key] for key in QUARTER},
        {key: region_texts[key] for key in REGION},
        year["cars_summary.contacts"],
    )


def _closed(reason: ClosureReason) -> InitialContact:
    return db.session.scalars(
        select(InitialContact).where(InitialContact.closure_reason == reason)
    ).one()


def test_retention_blanks_closed_custody_contacts_and_keeps_the_figures(
    built: Area,  # noqa: F811
) -> None:
    with system_scope():
        c1 = _closed(ClosureReason.TRANSFERRED_TO_TREATMENT)
        c4 = _closed(ClosureReason.END_OF_CONTACT)
        c2 = db.session.scalars(
            select(InitialContact).where(
                InitialContact.test_result == DrugTestResult.POSITIVE_OPIATES
            )
        ).one()
        # What a worker writes: on the contacts and on the closed ones' assessments.
        for made in (c1, c4, c2):
            made.notes = "Lives with his sister at 4 Mill Lane"
        for record in [*c1.records, *c4.records]:
            record.notes = "Uses daily since losing his job"
        db.session.commit()
        c1_person, c4_person, c2_person = c1.person_id, c4.person_id, c2.person_id
    assert _shown(built) == (QUARTER, REGION, "8")

    with area_scope(built):
        assert apply_retention(built, TODAY).people == 1
        with system_scope():
            assert db.session.get(Person, c1_person).anonymised_at is not None
            assert db.session.get(Person, c4_person).anonymised_at is None
        assert apply_retention(built, date(2027, 1, 1)).people == 1
    staffordshire = area("staffordshire")
    with area_scope(staffordshire):
        assert apply_retention(staffordshire, date(2027, 1, 1)).people == 0

    assert _shown(built) == (QUARTER, REGION, "8")
    with system_scope():
        for person_id in (c1_person, c4_person):
            person = db.session.get(Person, person_id)
            assert all(getattr(person, name) is None for name in PERSONAL_FIELDS)
            assert person.anonymised_at is not None
        blanked = db.session.scalars(
            select(InitialContact).where(InitialContact.person_id.in_([c1_person, c4_person]))
        ).all()
        assert [made.notes for made in blanked] == [None, None]
        assert [r.notes for made in blanked for r in made.records] == [None, None]
        kept = db.session.get(Person, c2_person)
        assert kept.forename and kept.date_of_birth and kept.anonymised_at is None
        assert db.session.get(InitialContact, c2.id).notes == "Lives with his sister at 4 Mill Lane"


def test_a_person_seen_only_in_custody_is_kept_while_a_contact_is_open(
    built: Area,  # noqa: F811
) -> None:
    with area_scope(built):
        c1 = _closed(ClosureReason.TRANSFERRED_TO_TREATMENT)
        c4 = _closed(ClosureReason.END_OF_CONTACT)
        # Ten years on, only the two closed contacts' people are past the cut-off: the six
        # people with an open contact (and no referral) stay.
        assert expired_people(built, date(2036, 1, 1)) == sorted([c1.person_id, c4.person_id])


SEEN_AT = datetime(2025, 3, 4, 14, 30, tzinfo=UTC)  # 14:30 GMT


def _seen_in_custody(here: Area, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Dana Price, positive for both on 4 Mar 2025: assessed on the 5th, given harm reduction
    advice, a follow-up booked on the 5th at 10:00 for the 6th at 10:00, a court's request for
    a suitability assessment on the 5th (DRR recommended); the case closed on the 6th (which
    cancels the follow-up). The person's id and the treatment service's id."""
    worker = make_user("cars@warwickshire.test", {"warwickshire": Role.CUSTODY_WORKER})
    with area_scope(here):
        made = use_cases.record_contact(
            here,
            worker,
            ContactDetails(
                forename="Dana",
                surname="Price",
                date_of_birth=date(1988, 6, 2),
                location_id=db.session.scalars(
                    select(CustodyLocation.id).where(CustodyLocation.code == "leamington")
                ).one(),
                seen_at=SEEN_AT,
                test_result="positive_both",
                gender="female",
                notes="Asked us to call her sister, not her partner",
            ),
        )
        heroin = db.session.scalars(
            select(Substance).where(Substance.code == "heroin_opiates")
        ).one()
        treatment = db.session.scalars(
            select(TreatmentService).order_by(TreatmentService.id)
        ).first()
        assert treatment is not None
        use_cases.record_assessment(
            made,
            worker,
            AssessmentDetails(
                kind="required",
                assessed_on=date(2025, 3, 5),
                alcohol_use="harmful",
                outcome="referred_to_treatment",
                substances=[heroin],
                route="injected",
                risk_flags=["overdose", "children"],
                treatment_service=treatment,
                notes="Overdosed in January",
            ),
        )
        use_cases.record_activity(made, worker, kind="harm_reduction", done_on=date(2025, 3, 5))
        book(monkeypatch, made, worker, local(date(2025, 3, 5), 10))
        suitability(made, worker, date(2025, 3, 5), recommendation="drr")
        use_cases.close_case(made, worker, reason="declined", closed_on=date(2025, 3, 6))
        db.session.commit()
        return made.person_id, treatment.id


def test_subject_access_exports_custody_records_in_words_and_erasure_blanks_them(
    app_ctx: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    warwickshire = area("warwickshire")
    person_id, treatment_id = _seen_in_custody(warwickshire, monkeypatch)
    create_demo_accounts()
    with system_scope():
        service_name = db.session.get(TreatmentService, treatment_id).label
    client.post("/sign-in", data={"email": ADMIN_EMAIL, "password": "divert-demo-password"})

    assert client.get(f"/admin/people/{person_id}").status_code == 200
    exported = client.get(f"/admin/people/{person_id}/subject-access.json")
    assert exported.status_code == 200
    data = json.loads(exported.get_data())
    assert data["person"]["forename"] == "Dana"
    assert data["referrals"] == []
    [held] = data["custody_contacts"]
    # Times are stored in UTC; whether the text names the zone depends on the database.
    [booked] = held["appointments"]
    for when, expected in (
        (held.pop("seen_at"), SEEN_AT),
        (held["required_assessment"].pop("required_at"), SEEN_AT),
        (booked.pop("booked_at"), datetime(2025, 3, 5, 10, tzinfo=UTC)),  # GMT
        (booked.pop("starts_at"), datetime(2025, 3, 6, 10, tzinfo=UTC)),
    ):
        moment = datetime.fromisoformat(when)
        assert moment.replace(tzinfo=moment.tzinfo or UTC) == expected
    assert held == {
        "area": "Warwickshire",
        "where": "Leamington Justice Centre custody suite",
        "test_on_arrest": "Positive for cocaine and opiates",
        "voluntary_assessment_agreed": False,
        "contact": "Test on arrest",
        "gender": "female",
        "ethnicity": None,
        "notes": "Asked us to call her sister, not her partner",
        "closed_on": "2025-03-06",
        "closed_because": "Declined the service",
        "required_assessment": {
            "completed_on": "2025-03-05",
            "follow_up_required": False,
            "failure_to_attend_reported_at": None,
        },
        "appointments": [
            {
                "kind": "Follow-up appointment",
                "status": "Cancelled",  # closing the case cancelled it
                "booked_by_police": False,
                "remained": None,
            }
        ],
        "assessments": [
            {
                "kind": "Required (after a positive test)",
                "assessed_on": "2025-03-05",
                "substances": ["Heroin or other opiates"],
                "route": "Injected",
                "alcohol_use": "Harmful or hazardous drinking",
                "already_in_treatment": False,
                "needs_housing": False,
                "needs_mental_health": False,
                "risks": ["Overdose in the last year", "Children at home"],
                "outcome": "Referred into treatment",
                "treatment_service": service_name,
                "entered_treatment_on": None,
                "not_entered_because": None,
                "notes": "Overdosed in January",
            }
        ],
        "suitability_assessments": [
            {
                "requested_on": "2025-03-05",
                "court_date": "2025-03-05",
                "hearing_adjourned": False,
                "completed_on": "2025-03-05",
                "recommendation": "Suitable for a DRR",
                "court_result": None,
                "court_result_on": None,
            }
        ],
        "activities": [{"activity": "Harm reduction advice", "done_on": "2025-03-05"}],
    }

    erased = client.post(f"/admin/people/{person_id}", data={"reason": "SAR-2026-31 upheld"})
    assert erased.status_code == 302
    assert client.get(f"/admin/people/{person_id}").status_code == 200
    after = json.loads(client.get(f"/admin/people/{person_id}/subject-access.json").get_data())
    assert after["person"]["forename"] is None
    assert after["person"]["personal_data_removed_at"] is not None
    [held] = after["custody_contacts"]
    assert held["notes"] is None
    assert held["assessments"][0]["notes"] is None
    # What the figures count stays.
    assert held["test_on_arrest"] == "Positive for cocaine and opiates"
    assert held["assessments"][0]["risks"] == ["Overdose in the last year", "Children at home"]
    with system_scope():
        record = db.session.scalars(select(DrugInterventionsRecord)).one()
        assert record.notes is None and record.substances == ["heroin_opiates"]


def test_a_person_with_a_closed_referral_is_kept_while_their_custody_contact_is_open(
    app_ctx: Flask,
) -> None:
    """Jordan Hayes's referral is withdrawn today; the same person is then seen in custody on
    1 Mar 2025 and that contact stays open. Ten years on only the referral is closed, so they
    are kept; once the contact is closed (1 Apr 2025) they are past the cut-off."""
    warwickshire = area("warwickshire")
    officer = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
    worker = make_user("cars@warwickshire.test", {"warwickshire": Role.CUSTODY_WORKER})
    ten_years_on = date.today().replace(year=date.today().year + 10)
    with area_scope(warwickshire):
        made = referral(warwickshire, officer, forename="Jordan", surname="Hayes")
        lifecycle.change_status(made, ReferralStatus.WITHDRAWN, officer)
        seen = contact(warwickshire, worker, datetime(2025, 3, 1, 11, tzinfo=UTC))
        # The custody worker's match: the contact is about the referral's person.
        seen.person_id = made.person_id
        db.session.commit()
        assert made.person_id not in expired_people(warwickshire, ten_years_on)
        use_cases.close_case(seen, worker, reason="end_of_contact", closed_on=date(2025, 4, 1))
        db.session.commit()
        assert made.person_id in expired_people(warwickshire, ten_years_on)
