"""The daily not-engaged rule: too many missed appointments, or no contact in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, or_, select

from divert.extensions import db
from divert.models import Area, Booking, ContactAttempt, Referral, ReferralStatus
from divert.referrals import lifecycle

OPEN_UNSEEN = (ReferralStatus.SUBMITTED, ReferralStatus.DID_NOT_ATTEND)
# "Contact" is any booking made, or a contact attempt that reached the person.
REACHED = "reached"


@dataclass(frozen=True)
class Closure:
    reference: str
    reason: str


def due_for_not_engaged(area: Area, today: date) -> list[tuple[Referral, str]]:
    """Open referrals, never attended, past the missed-appointment or no-contact limit.

    No contact: more than `no_contact_limit_days` days after the referral arrived, with no
    booking ever made and no contact attempt that reached the person.
    """
    contact_deadline = today - timedelta(days=area.no_contact_limit_days)
    booked = exists().where(Booking.referral_id == Referral.id)
    reached = exists().where(
        ContactAttempt.referral_id == Referral.id, ContactAttempt.outcome == REACHED
    )
    missed_too_often = Referral.missed_appointments >= area.missed_appointment_limit
    # A case with its own deadline (a conditional caution's) waits for its course until then.
    never_contacted = (
        (Referral.received_on < contact_deadline)
        & ~booked
        & ~reached
        & Referral.deadline_on.is_(None)
    )
    candidates = db.session.scalars(
        select(Referral)
        .where(
            Referral.status.in_(OPEN_UNSEEN),
            Referral.initial_attended_on.is_(None),
            or_(missed_too_often, never_contacted),
        )
        .order_by(Referral.received_on, Referral.id)
    ).all()
    return [
        (
            r,
            f"missed {r.missed_appointments} appointments"
            if r.missed_appointments >= area.missed_appointment_limit
            else f"no contact within {area.no_contact_limit_days} days",
        )
        for r in candidates
    ]


def apply_not_engaged(area: Area, today: date) -> list[Closure]:
    """Close every referral the rule catches; the caller's scope must be the area."""
    closures = []
    for referral, reason in due_for_not_engaged(area, today):
        lifecycle.change_status(
            referral, ReferralStatus.NOT_ENGAGED, None, note=f"Not engaged: {reason}"
        )
        closures.append(Closure(referral.reference, reason))
    db.session.commit()
    return closures
