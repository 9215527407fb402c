"""CARS forms: each one page, from a phone or a custody terminal. The fields check what can be
checked on their own; the use cases (divert/custody/use_cases.py) make every other check and
their refusals go next to the field they name."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, Optional, ValidationError

from divert.clock import LOCAL
from divert.custody import words
from divert.formfields import (
    GovDateField,
    PhoneNumber,
    Required,
    dated,
    notes_field,
    options,
    parse_time,
)
from divert.referrals import forms as referral_forms

YES_NO = options([("yes", "Yes"), ("no", "No")])


def _now_local() -> str:
    return datetime.now(LOCAL).strftime("%H:%M")


class TimeField(StringField):
    """A time of day typed like 14:30 (kept as typed; `time` reads it once valid)."""

    widget = GovTextInput()

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data and self.data.strip():
            parse_time(self.data)

    @property
    def time(self) -> time | None:
        try:
            return parse_time(self.data or "")
        except ValidationError:
            return None


def local_moment(day: date | None, at: time | None) -> datetime | None:
    """A date and time typed in the service's zone, as an aware datetime."""
    if day is None or at is None:
        return None
    return datetime.combine(day, at, tzinfo=LOCAL)


class PersonFields(referral_forms.PersonFields):
    """Who was seen, where, and the test on arrest: the initial contact's fields."""

    location = SelectField(
        "Custody suite or court",
        widget=GovSelect(),
        validators=[Required(message="Choose the custody suite or court")],
    )
    test_result = RadioField(
        "Drug Testing on Arrest result",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.TEST_RESULTS.items()]),
        validators=[Required(message="Choose the Drug Testing on Arrest result")],
    )


class ContactForm(PersonFields):
    seen_on = dated("date seen", required_message="Enter the date you saw them")
    seen_at = TimeField(
        "Time seen",
        default=_now_local,
        description="For example, 14:30",
        validators=[Required(message="Enter the time you saw them")],
    )
    voluntary_assessment_agreed = BooleanField(
        "They agreed to a voluntary assessment (after a cell sweep, say)",
        widget=GovCheckboxInput(),
    )
    phone = StringField(
        "Phone number (optional)",
        widget=GovTextInput(),
        validators=[Optional(), PhoneNumber()],
    )
    postcode_district = StringField(
        "Postcode district (optional)",
        widget=GovTextInput(),
        description="The first half of their postcode, for example CV34",
        validators=[Optional(), Length(max=8)],
    )
    notes = notes_field(4000)
    submit = SubmitField("Save the contact", widget=GovSubmitInput())


class AppointmentFields(FlaskForm):
    day = GovDateField("Date", subject="date", required_message="Enter the date")
    starts = TimeField(
        "Time",
        description="For example, 10:00",
        validators=[Required(message="Enter the time")],
    )


class PoliceBookingForm(PersonFields, AppointmentFields):
    """A police officer books the service's appointment out of hours."""

    submit = SubmitField("Book the appointment", widget=GovSubmitInput())


class AppointmentForm(AppointmentFields):
    kind = RadioField(
        "Kind of appointment",
        widget=GovRadioInput(),
        validators=[Required(message="Choose the kind of appointment")],
    )
    submit = SubmitField("Book the appointment", widget=GovSubmitInput())


class ChangeAppointmentForm(AppointmentFields):
    submit = SubmitField("Change the appointment", widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    outcome = RadioField(
        "What happened",
        widget=GovRadioInput(),
        choices=options(
            [
                ("attended", "Attended"),
                ("did_not_attend", "Did not attend"),
                ("cancelled", "Cancelled"),
            ]
        ),
        validators=[Required(message="Choose what happened")],
    )
    remained = RadioField(
        "Did they stay to the end of the assessment?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[Optional()],
    )
    follow_up_required = RadioField(
        "Is a follow-up assessment required?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[Optional()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class AssessmentForm(FlaskForm):
    kind = RadioField(
        "Kind of assessment",
        widget=GovRadioInput(),
        validators=[Required(message="Choose what kind of assessment this is")],
    )
    assessed_on = dated("date of the assessment")
    substances = SelectMultipleField(
        "Substances they use",
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    route = RadioField(
        "How they mostly take them",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.ROUTES.items()]),
        validators=[Optional()],
    )
    alcohol_use = RadioField(
        "Alcohol use",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.ALCOHOL_USE.items()]),
        validators=[Required(message="Choose their alcohol use")],
    )
    needs = SelectMultipleField(
        "Current treatment and needs",
        widget=GovCheckboxesInput(),
        choices=options(
            [
                ("in_treatment", "Already in treatment"),
                ("housing", "Needs help with housing"),
                ("mental_health", "Needs mental health support"),
            ]
        ),
        validators=[Optional()],
    )
    risk_flags = SelectMultipleField(
        "Risks",
        widget=GovCheckboxesInput(),
        choices=options(list(words.RISK_FLAGS.items())),
        validators=[Optional()],
    )
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.ASSESSMENT_RESULTS.items()]),
        validators=[Required(message="Choose the outcome")],
    )
    treatment_service = SelectField(
        "If referred into treatment, which service", widget=GovSelect(), default=""
    )
    notes = notes_field(4000)
    submit = SubmitField("Save the assessment", widget=GovSubmitInput())


class SuitabilityForm(FlaskForm):
    requested_on = dated("date the court asked")
    court_date = GovDateField(
        "Court date", subject="court date", required_message="Enter the court date"
    )
    adjourned = BooleanField(
        "The hearing was adjourned for the assessment", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save the request", widget=GovSubmitInput())


class RecommendationForm(FlaskForm):
    recommendation = RadioField(
        "Recommendation to the court",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.RECOMMENDATIONS.items()]),
        validators=[Required(message="Choose the recommendation")],
    )
    completed_on = dated("date of the assessment")
    submit = SubmitField("Save the recommendation", widget=GovSubmitInput())


class CourtResultForm(FlaskForm):
    result = RadioField(
        "What the court decided",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.COURT_RESULTS.items()]),
        validators=[Required(message="Choose what the court decided")],
    )
    result_on = dated("date of the decision")
    submit = SubmitField("Save the result", widget=GovSubmitInput())


class ActivityForm(FlaskForm):
    kind = RadioField(
        "What was done",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.ACTIVITIES.items()]),
        validators=[Required(message="Choose what was done")],
    )
    done_on = dated("date")
    submit = SubmitField("Save", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    reason = RadioField(
        "Why the case is closing",
        widget=GovRadioInput(),
        choices=options([(k.value, label) for k, label in words.CLOSURE_REASONS.items()]),
        validators=[Required(message="Choose why the case is closing")],
    )
    closed_on = dated("date closed")
    submit = SubmitField("Close the case", widget=GovSubmitInput())


class TreatmentEntryForm(FlaskForm):
    entered = RadioField(
        "Did they enter treatment?",
        widget=GovRadioInput(),
        choices=options(
            [("yes", "Yes, the treatment service confirmed it")]
            + [(k.value, label) for k, label in words.NON_ENTRY_REASONS.items()]
        ),
        validators=[Required(message="Say whether they entered treatment")],
    )
    entered_on = GovDateField("Date they entered treatment", subject="date they entered")
    submit = SubmitField("Save", widget=GovSubmitInput())


class TakeForm(FlaskForm):
    submit = SubmitField("Take into my caseload", widget=GovSubmitInput())
