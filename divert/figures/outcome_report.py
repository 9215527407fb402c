"""The outcome figures laid out as the dashboard's sections (area beside region), plus the
reoffending table by cohort beside the comparison group, with publication suppression."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from divert.figures.outcomes import AWAITING, COHORTS, Outcomes, Reoffending, area_and_region
from divert.figures.periods import Period
from divert.figures.report import (
    Row,
    Section,
    _count_cell,
    _rate_cell,
    apply_suppression,
    percent,
)
from divert.figures.suppression import Cell, is_small
from divert.models import Area, Cohort, PoliceOutcomeKind

COHORT_LABELS = {
    Cohort.COMPLETED: "Completed",
    Cohort.ATTENDED_NOT_COMPLETED: "Attended, not completed",
    Cohort.NOT_ENGAGED: "Not engaged",
}
POLICE_LABELS = {
    PoliceOutcomeKind.NO_FURTHER_ACTION.value: "No further action",
    PoliceOutcomeKind.COMMUNITY_RESOLUTION.value: "Community resolution",
    PoliceOutcomeKind.CAUTION.value: "Caution",
    PoliceOutcomeKind.CONDITIONAL_CAUTION.value: "Conditional caution",
    PoliceOutcomeKind.CHARGE.value: "Charge",
    PoliceOutcomeKind.OTHER.value: "Other",
    AWAITING: "Awaiting a police outcome",
}


@dataclass
class CohortRow:
    """One cohort's reoffending: results in, and of those the shares and the average; the
    number still awaited beside them."""

    label: str
    results_in: Cell
    reoffended: Cell
    average_offences: Cell
    violent: Cell
    alcohol: Cell
    awaited: Cell

    RATES = ("reoffended", "average_offences", "violent", "alcohol")


def _average(offences: int, people: int) -> Cell:
    return Cell(None, f"{offences / people:.1f}" if people else "–")


def _cohort_row(label: str, found: Reoffending | None) -> CohortRow:
    if found is None:
        dash = Cell(None, "not reported")
        return CohortRow(label, dash, dash, dash, dash, dash, Cell(None, "–"))
    return CohortRow(
        label,
        _count_cell(found.results_in),
        _rate_cell(found.reoffended, found.results_in),
        _average(found.offences, found.results_in),
        _rate_cell(found.violent, found.results_in),
        _rate_cell(found.alcohol, found.results_in),
        _count_cell(found.awaited),
    )


def cohort_rows(outcomes: Outcomes) -> list[CohortRow]:
    rows = [_cohort_row(COHORT_LABELS[c], outcomes.cohorts[c]) for c in COHORTS]
    comparison = _cohort_row("Comparison group (eligible, not referred)", outcomes.comparison)
    comparison.awaited = Cell(None, "–")  # the force sends a group's counts when they are in
    return [*rows, comparison]


def _suppress_cohorts(rows: list[CohortRow]) -> None:
    """A cohort of fewer than 5 results shows none of its rates; a small awaited count hides."""
    for row in rows:
        if row.results_in.count is not None and is_small(row.results_in.count):
            row.results_in.suppress()
            for name in CohortRow.RATES:
                getattr(row, name).suppress()
        if row.awaited.count is not None and is_small(row.awaited.count):
            row.awaited.suppress()


def sections(c: Outcomes, r: Outcomes) -> list[Section]:
    police_keys = [key for key in POLICE_LABELS if c.police[key] or r.police[key]]
    return [
        Section(
            "Completion",
            [
                Row("Completed", _count_cell(c.completed), _count_cell(r.completed)),
                Row(
                    "Closed, not completed",
                    _count_cell(c.not_completed),
                    _count_cell(r.not_completed),
                ),
                Row(
                    "Completion rate",
                    _rate_cell(c.completed, c.completed + c.not_completed),
                    _rate_cell(r.completed, r.completed + r.not_completed),
                ),
            ],
            breakdown=False,
        ),
        Section(
            "Entry into treatment",
            [
                Row("Referred on to treatment", _count_cell(c.onward), _count_cell(r.onward)),
                Row("Entered treatment", _count_cell(c.entered), _count_cell(r.entered)),
                Row(
                    "Share who entered treatment",
                    _rate_cell(c.entered, c.onward),
                    _rate_cell(r.entered, r.onward),
                ),
            ],
            breakdown=False,
        ),
        Section(
            "Police outcomes of returned cases",
            [
                Row(
                    POLICE_LABELS[key],
                    _count_cell(c.police[key], c.returned),
                    _count_cell(r.police[key], r.returned),
                )
                for key in police_keys
            ],
        ),
        Section(
            "Take-up",
            [
                Row(
                    "Eligible possession offences reported by the force",
                    _count_cell(c.eligible),
                    _count_cell(r.eligible),
                ),
                Row(
                    "Referrals in the months reported",
                    _count_cell(c.referrals_in_reported_months),
                    _count_cell(r.referrals_in_reported_months),
                ),
                Row(
                    "Take-up (referrals ÷ eligible offences)",
                    _rate_cell(c.referrals_in_reported_months, c.eligible),
                    _rate_cell(r.referrals_in_reported_months, r.eligible),
                ),
            ],
            breakdown=False,
        ),
    ]


@dataclass
class OutcomeFigures:
    period: Period
    area: Outcomes
    region: Outcomes
    sections: list[Section]
    area_cohorts: list[CohortRow]
    region_cohorts: list[CohortRow]

    @property
    def narrative(self) -> str:
        """One sentence for the board report."""
        done = self.area.cohorts[Cohort.COMPLETED]
        parts = []
        if self.area.completion_rate is not None:
            total = self.area.completed + self.area.not_completed
            parts.append(f"{percent(self.area.completed, total)} of closed cases completed")
        if done.results_in:
            parts.append(
                f"{percent(done.results_in - done.reoffended, done.results_in)} of those who "
                f"completed had not reoffended within the follow-up window "
                f"({done.results_in} results in, {done.awaited} awaited)"
            )
        return "; ".join(parts) + "." if parts else ""


def outcome_figures(
    area: Area, period: Period, today: date, *, for_publication: bool = False
) -> OutcomeFigures:
    found, region = area_and_region(area, period, today)
    figures = OutcomeFigures(
        period, found, region, sections(found, region), cohort_rows(found), cohort_rows(region)
    )
    if for_publication:
        apply_suppression(figures.sections)
        _suppress_cohorts(figures.area_cohorts)
        _suppress_cohorts(figures.region_cohorts)
    return figures
