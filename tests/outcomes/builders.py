"""Closed and returned cases for outcomes tests, made through the application's services and
then moved back in time by editing their dates (the clock is never faked)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    Area,
    BookingStatus,
    CaseOutcome,
    Referral,
    ReferralStatus,
    Role,
    Substance,
    User,
)
from divert.referrals import closure, lifecycle
from tests.factories import account_email
from tests.referrals.builders import referral, session_slot


def demo_user(role: Role, area: Area) -> User:
    return db.session.scalars(
        select(User).where(User.email == account_email(role, area.slug))
    ).one()


def returned_case(area: Area, officer: User, returned_days_ago: int, **fields: object) -> Referral:
    """A referral closed as not engaged `returned_days_ago` days ago."""
    made = referral(area, officer, **fields)
    lifecycle.change_status(made, ReferralStatus.NOT_ENGAGED, officer, note="No contact")
    made.closed_on = date.today() - timedelta(days=returned_days_ago)
    db.session.flush()
    return made


def attended_case(area: Area, educator: User, officer: User, **fields: object) -> Referral:
    """A referral whose initial one-to-one was attended (cannabis reported), still open."""
    made = referral(area, officer, **fields)
    slot = session_slot(area, educator, starts_at=lifecycle.utcnow() - timedelta(hours=2))
    booking = lifecycle.book(made, slot, officer)
    cannabis = db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()
    lifecycle.record_attendance(booking, BookingStatus.ATTENDED, educator, main_substance=cannabis)
    db.session.flush()
    return made


def close(made: Referral, status: ReferralStatus, by: User, closed_on: date) -> CaseOutcome | None:
    """Close the case today through the lifecycle, then move its closing back to `closed_on`
    and let the closure work out its follow-up again, as if it had closed then."""
    lifecycle.change_status(made, status, by)
    made.closed_on = closed_on
    outcome = closure.case_closed(made)
    db.session.flush()
    return outcome
