"""Returned cases: the list, the police-outcome form (phone-first), and the supervisor's view
of every officer's referrals."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from divert import audit
from divert.clock import local_today
from divert.extensions import db
from divert.formfields import saves
from divert.models import PoliceOutcome, Referral
from divert.outcomes import police
from divert.outcomes.blueprint import bp, visible_referrals
from divert.outcomes.forms import PoliceOutcomeForm
from divert.permissions import Permission, requires
from divert.referrals import lifecycle

PAGE_SIZE = 25


def _outcomes_of(referrals: list[Referral]) -> dict[int, PoliceOutcome]:
    ids = [referral.id for referral in referrals]
    found = db.session.scalars(select(PoliceOutcome).where(PoliceOutcome.referral_id.in_(ids)))
    return {outcome.referral_id: outcome for outcome in found}


@bp.route("/<area_slug>/returned-cases")
@requires(Permission.RECORD_POLICE_OUTCOME)
def returned_cases() -> str:
    cases = list(db.session.scalars(police.returned(visible_referrals()).limit(200)))
    return render_template(
        "outcomes/returned.html",
        cases=cases,
        outcomes=_outcomes_of(cases),
        overdue_ids={r.id for r in police.overdue(visible_referrals(), local_today())},
        labels=lifecycle.LABELS,
        outcome_labels=police.LABELS,
    )


def _returned_case(referral_id: int) -> Referral:
    return db.first_or_404(
        select(Referral).where(
            Referral.id == referral_id,
            visible_referrals(),
            Referral.status.in_(lifecycle.RETURNED_TO_OFFICER),
        )
    )


@bp.route("/<area_slug>/returned-cases/<id:referral_id>", methods=["GET", "POST"])
@requires(Permission.RECORD_POLICE_OUTCOME)
def police_outcome(referral_id: int) -> str | Response:
    referral = _returned_case(referral_id)
    recorded = police.outcome_of(referral)
    form = PoliceOutcomeForm(obj=recorded if request.method == "GET" else None)

    def record() -> PoliceOutcome:
        made = police.record(
            referral, form.outcome.data, form.decided_on.data, current_user, local_today()
        )
        audit.record(
            "police_outcome_recorded",
            record_type="referral",
            record_id=referral.id,
            outcome=form.outcome.data,
        )
        return made

    made = saves(form, record, default="outcome")
    if made is not None:
        flash(f"{referral.reference}: {police.LABELS[made.outcome]} recorded.", "success")
        return redirect(url_for(".returned_cases"))
    return render_template(
        "outcomes/police_outcome.html",
        referral=referral,
        form=form,
        recorded=recorded,
        labels=lifecycle.LABELS,
    )


@bp.route("/<area_slug>/area-referrals")
@requires(Permission.VIEW_AREA_REFERRALS)
def area_referrals() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(Referral)) or 0
    referrals = db.session.scalars(
        select(Referral)
        .options(selectinload(Referral.person), selectinload(Referral.officer))
        .order_by(Referral.received_at.desc(), Referral.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "outcomes/area_referrals.html",
        referrals=referrals,
        labels=lifecycle.LABELS,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        total=total,
    )
