"""marshmallow schemas of the outcomes operations: the force's reoffending results, eligible
offences and comparison groups, a treatment service's confirmations, and outcome figures."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from divert.api.schemas import FigureRow, Page, Period, Request, _date, _text

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
    crime_reference = _text(40)
    reoffended = fields.Boolean(required=True)
    offence_count = _count(required=True)
    first_offence_on = _date(allow_none=True, load_default=None)
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
    starts_on = _date(required=True)
    ends_on = _date(required=True)
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
    entered_on = _date(required=True)


class TreatmentEntry(Schema):
    reference = fields.String(required=True)
    entered_on = fields.Date(required=True)
    service = fields.String(required=True, allow_none=True)


class Reoffending(Schema):
    cases = fields.Integer(required=True)
    window_passed = fields.Integer(required=True)
    results_in = fields.Integer(required=True)
    awaited = fields.Integer(required=True)
    reoffended = fields.Integer(required=True)
    offences = fields.Integer(required=True)
    violent = fields.Integer(required=True)
    alcohol = fields.Integer(required=True)
    reoffended_share = fields.Float(required=True, allow_none=True)
    average_offences = fields.Float(required=True, allow_none=True)
    violent_share = fields.Float(required=True, allow_none=True)
    alcohol_share = fields.Float(required=True, allow_none=True)


class Cohorts(Schema):
    completed = fields.Nested(Reoffending, required=True)
    attended_not_completed = fields.Nested(Reoffending, required=True)
    not_engaged = fields.Nested(Reoffending, required=True)
    comparison_group = fields.Nested(Reoffending, required=True, allow_none=True)


class Outcomes(Schema):
    completed = fields.Integer(required=True)
    not_completed = fields.Integer(required=True)
    completion_rate = fields.Float(required=True, allow_none=True)
    referred_to_treatment = fields.Integer(required=True)
    entered_treatment = fields.Integer(required=True)
    treatment_rate = fields.Float(required=True, allow_none=True)
    police_outcomes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    reoffending = fields.Nested(Cohorts, required=True)
    eligible_offences = fields.Integer(required=True)
    referrals_in_reported_months = fields.Integer(required=True)
    take_up = fields.Float(required=True, allow_none=True)


class AreaOutcomes(Schema):
    area = fields.String(required=True)
    period = fields.Nested(Period, required=True)
    outcomes = fields.Nested(Outcomes, required=True)
    region = fields.Nested(Outcomes, required=True, metadata={"description": "The region pooled"})
    publication = fields.Boolean(required=True)
    figures = fields.List(
        fields.Nested(FigureRow),
        required=True,
        metadata={"description": "The outcome figures as the pages show them, suppressed"},
    )
