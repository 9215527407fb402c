"""How records read on screen: error-summary links that reach a date's box, phone numbers.

Registered as Jinja globals and filters, so every template says things the same way.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from flask import Flask
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Form

DATE_PARTS = ("day", "month", "year")


def error_summary(form: Form) -> dict[str, Any]:
    """The GOV.UK error summary's parameters for a form.

    A link to a date field goes to its first empty part (the day when none is empty): the
    summary's script focuses the element a link names, and a date input's wrapper is not one.
    """
    params = wtforms_errors(form)
    dates = {field.id: field for field in form if isinstance(field.widget, GovDateInput)}
    for item in params["errorList"]:
        field = dates.get(item["href"].removeprefix("#"))
        if field is not None:
            typed = list(field.raw_data or []) + [""] * 3
            part = next((p for p, v in zip(DATE_PARTS, typed, strict=False) if not v), "day")
            item["href"] = f"#{field.name}-{part}"
    return params


def _parsed(number: str | None) -> phonenumbers.PhoneNumber | None:
    if not number:
        return None
    try:
        return phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return None


def phone_national(number: str | None) -> str:
    """A stored +44 number as people in the UK write it: "07911 123456"."""
    parsed = _parsed(number)
    if parsed is None:
        return number or ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_href(number: str | None) -> str:
    """A tel: link target that dials from any country."""
    parsed = _parsed(number)
    if parsed is None:
        return ""
    return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def init_app(app: Flask) -> None:
    app.add_template_global(error_summary)
    app.add_template_filter(phone_national)
    app.add_template_filter(phone_href)
