"""marshmallow schemas of the outcomes operations: the force's reoffending results, eligible
offences and comparison groups, a treatment service's confirmations, and outcome figures."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from divert.api.schemas import FigureRow, Page, Period, Request, date_field, text_field

MAX_BATCH = 1000
MOST = 10_000_000


def _count(**options: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(0, MOST), **options)


class DueCase(Schema):
    reference = fields.String(required=True, metadata={"example": "WAR-2026-00032"})
    crime_reference = fields.String(required=True)
    window_from = fields.Date(required=True, metadata={"description": "The day the case closed"})
    window_to = fields.Date(required=True, metadata={"description": "The window's last day"})


class DuePage(Page):
    items = fields.List(fields.Nested(DueCase), required=True)


class ReoffendingResult(Request):
    reference = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9-]{1,20}$"))
    crime_reference = text_field(40)
    reoffended = fields.Boolean(required=True)
    offence_count = _count(required=True)
    first_offence_on = date_field(allow_none=True, load_default=None)
    any_violent = fields.Boolean(required=True)
    any_alcohol = fields.Boolean(required=True)


class ResultBatch(Request):
    results = fields.List(
        fields.Nested(ReoffendingResult),
        required=True,
        validate=validate.Length(1, MAX_BATCH, error=f"Send 1 to {MAX_BATCH} results"),
    )


class BatchRecorded(Schema):
    recorded = fields.Integer(required=True)
    references = fields.List(fields.String(), required=True)


class EligibleMonth(Request):
    month = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="A month like 2026-03"),
    )
    eligible_offences = _count(required=True)


class EligibleBatch(Request):
    months = fields.List(
        fields.Nested(EligibleMonth),
        required=True,
        validate=validate.Length(1, 240, error="Send 1 to 240 months"),
    )


class EligibleRecorded(Schema):
    recorded = fields.Integer(required=True)
    months = fields.List(fields.String(), required=True)


class NewComparisonGroup(Request):
    starts_on = date_field(required=True)
    ends_on = date_field(required=True)
    people = _count(required=True)
    reoffended = _count(required=True)
    offences = _count(required=True)
    violent = _count(required=True)
    alcohol = _count(required=True)


class ComparisonGroup(Schema):
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    people = fields.Integer(required=True)
    reoffended = fields.Integer(required=True)
    offences = fields.Integer(required=True)
    violent = fields.Integer(required=True)
    alcohol = fields.Integer(required=True)


class NewTreatmentEntry(Request):
    reference = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9-]{1,20}$"))
    entered_on = date_field(required=True)


class TreatmentEntry(Schema):
    reference = fields.String(required=True)
    entered_on = fields.Date(required=True)
    service = fields.String(required=True, allow_none=True)


def _outcome_values(description: str) -> fields.Dict:
    """{section: {row: value}}: each outcome figure of one column, null when suppressed."""
    return fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)),
        required=True,
        metadata={"description": description},
    )


class AreaOutcomes(Schema):
    area = fields.String(required=True)
    period = fields.Nested(Period, required=True)
    outcomes = _outcome_values("The area's, by section and row, as the figures below")
    region = _outcome_values("The region pooled, by section and row")
    publication = fields.Boolean(required=True)
    figures = fields.List(
        fields.Nested(FigureRow),
        required=True,
        metadata={"description": "The outcome figures as the pages show them, suppressed"},
    )
