"""What a referral's people are told: appointments, reminders, a case returned to its officer.

Each message is queued in the outbox in the same transaction as the change it tells of.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from divert.extensions import db
from divert.models import Booking, OutboxMessage, Referral, utcnow
from divert.notifications.outbox import enqueue
from divert.referrals.slots import describe

REMINDER_BEFORE = timedelta(hours=24)


def _person_channel(referral: Referral) -> tuple[str, str] | None:
    person = referral.person
    if not referral.consent_to_contact:
        return None
    if person.phone:
        return "sms", person.phone
    return ("email", person.email) if person.email else None


def appointment_messages(booking: Booking) -> None:
    """A confirmation now and a reminder a day before, to a person who agreed to contact."""
    referral = booking.referral
    channel = _person_channel(referral)
    if channel is None:
        return
    when = describe(booking.session)
    common = {"area_id": referral.area_id, "channel": channel[0], "recipient": channel[1]}
    enqueue(
        kind="appointment_confirmation",
        dedupe_key=f"booking-{booking.id}-confirmation",
        subject="Your drug education appointment",
        body=f"Your drug education appointment is {when}. Reference {referral.reference}.",
        **common,
    )
    reminder_at = booking.session.starts_at - REMINDER_BEFORE
    if reminder_at > utcnow():
        enqueue(
            kind="appointment_reminder",
            dedupe_key=f"booking-{booking.id}-reminder",
            subject="Reminder: drug education appointment tomorrow",
            body=f"Reminder: your drug education appointment is {when}.",
            send_after=reminder_at,
            **common,
        )


def withdraw_booking_messages(booking: Booking) -> None:
    """A booking that will not happen must not be reminded of."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.startswith(f"booking-{booking.id}-"),
            OutboxMessage.status == "pending",
        )
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )


def outcome_notice(referral: Referral) -> None:
    """Tell the referring officer that a case has come back to them."""
    officer = referral.officer
    enqueue(
        area_id=referral.area_id,
        kind="outcome_notice",
        dedupe_key=f"referral-{referral.id}-returned-{referral.status.value}",
        channel="email",
        recipient=officer.email,
        subject=f"Referral {referral.reference} returned to you",
        body=(
            f"Referral {referral.reference} has been closed as "
            f"{referral.status.value.replace('_', ' ')}. "
            "Please decide another outcome for the offence."
        ),
    )
