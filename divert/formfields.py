"""Form fields and validators shared by every capability's forms, in GOV.UK's voice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, time
from typing import Any, TypeVar

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import DateField, Field, Form, IntegerField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from divert.extensions import db
from divert.params import parse_date, parse_int
from divert.refusals import Refusal
from divert.text import is_blank
from divert.widgets import GovDateInput, GovTextArea, GovTextInput

Saved = TypeVar("Saved")
PARTS = ("day", "month", "year")


def show_refusal(
    form: Form, refusal: Refusal, default: str, renamed: Mapping[str, str] | None = None
) -> None:
    """Put each of a use case's refusal messages next to the form field of its name (`renamed`
    maps a use case's name to the form's); one the form has no field for goes on `default`."""
    for name, message in refusal.problems.items():
        name = (renamed or {}).get(name, name)
        field = form[name] if name in form else form[default]
        field.errors = [*field.errors, message]


def saves(
    form: FlaskForm,
    action: Callable[[], Saved],
    *,
    default: str,
    renamed: Mapping[str, str] | None = None,
) -> Saved | None:
    """Run the use case of a valid submitted form and commit: what it made, once saved (None
    if the form is not sent, not valid or refused). A refusal is rolled back (nothing
    half-saved) and shown next to the field it names, as show_refusal does."""
    if not form.validate_on_submit():
        return None
    try:
        made = action()
    except Refusal as refusal:
        db.session.rollback()
        show_refusal(form, refusal, default=default, renamed=renamed)
        return None
    db.session.commit()
    return made


def choice_id(value: str | None) -> int:
    """The record id a choice field posted, or 0 (matches nothing) for anything else."""
    return parse_int(value) or 0


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """A select or radio field's choices from (value, label) pairs: WTForms 3.4 takes
    SelectChoice only."""
    return [SelectChoice(value, label) for value, label in pairs]


class GovDateField(DateField):
    """A GOV.UK day/month/year date input whose messages name what is wrong.

    Always holds three raw parts, so the widget can re-show exactly what was typed.
    """

    widget = GovDateInput()

    def __init__(
        self, label: str, *, subject: str, required_message: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.subject = subject  # e.g. "date of birth", used in messages
        self.required_message = required_message

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [(value or "").strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            if self.required_message:
                raise ValueError(self.required_message)
            return
        missing = [name for name, value in zip(PARTS, parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.subject.capitalize()} must include a {missing[0]}")
        day, month, year = parts
        self.data = parse_date(year, month, day)
        if self.data is None:
            raise ValueError(f"{self.subject.capitalize()} must be a real date")

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d %m %Y") if self.data else ""


def dated(subject: str, *, required_message: str | None = None, **kwargs: Any) -> Any:
    """A required date, labelled and named by `subject` ("date of the assessment" reads "Date of
    the assessment" and asks "Enter the date of the assessment" when left empty); it starts as
    today unless given another `default`."""
    kwargs.setdefault("default", date.today)
    return GovDateField(
        subject[0].upper() + subject[1:],
        subject=subject,
        required_message=required_message or f"Enter the {subject}",
        **kwargs,
    )


def notes_field(max_length: int) -> Any:
    """The optional free-text notes a form ends with, up to `max_length` characters."""
    return TextAreaField(
        "Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=max_length)]
    )


class Required(InputRequired):
    """InputRequired, where text must also hold a visible character: a name of spaces or of a
    zero-width space is as empty as no name (see divert.text)."""

    def __call__(self, form: Form, field: Field) -> None:
        super().__call__(form, field)
        if isinstance(field.data, str) and is_blank(field.data):
            field.errors[:] = []
            raise StopValidation(self.message or "This field is required")


def parse_time(value: str) -> time:
    """A time typed like 09:30 or 14:00, or ValidationError."""
    try:
        return time.fromisoformat(value.strip())
    except ValueError as error:
        raise ValidationError("Enter a time like 09:30 or 14:00") from error


def uk_phone_number(value: str) -> str:
    """The number in E.164 form, or ValidationError when it is not a valid UK-dialable number."""
    try:
        parsed = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            "Enter a UK phone number, like 07911 123 456 or 0121 496 0000"
        ) from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError("Enter a UK phone number, like 07911 123 456 or 0121 496 0000")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalised_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(
            "Enter an email address in the correct format, like name@example.com"
        ) from error


class PhoneNumber:
    """Validator: an optional UK phone number, normalised to E.164 in field.data."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data.strip():
            field.data = uk_phone_number(field.data.strip())


class EmailAddress:
    """Validator: an optional email address, normalised in field.data."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data.strip():
            field.data = normalised_email(field.data.strip())


# -- what every published session states -----------------------------------------------------
#
# By the same rules, whether a diary slot (divert.sessions) or a course's sessions
# (divert.courses): each form declares these fields in its own order, with its own words and
# defaults.


def start_time_field(example: str) -> StringField:
    return StringField(
        "Start time",
        widget=GovTextInput(),
        description=f"For example, {example}",
        validators=[Required(message="Enter the start time")],
    )


def minutes_field(label: str, default: int) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        default=default,
        validators=[
            Required(message="Enter the length in minutes"),
            NumberRange(min=15, max=480, message="Length must be 15 to 480 minutes"),
        ],
    )


def places_field(default: int) -> IntegerField:
    return IntegerField(
        "Places",
        widget=GovTextInput(),
        default=default,
        validators=[
            Required(message="Enter the number of places"),
            NumberRange(min=1, max=50, message="Places must be 1 to 50"),
        ],
    )


class SessionTimes:
    """The checks of a form with `first_date` and `starts` fields, and its start time."""

    starts: StringField

    def validate_starts(self, field: StringField) -> None:
        parse_time(field.data or "")

    def validate_first_date(self, field: GovDateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError("The date must be today or in the future")

    def start_time(self) -> time:
        return parse_time(self.starts.data or "")
