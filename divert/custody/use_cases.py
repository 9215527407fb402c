"""What a CARS custody worker (and a police officer, out of hours) records, one function per
action: record_contact, book_appointment, vary_appointment, record_appointment, record_assessment,
request_suitability, record_recommendation, record_court_result, record_activity, close_case,
confirm_treatment_entry, record_non_entry.

The records are described in divert/models/custody.py. As elsewhere (divert/referrals/
use_cases.py): plain values in, every check made, the audit event written, the record returned
or a divert.refusals.Refusal naming its field raised; the caller commits, or rolls back on a
refusal, so nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TypeVar

from divert import audit
from divert.clock import LOCAL, utcnow
from divert.custody.words import RISK_FLAGS
from divert.extensions import db
from divert.matching.normalise import DescribesPerson
from divert.models import (
    ActivityKind,
    AlcoholUse,
    AppointmentKind,
    Area,
    AssessmentKind,
    AssessmentResult,
    BookingStatus,
    ClosureReason,
    CourtResult,
    CustodyActivity,
    CustodyAppointment,
    CustodyLocation,
    DrugInterventionsRecord,
    DrugTestResult,
    InitialContact,
    NonEntryReason,
    PathwayStep,
    Person,
    Programme,
    Recommendation,
    RequiredAssessment,
    Route,
    Substance,
    SuitabilityAssessment,
    TreatmentService,
    User,
)
from divert.programmes import rules as programme_rules
from divert.referrals import repeats, submission
from divert.referrals.slots import within_hours
from divert.refusals import Conflict, Invalid, Refusal

Stored = TypeVar("Stored", bound=Enum)

# How far ahead an appointment may be booked.
BOOKING_HORIZON = timedelta(days=92)
# An appointment's attendance outcomes, as for other programmes.
ATTENDANCE_OUTCOMES = (
    BookingStatus.ATTENDED,
    BookingStatus.DID_NOT_ATTEND,
    BookingStatus.CANCELLED,
)


def audit_contact(action: str, contact: InitialContact, by: User, **detail: object) -> None:
    audit.record_on(action, "initial_contact", contact, by, **detail)


Made = TypeVar("Made")


def _recorded(made: Made, action: str, contact: InitialContact, by: User, **detail: object) -> Made:
    """What a use case made or changed, flushed (so it has its id) and audited on its contact."""
    db.session.flush()
    audit_contact(action, contact, by, **detail)
    return made


def cars_programme(area: Area) -> Programme:
    """The area's active arrest referral programme (the one whose pathway starts in custody)."""
    found = next(
        (p for p in programme_rules.area_programmes(area) if p.has(PathwayStep.CUSTODY_CONTACT)),
        None,
    )
    if found is None:
        raise Conflict(
            "location_id",
            f"{area.name} does not commission an arrest referral service",
            code="no_cars_programme",
        )
    return found


def out_of_hours(programme: Programme, area: Area, at: datetime) -> bool:
    """Whether `at` falls outside the service's opening hours (the programme's own, else the
    area's) or on a bank holiday."""
    return not within_hours(
        programme.opening_hours or area.opening_hours, area.bank_holidays, at, at
    )


@dataclass(frozen=True)
class ContactDetails(DescribesPerson):
    """What the worker records about a person seen in custody or at court."""

    forename: str
    surname: str
    date_of_birth: date
    location_id: int
    seen_at: datetime
    test_result: str
    voluntary_assessment_agreed: bool = False
    gender: str | None = None
    ethnicity: str | None = None
    postcode_district: str | None = None
    phone: str | None = None
    notes: str | None = None


def _contact_problems(details: ContactDetails, now: datetime) -> dict[str, str]:
    found: dict[str, str] = {}
    if not details.forename.strip():
        found["forename"] = "Enter their first name"
    if not details.surname.strip():
        found["surname"] = "Enter their last name"
    problem = submission.date_of_birth_problem(details.date_of_birth, now.date())
    if problem:
        found["date_of_birth"] = problem
    if details.seen_at > now:
        found["seen_at"] = "The contact must be now or in the past"
    if details.test_result not in {r.value for r in DrugTestResult}:
        found["test_result"] = "Choose the Drug Testing on Arrest result"
    return found


def _location(location_id: int) -> CustodyLocation:
    location = db.session.get(CustodyLocation, location_id)  # another area's is not found
    if location is None or not location.active:
        raise Refusal("location_id", "Choose the custody suite or court")
    return location


def record_contact(
    area: Area, by: User, details: ContactDetails, *, by_police: bool = False
) -> InitialContact:
    """A person seen in custody or at court, in the caseload of the worker `by` (or, recorded
    by police out of hours, awaiting a worker). The person is the area's same Person record
    when the repeat matcher says they surely are (someone referred before, or seen before); a
    positive test on arrest imposes a required assessment."""
    now = utcnow()
    problems = _contact_problems(details, now)
    if problems:
        raise Invalid(problems)
    programme = cars_programme(area)
    location = _location(details.location_id)
    record = details.person()
    person = repeats.matching_person(record)
    typed = {
        "forename": details.forename.strip(),
        "surname": details.surname.strip(),
        "date_of_birth": details.date_of_birth,
        "postcode_district": (details.postcode_district or "").strip().upper() or None,
        "phone": details.phone or None,
    }
    if person is None:
        person = Person(area_id=area.id, **typed)
        db.session.add(person)
    else:  # brought up to date with what was given now, as a referral's person is
        for name, value in typed.items():
            if value is not None:
                setattr(person, name, value)
    result = DrugTestResult(details.test_result)
    contact = InitialContact(
        area_id=area.id,
        programme=programme,
        person=person,
        worker_id=None if by_police else by.id,
        recorded_by_id=by.id,
        recorded_by_police=by_police,
        location=location,
        seen_at=details.seen_at,
        voluntary_assessment_agreed=details.voluntary_assessment_agreed,
        test_result=result,
        age_group=submission.age_group(details.date_of_birth, details.seen_at.date()),
        gender=details.gender or None,
        ethnicity=details.ethnicity or None,
        notes=details.notes or None,
    )
    db.session.add(contact)
    if result.positive:
        db.session.add(
            RequiredAssessment(area_id=area.id, contact=contact, required_at=details.seen_at)
        )
    db.session.flush()
    repeats.index_person(person)
    audit_contact("custody_contact_recorded", contact, by, test_result=result.value)
    return contact


def book_out_of_hours(
    area: Area, officer: User, details: ContactDetails, *, starts_at: datetime
) -> CustodyAppointment:
    """Police book the service's appointment while its workers are away: the contact (awaiting
    a worker) and its appointment, the required assessment's after a positive test, else a
    follow-up."""
    contact = record_contact(area, officer, details, by_police=True)
    kind = AppointmentKind.REQUIRED_ASSESSMENT if contact.required_assessment else None
    return book_appointment(
        contact,
        officer,
        kind=(kind or AppointmentKind.FOLLOW_UP).value,
        starts_at=starts_at,
        by_police=True,
    )


def take_contact(contact: InitialContact, worker: User) -> InitialContact:
    """A custody worker takes a contact into their caseload (one police booked, or a
    colleague's)."""
    _open(contact, "worker_id")
    contact.worker_id = worker.id
    return _recorded(contact, "custody_contact_taken", contact, worker)


def _open(contact: InitialContact, field: str) -> None:
    if contact.closed_on is not None:
        raise Conflict(field, "This case is closed", code="case_closed")


def book_appointment(
    contact: InitialContact,
    by: User,
    *,
    kind: str,
    starts_at: datetime,
    by_police: bool = False,
    varies: CustodyAppointment | None = None,
) -> CustodyAppointment:
    """Book an appointment: the required assessment's (its notice), the follow-up assessment's
    (only when one is required) or a follow-up. `by_police`: a police officer booked it (out of
    hours, say). It counts as out of hours when booked outside the service's opening hours."""
    _open(contact, "starts_at")
    chosen = _chosen(AppointmentKind, kind, "kind", "Choose the kind of appointment")
    required = contact.required_assessment
    if chosen is not AppointmentKind.FOLLOW_UP and required is None:
        raise Refusal("kind", "Only a positive test on arrest requires an assessment")
    if chosen is AppointmentKind.FOLLOW_UP_ASSESSMENT and not (
        required is not None and required.follow_up_required
    ):
        raise Refusal("kind", "No follow-up assessment is required of them")
    now = utcnow()
    if not now - timedelta(minutes=5) <= starts_at <= now + BOOKING_HORIZON:
        raise Refusal("starts_at", "The appointment must be in the next three months")
    appointment = CustodyAppointment(
        area_id=contact.area_id,
        contact=contact,
        kind=chosen,
        starts_at=starts_at,
        booked_by_id=by.id,
        booked_by_police=by_police,
        booked_at=now,
        out_of_hours=out_of_hours(contact.programme, contact.area, now),
        varies=varies,
    )
    db.session.add(appointment)
    return _recorded(
        appointment,
        "custody_appointment_booked",
        contact,
        by,
        kind=chosen.value,
        by_police=by_police,
        out_of_hours=appointment.out_of_hours,
    )


def vary_appointment(
    appointment: CustodyAppointment, by: User, *, starts_at: datetime, by_police: bool = False
) -> CustodyAppointment:
    """Change an appointment (the notice's variation): the old one is marked rescheduled and a
    new one of the same kind replaces it."""
    if appointment.status is not BookingStatus.BOOKED:
        raise Conflict("starts_at", "Only a booked appointment can be changed")
    new = book_appointment(
        appointment.contact,
        by,
        kind=appointment.kind.value,
        starts_at=starts_at,
        by_police=by_police,
        varies=appointment,
    )
    appointment.status = BookingStatus.RESCHEDULED
    return new


def _local_day(at: datetime) -> date:
    return at.astimezone(LOCAL).date()


def _chosen(kind: type[Stored], value: str, field: str, message: str) -> Stored:
    """The `kind` member stored as `value`, or a refusal with `message` next to `field`."""
    if value not in {member.value for member in kind}:
        raise Refusal(field, message)
    return kind(value)


def _dated_between(day: date, earliest: date, field: str, since: str) -> None:
    """Refuse `day` unless it falls between `earliest` (the day of `since`) and today."""
    if not earliest <= day <= date.today():
        raise Refusal(field, f"The date must be between {since} and today")


def record_appointment(
    appointment: CustodyAppointment,
    by: User,
    *,
    outcome: str,
    remained: bool | None = None,
    follow_up_required: bool | None = None,
) -> CustodyAppointment:
    """What happened at an appointment: attended (and for an assessment, whether they remained
    to the end), did not attend, or cancelled. A required assessment attended and remained is
    completed, and says whether a follow-up assessment is required; a required or follow-up
    assessment not attended is recorded for the police."""
    if appointment.status is not BookingStatus.BOOKED:
        raise Conflict("outcome", "This appointment's outcome is already recorded")
    chosen = next((s for s in ATTENDANCE_OUTCOMES if s.value == outcome), None)
    if chosen is None:
        raise Refusal("outcome", "Choose what happened")
    if chosen is BookingStatus.ATTENDED and appointment.starts_at > utcnow():
        raise Conflict("outcome", "The appointment has not started yet")
    assessment = appointment.kind is not AppointmentKind.FOLLOW_UP
    if chosen is BookingStatus.ATTENDED and assessment and remained is None:
        raise Refusal("remained", "Say whether they stayed to the end of the assessment")
    required = appointment.contact.required_assessment
    is_required = appointment.kind is AppointmentKind.REQUIRED_ASSESSMENT
    if is_required and chosen is BookingStatus.ATTENDED and remained and follow_up_required is None:
        raise Refusal("follow_up_required", "Say whether a follow-up assessment is required")
    appointment.status = chosen
    appointment.remained = remained if chosen is BookingStatus.ATTENDED else None
    appointment.recorded_by_id, appointment.recorded_at = by.id, utcnow()
    if required is not None and assessment:
        if chosen is BookingStatus.ATTENDED and remained and is_required:
            required.completed_on = required.completed_on or _local_day(appointment.starts_at)
            required.follow_up_required = bool(follow_up_required)
        elif chosen is BookingStatus.DID_NOT_ATTEND or (
            chosen is BookingStatus.ATTENDED and not remained
        ):
            required.failure_reported_at = utcnow()
    return _recorded(
        appointment, "custody_appointment_recorded", appointment.contact, by, outcome=chosen.value
    )


@dataclass(frozen=True)
class AssessmentDetails:
    """The structured assessment (the Drug Interventions Record's content)."""

    kind: str
    assessed_on: date
    alcohol_use: str
    outcome: str
    substances: Sequence[Substance] = ()
    route: str | None = None
    in_treatment: bool = False
    needs_housing: bool = False
    needs_mental_health: bool = False
    risk_flags: Sequence[str] = ()
    treatment_service: TreatmentService | None = None
    notes: str | None = None


def _assessment_problems(contact: InitialContact, details: AssessmentDetails) -> dict[str, str]:
    found: dict[str, str] = {}
    if details.kind not in {k.value for k in AssessmentKind}:
        found["kind"] = "Choose what kind of assessment this is"
    elif details.kind == AssessmentKind.REQUIRED and contact.required_assessment is None:
        found["kind"] = "Only a positive test on arrest requires an assessment"
    elif details.kind == AssessmentKind.COURT and not contact.suitability_assessments:
        found["kind"] = "A court assessment follows a court's request: record the request first"
    if not _local_day(contact.seen_at) <= details.assessed_on <= date.today():
        found["assessed_on"] = "The date must be between the contact and today"
    if details.substances and details.route not in {r.value for r in Route}:
        found["route"] = "Choose how they mostly take it"
    if details.alcohol_use not in {a.value for a in AlcoholUse}:
        found["alcohol_use"] = "Choose their alcohol use"
    unknown = set(details.risk_flags) - set(RISK_FLAGS)
    if unknown:
        found["risk_flags"] = "Choose risk flags from the list"
    if details.outcome not in {o.value for o in AssessmentResult}:
        found["outcome"] = "Choose the outcome"
    elif details.outcome == AssessmentResult.REFERRED_TO_TREATMENT and (
        details.treatment_service is None
    ):
        found["treatment_service"] = "Choose the treatment service they were referred to"
    return found


def record_assessment(
    contact: InitialContact, by: User, details: AssessmentDetails
) -> DrugInterventionsRecord:
    """Record an assessment as a Drug Interventions Record. A required assessment recorded
    completes the contact's required assessment; referred into treatment names the service."""
    _open(contact, "outcome")
    problems = _assessment_problems(contact, details)
    if problems:
        raise Invalid(problems)
    outcome = AssessmentResult(details.outcome)
    referred = outcome is AssessmentResult.REFERRED_TO_TREATMENT
    record = DrugInterventionsRecord(
        area_id=contact.area_id,
        contact=contact,
        kind=AssessmentKind(details.kind),
        assessed_on=details.assessed_on,
        assessed_by_id=by.id,
        substances=[s.code for s in details.substances],
        route=Route(details.route) if details.substances and details.route else None,
        alcohol_use=AlcoholUse(details.alcohol_use),
        in_treatment=details.in_treatment,
        needs_housing=details.needs_housing,
        needs_mental_health=details.needs_mental_health,
        risk_flags=list(details.risk_flags),
        outcome=outcome,
        treatment_service=details.treatment_service if referred else None,
        notes=details.notes or None,
    )
    db.session.add(record)
    required = contact.required_assessment
    if record.kind is AssessmentKind.REQUIRED and required is not None:
        required.completed_on = required.completed_on or details.assessed_on
    return _recorded(record, "custody_assessment_recorded", contact, by, outcome=outcome.value)


def request_suitability(
    contact: InitialContact, by: User, *, requested_on: date, court_date: date, adjourned: bool
) -> SuitabilityAssessment:
    """A court asks for an assessment of suitability for a DRR and/or an ATR, for its date
    (`adjourned`: the hearing was adjourned for it)."""
    _open(contact, "court_date")
    if requested_on > date.today():
        raise Refusal("requested_on", "The request must be today or in the past")
    if court_date < requested_on:
        raise Refusal("court_date", "The court date must be on or after the request")
    suitability = SuitabilityAssessment(
        area_id=contact.area_id,
        contact=contact,
        requested_on=requested_on,
        requested_by_id=by.id,
        court_date=court_date,
        adjourned=adjourned,
    )
    db.session.add(suitability)
    return _recorded(suitability, "suitability_requested", contact, by, adjourned=adjourned)


def record_recommendation(
    suitability: SuitabilityAssessment, by: User, *, recommendation: str, completed_on: date
) -> SuitabilityAssessment:
    """The worker's recommendation to the court: suitable for a DRR, an ATR, both, or not."""
    if suitability.recommendation is not None:
        raise Conflict("recommendation", "The recommendation is already recorded")
    chosen = _chosen(Recommendation, recommendation, "recommendation", "Choose the recommendation")
    _dated_between(completed_on, suitability.requested_on, "completed_on", "the request")
    suitability.recommendation = chosen
    suitability.completed_on = completed_on
    return _recorded(
        suitability,
        "suitability_recommended",
        suitability.contact,
        by,
        recommendation=recommendation,
    )


def record_court_result(
    suitability: SuitabilityAssessment, by: User, *, result: str, result_on: date
) -> SuitabilityAssessment:
    """What the court decided: a DRR, an ATR, both, or no such order."""
    if suitability.recommendation is None:
        raise Conflict("result", "Record the recommendation first")
    decided = _chosen(CourtResult, result, "result", "Choose what the court decided")
    _dated_between(result_on, suitability.requested_on, "result_on", "the request")
    suitability.result, suitability.result_on = decided, result_on
    return _recorded(suitability, "court_result_recorded", suitability.contact, by, result=result)


def record_activity(
    contact: InitialContact, by: User, *, kind: str, done_on: date
) -> CustodyActivity:
    """Something done for the person (naloxone supplied, harm reduction advice...)."""
    done = _chosen(ActivityKind, kind, "kind", "Choose what was done")
    _dated_between(done_on, _local_day(contact.seen_at), "done_on", "the contact")
    activity = CustodyActivity(
        area_id=contact.area_id,
        contact=contact,
        kind=done,
        done_on=done_on,
        by_id=by.id,
    )
    db.session.add(activity)
    return _recorded(activity, "custody_activity_recorded", contact, by, kind=kind)


def close_case(
    contact: InitialContact, by: User, *, reason: str, closed_on: date
) -> InitialContact:
    """Close the case: transferred to treatment, end of contact, declined, or no further
    contact. Appointments still booked are cancelled."""
    _open(contact, "reason")
    why = _chosen(ClosureReason, reason, "reason", "Choose why the case is closing")
    _dated_between(closed_on, _local_day(contact.seen_at), "closed_on", "the contact")
    contact.closed_on, contact.closure_reason = closed_on, why
    for appointment in contact.appointments:
        if appointment.status is BookingStatus.BOOKED:
            appointment.status = BookingStatus.CANCELLED
    return _recorded(contact, "custody_case_closed", contact, by, reason=reason)


def _awaiting_entry(record: DrugInterventionsRecord, field: str, entered: str) -> None:
    """Refuse an answer about entry into treatment unless they were referred into treatment
    and their entry is not yet confirmed (`entered` says so, next to `field`)."""
    if record.outcome is not AssessmentResult.REFERRED_TO_TREATMENT:
        raise Conflict(field, "They were not referred into treatment")
    if record.treatment_entry_on is not None:
        raise Conflict(field, entered)


def confirm_treatment_entry(
    record: DrugInterventionsRecord, by: User, *, entered_on: date
) -> DrugInterventionsRecord:
    """The treatment service confirms the person entered treatment: engaged with treatment."""
    _awaiting_entry(record, "entered_on", "Their entry into treatment is already confirmed")
    _dated_between(entered_on, record.assessed_on, "entered_on", "the assessment")
    record.treatment_entry_on, record.treatment_entry_confirmed_by_id = entered_on, by.id
    record.non_entry_reason = None
    return _recorded(record, "treatment_entry_confirmed", record.contact, by)


def record_non_entry(
    record: DrugInterventionsRecord, by: User, *, reason: str
) -> DrugInterventionsRecord:
    """Why a referral into treatment did not convert into entry."""
    _awaiting_entry(record, "reason", "They entered treatment")
    record.non_entry_reason = _chosen(
        NonEntryReason, reason, "reason", "Choose why they did not enter treatment"
    )
    return _recorded(record, "treatment_non_entry_recorded", record.contact, by, reason=reason)
