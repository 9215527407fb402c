"""CARS records for tests that walk pages and routes, made through the use cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from divert.custody import use_cases
from divert.extensions import db
from divert.models import Area, CustodyLocation, TreatmentService, User


def cars_records(area: Area, worker: User, location: str, name: str) -> dict[str, int]:
    """A contact seen at `location` (a code) with a positive test, a follow-up appointment to
    come, a court's request awaiting its recommendation and an assessment that referred them
    into treatment: the ids each CARS page is opened with."""
    seen = use_cases.record_contact(
        area,
        worker,
        use_cases.ContactDetails(
            forename=name,
            surname=name,
            date_of_birth=date(1990, 1, 2),
            location_id=db.session.scalars(
                select(CustodyLocation.id).where(CustodyLocation.code == location)
            ).one(),
            seen_at=datetime.now(UTC) - timedelta(hours=1),
            test_result="positive_both",
        ),
    )
    appointment = use_cases.book_appointment(
        seen, worker, kind="follow_up", starts_at=datetime.now(UTC) + timedelta(days=1)
    )
    suitability = use_cases.request_suitability(
        seen,
        worker,
        requested_on=date.today(),
        court_date=date.today() + timedelta(days=7),
        adjourned=False,
    )
    record = use_cases.record_assessment(
        seen,
        worker,
        use_cases.AssessmentDetails(
            kind="required",
            assessed_on=date.today(),
            alcohol_use="none",
            outcome="referred_to_treatment",
            treatment_service=db.session.scalars(select(TreatmentService)).first(),
        ),
    )
    return {
        "contact_id": seen.id,
        "appointment_id": appointment.id,
        "suitability_id": suitability.id,
        "record_id": record.id,
    }
