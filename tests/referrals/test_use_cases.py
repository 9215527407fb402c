"""The referral use cases driven as plain function calls: an app context and an area scope, no
request, no form. Each refusal is checked by the field it names."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    Area,
    AuditEvent,
    ReferralEvent,
    ReferralStatus,
    SessionKind,
    Substance,
    User,
)
from divert.referrals import use_cases
from divert.referrals.use_cases import ReferralDetails
from divert.refusals import Conflict, Invalid, Refusal
from tests.api.conftest import open_times
from tests.referrals.builders import referral, session_slot

S = ReferralStatus


def _details(**changes: object) -> ReferralDetails:
    cannabis = db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()
    details = ReferralDetails(
        forename="  Jordan ",
        surname="Ellis",
        date_of_birth=date(1999, 8, 21),
        offence_date=date(2026, 1, 10),
        crime_reference=" WK/26/4417 ",
        substances_found=[cannabis],
        phone="07911 123456",
        postcode_district="cv34 ",
    )
    return replace(details, **changes)


def _audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_submit_makes_the_referral_its_event_and_its_audit(
    warwickshire: Area, officer: User
) -> None:
    made = use_cases.submit(warwickshire, officer, _details()).referral
    db.session.commit()
    assert made.reference.startswith("WAR-")
    assert (made.person.forename, made.crime_reference) == ("Jordan", "WK/26/4417")
    assert made.person.postcode_district == "CV34"
    assert made.status is S.SUBMITTED
    events = db.session.scalars(select(ReferralEvent).where(ReferralEvent.referral == made))
    assert [e.to_status for e in events] == ["submitted"]
    [audited] = _audited("referral_submitted")
    assert (audited.record_id, audited.user_id, audited.area_id) == (
        made.id,
        officer.id,
        warwickshire.id,
    )


def test_submit_refuses_broken_rules_field_by_field(warwickshire: Area, officer: User) -> None:
    with pytest.raises(Invalid) as refused:
        use_cases.submit(
            warwickshire, officer, _details(date_of_birth=date(2012, 3, 1), phone=None)
        )
    assert refused.value.problems == {
        "email": "Enter a phone number or an email address",
        "guardian_name": "They are under 18: enter a parent or guardian's name",
        "guardian_contact": "They are under 18: enter a parent or guardian's phone number or email",
    }
    assert refused.value.field == "email"


def test_a_repeat_is_refused_until_confirmed(warwickshire: Area, officer: User) -> None:
    first = use_cases.submit(warwickshire, officer, _details()).referral
    db.session.commit()
    with pytest.raises(use_cases.RepeatUnconfirmed) as unconfirmed:
        use_cases.submit(warwickshire, officer, _details(crime_reference="WK/26/5000"))
    assert unconfirmed.value.field == "confirm_repeat"
    assert unconfirmed.value.found.earlier == [first]
    db.session.rollback()
    again = use_cases.submit(
        warwickshire, officer, _details(crime_reference="WK/26/5000"), confirm_repeat=True
    ).referral
    assert again.is_repeat and again.repeat_of == first and again.person == first.person


def test_submit_books_an_open_slot_and_refuses_one_that_is_not(
    warwickshire: Area, officer: User, educator: User
) -> None:
    start = open_times(warwickshire, 1)[0]
    slot = session_slot(warwickshire, educator, starts_at=start)
    group = session_slot(warwickshire, educator, kind=SessionKind.GROUP, starts_at=start)
    db.session.commit()
    with pytest.raises(Conflict) as closed:
        use_cases.submit(warwickshire, officer, _details(), session_id=group.id)
    assert (closed.value.field, closed.value.code) == ("session_id", "slot_unavailable")
    db.session.rollback()
    booked = use_cases.submit(warwickshire, officer, _details(), session_id=slot.id).referral
    assert booked.status is S.BOOKED
    assert booked.educator_id == educator.id
    assert slot.booked_count == 1


def test_officers_book_open_slots_only_educators_any_session(
    warwickshire: Area, officer: User, educator: User
) -> None:
    made = referral(warwickshire, officer)
    follow_up = session_slot(warwickshire, educator, kind=SessionKind.FOLLOW_UP)
    with pytest.raises(Conflict) as refused:
        use_cases.book(made, follow_up.id, officer, open_slots_only=True)
    assert refused.value.field == "session_id"
    booking = use_cases.book(made, follow_up.id, educator, open_slots_only=False)
    assert booking.session == follow_up and made.status is S.BOOKED
    with pytest.raises(Conflict) as missing:
        use_cases.book(made, 999_999, educator, open_slots_only=False)
    assert missing.value.field == "session_id"
    assert [e.record_id for e in _audited("booking_made")] == [made.id]


def test_withdraw_voids_once(warwickshire: Area, officer: User) -> None:
    made = referral(warwickshire, officer)
    assert use_cases.withdraw(made, officer).status is S.VOIDED
    with pytest.raises(Conflict) as again:
        use_cases.withdraw(made, officer)
    assert (again.value.field, again.value.code) == ("status", "transition_refused")
    assert again.value.message == (
        "A referral that is withdrawn – entered in error cannot be marked "
        "withdrawn – entered in error"
    )


def test_record_outcome_takes_closing_outcomes_only(
    warwickshire: Area, officer: User, educator: User
) -> None:
    made = referral(warwickshire, officer)
    with pytest.raises(Refusal) as unknown:
        use_cases.record_outcome(made, "voided", educator)
    assert (unknown.value.field, unknown.value.message) == ("outcome", "Choose an outcome")
    with pytest.raises(Conflict) as early:
        use_cases.record_outcome(made, "completed", educator)
    assert early.value.field == "outcome"
    assert early.value.message == "A referral that is awaiting contact cannot be marked completed"
    closed = use_cases.record_outcome(made, "ineligible", educator, note="Not in possession")
    assert closed.status is S.INELIGIBLE and closed.closed_on is not None
    [audited] = _audited("status_changed")
    assert audited.detail == {"to": "ineligible"}


def test_the_web_form_and_the_api_body_build_the_same_details() -> None:
    """One builder for both: the form's data (with its own fields besides) and the API's body
    (with its own names besides) give the same details; optional text left blank is None."""
    typed = {
        "forename": "Jordan",
        "surname": "Ellis",
        "date_of_birth": date(1999, 8, 21),
        "offence_date": date(2026, 1, 10),
        "crime_reference": "WK/26/4417",
        "phone": "07911 123456",
        "email": "",
        "consent_to_contact": False,
        "gender": "",
        "notes": "Found near the station",
    }
    from_form = ReferralDetails.typed(
        {**typed, "csrf_token": "x", "slot": "none", "substances_found": ["3"], "programme": ""},
        substances_found=(),
        programme_id=7,
    )
    from_body = ReferralDetails.typed(
        {**typed, "confirm_repeat": True, "substances_found": ["cannabis"], "programme": "adults"},
        substances_found=(),
        programme_id=7,
    )
    assert from_form == from_body == ReferralDetails(
        forename="Jordan",
        surname="Ellis",
        date_of_birth=date(1999, 8, 21),
        offence_date=date(2026, 1, 10),
        crime_reference="WK/26/4417",
        phone="07911 123456",
        email=None,
        consent_to_contact=False,
        gender=None,
        notes="Found near the station",
        programme_id=7,
    )
