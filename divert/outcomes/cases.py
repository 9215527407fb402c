"""The educator's side of outcomes: completion and entry into treatment on a case."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from divert import audit
from divert.clock import local_today
from divert.extensions import db
from divert.formfields import saves
from divert.models import CaseOutcome, Referral, TreatmentEntry
from divert.outcomes import treatment
from divert.outcomes.blueprint import bp
from divert.outcomes.forms import TreatmentEntryForm
from divert.permissions import Permission, requires

COHORT_LABELS = {
    "completed": "Completed",
    "attended_not_completed": "Attended, not completed",
    "not_engaged": "Not engaged",
}


def case_outcomes(referral: Referral) -> dict[str, Any]:
    """What the case page shows of outcomes (its include, outcomes/_case.html, lays it out)."""
    closed = db.session.scalar(select(CaseOutcome).where(CaseOutcome.referral_id == referral.id))
    return {
        "closed": closed,
        "cohort": COHORT_LABELS[closed.cohort] if closed else None,
        "onward": treatment.onward_referral(referral),
        "entry": treatment.entry_of(referral),
    }


@bp.route("/<area_slug>/cases/<id:referral_id>/treatment-entry", methods=["GET", "POST"])
@requires(Permission.VIEW_CASES)
def treatment_entry(referral_id: int) -> str | Response:
    referral = db.first_or_404(select(Referral).where(Referral.id == referral_id))
    onward = treatment.onward_referral(referral)
    if onward is None:
        flash("This case has no onward referral to treatment.", "error")
        return redirect(url_for("sessions.case", referral_id=referral.id))
    entry = treatment.entry_of(referral)
    form = TreatmentEntryForm(obj=entry)

    def confirm() -> TreatmentEntry:
        entered = treatment.confirm_entry(
            referral, form.entered_on.data, current_user, treatment.EDUCATOR, local_today()
        )
        audit.record("treatment_entry_recorded", record_type="referral", record_id=referral.id)
        return entered

    if saves(form, confirm, default="entered_on"):
        flash("Entry into treatment recorded.", "success")
        return redirect(url_for("sessions.case", referral_id=referral.id))
    return render_template(
        "outcomes/treatment_entry.html", referral=referral, onward=onward, form=form
    )
