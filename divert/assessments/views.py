"""Recording a young person's assessment from their case."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from divert import audit
from divert.assessments import services
from divert.assessments.forms import AssessmentFields, assessment_form
from divert.extensions import db
from divert.formfields import choice_id, options
from divert.models import AssessmentOutcome, Referral, Substance
from divert.permissions import Permission, requires

bp = Blueprint("assessments", __name__)


def _substance_choices(form: AssessmentFields) -> None:
    substances = db.session.scalars(
        select(Substance).where(Substance.active).order_by(Substance.position)
    )
    form.main_substance.choices = options(
        [("", "Choose a substance")] + [(str(s.id), s.label) for s in substances]
    )


@bp.route("/<area_slug>/cases/<id:referral_id>/assessment", methods=["GET", "POST"])
@requires(Permission.RECORD_ATTENDANCE)
def record_assessment(referral_id: int) -> str | Response:
    referral = db.first_or_404(select(Referral).where(Referral.id == referral_id))
    if not services.can_assess(referral):
        abort(404)  # only a young person's open case, not yet assessed, has this page
    questions = referral.programme.assessment_questions
    form = assessment_form(questions)
    _substance_choices(form)
    if form.validate_on_submit():
        try:
            services.record(
                referral,
                current_user,
                held_on=form.held_on.data,
                present=form.present.data or [],
                answers={q["code"]: form[f"answer_{q['code']}"].data or "" for q in questions},
                outcome=AssessmentOutcome(form.outcome.data),
                main_substance=db.session.get(Substance, choice_id(form.main_substance.data)),
                out_reason=form.out_reason.data or None,
                notes=form.notes.data or None,
            )
        except services.AssessmentRefusal as refusal:
            db.session.rollback()
            form[refusal.field].errors.append(str(refusal))
        else:
            audit.record("assessment_recorded", record_type="referral", record_id=referral.id)
            db.session.commit()
            flash("Assessment saved.", "success")
            return redirect(url_for("sessions.case", referral_id=referral.id))
        referral = db.first_or_404(select(Referral).where(Referral.id == referral_id))
    return render_template(
        "assessments/record.html",
        form=form,
        referral=referral,
        questions=[form[f"answer_{q['code']}"] for q in questions],
    )
