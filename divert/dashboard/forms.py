"""The period picker: month, quarter, financial year, contract period or custom dates."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField

from divert.figures import periods
from divert.figures.periods import Period
from divert.formfields import GovDateField
from divert.models import Contract
from divert.widgets import GovCheckboxInput, GovSelect, GovSubmitInput

CUSTOM = "custom"


def period_choices(today: date, contracts: list[Contract]) -> list[tuple[str, str]]:
    """Options newest first: financial years, quarters, months, contracts, then custom."""
    this_fy = periods.financial_year_of(today)
    choices = [
        (f"fy:{y}", f"Financial year {periods.financial_year(y).label}")
        for y in range(this_fy, this_fy - 4, -1)
    ]
    year, number = today.year, (today.month - 1) // 3 + 1
    for _ in range(8):
        choices.append((f"q:{year}-{number}", f"Quarter: {periods.quarter(year, number).label}"))
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    year, month = today.year, today.month
    for _ in range(24):
        choices.append((f"m:{year}-{month}", f"Month: {periods.month(year, month).label}"))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    choices += [
        (f"c:{c.id}", f"Contract: {c.label} ({c.starts_on:%-d %b %Y} to {c.ends_on:%-d %b %Y})")
        for c in contracts
    ]
    return [*choices, (CUSTOM, "Custom dates")]


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    period = SelectField("Period", widget=GovSelect(), validate_choice=True)
    programme = SelectField("Programme", widget=GovSelect(), validate_choice=True, default="")
    start = GovDateField("From", subject="start date")
    end = GovDateField("To", subject="end date")
    publication = BooleanField(
        "For publication (hide small counts and what would reveal them)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Show figures", widget=GovSubmitInput())

    def chosen(self, contracts: list[Contract]) -> Period | None:
        """The period asked for, or None with messages on the fields at fault."""
        value = self.period.data or ""
        if value == CUSTOM:
            return self._custom()
        kind, _, rest = value.partition(":")
        if kind == "fy":
            return periods.financial_year(int(rest))
        if kind == "q":
            year, number = rest.split("-")
            return periods.quarter(int(year), int(number))
        if kind == "m":
            year, month = rest.split("-")
            return periods.month(int(year), int(month))
        contract = next(c for c in contracts if f"c:{c.id}" == value)
        return Period(contract.starts_on, contract.ends_on, contract.label)

    def _custom(self) -> Period | None:
        start, end = self.start.data, self.end.data
        if start is None and not self.start.errors:
            self.start.errors.append("Enter a start date")
        if end is None and not self.end.errors:
            self.end.errors.append("Enter an end date")
        if start and end and end < start:
            self.end.errors.append("The end date must be the same as or after the start date")
            return None
        return periods.custom(start, end) if start and end else None
