"""A referral's states and the only ways to move between them.

    submitted -> booked -> attended -> completed
    booked -> did not attend -> booked (rebooked)
    any open state -> not engaged (returned to police) | ineligible | withdrawn
    booked or attended -> not completed (a course's rule unmet, or its deadline missed:
        returned to police) | referred on (an assessment routed them elsewhere)
    submitted or booked -> voided (entered in error: never counted)

Every change writes a ReferralEvent. Bookings take a place in a session through a guarded
UPDATE, so a session's capacity holds under concurrent requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select, update

from divert.clock import LOCAL, utcnow
from divert.extensions import db
from divert.models import (
    Booking,
    BookingStatus,
    DiarySession,
    Intervention,
    Referral,
    ReferralEvent,
    ReferralStatus,
    SessionKind,
    Substance,
    TreatmentService,
    User,
)
from divert.referrals import closure, messages
from divert.refusals import Conflict, Refusal

S = ReferralStatus

TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.SUBMITTED: frozenset(
        {
            S.BOOKED,
            S.ATTENDED,
            S.NOT_ENGAGED,
            S.NOT_COMPLETED,
            S.INELIGIBLE,
            S.WITHDRAWN,
            S.VOIDED,
            S.REFERRED_ON,
        }
    ),
    S.BOOKED: frozenset(
        {
            S.SUBMITTED,
            S.ATTENDED,
            S.DID_NOT_ATTEND,
            S.COMPLETED,
            S.NOT_ENGAGED,
            S.NOT_COMPLETED,
            S.INELIGIBLE,
            S.WITHDRAWN,
            S.VOIDED,
            S.REFERRED_ON,
        }
    ),
    S.DID_NOT_ATTEND: frozenset(
        {
            S.BOOKED,
            S.ATTENDED,
            S.NOT_ENGAGED,
            S.NOT_COMPLETED,
            S.INELIGIBLE,
            S.WITHDRAWN,
            S.REFERRED_ON,
        }
    ),
    S.ATTENDED: frozenset({S.BOOKED, S.COMPLETED, S.NOT_COMPLETED, S.WITHDRAWN, S.REFERRED_ON}),
    S.COMPLETED: frozenset(),
    S.NOT_ENGAGED: frozenset(),
    S.NOT_COMPLETED: frozenset(),
    S.REFERRED_ON: frozenset(),
    S.INELIGIBLE: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.VOIDED: frozenset(),
}

# Outcomes that say what happened at the session, so need it to have started.
HAPPENED = frozenset({BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND})

CLOSED = frozenset(status for status, onward in TRANSITIONS.items() if not onward)
RETURNED_TO_OFFICER = frozenset({S.NOT_ENGAGED, S.NOT_COMPLETED, S.INELIGIBLE})

LABELS: dict[ReferralStatus, str] = {
    S.SUBMITTED: "Awaiting contact",
    S.BOOKED: "Booked",
    S.ATTENDED: "Attended",
    S.DID_NOT_ATTEND: "Did not attend",
    S.COMPLETED: "Completed",
    S.NOT_ENGAGED: "Not engaged – returned to you",
    S.NOT_COMPLETED: "Not completed – returned to you",
    S.REFERRED_ON: "Referred on",
    S.INELIGIBLE: "Ineligible – returned to you",
    S.WITHDRAWN: "Withdrawn",
    S.VOIDED: "Withdrawn – entered in error",
}


def supplies_naloxone(interventions: Iterable[Intervention]) -> bool:
    """A naloxone kit counts as supplied when the kit is among the interventions given."""
    return any(intervention.code == "naloxone_kit" for intervention in interventions)


# Who can cancel a booking (the values stored, with how they read).
CANCELLED_BY = {"person": "The person", "service": "The service"}
class TransitionError(Conflict):
    """A change the referral's (or booking's) state does not allow."""

    default_code = "transition_refused"

    def __init__(self, message: str, *, field: str = "status", code: str | None = None) -> None:
        super().__init__(field, message, code=code)


class SlotFullError(Conflict):
    """Every place in the session has been taken (or the session was cancelled)."""

    default_code = "slot_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__("session_id", message)


def _refusal(referral: Referral, to_status: ReferralStatus) -> str | None:
    if to_status not in TRANSITIONS[referral.status]:
        return (
            f"A referral that is {LABELS[referral.status].lower()} cannot be marked "
            f"{LABELS[to_status].lower()}"
        )
    if to_status is S.COMPLETED and referral.initial_attended_on is None:
        return "A referral can only be completed after the initial session was attended"
    if to_status is S.NOT_ENGAGED and referral.initial_attended_on is not None:
        return "This person attended their initial session, so they did engage"
    return None


def change_status(
    referral: Referral, to_status: ReferralStatus, by: User | None, note: str | None = None
) -> ReferralEvent:
    """Move the referral on, or raise TransitionError with a message for the user."""
    refusal = _refusal(referral, to_status)
    if refusal:
        raise TransitionError(refusal)
    event = ReferralEvent(
        referral=referral,
        area_id=referral.area_id,
        user_id=by.id if by else None,
        from_status=referral.status.value,
        to_status=to_status.value,
        note=note,
    )
    db.session.add(event)
    referral.status = to_status
    if to_status in CLOSED:
        referral.closed_on = date.today()
        _release_open_booking(referral)
        closure.case_closed(referral)
    if to_status in RETURNED_TO_OFFICER:
        messages.outcome_notice(referral)
    return event


def _release_open_booking(referral: Referral) -> None:
    """A closed case keeps no place in a future session (a course's cohort has several)."""
    for booking in db.session.scalars(
        select(Booking).where(
            Booking.referral_id == referral.id, Booking.status == BookingStatus.BOOKED
        )
    ).all():
        booking.status, booking.cancelled_by = BookingStatus.CANCELLED, "service"
        _free_place(booking.session)
        messages.withdraw_booking_messages(booking)


def _take_place(session: DiarySession) -> None:
    taken = db.session.execute(
        update(DiarySession)
        .where(
            DiarySession.id == session.id,
            DiarySession.booked_count < DiarySession.capacity,
            DiarySession.cancelled_at.is_(None),
        )
        .values(booked_count=DiarySession.booked_count + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise SlotFullError("That session is now full. Choose another time.")
    db.session.refresh(session, ["booked_count"])


def _free_place(session: DiarySession) -> None:
    db.session.execute(
        update(DiarySession)
        .where(DiarySession.id == session.id, DiarySession.booked_count > 0)
        .values(booked_count=DiarySession.booked_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session, ["booked_count"])


def active_booking(referral: Referral) -> Booking | None:
    return db.session.scalar(
        select(Booking)
        .where(Booking.referral_id == referral.id, Booking.status == BookingStatus.BOOKED)
        .order_by(Booking.id)  # a course's cohort: its next session was booked first
        .limit(1)
    )


def book(referral: Referral, session: DiarySession, by: User) -> Booking:
    """Take a place for the referral; a booking it already had is marked rescheduled. A case
    with no educator yet becomes the session's educator's."""
    if referral.status is not S.BOOKED and S.BOOKED not in TRANSITIONS[referral.status]:
        raise TransitionError(_refusal(referral, S.BOOKED) or "")
    if session.programme_id != referral.programme_id:
        raise TransitionError(
            f"That session is for {session.programme.name}, not {referral.programme.name}",
            field="session_id",
        )
    _take_place(session)
    if referral.educator_id is None:
        referral.educator_id = session.educator_id
    previous = active_booking(referral)
    if previous is not None:
        previous.status = BookingStatus.RESCHEDULED
        _free_place(previous.session)
        messages.withdraw_booking_messages(previous)
    booking = Booking(
        referral=referral,
        session=session,
        area_id=referral.area_id,
        booked_by_id=by.id,
        status=BookingStatus.BOOKED,
    )
    db.session.add(booking)
    if referral.status is not S.BOOKED:
        change_status(referral, S.BOOKED, by, note=f"Booked for {session.starts_at:%d %b %Y %H:%M}")
    db.session.flush()
    messages.appointment_messages(booking)
    return booking


def record_attendance(
    booking: Booking,
    outcome: BookingStatus,
    by: User,
    *,
    main_substance: Substance | None = None,
    other_substances: Iterable[Substance] = (),
    interventions: Iterable[Intervention] = (),
    naloxone_kit_supplied: bool = False,
    onward_service: TreatmentService | None = None,
    notes: str | None = None,
    cancelled_by: str | None = None,
) -> None:
    """Record what happened to one booking, and move the referral on to match.

    Whether someone attended can only be known once the session has started; a booking can be
    cancelled or rescheduled at any time.
    """
    if booking.status is not BookingStatus.BOOKED:
        raise TransitionError(
            "The outcome of this booking has already been recorded",
            field="outcome",
            code="attendance_refused",
        )
    if outcome is BookingStatus.BOOKED:
        raise Refusal("outcome", "Choose what happened at the session", code="attendance_refused")
    referral, session = booking.referral, booking.session
    if outcome in HAPPENED and session.starts_at > utcnow():
        raise TransitionError(
            "Attendance can only be recorded once the session has started "
            f"({session.starts_at.astimezone(LOCAL):%-d %B %Y at %H:%M})",
            field="outcome",
            code="attendance_refused",
        )
    is_initial = session.kind is SessionKind.INITIAL
    if outcome is BookingStatus.ATTENDED and is_initial and main_substance is None:
        raise Refusal(
            "main_substance",
            "Select the main substance the person reported",
            code="attendance_refused",
        )
    if outcome is BookingStatus.CANCELLED and cancelled_by not in CANCELLED_BY:
        raise Refusal("cancelled_by", "Choose who cancelled", code="attendance_refused")
    booking.status = outcome
    booking.recorded_by_id, booking.recorded_at, booking.notes = by.id, utcnow(), notes
    if outcome is BookingStatus.ATTENDED:
        _record_attended(
            booking,
            main_substance,
            other_substances,
            interventions,
            naloxone_kit_supplied,
            onward_service,
            by,
        )
    elif outcome is BookingStatus.DID_NOT_ATTEND:
        referral.missed_appointments += 1
        change_status(referral, S.DID_NOT_ATTEND, by)
        limit = referral.area.missed_appointment_limit
        if referral.missed_appointments >= limit and referral.initial_attended_on is None:
            change_status(
                referral,
                S.NOT_ENGAGED,
                by,
                note=f"Missed {referral.missed_appointments} appointments",
            )
    else:
        booking.cancelled_by = cancelled_by
        _free_place(session)
        messages.withdraw_booking_messages(booking)
        if referral.status is S.BOOKED:
            change_status(referral, S.SUBMITTED, by, note=f"Booking {outcome.value}")


def _record_attended(
    booking: Booking,
    main_substance: Substance | None,
    other_substances: Iterable[Substance],
    interventions: Iterable[Intervention],
    naloxone_kit_supplied: bool,
    onward_service: TreatmentService | None,
    by: User,
) -> None:
    referral = booking.referral
    booking.main_substance = main_substance
    booking.other_substances = list(other_substances)
    booking.interventions = list(interventions)
    booking.naloxone_kit_supplied = naloxone_kit_supplied
    booking.onward_service = onward_service
    if booking.session.kind is SessionKind.INITIAL and referral.initial_attended_on is None:
        referral.initial_attended_on = booking.session.starts_at.date()
        referral.main_substance = main_substance
    if referral.status is S.BOOKED:
        change_status(referral, S.ATTENDED, by)
