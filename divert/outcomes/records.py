"""What the outcomes hold about one case, for a subject access request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from divert.extensions import db
from divert.models import CaseOutcome, PoliceOutcome, TreatmentEntry


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def outcomes_held(referral_id: int) -> dict[str, Any]:
    """The case's cohort and reoffending result, police outcome and entry into treatment."""
    case = db.session.scalar(select(CaseOutcome).where(CaseOutcome.referral_id == referral_id))
    police = db.session.scalar(
        select(PoliceOutcome).where(PoliceOutcome.referral_id == referral_id)
    )
    entry = db.session.scalar(
        select(TreatmentEntry).where(TreatmentEntry.referral_id == referral_id)
    )
    return {
        "cohort": case.cohort.value if case else None,
        "reoffending_check_due_on": _iso(case.follow_up_due_on) if case else None,
        "reoffending_result": (
            {
                "reoffended": case.reoffended,
                "offence_count": case.offence_count,
                "first_offence_on": _iso(case.first_offence_on),
                "any_violent": case.any_violent,
                "any_alcohol": case.any_alcohol,
                "received_at": _iso(case.result_at),
            }
            if case and case.result_at
            else None
        ),
        "police_outcome": (
            {"outcome": police.outcome.value, "decided_on": _iso(police.decided_on)}
            if police
            else None
        ),
        "entered_treatment_on": _iso(entry.entered_on) if entry else None,
    }
