"""What a case page shows of the referral's programme: its name, the disposal's dates, the
assessment and the course so far, with links to the next step."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from divert.assessments import services as assessments
from divert.assessments.services import OUT_REASONS, OUTCOMES, PRESENT
from divert.courses import services as courses
from divert.models import DISPOSAL_LABELS, Disposal, PathwayStep, Referral


@dataclass
class ProgrammePanel:
    rows: list[dict] = field(default_factory=list)  # GOV.UK summary list rows
    assess_url: str | None = None
    courses_url: str | None = None


def _row(key: str, value: str) -> dict:
    return {"key": {"text": key}, "value": {"text": value}}


def panel(referral: Referral, *, may_record: bool) -> ProgrammePanel:
    programme = referral.programme
    shown = ProgrammePanel([_row("Programme", programme.name)])
    if referral.disposal != Disposal.PRE_ARREST_DIVERSION.value:
        given = f" on {referral.disposal_on:%-d %B %Y}" if referral.disposal_on else ""
        shown.rows.append(_row("Disposal", DISPOSAL_LABELS[Disposal(referral.disposal)] + given))
    if referral.deadline_on:
        shown.rows.append(_row("Complete by", f"{referral.deadline_on:%-d %B %Y}"))
    assessment = assessments.assessment_of(referral)
    if assessment is not None:
        who = dict(PRESENT)
        outcome = dict(OUTCOMES)[assessment.outcome]
        if assessment.out_reason:
            outcome += f": {dict(OUT_REASONS)[assessment.out_reason].lower()}"
        shown.rows.append(
            _row(
                "Assessment",
                f"{assessment.held_on:%-d %B %Y}, with "
                f"{', '.join(who.get(p, p).lower() for p in assessment.present)}. {outcome}",
            )
        )
    elif may_record and assessments.can_assess(referral):
        shown.assess_url = url_for("assessments.record_assessment", referral_id=referral.id)
    progress = courses.progress(referral)
    if progress is not None:
        shown.rows.append(
            _row(
                "Course",
                f"Attended {progress.attended}, missed {progress.missed}, "
                f"{progress.to_come} to come; {progress.needed} needed",
            )
        )
    if programme.has(PathwayStep.GROUP_COURSE):
        shown.courses_url = url_for("courses.courses", programme=programme.id)
    return shown
