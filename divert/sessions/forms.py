"""Educators' forms: sessions, contact attempts, bookings, attendance, outcomes."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    ValidationError,
)

from divert.formfields import (
    GovDateField,
    Required,
    SessionTimes,
    minutes_field,
    notes_field,
    options,
    places_field,
    start_time_field,
)
from divert.referrals.lifecycle import CANCELLED_BY
from divert.sessions.use_cases import ATTENDANCE_OUTCOMES, CONTACT_METHODS, CONTACT_OUTCOMES
from divert.widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
LONGEST_PATTERN = timedelta(days=366)


class SessionForm(SessionTimes, FlaskForm):
    kind = RadioField(
        "Kind of session",
        widget=GovRadioInput(),
        choices=options(
            [
                ("initial", "Initial one-to-one"),
                ("follow_up", "Follow-up"),
                ("group", "Group session"),
                ("assessment", "Young person's assessment"),
            ]
        ),
        default="initial",
        validators=[Required(message="Choose the kind of session")],
    )
    programme = SelectField(
        "Programme",
        widget=GovSelect(),
        coerce=str,
        validators=[DataRequired(message="Choose the programme")],
    )
    educator = SelectField(
        "Educator",
        widget=GovSelect(),
        coerce=str,
        validators=[DataRequired(message="Choose the educator")],
    )
    first_date = GovDateField("Date", subject="date", required_message="Enter the date")
    starts = start_time_field("10:00")
    minutes = minutes_field("Length in minutes", default=60)
    capacity = places_field(default=1)
    venue = SelectField("Where", widget=GovSelect(), coerce=str)
    repeat_days = SelectMultipleField(
        "Repeat every week on",
        widget=GovCheckboxesInput(),
        choices=options(WEEKDAYS),
        validators=[Optional()],
    )
    repeat_until = GovDateField("Repeat until", subject="repeat end date")
    submit = SubmitField("Publish", widget=GovSubmitInput())

    def validate_repeat_until(self, field: GovDateField) -> None:
        if not self.repeat_days.data:
            return
        if field.data is None:
            raise ValidationError("Enter the date the weekly pattern ends")
        first = self.first_date.data
        if first and field.data < first:
            raise ValidationError("The repeat end date must be after the first date")
        if first and field.data - first > LONGEST_PATTERN:
            raise ValidationError("A weekly pattern can run for a year at most")

    def validate_capacity(self, field: IntegerField) -> None:
        if self.kind.data == "initial" and field.data and field.data > 1:
            raise ValidationError("An initial one-to-one has one place")

    def dates(self) -> list[date]:
        """The first date, plus every chosen weekday up to the repeat end date."""
        first = self.first_date.data
        if not self.repeat_days.data or self.repeat_until.data is None:
            return [first]
        weekdays = {int(d) for d in self.repeat_days.data}
        days = (self.repeat_until.data - first).days + 1
        return sorted(
            {first}
            | {
                first + timedelta(n)
                for n in range(days)
                if (first + timedelta(n)).weekday() in weekdays
            }
        )


class ContactForm(FlaskForm):
    """On the case page beside the outcome form, whose fields have the same names: its ids are
    its own, so a label ("Completed") never ticks a radio in the other form."""

    method = RadioField(
        "How",
        widget=GovRadioInput(),
        choices=options(list(CONTACT_METHODS.items())),
        validators=[Required(message="Choose how you tried to contact them")],
        id="contact-method",
    )
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=options(list(CONTACT_OUTCOMES.items())),
        validators=[Required(message="Choose what happened")],
        id="contact-outcome",
    )
    note = TextAreaField(
        "Note (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
        id="contact-note",
    )
    submit = SubmitField("Record contact", widget=GovSubmitInput(), id="contact-submit")


class BookForm(FlaskForm):
    slot = RadioField(
        "Session",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[Required(message="Choose a session")],
    )
    submit = SubmitField("Book", widget=GovSubmitInput(), id="book-submit")


class OutcomeForm(FlaskForm):
    outcome = RadioField(
        "Close the case as",
        widget=GovRadioInput(),
        choices=options(
            [
                ("completed", "Completed"),
                ("not_engaged", "Not engaged – return to the officer"),
                ("ineligible", "Ineligible – return to the officer"),
                ("withdrawn", "Withdrawn"),
            ]
        ),
        validators=[Required(message="Choose an outcome")],
    )
    note = TextAreaField(
        "Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField("Record outcome", widget=GovSubmitInput())


class AttendanceForm(FlaskForm):
    """One person's attendance at one session: one page, one submit."""

    outcome = RadioField(
        "What happened",
        widget=GovRadioInput(),
        choices=options([(status.value, label) for status, label in ATTENDANCE_OUTCOMES.items()]),
        validators=[Required(message="Choose what happened")],
    )
    cancelled_by = RadioField(
        "Cancelled by",
        widget=GovRadioInput(),
        choices=options(CANCELLED_BY.items()),
        validators=[Optional()],
    )
    # Choices are checked against the area's lists when the attendance is recorded.
    main_substance = SelectField(
        "Main substance they reported", widget=GovSelect(), coerce=str, validate_choice=False
    )
    other_substances = SelectMultipleField(
        "Other substances",
        widget=GovCheckboxesInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    interventions = SelectMultipleField(
        "Interventions given",
        widget=GovCheckboxesInput(),
        validate_choice=False,
        validators=[Optional()],
    )
    onward_service = SelectField(
        "Onward referral to", widget=GovSelect(), coerce=str, validate_choice=False
    )
    notes = notes_field(2000)
    submit = SubmitField("Save attendance", widget=GovSubmitInput())


class SafeguardingForm(FlaskForm):
    concern = TextAreaField(
        "What is the concern?",
        widget=GovTextArea(),
        description="The area's managers are emailed a link to this case, not what you write",
        validators=[
            Required(message="Describe the safeguarding concern"),
            Length(max=2000, message="Concern must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Raise safeguarding concern", widget=GovSubmitInput())
