"""The educator's use cases driven as plain function calls: an app context and an area scope,
no request, no form. Each refusal is checked by the field it names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from divert.clock import utcnow
from divert.extensions import db
from divert.models import (
    Area,
    Booking,
    BookingStatus,
    ContactAttempt,
    Intervention,
    ReferralStatus,
    Substance,
    User,
)
from divert.referrals import lifecycle
from divert.refusals import Conflict, Refusal
from divert.sessions import use_cases
from divert.sessions.use_cases import Attendance
from tests.referrals.builders import referral, session_slot


@pytest.fixture
def booking(warwickshire: Area, staff: dict[str, User]) -> Booking:
    made = referral(warwickshire, staff["officer"])
    began = utcnow() - timedelta(hours=1)  # attendance is recorded once a session has started
    slot = session_slot(warwickshire, staff["educator"], capacity=2, starts_at=began)
    return lifecycle.book(made, slot, staff["officer"])


def _coded(model: type, *codes: str) -> list:
    return list(db.session.scalars(select(model).where(model.code.in_(codes))))


def test_attendance_is_refused_by_field(booking: Booking, staff: dict[str, User]) -> None:
    educator = staff["educator"]
    refusals = {}
    for outcome, extra in [
        ("booked", {}),
        ("attended", {}),
        ("cancelled", {}),
        ("cancelled", {"cancelled_by": "the weather"}),
    ]:
        with pytest.raises(Refusal) as refused:
            use_cases.record_attendance(booking, educator, Attendance(outcome, **extra))
        refusals[(outcome, *extra.values())] = (refused.value.field, refused.value.message)
    assert refusals == {
        ("booked",): ("outcome", "Choose what happened"),
        ("attended",): ("main_substance", "Select the main substance the person reported"),
        ("cancelled",): ("cancelled_by", "Choose who cancelled"),
        ("cancelled", "the weather"): ("cancelled_by", "Choose who cancelled"),
    }
    assert booking.status is BookingStatus.BOOKED


def test_attendance_records_the_substance_and_a_naloxone_kit(
    booking: Booking, staff: dict[str, User]
) -> None:
    [cocaine] = _coded(Substance, "cocaine")
    attended = Attendance(
        "attended",
        main_substance=cocaine,
        interventions=_coded(Intervention, "harm_reduction", "naloxone_kit"),
        notes="",
    )
    use_cases.record_attendance(booking, staff["educator"], attended)
    assert booking.status is BookingStatus.ATTENDED
    assert booking.naloxone_kit_supplied is True
    assert booking.notes is None
    assert booking.referral.status is ReferralStatus.ATTENDED
    assert booking.referral.main_substance == cocaine
    with pytest.raises(Conflict) as again:
        use_cases.record_attendance(booking, staff["educator"], Attendance("did_not_attend"))
    assert (again.value.field, again.value.code) == ("outcome", "attendance_refused")


def test_cancelling_checks_who_and_frees_the_place(
    booking: Booking, staff: dict[str, User]
) -> None:
    referral_ = booking.referral
    with pytest.raises(Refusal) as who:
        use_cases.cancel_booking(referral_, staff["educator"], "anyone")
    assert who.value.field == "cancelled_by"
    cancelled = use_cases.cancel_booking(referral_, staff["educator"], "person")
    assert (cancelled.status, cancelled.cancelled_by) == (BookingStatus.CANCELLED, "person")
    assert cancelled.session.booked_count == 0
    assert referral_.status is ReferralStatus.SUBMITTED
    with pytest.raises(Conflict) as none_left:
        use_cases.cancel_booking(referral_, staff["educator"], "service")
    assert (none_left.value.field, none_left.value.message) == (
        "booking",
        "There is no booking to cancel",
    )


def test_contact_attempts_are_checked_and_kept(warwickshire: Area, staff: dict[str, User]) -> None:
    made = referral(warwickshire, staff["officer"])
    with pytest.raises(Refusal) as method:
        use_cases.record_contact(made, staff["educator"], "pigeon", "reached")
    assert method.value.field == "method"
    with pytest.raises(Refusal) as outcome:
        use_cases.record_contact(made, staff["educator"], "phone", "maybe")
    assert outcome.value.field == "outcome"
    attempt = use_cases.record_contact(made, staff["educator"], "sms", "no_answer", note="")
    db.session.commit()
    stored = db.session.scalars(select(ContactAttempt)).one()
    assert stored == attempt
    assert (stored.method, stored.outcome, stored.note) == ("sms", "no_answer", None)
