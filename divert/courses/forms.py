"""Publishing a course, enrolling someone, and a session's register."""

from __future__ import annotations

from datetime import date, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from divert.formfields import GovDateField, Required, options, parse_time
from divert.models import Booking


class CourseForm(FlaskForm):
    programme = SelectField(
        "Programme", widget=GovSelect(), validators=[DataRequired(message="Choose the programme")]
    )
    title = StringField(
        "Name of the course",
        widget=GovTextInput(),
        description="For example, ARV course – Leamington, January",
        validators=[Required(message="Enter a name for the course"), Length(max=120)],
    )
    first_date = GovDateField(
        "Date of the first session", subject="date", required_message="Enter the date"
    )
    starts = StringField(
        "Start time",
        widget=GovTextInput(),
        description="For example, 18:00",
        validators=[Required(message="Enter the start time")],
    )
    minutes = IntegerField(
        "Length of each session in minutes",
        widget=GovTextInput(),
        default=120,
        validators=[
            Required(message="Enter the length in minutes"),
            NumberRange(min=15, max=480, message="Length must be 15 to 480 minutes"),
        ],
    )
    every_days = IntegerField(
        "Days between sessions",
        widget=GovTextInput(),
        default=7,
        validators=[
            Required(message="Enter the days between sessions"),
            NumberRange(min=1, max=28, message="Days between sessions must be 1 to 28"),
        ],
    )
    capacity = IntegerField(
        "Places",
        widget=GovTextInput(),
        default=12,
        validators=[
            Required(message="Enter the number of places"),
            NumberRange(min=1, max=50, message="Places must be 1 to 50"),
        ],
    )
    venue = SelectField("Where", widget=GovSelect())
    submit = SubmitField("Publish course", widget=GovSubmitInput())

    def validate_starts(self, field: StringField) -> None:
        parse_time(field.data or "")

    def validate_first_date(self, field: GovDateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError("The date must be today or in the future")

    def start_time(self) -> time:
        return parse_time(self.starts.data or "")


class EnrolForm(FlaskForm):
    referral = SelectField(
        "Person to enrol",
        widget=GovSelect(),
        validate_choice=False,  # the case may close while the page is open: checked on enrol
        validators=[DataRequired(message="Choose the person to enrol")],
    )
    submit = SubmitField("Enrol", widget=GovSubmitInput())


ATTENDANCE = [("attended", "Attended"), ("did_not_attend", "Did not attend")]


def register_form(bookings: list[Booking]) -> FlaskForm:
    """One pair of radios per person still to be marked; one submit for the whole group."""

    class RegisterForm(FlaskForm):
        submit = SubmitField("Save the register", widget=GovSubmitInput())

    for booking in bookings:
        name = booking.referral.person.full_name
        field = RadioField(
            name,
            widget=GovRadioInput(),
            choices=options(ATTENDANCE),
            validators=[Required(message=f"Choose whether {name} attended")],
        )
        setattr(RegisterForm, f"booking_{booking.id}", field)
    return RegisterForm()
