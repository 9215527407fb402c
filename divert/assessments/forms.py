"""The assessment form: fixed fields, plus one answer per question the programme asks."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import RadioField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from divert.assessments.services import OUT_REASONS, OUTCOMES, PRESENT
from divert.formfields import Required, dated, notes_field, options


class AssessmentFields(FlaskForm):
    held_on = dated("date of the assessment")
    present = SelectMultipleField(
        "Who was there",
        widget=GovCheckboxesInput(),
        choices=options(PRESENT),
        validators=[Required(message="Select who was there")],
    )
    main_substance = SelectField("Main substance they reported", widget=GovSelect())
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=options(OUTCOMES),
        validators=[Required(message="Choose the outcome of the assessment")],
    )
    out_reason = SelectField(
        "If not suitable, where they were referred",
        widget=GovSelect(),
        choices=options([("", "Not referred on"), *OUT_REASONS]),
        default="",
    )
    notes = notes_field(4000)
    submit = SubmitField("Save the assessment", widget=GovSubmitInput())


def assessment_form(questions: list[dict[str, Any]]) -> AssessmentFields:
    """The form with one text answer for each of the programme's questions (answer_<code>)."""

    class AssessmentForm(AssessmentFields):
        pass

    for question in questions:
        setattr(
            AssessmentForm,
            f"answer_{question['code']}",
            TextAreaField(
                question["question"],
                widget=GovTextArea(),
                validators=[Optional(), Length(max=2000)],
            ),
        )
    return AssessmentForm()
