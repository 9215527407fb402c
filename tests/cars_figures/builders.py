"""CARS records entered through the custody use cases (divert.custody.use_cases), as a custody
worker, a court or a police officer would: nothing is inserted behind the use cases' back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
from sqlalchemy import select

from divert.clock import LOCAL
from divert.custody import use_cases
from divert.custody.use_cases import AssessmentDetails, ContactDetails
from divert.extensions import db
from divert.models import (
    Area,
    CustodyAppointment,
    CustodyLocation,
    DrugInterventionsRecord,
    InitialContact,
    SuitabilityAssessment,
    TreatmentService,
    User,
)

_people = count(1)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A local (Europe/London) time, as the UTC instant the records store."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL).astimezone(UTC)


def location(kind: str = "custody_suite") -> int:
    """The area's first custody suite (or court) in its reference list."""
    return db.session.scalars(
        select(CustodyLocation.id).where(CustodyLocation.kind == kind).order_by(CustodyLocation.id)
    ).first()  # type: ignore[return-value]


def contact(
    area: Area,
    worker: User,
    seen_at: datetime,
    test_result: str = "not_tested",
    *,
    voluntary: bool = False,
    at_court: bool = False,
) -> InitialContact:
    """Someone seen: each a different person, with a name and date of birth no other shares
    (so the repeat matcher finds few candidates)."""
    number = next(_people)
    return use_cases.record_contact(
        area,
        worker,
        ContactDetails(
            forename=FORENAMES[number % len(FORENAMES)],
            surname=_letters(number).capitalize(),
            date_of_birth=date(1950, 1, 1) + timedelta(days=(number * 7) % 18000),
            location_id=location("court" if at_court else "custody_suite"),
            seen_at=seen_at,
            test_result=test_result,
            voluntary_assessment_agreed=voluntary,
        ),
    )


FORENAMES = ("Sam", "Alex", "Jordan", "Robin", "Casey", "Morgan", "Jamie", "Kit", "Drew", "Lee")


def _letters(number: int) -> str:
    """A surname that sounds different for every number (names are matched on sound)."""
    letters = "bdfgklmnprstvz"
    word = ""
    while number:
        number, digit = divmod(number, len(letters))
        word += letters[digit] + "aeiou"[digit % 5]
    return word


def service() -> TreatmentService:
    return db.session.scalars(select(TreatmentService).order_by(TreatmentService.id)).first()  # type: ignore[return-value]


def assess(
    made: InitialContact, worker: User, kind: str, on: date, outcome: str = "brief_intervention"
) -> DrugInterventionsRecord:
    """An assessment: required (after a positive test), voluntary or court; referred into
    treatment names the area's first treatment service."""
    return use_cases.record_assessment(
        made,
        worker,
        AssessmentDetails(
            kind=kind,
            assessed_on=on,
            alcohol_use="within_guidelines",
            outcome=outcome,
            treatment_service=service() if outcome == "referred_to_treatment" else None,
        ),
    )


def suitability(
    made: InitialContact,
    worker: User,
    requested_on: date,
    *,
    adjourned: bool = False,
    recommendation: str | None = None,
    completed_on: date | None = None,
    result: str | None = None,
    result_on: date | None = None,
) -> SuitabilityAssessment:
    """A court's request for a DRR/ATR suitability assessment, its recommendation and the
    court's result, each when given."""
    asked = use_cases.request_suitability(
        made, worker, requested_on=requested_on, court_date=requested_on, adjourned=adjourned
    )
    if recommendation is not None:
        use_cases.record_recommendation(
            asked, worker, recommendation=recommendation, completed_on=completed_on or requested_on
        )
    if result is not None:
        use_cases.record_court_result(
            asked, worker, result=result, result_on=result_on or requested_on
        )
    return asked


@contextmanager
def clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> Iterator[None]:
    """The custody use cases' clock stopped at `moment`: a booking is made when it is made."""
    with monkeypatch.context() as patch:
        patch.setattr(use_cases, "utcnow", lambda: moment)
        yield


def book(
    monkeypatch: pytest.MonkeyPatch,
    made: InitialContact,
    by: User,
    booked_at: datetime,
    kind: str = "follow_up",
    *,
    by_police: bool = False,
) -> CustodyAppointment:
    """An appointment booked at `booked_at`, for a day later."""
    with clock_at(monkeypatch, booked_at):
        return use_cases.book_appointment(
            made, by, kind=kind, starts_at=booked_at + timedelta(days=1), by_police=by_police
        )
