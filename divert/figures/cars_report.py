"""The commissioner's CARS (arrest referral) figures, presented with divert.figures.report's
cells, rows and sections: one column per area shown and, last, the region pooled; suppressed by
the one small-number rule (with custody contacts, not referrals, making a period small), then
described in sentences from the suppressed cells. Pages, board reports, exports and the API lay
out these rows as they do DIVERT's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Unpack

from divert.figures import suppression
from divert.figures.cars_counts import (
    CONTACT_ONLY,
    TEST_ON_ARREST,
    VOLUNTARY_ASSESSMENT,
    CarsCounts,
    cars_counts_by_area,
    pooled,
)
from divert.figures.periods import Period
from divert.figures.report import (
    ROUNDING_NOTE,
    Cell,
    ColumnCells,
    Figures,
    Presented,
    Row,
    Section,
    columns_of,
    count,
    of_area,
    of_region,
)
from divert.figures.rounding import percent_text
from divert.models import Area, ClosureReason, NonEntryReason, Region

CARS = "cars"
SUBJECT = "custody contacts"
KIND_LABELS = {
    CONTACT_ONLY: "Contact only",
    TEST_ON_ARREST: "Test on arrest",
    VOLUNTARY_ASSESSMENT: "Voluntary assessment agreed",
}
NON_ENTRY_LABELS = {
    NonEntryReason.DID_NOT_ATTEND: "Did not attend treatment",
    NonEntryReason.DECLINED_TREATMENT: "Declined treatment",
    NonEntryReason.IN_PRISON: "In prison",
    NonEntryReason.MOVED_AWAY: "Moved away",
    NonEntryReason.OTHER: "Other reason",
}
CLOSURE_LABELS = {
    ClosureReason.TRANSFERRED_TO_TREATMENT: "Transferred to treatment",
    ClosureReason.END_OF_CONTACT: "End of contact",
    ClosureReason.DECLINED: "Declined",
    ClosureReason.NO_FURTHER_CONTACT: "No further contact",
}
# Figures that describe nobody: how many were seen, and when, and how bookings were made.
NOT_ABOUT_PEOPLE = {
    "contacts",
    "appointments_booked",
    "booked_by_police",
    "out_of_hours",
}


@dataclass(eq=False)
class CarsFigures(Figures):
    """CARS figures: DIVERT's Figures with no contracts, and notes of their own."""

    @property
    def notes(self) -> list[str]:
        return [
            f"CARS activity from {self.period.start:%-d %B %Y} to {self.period.end:%-d %B %Y}, "
            f"as of {self.as_of:%-d %B %Y}: each activity in the period in which it happened.",
            "Orders made, entries into treatment and reasons for not entering follow the "
            "suitability assessments and referrals of the period, whenever they were recorded.",
            "Assessments of every kind are required assessments completed, voluntary needs "
            "assessments and court suitability assessments completed.",
            ROUNDING_NOTE,
            *self.hiding_notes(SUBJECT),
        ]


def _column_cells(c: CarsCounts, months: list[tuple[int, int]]) -> ColumnCells:
    """Every cell of one column; a share is of its figure's whole, named in its row."""
    cells = ColumnCells()
    n = cells.named
    n["contacts"] = count(c.contacts)
    for kind in KIND_LABELS:
        n[kind] = count(c.contact_kinds[kind], c.contacts)
    n["assessments"] = count(c.assessments, c.contacts)
    for name in ("required_completed", "voluntary_assessments", "suitability_completed"):
        n[name] = count(getattr(c, name), c.assessments)
    for name in (
        "required_requested",
        "suitability_requested",
        "adjournments",
        "suitable_drr",
        "suitable_atr",
        "suitable_either",
        "treatment_referrals",
        "closed",
        "naloxone_kits",
        "appointments_booked",
        "booked_by_police",
    ):
        n[name] = count(getattr(c, name))
    # A share of a count that may be hidden is hidden with it (its parts).
    for name, of, whole_name in (
        ("drr_made", c.suitable_drr, "suitable_drr"),
        ("atr_made", c.suitable_atr, "suitable_atr"),
        ("treatment_entries", c.treatment_referrals, "treatment_referrals"),
        ("awaiting_entry", c.treatment_referrals, "treatment_referrals"),
        ("out_of_hours", c.appointments_booked, "appointments_booked"),
    ):
        n[name] = count(getattr(c, name), of)
        n[name].parts = (n[whole_name],)
    cells.breakdowns["not_converted"] = {
        reason.value: count(c.not_converted[reason.value], c.treatment_referrals)
        for reason in NON_ENTRY_LABELS
    }
    cells.breakdowns["closure_reasons"] = {
        reason.value: count(c.closure_reasons[reason.value], c.closed) for reason in CLOSURE_LABELS
    }
    cells.breakdowns["per_month"] = {key: count(c.per_month[key]) for key in months}
    return cells


def _sections(cells: list[ColumnCells], months: list[tuple[int, int]]) -> list[Section]:
    def row(label: str, name: str) -> Row:
        return Row(
            label,
            [c.named[name] for c in cells],
            name,
            describes_people=name not in NOT_ABOUT_PEOPLE,
        )

    def breakdown(name: str, labels: dict[str, str]) -> list[Row]:
        return [
            Row(label, [c.breakdowns[name][key] for c in cells], str(key), describes_people=True)
            for key, label in labels.items()
        ]

    return [
        Section(
            "cars_summary",
            "CARS: custody contacts and assessments",
            [
                row("Custody contacts", "contacts"),
                row("Assessments of every kind (share of contacts)", "assessments"),
                row("Referrals into mainstream treatment", "treatment_referrals"),
                row("Cases closed", "closed"),
                row("Naloxone kits supplied", "naloxone_kits"),
            ],
        ),
        Section(
            "cars_contact_kinds",
            "CARS: custody contacts by kind",
            [row(label, name) for name, label in KIND_LABELS.items()],
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "cars_assessment_kinds",
            "CARS: assessments by kind",
            [
                row("Required assessments completed (statutory)", "required_completed"),
                row("Voluntary needs assessments", "voluntary_assessments"),
                row("Court suitability assessments completed", "suitability_completed"),
            ],
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "cars_required",
            "CARS: required assessments after a positive test on arrest",
            [
                row("Required assessments requested", "required_requested"),
                row("Required assessments completed", "required_completed"),
            ],
        ),
        Section(
            "cars_court",
            "CARS: suitability assessments for a DRR or ATR",
            [
                row("Suitability assessments requested", "suitability_requested"),
                row("Adjournments for a suitability assessment", "adjournments"),
                row("Suitability assessments completed", "suitability_completed"),
                row("Assessed as suitable for a DRR", "suitable_drr"),
                row("Assessed as suitable for an ATR", "suitable_atr"),
                row("Assessed as suitable for a DRR and/or ATR", "suitable_either"),
                row("DRR assigned (share of those suitable for one)", "drr_made"),
                row("ATR assigned (share of those suitable for one)", "atr_made"),
            ],
        ),
        Section(
            "cars_treatment",
            "CARS: referrals into mainstream treatment and what became of them",
            [
                row("Entered treatment", "treatment_entries"),
                *(
                    Row(
                        f"Did not enter: {label.lower()}",
                        [c.breakdowns["not_converted"][key] for c in cells],
                        str(key),
                        describes_people=True,
                    )
                    for key, label in NON_ENTRY_LABELS.items()
                ),
                row("Awaiting an answer from the treatment service", "awaiting_entry"),
            ],
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "cars_closures",
            "CARS: cases closed, by reason",
            breakdown("closure_reasons", {k.value: v for k, v in CLOSURE_LABELS.items()}),
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "cars_appointments",
            "CARS: appointments booked",
            [
                row("Appointments booked", "appointments_booked"),
                row("Booked by police", "booked_by_police"),
                row("Booked out of hours (share of bookings)", "out_of_hours"),
            ],
        ),
        Section(
            "cars_months",
            "CARS: custody contacts per month",
            [
                Row(
                    f"{date(year, month, 1):%b %Y}",
                    [c.breakdowns["per_month"][(year, month)] for c in cells],
                    f"{year}-{month:02d}",
                )
                for year, month in months
            ],
            adds_up=True,
            breakdown=True,
        ),
    ]


def _phrase(words: str, cell: Cell, of: str = "") -> str:
    """ "DRR assigned: 226 (21% of those found suitable)", or why it is hidden."""
    if cell.suppressed:
        return f"{words}: {cell.suppressed_text}"
    said = f"{words}: {int(cell.value or 0):,}"
    if of and cell.share is not None:
        said += f" ({percent_text(cell.share)} {of})"
    return said


def _narrative(figures: Figures, index: int) -> str:
    """One plain-English sentence for a column, from its (suppressed) cells."""
    named = figures.by_column[index].named
    suitable = "of those found suitable"
    parts = [
        _phrase(f"In {figures.columns[index].name}, custody contacts", named["contacts"]),
        _phrase("assessments of every kind", named["assessments"], "of contacts"),
        _phrase("required after a positive test", named["required_completed"]),
        _phrase("referrals into treatment", named["treatment_referrals"]),
        _phrase("entered treatment", named["treatment_entries"], "of the referrals"),
        _phrase("DRR assigned", named["drr_made"], suitable),
        _phrase("ATR assigned", named["atr_made"], suitable),
    ]
    return "; ".join(parts) + "."


def build(
    region: Region,
    period: Period,
    *,
    shown: list[Area],
    restrict_small_periods: bool,
    publication: bool = False,
    today: date | None = None,
) -> CarsFigures:
    """The CARS figures of `shown` areas (each a column) and of the region pooled, suppressed."""
    as_of = min(today or date.today(), period.end)
    by_area = cars_counts_by_area(region, period)
    total = pooled(by_area)
    counts_list = [by_area[a.id] for a in shown] + [total]
    months = period.months()
    cells = [_column_cells(c, months) for c in counts_list]
    columns = columns_of(region, shown, {key: c.contacts for key, c in by_area.items()}, SUBJECT)
    figures = CarsFigures(
        period=period,
        as_of=as_of,
        columns=columns,
        sections=_sections(cells, months),
        contracts=[],
        by_column=cells,
        total_index=len(columns) - 1,
        total_has_rest=len(shown) < len(region.areas),
        publication=publication,
        programme=CARS,
    )
    suppression.apply(
        figures, publication=publication, restrict_small_periods=restrict_small_periods
    )
    figures.narrative = [_narrative(figures, i) for i in range(len(columns))]
    return figures


def area_cars_figures(area: Area, period: Period, **presented: Unpack[Presented]) -> CarsFigures:
    """An area's CARS figures beside its region's."""
    return of_area(build, area, period, **presented)


def region_cars_figures(
    region: Region, period: Period, **presented: Unpack[Presented]
) -> CarsFigures:
    """Every area's CARS figures side by side, and the region pooled."""
    return of_region(build, region, period, **presented)
