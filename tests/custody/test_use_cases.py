"""The CARS use cases as plain function calls (no request, no form): each record, each rule,
and each refusal by the field it names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from divert.custody import use_cases
from divert.custody.use_cases import AssessmentDetails
from divert.extensions import db
from divert.models import (
    Area,
    AuditEvent,
    BookingStatus,
    CustodyAppointment,
    Person,
    Programme,
    RequiredAssessment,
    Substance,
    TreatmentService,
    User,
    utcnow,
)
from divert.refusals import Conflict, Invalid, Refusal
from tests.custody.conftest import contact, details, location_id

TODAY = date.today()


def _substance(code: str) -> Substance:
    return db.session.scalars(select(Substance).where(Substance.code == code)).one()


def _service(code: str = "community_drug_service") -> TreatmentService:
    return db.session.scalars(select(TreatmentService).where(TreatmentService.code == code)).one()


def _assessment(**changes: object) -> AssessmentDetails:
    values: dict[str, object] = {
        "kind": "required",
        "assessed_on": TODAY,
        "alcohol_use": "within_guidelines",
        "outcome": "referred_to_treatment",
        "substances": [_substance("cocaine")],
        "route": "snorted",
        "treatment_service": _service(),
    }
    values.update(changes)
    return AssessmentDetails(**values)  # type: ignore[arg-type]


def test_a_positive_test_records_the_contact_and_requires_an_assessment(
    warwickshire: Area, worker: User
) -> None:
    made = contact(warwickshire, worker)
    assert made.contact_kind == "test_on_arrest"
    assert made.programme.code == "cars"
    assert made.location.label == "Leamington Justice Centre custody suite"
    assert made.person.full_name == "Jordan Ellis"
    assert made.age_group.value == "adult"
    required = db.session.scalars(select(RequiredAssessment)).one()
    assert required.contact_id == made.id
    assert required.completed_on is None
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "custody_contact_recorded")
    ).one()
    assert audited.record_id == made.id
    assert audited.detail == {"test_result": "positive_cocaine"}


@pytest.mark.parametrize(
    ("result", "voluntary", "kind"),
    [
        ("negative", False, "test_on_arrest"),
        ("refused", True, "test_on_arrest"),
        ("not_tested", True, "voluntary_assessment"),
        ("not_tested", False, "contact_only"),
    ],
)
def test_no_assessment_is_required_without_a_positive_test(
    warwickshire: Area, worker: User, result: str, voluntary: bool, kind: str
) -> None:
    made = contact(warwickshire, worker, test_result=result, voluntary_assessment_agreed=voluntary)
    assert made.contact_kind == kind
    assert made.required_assessment is None


def test_bad_contact_details_are_refused_field_by_field(warwickshire: Area, worker: User) -> None:
    with pytest.raises(Invalid) as refused:
        contact(
            warwickshire,
            worker,
            forename=" ",
            date_of_birth=TODAY + timedelta(days=1),
            seen_at=utcnow() + timedelta(hours=2),
            test_result="positive_cannabis",
        )
    assert refused.value.problems == {
        "forename": "Enter their first name",
        "date_of_birth": "Date of birth must be in the past",
        "seen_at": "The contact must be now or in the past",
        "test_result": "Choose the Drug Testing on Arrest result",
    }
    assert db.session.scalars(select(Person)).all() == []


def test_another_areas_custody_suite_is_not_found(warwickshire: Area, worker: User) -> None:
    with pytest.raises(Refusal) as refused:
        contact(warwickshire, worker, location_id=10_000)
    assert refused.value.field == "location_id"


def test_the_same_person_seen_again_is_the_same_person_record(
    warwickshire: Area, worker: User
) -> None:
    first = contact(warwickshire, worker)
    again = contact(warwickshire, worker, surname="Elis", test_result="negative")
    other = contact(warwickshire, worker, forename="Casey", surname="Morgan")
    assert again.person_id == first.person_id
    assert other.person_id != first.person_id
    assert first.person.surname == "Elis"  # brought up to date with what was typed last


def test_an_area_without_cars_cannot_record_a_contact(warwickshire: Area, worker: User) -> None:
    cars = db.session.scalars(select(Programme).where(Programme.code == "cars")).one()
    cars.active = False
    with pytest.raises(Conflict) as refused:
        contact(warwickshire, worker)
    assert refused.value.code == "no_cars_programme"


def _at(weekday: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time in a winter week (GMT = UTC): 2026-01-05 is a Monday."""
    return datetime(2026, 1, 5 + weekday, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "outside"),
    [
        (_at(0, 7, 0), False),  # Monday 07:00, opening
        (_at(0, 6, 59), True),
        (_at(4, 21, 59), False),  # Friday
        (_at(4, 22, 1), True),
        (_at(5, 8, 0), False),  # Saturday 08:00 to 16:00
        (_at(5, 16, 30), True),
        (_at(6, 12, 0), False),  # Sunday
        (datetime(2026, 5, 4, 12, 0, tzinfo=UTC), True),  # Early May bank holiday
        (datetime(2026, 7, 6, 6, 30, tzinfo=UTC), False),  # 07:30 in summer time (BST)
    ],
)
def test_out_of_hours_follows_the_services_configured_hours(
    warwickshire: Area, at: datetime, outside: bool
) -> None:
    cars = use_cases.cars_programme(warwickshire)
    assert cars.opening_hours is not None
    assert cars.opening_hours["saturday"] == ["08:00", "16:00"]
    assert use_cases.out_of_hours(cars, warwickshire, at) is outside


def test_police_book_the_required_assessment_and_it_is_varied_then_completed(
    warwickshire: Area, worker: User, officer: User
) -> None:
    made = contact(warwickshire, worker)
    soon = utcnow().replace(microsecond=0) + timedelta(days=1)
    booked = use_cases.book_appointment(
        made, officer, kind="required_assessment", starts_at=soon, by_police=True
    )
    assert booked.booked_by_police
    assert booked.out_of_hours is use_cases.out_of_hours(
        made.programme, warwickshire, booked.booked_at
    )
    varied = use_cases.vary_appointment(booked, worker, starts_at=soon + timedelta(days=1))
    assert booked.status is BookingStatus.RESCHEDULED
    assert varied.varies_id == booked.id
    assert not varied.booked_by_police
    with pytest.raises(Conflict) as early:
        use_cases.record_appointment(varied, worker, outcome="attended", remained=True)
    assert early.value.field == "outcome"
    varied.starts_at = utcnow() - timedelta(minutes=30)  # the appointment has now been held
    with pytest.raises(Refusal) as unanswered:
        use_cases.record_appointment(varied, worker, outcome="attended")
    assert unanswered.value.field == "remained"
    with pytest.raises(Refusal) as follow_up:
        use_cases.record_appointment(varied, worker, outcome="attended", remained=True)
    assert follow_up.value.field == "follow_up_required"
    use_cases.record_appointment(
        varied, worker, outcome="attended", remained=True, follow_up_required=True
    )
    required = made.required_assessment
    assert required is not None
    assert required.completed_on == varied.starts_at.date()
    assert required.follow_up_required
    assert required.failure_reported_at is None
    follow = use_cases.book_appointment(
        made, worker, kind="follow_up_assessment", starts_at=soon + timedelta(days=7)
    )
    assert follow.kind.value == "follow_up_assessment"


def test_a_missed_required_assessment_is_recorded_for_the_police(
    warwickshire: Area, worker: User
) -> None:
    made = contact(warwickshire, worker)
    booked = use_cases.book_appointment(
        made, worker, kind="required_assessment", starts_at=utcnow() + timedelta(hours=1)
    )
    use_cases.record_appointment(booked, worker, outcome="did_not_attend")
    assert made.required_assessment is not None
    assert made.required_assessment.failure_reported_at is not None
    assert made.required_assessment.completed_on is None
    with pytest.raises(Conflict):
        use_cases.record_appointment(booked, worker, outcome="attended", remained=True)


def test_appointments_that_the_contact_does_not_call_for_are_refused(
    warwickshire: Area, worker: User
) -> None:
    negative = contact(warwickshire, worker, test_result="negative")
    later = utcnow() + timedelta(days=2)
    with pytest.raises(Refusal) as required:
        use_cases.book_appointment(negative, worker, kind="required_assessment", starts_at=later)
    assert required.value.field == "kind"
    positive = contact(warwickshire, worker, forename="Casey")
    with pytest.raises(Refusal) as follow_up:
        use_cases.book_appointment(positive, worker, kind="follow_up_assessment", starts_at=later)
    assert follow_up.value.field == "kind"
    with pytest.raises(Refusal) as too_late:
        use_cases.book_appointment(
            negative, worker, kind="follow_up", starts_at=utcnow() + timedelta(days=200)
        )
    assert too_late.value.field == "starts_at"
    assert db.session.scalars(select(CustodyAppointment)).all() == []


def test_an_assessment_refers_into_treatment_and_completes_the_required_one(
    warwickshire: Area, worker: User
) -> None:
    made = contact(warwickshire, worker)
    record = use_cases.record_assessment(
        made,
        worker,
        _assessment(needs_housing=True, risk_flags=["overdose", "children"]),
    )
    assert record.substances == ["cocaine"]
    assert record.route is not None and record.route.value == "snorted"
    assert record.treatment_service is not None
    assert record.treatment_service.code == "community_drug_service"
    assert record.risk_flags == ["overdose", "children"]
    assert made.required_assessment is not None
    assert made.required_assessment.completed_on == TODAY


def test_bad_assessments_are_refused_field_by_field(warwickshire: Area, worker: User) -> None:
    made = contact(warwickshire, worker, test_result="negative")
    with pytest.raises(Invalid) as refused:
        use_cases.record_assessment(
            made,
            worker,
            _assessment(
                assessed_on=TODAY + timedelta(days=1),
                route=None,
                alcohol_use="lots",
                risk_flags=["unknown"],
                treatment_service=None,
            ),
        )
    assert refused.value.problems == {
        "kind": "Only a positive test on arrest requires an assessment",
        "assessed_on": "The date must be between the contact and today",
        "route": "Choose how they mostly take it",
        "alcohol_use": "Choose their alcohol use",
        "risk_flags": "Choose risk flags from the list",
        "treatment_service": "Choose the treatment service they were referred to",
    }
    with pytest.raises(Invalid) as court:
        use_cases.record_assessment(made, worker, _assessment(kind="court"))
    assert court.value.field == "kind"


def test_a_brief_intervention_names_no_service(warwickshire: Area, worker: User) -> None:
    made = contact(warwickshire, worker, test_result="not_tested", voluntary_assessment_agreed=True)
    record = use_cases.record_assessment(
        made, worker, _assessment(kind="voluntary", outcome="brief_intervention", substances=[])
    )
    assert record.treatment_service is None
    assert record.route is None


def test_treatment_entry_is_confirmed_once_or_a_reason_given(
    warwickshire: Area, worker: User
) -> None:
    made = contact(warwickshire, worker)
    record = use_cases.record_assessment(made, worker, _assessment())
    use_cases.record_non_entry(record, worker, reason="did_not_attend")
    assert record.non_entry_reason is not None
    use_cases.confirm_treatment_entry(record, worker, entered_on=TODAY)
    assert record.treatment_entry_on == TODAY
    assert record.non_entry_reason is None
    with pytest.raises(Conflict):
        use_cases.confirm_treatment_entry(record, worker, entered_on=TODAY)
    declined = use_cases.record_assessment(
        made, worker, _assessment(kind="voluntary", outcome="declined")
    )
    with pytest.raises(Conflict) as not_referred:
        use_cases.confirm_treatment_entry(declined, worker, entered_on=TODAY)
    assert not_referred.value.field == "entered_on"


def test_a_court_suitability_assessment_recommends_and_the_court_decides(
    warwickshire: Area, worker: User
) -> None:
    made = contact(
        warwickshire, worker, location_id=location_id("leamington-court"), test_result="not_tested"
    )
    with pytest.raises(Refusal) as before:
        use_cases.request_suitability(
            made, worker, requested_on=TODAY, court_date=TODAY - timedelta(days=1), adjourned=True
        )
    assert before.value.field == "court_date"
    asked = use_cases.request_suitability(
        made, worker, requested_on=TODAY, court_date=TODAY + timedelta(days=21), adjourned=True
    )
    with pytest.raises(Conflict) as early:
        use_cases.record_court_result(asked, worker, result="drr", result_on=TODAY)
    assert early.value.field == "result"
    use_cases.record_assessment(made, worker, _assessment(kind="court"))
    use_cases.record_recommendation(asked, worker, recommendation="drr", completed_on=TODAY)
    use_cases.record_court_result(asked, worker, result="drr", result_on=TODAY)
    assert (asked.recommendation, asked.result) == ("drr", "drr")
    assert asked.completed_on == TODAY


def test_naloxone_and_closing_the_case(warwickshire: Area, worker: User) -> None:
    made = contact(warwickshire, worker)
    booked = use_cases.book_appointment(
        made, worker, kind="follow_up", starts_at=utcnow() + timedelta(days=3)
    )
    use_cases.record_activity(made, worker, kind="naloxone_supplied", done_on=TODAY)
    with pytest.raises(Refusal) as unknown:
        use_cases.record_activity(made, worker, kind="tea", done_on=TODAY)
    assert unknown.value.field == "kind"
    use_cases.close_case(made, worker, reason="transferred_to_treatment", closed_on=TODAY)
    assert made.closed_on == TODAY
    assert booked.status is BookingStatus.CANCELLED
    assert [a.kind.value for a in made.activities] == ["naloxone_supplied"]
    with pytest.raises(Conflict) as closed:
        use_cases.book_appointment(
            made, worker, kind="follow_up", starts_at=utcnow() + timedelta(days=3)
        )
    assert closed.value.code == "case_closed"


def test_police_book_out_of_hours_and_a_worker_takes_the_contact(
    warwickshire: Area, worker: User, officer: User
) -> None:
    booked = use_cases.book_out_of_hours(
        warwickshire, officer, details(), starts_at=utcnow() + timedelta(days=1)
    )
    made = booked.contact
    assert (made.worker_id, made.recorded_by_id, made.recorded_by_police) == (
        None,
        officer.id,
        True,
    )
    assert booked.kind.value == "required_assessment"
    assert booked.booked_by_police
    negative = use_cases.book_out_of_hours(
        warwickshire,
        officer,
        details(forename="Casey", test_result="negative"),
        starts_at=utcnow() + timedelta(days=1),
    )
    assert negative.kind.value == "follow_up"
    use_cases.take_contact(made, worker)
    assert made.worker_id == worker.id
