"""Schemas of the CARS figures operations: an area's CARS KPIs beside the region's, and every
area's side by side. A figure the small-number rule hides is null."""

from __future__ import annotations

from marshmallow import Schema, fields

from divert.api.schemas import FigureRow, Period, PeriodQuery
from divert.models import ClosureReason, NonEntryReason

# Every count, by the name the figures give it (divert.figures.cars_report).
COUNTS = (
    "contacts",
    "contact_only",
    "test_on_arrest",
    "voluntary_assessment",
    "assessments",
    "required_requested",
    "required_completed",
    "voluntary_assessments",
    "suitability_requested",
    "adjournments",
    "suitability_completed",
    "suitable_drr",
    "suitable_atr",
    "suitable_either",
    "drr_made",
    "atr_made",
    "treatment_referrals",
    "treatment_entries",
    "awaiting_entry",
    "closed",
    "naloxone_kits",
    "appointments_booked",
    "booked_by_police",
    "out_of_hours",
)
# Shares worked out from counts: each of its whole.
SHARES = {
    "assessments": "Assessments of every kind, of the contacts",
    "drr_made": "DRRs assigned, of those found suitable for one",
    "atr_made": "ATRs assigned, of those found suitable for one",
    "treatment_entries": "Entries into treatment, of the referrals into treatment",
    "out_of_hours": "Appointments booked out of hours, of those booked",
}


class CarsPeriodQuery(PeriodQuery):
    """From and to (default: this financial year) and publication; CARS is one programme."""

    class Meta:
        exclude = ("programme",)


def _hideable(kind: type[fields.Field] = fields.Integer, **options: object) -> fields.Field:
    return kind(required=True, allow_none=True, **options)


def _by_code(codes: list[str]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(metadata={"enum": codes}), values=_hideable(), required=True
    )


class ContactsInMonth(Schema):
    month = fields.String(required=True, metadata={"example": "2024-10"})
    contacts = _hideable()


CarsCounts = Schema.from_dict(
    {
        **{name: _hideable() for name in COUNTS},
        "shares": fields.Nested(
            Schema.from_dict(
                {
                    name: _hideable(fields.Float, metadata={"description": description})
                    for name, description in SHARES.items()
                },
                name="CarsShares",
            ),
            required=True,
        ),
        "not_converted": _by_code([reason.value for reason in NonEntryReason]),
        "closure_reasons": _by_code([reason.value for reason in ClosureReason]),
        "per_month": fields.List(fields.Nested(ContactsInMonth), required=True),
    },
    name="CarsCounts",
)


class AreaCarsFigures(Schema):
    area = fields.String(required=True)
    period = fields.Nested(Period, required=True)
    publication = fields.Boolean(required=True)
    counts = fields.Nested(CarsCounts, required=True)
    region = fields.Nested(CarsCounts, required=True, metadata={"description": "The region pooled"})
    figures = fields.List(fields.Nested(FigureRow), required=True)


class AreaCarsCounts(Schema):
    area = fields.String(required=True)
    name = fields.String(required=True)
    counts = fields.Nested(CarsCounts, required=True)


class RegionCarsFigures(Schema):
    region = fields.String(required=True)
    period = fields.Nested(Period, required=True)
    publication = fields.Boolean(required=True)
    areas = fields.List(fields.Nested(AreaCarsCounts), required=True)
    total = fields.Nested(CarsCounts, required=True)
    figures = fields.List(fields.Nested(FigureRow), required=True)
