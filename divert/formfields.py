"""Form fields and validators shared by every capability's forms, in GOV.UK's voice."""

from __future__ import annotations

from datetime import date
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from wtforms import DateField, Field, Form
from wtforms.validators import ValidationError

from divert.widgets import GovDateInput

PARTS = ("day", "month", "year")


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
        try:
            day, month, year = (int(value) for value in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError as error:
            raise ValueError(f"{self.subject.capitalize()} must be a real date") from error

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d %m %Y") if self.data else ""


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
