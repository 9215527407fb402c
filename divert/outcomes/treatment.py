"""Entry into treatment after an onward referral, confirmed by the educator (case page) or by
the treatment service (API)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from divert.extensions import db
from divert.models import Booking, BookingStatus, Referral, TreatmentEntry, User, utcnow
from divert.refusals import Conflict, dated

EDUCATOR, TREATMENT_SERVICE = "educator", "treatment_service"


def onward_referral(referral: Referral) -> Booking | None:
    """The latest attended session at which the person was referred on to treatment."""
    return db.session.scalar(
        select(Booking)
        .where(
            Booking.referral_id == referral.id,
            Booking.status == BookingStatus.ATTENDED,
            Booking.onward_service_id.is_not(None),
        )
        .order_by(Booking.recorded_at.desc(), Booking.id.desc())
        .limit(1)
    )


def entry_of(referral: Referral) -> TreatmentEntry | None:
    return db.session.scalar(
        select(TreatmentEntry).where(TreatmentEntry.referral_id == referral.id)
    )


def confirm_entry(
    referral: Referral, entered_on: date | None, by: User, confirmed_by: str, today: date
) -> TreatmentEntry:
    """Record (or correct) the date the person entered treatment after an onward referral."""
    onward = onward_referral(referral)
    if onward is None:
        raise Conflict("referral", "This case has no onward referral to treatment")
    entered_on = dated(
        entered_on,
        "entered_on",
        what="the date they entered treatment",
        today=today,
        not_later="today or earlier",
        earliest=onward.session.starts_at.date(),
        since="the onward referral",
    )
    entry = entry_of(referral)
    if entry is None:
        entry = TreatmentEntry(referral_id=referral.id, area_id=referral.area_id)
        db.session.add(entry)
    entry.service_id, entry.entered_on, entry.confirmed_by = (
        onward.onward_service_id,
        entered_on,
        confirmed_by,
    )
    entry.recorded_by_id, entry.recorded_at = by.id, utcnow()
    return entry
