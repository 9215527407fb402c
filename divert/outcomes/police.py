"""Returned cases: what the police did with a case that came back to them, and which are
overdue (returned more than 14 days ago with no outcome recorded)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import selectinload

from divert.extensions import db
from divert.models import PoliceOutcome, PoliceOutcomeKind, Referral, User, utcnow
from divert.referrals.lifecycle import RETURNED_TO_OFFICER
from divert.refusals import Conflict, Refusal, dated

OVERDUE_AFTER = timedelta(days=14)

LABELS: dict[PoliceOutcomeKind, str] = {
    PoliceOutcomeKind.NO_FURTHER_ACTION: "No further action",
    PoliceOutcomeKind.COMMUNITY_RESOLUTION: "Community resolution",
    PoliceOutcomeKind.CAUTION: "Caution",
    PoliceOutcomeKind.CONDITIONAL_CAUTION: "Conditional caution",
    PoliceOutcomeKind.CHARGE: "Charge",
    PoliceOutcomeKind.OTHER: "Other",
}


def _has_outcome() -> ColumnElement[bool]:
    return exists().where(PoliceOutcome.referral_id == Referral.id)


def returned(visible: ColumnElement[bool]) -> Select[tuple[Referral]]:
    """Returned cases the user may see, awaiting an outcome first, oldest return first."""
    return (
        select(Referral)
        .options(selectinload(Referral.person), selectinload(Referral.officer))
        .where(visible, Referral.status.in_(RETURNED_TO_OFFICER))
        .order_by(_has_outcome(), Referral.closed_on, Referral.id)
    )


def overdue(visible: ColumnElement[bool], today: date) -> list[Referral]:
    """Returned cases with no police outcome OVERDUE_AFTER days after they came back."""
    return list(
        db.session.scalars(
            returned(visible).where(~_has_outcome(), Referral.closed_on <= today - OVERDUE_AFTER)
        )
    )


def outcome_of(referral: Referral) -> PoliceOutcome | None:
    return db.session.scalar(select(PoliceOutcome).where(PoliceOutcome.referral_id == referral.id))


def record(
    referral: Referral, outcome: str | None, decided_on: date | None, by: User, today: date
) -> PoliceOutcome:
    """Record (or correct) the police outcome of a returned case."""
    if referral.status not in RETURNED_TO_OFFICER:
        raise Conflict("outcome", "Only a case returned to the police can have a police outcome")
    try:
        kind = PoliceOutcomeKind(outcome or "")
    except ValueError as error:
        raise Refusal("outcome", "Select what the police did") from error
    decided_on = dated(
        decided_on,
        "decided_on",
        what="the date of the outcome",
        today=today,
        not_later="today or in the past",
        earliest=referral.closed_on,
        since="the case was returned",
    )
    recorded = outcome_of(referral)
    if recorded is None:
        recorded = PoliceOutcome(referral_id=referral.id, area_id=referral.area_id)
        db.session.add(recorded)
    recorded.outcome, recorded.decided_on = kind, decided_on
    recorded.recorded_by_id, recorded.recorded_at = by.id, utcnow()
    return recorded
