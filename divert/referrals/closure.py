"""When a case closes: its cohort is fixed and its reoffending follow-up falls due."""

from __future__ import annotations

from sqlalchemy import select

from divert.extensions import db
from divert.models import CaseOutcome, Referral
from divert.programmes.completion import cohort_of, follow_up_due_on


def case_closed(referral: Referral) -> CaseOutcome | None:
    """Record the closed case's cohort and when its follow-up is due (none outside a cohort)."""
    cohort = cohort_of(referral)
    if cohort is None or referral.closed_on is None:
        return None
    # Before the new row joins the session: loading the programme may flush it.
    due_on = follow_up_due_on(referral.programme, referral.closed_on)
    outcome = db.session.scalar(select(CaseOutcome).where(CaseOutcome.referral_id == referral.id))
    if outcome is None:
        outcome = CaseOutcome(referral_id=referral.id, area_id=referral.area_id)
        db.session.add(outcome)
    outcome.cohort, outcome.closed_on = cohort, referral.closed_on
    outcome.follow_up_due_on = due_on
    return outcome
