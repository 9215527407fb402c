"""The referral state machine, bookings within capacity, and attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from divert.clock import utcnow
from divert.extensions import db
from divert.models import (
    Area,
    Booking,
    BookingStatus,
    ReferralEvent,
    ReferralStatus,
    Substance,
    User,
)
from divert.referrals import lifecycle
from divert.referrals.lifecycle import TRANSITIONS, SlotFullError, TransitionError
from divert.refusals import Refusal
from tests.referrals.builders import referral, session_slot

S = ReferralStatus


def _cannabis() -> Substance:
    return db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()


ALL_PAIRS = [(a, b) for a in S for b in S if a is not b]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(
    warwickshire: Area, officer: User, from_status: S, to_status: S
) -> None:
    made = referral(warwickshire, officer)
    made.status = from_status
    needs_attendance = to_status is S.COMPLETED
    if needs_attendance:
        made.initial_attended_on = date.today()
    allowed = to_status in TRANSITIONS[from_status]
    if allowed:
        event = lifecycle.change_status(made, to_status, officer)
        assert made.status is to_status
        assert (event.from_status, event.to_status) == (from_status.value, to_status.value)
    else:
        with pytest.raises(TransitionError):
            lifecycle.change_status(made, to_status, officer)
        assert made.status is from_status


def test_completion_needs_an_attended_initial_session(warwickshire: Area, officer: User) -> None:
    made = referral(warwickshire, officer)
    made.status = S.ATTENDED
    with pytest.raises(TransitionError, match="after the initial session was attended"):
        lifecycle.change_status(made, S.COMPLETED, officer)


def test_closing_sets_the_closure_date(warwickshire: Area, officer: User) -> None:
    made = referral(warwickshire, officer)
    assert made.closed_on is None
    lifecycle.change_status(made, S.INELIGIBLE, officer)
    assert made.closed_on == date.today()


def test_booking_takes_a_place_and_refuses_a_full_session(
    warwickshire: Area, officer: User, educator: User
) -> None:
    slot = session_slot(warwickshire, educator, capacity=1)
    first, second = referral(warwickshire, officer), referral(warwickshire, officer)
    lifecycle.book(first, slot, officer)
    assert slot.booked_count == 1
    assert first.status is S.BOOKED
    with pytest.raises(SlotFullError):
        lifecycle.book(second, slot, officer)
    assert second.status is S.SUBMITTED


def test_rebooking_frees_the_earlier_place(
    warwickshire: Area, officer: User, educator: User
) -> None:
    first_slot, second_slot = (
        session_slot(warwickshire, educator),
        session_slot(warwickshire, educator),
    )
    made = referral(warwickshire, officer)
    old = lifecycle.book(made, first_slot, officer)
    lifecycle.book(made, second_slot, officer)
    assert old.status is BookingStatus.RESCHEDULED
    assert (first_slot.booked_count, second_slot.booked_count) == (0, 1)


def test_attending_the_initial_session_records_engagement_and_substance(
    warwickshire: Area, officer: User, educator: User
) -> None:
    slot = session_slot(warwickshire, educator, starts_at=utcnow() - timedelta(minutes=10))
    made = referral(warwickshire, officer)
    booking = lifecycle.book(made, slot, officer)
    with pytest.raises(Refusal, match="main substance") as missing:
        lifecycle.record_attendance(booking, BookingStatus.ATTENDED, educator)
    assert missing.value.field == "main_substance"
    lifecycle.record_attendance(
        booking,
        BookingStatus.ATTENDED,
        educator,
        main_substance=_cannabis(),
        naloxone_kit_supplied=True,
    )
    assert made.status is S.ATTENDED
    assert made.initial_attended_on == slot.starts_at.date()
    assert made.main_substance.code == "cannabis"
    with pytest.raises(TransitionError, match="already been recorded"):
        lifecycle.record_attendance(booking, BookingStatus.DID_NOT_ATTEND, educator)


@pytest.mark.parametrize("outcome", [BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND])
def test_attendance_waits_for_the_session_to_start(
    warwickshire: Area, officer: User, educator: User, outcome: BookingStatus
) -> None:
    starts = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)
    slot = session_slot(warwickshire, educator, starts_at=starts)
    booking = lifecycle.book(referral(warwickshire, officer), slot, officer)
    with pytest.raises(TransitionError) as refused:
        lifecycle.record_attendance(booking, outcome, educator, main_substance=_cannabis())
    assert refused.value.field == "outcome"
    assert str(refused.value) == (
        "Attendance can only be recorded once the session has started (4 March 2030 at 10:00)"
    )
    assert (booking.status, booking.referral.status) == (BookingStatus.BOOKED, S.BOOKED)


def test_a_booking_can_be_cancelled_before_its_session(
    warwickshire: Area, officer: User, educator: User
) -> None:
    slot = session_slot(warwickshire, educator, starts_at=utcnow() + timedelta(days=3))
    booking = lifecycle.book(referral(warwickshire, officer), slot, officer)
    lifecycle.record_attendance(booking, BookingStatus.CANCELLED, educator, cancelled_by="person")
    assert (booking.status, slot.booked_count) == (BookingStatus.CANCELLED, 0)


def test_missing_a_session_counts_and_cancelling_frees_the_place(
    warwickshire: Area, officer: User, educator: User
) -> None:
    made = referral(warwickshire, officer)
    yesterday = utcnow() - timedelta(days=1)
    earlier = session_slot(warwickshire, educator, starts_at=yesterday)
    missed = lifecycle.book(made, earlier, officer)
    lifecycle.record_attendance(missed, BookingStatus.DID_NOT_ATTEND, educator)
    assert (made.status, made.missed_appointments) == (S.DID_NOT_ATTEND, 1)
    slot = session_slot(warwickshire, educator)
    cancelled = lifecycle.book(made, slot, officer)
    lifecycle.record_attendance(cancelled, BookingStatus.CANCELLED, educator, cancelled_by="person")
    assert (made.status, slot.booked_count, cancelled.cancelled_by) == (S.SUBMITTED, 0, "person")


def test_every_change_is_an_event(warwickshire: Area, officer: User, educator: User) -> None:
    made = referral(warwickshire, officer)
    slot = session_slot(warwickshire, educator)
    lifecycle.book(made, slot, officer)
    lifecycle.change_status(made, S.WITHDRAWN, officer)
    assert slot.booked_count == 0
    db.session.commit()
    events = db.session.scalars(
        select(ReferralEvent).where(ReferralEvent.referral_id == made.id).order_by(ReferralEvent.id)
    ).all()
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "submitted"),
        ("submitted", "booked"),
        ("booked", "withdrawn"),
    ]
    # Closing the case gave its place back.
    assert db.session.scalar(select(Booking.status)) is BookingStatus.CANCELLED
