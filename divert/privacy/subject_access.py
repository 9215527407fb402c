"""Everything held about a person, as JSON, for a subject access request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from divert.custody import words
from divert.extensions import db
from divert.models import (
    Assessment,
    Booking,
    ContactAttempt,
    CustodyAppointment,
    DrugInterventionsRecord,
    InitialContact,
    Person,
    Referral,
    SafeguardingConcern,
    Substance,
)
from divert.outcomes.records import outcomes_held
from divert.privacy.removal import PERSONAL_FIELDS


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "session_starts_at": _iso(booking.session.starts_at),
        "status": booking.status.value,
        "main_substance": booking.main_substance.label if booking.main_substance else None,
        "other_substances": [s.label for s in booking.other_substances],
        "interventions": [i.label for i in booking.interventions],
        "naloxone_kit_supplied": booking.naloxone_kit_supplied,
        "onward_service": booking.onward_service.label if booking.onward_service else None,
        "notes": booking.notes,
    }


def _contact(attempt: ContactAttempt) -> dict[str, Any]:
    return {
        "at": _iso(attempt.at),
        "method": attempt.method,
        "outcome": attempt.outcome,
        "note": attempt.note,
    }


def _referral(
    referral: Referral,
    bookings: list[Booking],
    contacts: list[ContactAttempt],
    concerns: list[SafeguardingConcern],
    assessment: Assessment | None,
) -> dict:
    return {
        "reference": referral.reference,
        "area": referral.area.name,
        "programme": referral.programme.name,
        "disposal": referral.disposal,
        "disposal_on": _iso(referral.disposal_on),
        "deadline_on": _iso(referral.deadline_on),
        "received_on": _iso(referral.received_on),
        "offence_date": _iso(referral.offence_date),
        "offence": referral.offence.label if referral.offence else None,
        "crime_reference": referral.crime_reference,
        "substances_found": [s.label for s in referral.substances_found],
        "consent_to_contact": referral.consent_to_contact,
        "notes": referral.notes,
        "status": referral.status.value,
        "closed_on": _iso(referral.closed_on),
        "status_history": [
            {"at": _iso(e.at), "from": e.from_status, "to": e.to_status, "note": e.note}
            for e in referral.events
        ],
        "sessions": [_booking(b) for b in bookings],
        "contact_attempts": [_contact(c) for c in contacts],
        "safeguarding_concerns": [
            {"raised_at": _iso(c.raised_at), "concern": c.concern} for c in concerns
        ],
        "assessment": None
        if assessment is None
        else {
            "held_on": _iso(assessment.held_on),
            "present": assessment.present,
            "answers": assessment.answers,
            "outcome": assessment.outcome,
            "out_reason": assessment.out_reason,
            "notes": assessment.notes,
        },
    }


def _label(labels: dict[Any, str], value: Any) -> str | None:
    """A stored code in words, or None when nothing was recorded."""
    return None if value is None else labels[value]


def _appointment(appointment: CustodyAppointment) -> dict[str, Any]:
    return {
        "kind": words.APPOINTMENT_KINDS[appointment.kind],
        "starts_at": _iso(appointment.starts_at),
        "booked_at": _iso(appointment.booked_at),
        "booked_by_police": appointment.booked_by_police,
        "status": words.APPOINTMENT_STATUSES[appointment.status],
        "remained": appointment.remained,
    }


def _custody_assessment(
    record: DrugInterventionsRecord, substances: dict[str, str]
) -> dict[str, Any]:
    return {
        "kind": words.ASSESSMENT_KINDS[record.kind],
        "assessed_on": _iso(record.assessed_on),
        "substances": [substances.get(code, code) for code in record.substances],
        "route": _label(words.ROUTES, record.route),
        "alcohol_use": words.ALCOHOL_USE[record.alcohol_use],
        "already_in_treatment": record.in_treatment,
        "needs_housing": record.needs_housing,
        "needs_mental_health": record.needs_mental_health,
        "risks": [words.RISK_FLAGS.get(code, code) for code in record.risk_flags],
        "outcome": words.ASSESSMENT_RESULTS[record.outcome],
        "treatment_service": record.treatment_service.label if record.treatment_service else None,
        "entered_treatment_on": _iso(record.treatment_entry_on),
        "not_entered_because": _label(words.NON_ENTRY_REASONS, record.non_entry_reason),
        "notes": record.notes,
    }


def _custody_contact(contact: InitialContact, substances: dict[str, str]) -> dict[str, Any]:
    required = contact.required_assessment
    return {
        "area": contact.area.name,
        "seen_at": _iso(contact.seen_at),
        "where": contact.location.label,
        "test_on_arrest": words.TEST_RESULTS[contact.test_result],
        "voluntary_assessment_agreed": contact.voluntary_assessment_agreed,
        "contact": words.CONTACT_KINDS[contact.contact_kind],
        "gender": contact.gender,
        "ethnicity": contact.ethnicity,
        "notes": contact.notes,
        "closed_on": _iso(contact.closed_on),
        "closed_because": _label(words.CLOSURE_REASONS, contact.closure_reason),
        "required_assessment": None
        if required is None
        else {
            "required_at": _iso(required.required_at),
            "completed_on": _iso(required.completed_on),
            "follow_up_required": required.follow_up_required,
            "failure_to_attend_reported_at": _iso(required.failure_reported_at),
        },
        "appointments": [_appointment(a) for a in contact.appointments],
        "assessments": [_custody_assessment(r, substances) for r in contact.records],
        "suitability_assessments": [
            {
                "requested_on": _iso(s.requested_on),
                "court_date": _iso(s.court_date),
                "hearing_adjourned": s.adjourned,
                "completed_on": _iso(s.completed_on),
                "recommendation": _label(words.RECOMMENDATIONS, s.recommendation),
                "court_result": _label(words.COURT_RESULTS, s.result),
                "court_result_on": _iso(s.result_on),
            }
            for s in contact.suitability_assessments
        ],
        "activities": [
            {"activity": words.ACTIVITIES[a.kind], "done_on": _iso(a.done_on)}
            for a in contact.activities
        ],
    }


def _custody_contacts(person: Person) -> list[dict[str, Any]]:
    """The person's custody (CARS) contacts, each with everything recorded on it."""
    contacts = db.session.scalars(
        select(InitialContact)
        .options(
            selectinload(InitialContact.area),
            selectinload(InitialContact.location),
            selectinload(InitialContact.required_assessment),
            selectinload(InitialContact.appointments),
            selectinload(InitialContact.records).selectinload(
                DrugInterventionsRecord.treatment_service
            ),
            selectinload(InitialContact.suitability_assessments),
            selectinload(InitialContact.activities),
        )
        .where(InitialContact.person_id == person.id)
        .order_by(InitialContact.seen_at, InitialContact.id)
    ).all()
    codes = {code for contact in contacts for r in contact.records for code in r.substances}
    substances = dict(
        db.session.execute(
            select(Substance.code, Substance.label).where(
                Substance.area_id == person.area_id, Substance.code.in_(codes)
            )
        ).all()
    )
    return [_custody_contact(contact, substances) for contact in contacts]


def subject_access(person: Person) -> dict[str, Any]:
    """The person's details and every referral, session, contact and custody contact about
    them; stored codes in words."""
    referrals = db.session.scalars(
        select(Referral)
        .options(
            selectinload(Referral.events),
            selectinload(Referral.substances_found),
            selectinload(Referral.offence),
            selectinload(Referral.area),
            selectinload(Referral.programme),
        )
        .where(Referral.person_id == person.id)
        .order_by(Referral.received_on)
    ).all()
    ids = [referral.id for referral in referrals]
    bookings = db.session.scalars(
        select(Booking)
        .options(
            selectinload(Booking.session),
            selectinload(Booking.interventions),
            selectinload(Booking.other_substances),
        )
        .where(Booking.referral_id.in_(ids))
        .order_by(Booking.id)
    ).all()
    contacts = db.session.scalars(
        select(ContactAttempt)
        .where(ContactAttempt.referral_id.in_(ids))
        .order_by(ContactAttempt.id)
    ).all()
    concerns = db.session.scalars(
        select(SafeguardingConcern)
        .where(SafeguardingConcern.referral_id.in_(ids))
        .order_by(SafeguardingConcern.id)
    ).all()
    assessments = {
        a.referral_id: a
        for a in db.session.scalars(select(Assessment).where(Assessment.referral_id.in_(ids)))
    }
    return {
        "person": {
            **{name: _iso(getattr(person, name)) for name in PERSONAL_FIELDS},
            "personal_data_removed_at": _iso(person.anonymised_at),
        },
        "referrals": [
            {
                **_referral(
                    referral,
                    [b for b in bookings if b.referral_id == referral.id],
                    [c for c in contacts if c.referral_id == referral.id],
                    [c for c in concerns if c.referral_id == referral.id],
                    assessments.get(referral.id),
                ),
                "outcomes": outcomes_held(referral.id),
            }
            for referral in referrals
        ],
        "custody_contacts": _custody_contacts(person),
    }
