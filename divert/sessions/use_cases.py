"""What an educator records on a case or a booking, one function per action:
record_attendance, cancel_booking, record_contact.

As in divert/referrals/use_cases.py: plain values in, every check made, the audit event
written, the record returned or a divert.refusals.Refusal naming its field raised; the caller
commits (or rolls back on a refusal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from divert import audit
from divert.extensions import db
from divert.models import (
    Booking,
    BookingStatus,
    ContactAttempt,
    Intervention,
    Referral,
    Substance,
    TreatmentService,
    User,
)
from divert.referrals import lifecycle
from divert.referrals.use_cases import audit_referral
from divert.refusals import Conflict, Refusal

# What can have happened at a booked session (the form's choices and the API's values).
ATTENDANCE_OUTCOMES = {
    BookingStatus.ATTENDED: "Attended",
    BookingStatus.DID_NOT_ATTEND: "Did not attend",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.RESCHEDULED: "Rescheduled",
}
CONTACT_METHODS = {"phone": "Phone", "sms": "Text message", "email": "Email", "letter": "Letter"}
CONTACT_OUTCOMES = {
    "reached": "Spoke to them or they replied",
    "no_answer": "No answer",
    "message_left": "Left a message",
    "wrong_details": "Wrong contact details",
}


@dataclass(frozen=True)
class Attendance:
    """What the educator tells about a booked session: what happened, and for one attended,
    what the person reported and was given."""

    outcome: str
    main_substance: Substance | None = None
    other_substances: Sequence[Substance] = ()
    interventions: Sequence[Intervention] = ()
    onward_service: TreatmentService | None = None
    notes: str | None = None
    cancelled_by: str | None = None


def record_attendance(booking: Booking, by: User, attendance: Attendance) -> Booking:
    """What happened at a booked session; the referral moves on to match (see
    lifecycle.record_attendance for the rules). A naloxone kit counts as supplied when it is
    among the interventions."""
    outcome = attendance.outcome
    chosen = next((status for status in ATTENDANCE_OUTCOMES if status.value == outcome), None)
    if chosen is None:
        raise Refusal("outcome", "Choose what happened", code="attendance_refused")
    lifecycle.record_attendance(
        booking,
        chosen,
        by,
        main_substance=attendance.main_substance,
        other_substances=attendance.other_substances,
        interventions=attendance.interventions,
        naloxone_kit_supplied=lifecycle.supplies_naloxone(attendance.interventions),
        onward_service=attendance.onward_service,
        notes=attendance.notes or None,
        cancelled_by=attendance.cancelled_by or None,
    )
    audit.record(
        "attendance_recorded",
        record_type="booking",
        record_id=booking.id,
        user=by,
        area=booking.referral.area,
        outcome=outcome,
    )
    return booking


def cancel_booking(referral: Referral, by: User, cancelled_by: str) -> Booking:
    """Cancel the referral's open booking and free its place."""
    booking = lifecycle.active_booking(referral)
    if booking is None:
        raise Conflict("booking", "There is no booking to cancel", code="no_booking")
    lifecycle.record_attendance(booking, BookingStatus.CANCELLED, by, cancelled_by=cancelled_by)
    audit_referral("booking_cancelled", referral, by)
    return booking


def record_contact(
    referral: Referral, by: User, method: str, outcome: str, note: str | None = None
) -> ContactAttempt:
    """An attempt to contact the person: how, and whether it reached them."""
    if method not in CONTACT_METHODS:
        raise Refusal("method", "Choose how you tried to contact them")
    if outcome not in CONTACT_OUTCOMES:
        raise Refusal("outcome", "Choose what happened")
    attempt = ContactAttempt(
        referral_id=referral.id, user_id=by.id, method=method, outcome=outcome, note=note or None
    )
    db.session.add(attempt)
    audit_referral("contact_recorded", referral, by)
    return attempt
