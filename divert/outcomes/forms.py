"""Forms of the outcomes pages, in GOV.UK's voice."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, RadioField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from divert.formfields import GovDateField, dated, options
from divert.outcomes.police import LABELS
from divert.widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextInput

# Outcomes come in after the event: no date is offered as the likely one.
EXAMPLE_DATE = "For example, 27 3 2026"


class PoliceOutcomeForm(FlaskForm):
    outcome = RadioField(
        "What did the police do?",
        widget=GovRadioInput(),
        choices=options((kind.value, label) for kind, label in LABELS.items()),
        validators=[InputRequired(message="Select what the police did")],
    )
    decided_on = dated("date of the outcome", default=None, description=EXAMPLE_DATE)
    submit = SubmitField("Save the outcome", widget=GovSubmitInput())


class TreatmentEntryForm(FlaskForm):
    entered_on = dated("date they entered treatment", default=None, description=EXAMPLE_DATE)
    submit = SubmitField("Record entry into treatment", widget=GovSubmitInput())


class CsvUploadForm(FlaskForm):
    """A CSV file, or (on the preview's confirm button) the same file's text sent back."""

    file = FileField("CSV file", widget=GovFileInput())
    content = HiddenField()
    submit = SubmitField("Check the file", widget=GovSubmitInput())


def _count(label: str, message: str) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(message=message),
            NumberRange(min=0, max=10_000_000, message=f"{label} must be 0 or more"),
        ],
    )


class ComparisonGroupForm(FlaskForm):
    starts_on = GovDateField(
        "First day of the period", subject="first day", required_message="Enter the first day"
    )
    ends_on = GovDateField(
        "Last day of the period", subject="last day", required_message="Enter the last day"
    )
    people = _count("People eligible but not referred", "Enter how many people")
    reoffended = _count("People who reoffended in the window", "Enter how many reoffended")
    offences = _count("Offences they committed in the window", "Enter how many offences")
    violent = _count("People with a violent offence", "Enter how many had a violent offence")
    alcohol = _count(
        "People with an alcohol-related offence", "Enter how many had an alcohol-related offence"
    )
    submit = SubmitField("Save the comparison group", widget=GovSubmitInput())
