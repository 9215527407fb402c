"""Everything held about a person, as JSON, for a subject access request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from divert.extensions import db
from divert.models import (
    Assessment,
    Booking,
    ContactAttempt,
    Person,
    Referral,
    SafeguardingConcern,
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


def subject_access(person: Person) -> dict[str, Any]:
    """The person's details and every referral, session and contact about them."""
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
    }
