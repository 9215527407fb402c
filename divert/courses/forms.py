"""Publishing a course, enrolling someone, and a session's register."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange

from divert.formfields import (
    GovDateField,
    Required,
    SessionTimes,
    minutes_field,
    options,
    places_field,
    start_time_field,
)
from divert.models import Booking


class CourseForm(SessionTimes, FlaskForm):
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
    starts = start_time_field("18:00")
    minutes = minutes_field("Length of each session in minutes", default=120)
    every_days = IntegerField(
        "Days between sessions",
        widget=GovTextInput(),
        default=7,
        validators=[
            Required(message="Enter the days between sessions"),
            NumberRange(min=1, max=28, message="Days between sessions must be 1 to 28"),
        ],
    )
    capacity = places_field(default=12)
    venue = SelectField("Where", widget=GovSelect())
    submit = SubmitField("Publish course", widget=GovSubmitInput())


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
