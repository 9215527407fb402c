"""Recording an assessment: who was there, the programme's questions, and where it routes the
young person (a group course, one-to-one work, or out to another service). The caller commits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    Assessment,
    AssessmentOutcome,
    BookingStatus,
    PathwayStep,
    Referral,
    ReferralStatus,
    Substance,
    User,
    utcnow,
)
from divert.referrals import lifecycle
from divert.refusals import Refusal

PRESENT = [
    ("young_person", "The young person"),
    ("guardian", "Parent or guardian"),
    ("social_worker", "Social worker"),
    ("yot_worker", "Youth Offending Team worker"),
    ("school", "Someone from their school or college"),
    ("other", "Someone else"),
]
OUTCOMES = [
    (AssessmentOutcome.GROUP_COURSE.value, "Suitable for a group course"),
    (AssessmentOutcome.ONE_TO_ONE.value, "One-to-one work instead"),
    (AssessmentOutcome.OUT.value, "Not suitable: refer them on"),
]
OUT_REASONS = [
    ("yot", "Referred to the Youth Offending Team"),
    ("mash", "Referred to the MASH (safeguarding)"),
    ("camhs", "Referred to CAMHS"),
    ("school", "Left to their school's support"),
    ("other", "Another service"),
]


class AssessmentRefusal(Refusal):
    """An assessment the rules do not allow; `field` names the input at fault."""

    default_code = "assessment_refused"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(field, message)


def assessment_of(referral: Referral) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.referral_id == referral.id))


def can_assess(referral: Referral) -> bool:
    """The referral's programme starts with an assessment, and it is still to be recorded."""
    return (
        referral.programme.has(PathwayStep.ASSESSMENT)
        and referral.status not in lifecycle.CLOSED
        and assessment_of(referral) is None
    )


def record(
    referral: Referral,
    by: User,
    *,
    held_on: date,
    present: Iterable[str],
    answers: Mapping[str, str],
    outcome: AssessmentOutcome,
    main_substance: Substance | None,
    out_reason: str | None = None,
    notes: str | None = None,
) -> Assessment:
    """Record the assessment; it is the young person's engagement (their first attended step)."""
    present = list(present)
    if not can_assess(referral):
        raise AssessmentRefusal("This case has no assessment to record", "outcome")
    if "young_person" not in present or "guardian" not in present:
        raise AssessmentRefusal(
            "The assessment is held with the young person and a parent or guardian", "present"
        )
    if held_on > date.today() or held_on < referral.received_on:
        raise AssessmentRefusal("The date must be between the referral and today", "held_on")
    if main_substance is None:
        raise AssessmentRefusal(
            "Select the main substance the young person reported", "main_substance"
        )
    if outcome is AssessmentOutcome.OUT and out_reason not in dict(OUT_REASONS):
        raise AssessmentRefusal("Choose where they were referred", "out_reason")
    assessment = Assessment(
        referral_id=referral.id,
        area_id=referral.area_id,
        held_on=held_on,
        recorded_by_id=by.id,
        present=present,
        answers=dict(answers),
        outcome=outcome.value,
        out_reason=out_reason if outcome is AssessmentOutcome.OUT else None,
        notes=notes,
    )
    db.session.add(assessment)
    _attended(referral, by, held_on, main_substance)
    if outcome is AssessmentOutcome.OUT:
        lifecycle.change_status(
            referral,
            ReferralStatus.REFERRED_ON,
            by,
            note=f"Assessed: {dict(OUT_REASONS)[out_reason or '']}",
        )
    db.session.flush()
    return assessment


def _attended(referral: Referral, by: User, held_on: date, main_substance: Substance) -> None:
    """The assessment appointment, if one was booked, was attended; the case moves on."""
    booking = lifecycle.active_booking(referral)
    if booking is not None:
        booking.status, booking.recorded_by_id, booking.recorded_at = (
            BookingStatus.ATTENDED,
            by.id,
            utcnow(),
        )
        booking.main_substance = main_substance
    if referral.initial_attended_on is None:
        referral.initial_attended_on = held_on
        referral.main_substance = main_substance
    if referral.status is not ReferralStatus.ATTENDED:
        lifecycle.change_status(referral, ReferralStatus.ATTENDED, by, note="Assessed")
