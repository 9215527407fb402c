"""Schemas of the CARS figures operations: an area's CARS KPIs beside the region's, and every
area's side by side. A figure the small-number rule hides is null."""

from __future__ import annotations

from marshmallow import Schema, fields

from divert.api.schemas import (
    PeriodQuery,
    area_figures_schema,
    hideable,
    region_figures_schema,
)
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


def _by_code(codes: list[str]) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(metadata={"enum": codes}), values=hideable(), required=True
    )


class ContactsInMonth(Schema):
    month = fields.String(required=True, metadata={"example": "2024-10"})
    contacts = hideable()


CarsCounts = Schema.from_dict(
    {
        **{name: hideable() for name in COUNTS},
        "shares": fields.Nested(
            Schema.from_dict(
                {
                    name: hideable(fields.Float, metadata={"description": description})
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


AreaCarsFigures = area_figures_schema(CarsCounts, "AreaCarsFigures")
RegionCarsFigures = region_figures_schema(CarsCounts, "Cars")
