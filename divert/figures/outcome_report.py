"""The outcome figures presented as report sections (divert.figures.report): completion, entry
into treatment, police outcomes of returned cases, reoffending by cohort beside the comparison
group (with the results still awaited), and take-up.

They join an area's Figures before the one suppression rule runs, so the page, the board
report, the exports and the API get them suppressed and rounded like every other figure. The
reoffending table is one section per measure, its rows the cohorts: tidy in an export, and the
page lays the sections side by side as one table per column (outcomes/_figures.html).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from divert.figures.outcomes import (
    AWAITING,
    COHORTS,
    Outcomes,
    Reoffending,
    outcomes_by_area,
    pooled,
)
from divert.figures.periods import Period
from divert.figures.report import Cell, Kind, Row, Section, count
from divert.figures.rounding import share, tenths
from divert.models import Area, Cohort, PoliceOutcomeKind, Region

OUTCOMES, REOFFENDING = "outcomes", "reoffending"  # Section.group: where the page shows them
COMPARISON = "comparison"
NOT_REPORTED = "not reported"
COHORT_LABELS = {
    Cohort.COMPLETED: "Completed",
    Cohort.ATTENDED_NOT_COMPLETED: "Attended, not completed",
    Cohort.NOT_ENGAGED: "Not engaged",
    COMPARISON: "Comparison group (eligible, not referred)",
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
REOFFENDING_NOTE = (
    "Reoffending counts only cases whose follow-up window has ended and whose result the force "
    "has sent; results awaited are cases whose window has ended with no result yet. Average "
    "offences are per person with a result. The comparison group is the force's count of "
    "people eligible but not referred."
)

MEASURES = (
    ("results_in", "Reoffending: results in"),
    ("reoffended", "Reoffending: reoffended"),
    ("average_offences", "Reoffending: average offences a person"),
    ("violent", "Reoffending: a violent offence"),
    ("alcohol", "Reoffending: an alcohol-related offence"),
    ("awaited", "Reoffending: results awaited"),
)


def _rate(part: int, whole_of: int, *parts: Cell, hides: int | None = None) -> Cell:
    """A share worked out from counts; `hides` is the count it would give away when the count
    itself is not shown (a rate of reoffending reveals how many reoffended)."""
    return Cell(kind=Kind.RATE, count=hides, value=share(part, whole_of), parts=parts)


def _measures(found: Reoffending | None, comparison: bool) -> dict[str, Cell]:
    """One cohort's cells by measure; a comparison group the force did not send is "not
    reported", and it has nothing awaited (the force sends a group's counts when they are in)."""
    if found is None:
        absent = {name: Cell(kind=Kind.TEXT, value=NOT_REPORTED) for name, _ in MEASURES}
        return {**absent, "awaited": Cell()}
    results_in = count(found.results_in)
    average = tenths(Decimal(found.offences) / found.results_in) if found.results_in else None
    return {
        "results_in": results_in,
        "reoffended": _rate(found.reoffended, found.results_in, results_in, hides=found.reoffended),
        "average_offences": Cell(
            kind=Kind.PER_PERSON,
            value=average,
            parts=(results_in,),
        ),
        "violent": _rate(found.violent, found.results_in, results_in, hides=found.violent),
        "alcohol": _rate(found.alcohol, found.results_in, results_in, hides=found.alcohol),
        "awaited": Cell() if comparison else count(found.awaited),
    }


def _reoffending(columns: list[Outcomes]) -> list[Section]:
    cohorts: dict[Cohort | str, list[dict[str, Cell]]] = {
        cohort: [_measures(c.cohorts[cohort], comparison=False) for c in columns]
        for cohort in COHORTS
    }
    cohorts[COMPARISON] = [_measures(c.comparison, comparison=True) for c in columns]
    return [
        Section(
            f"reoffending_{name}",
            title,
            [
                Row(
                    COHORT_LABELS[cohort],
                    [cells[name] for cells in by_column],
                    str(cohort),
                    describes_people=True,
                )
                for cohort, by_column in cohorts.items()
            ],
            breakdown=True,
            group=REOFFENDING,
            note=REOFFENDING_NOTE if name == MEASURES[-1][0] else None,
        )
        for name, title in MEASURES
    ]


def _share(
    key: str,
    title: str,
    columns: list[Outcomes],
    first: tuple[str, str, Callable[[Outcomes], int]],
    second: tuple[str, str, Callable[[Outcomes], int]],
    rate: tuple[str, str, Callable[[Outcomes], tuple[int, int]]],
    *,
    about_people: bool = True,
) -> Section:
    """Two counts and the share one makes of a whole (part, whole), column by column; the share
    is hidden wherever either count is."""
    counted = [[count(of(c)) for c in columns] for _, _, of in (first, second)]
    label, rate_key, part_of = rate
    shares = [_rate(*part_of(c), *cells) for c, *cells in zip(columns, *counted, strict=True)]
    return Section(
        key,
        title,
        [
            Row(first[0], counted[0], first[1], describes_people=about_people),
            Row(second[0], counted[1], second[1], describes_people=about_people),
            Row(label, shares, rate_key, describes_people=about_people),
        ],
        group=OUTCOMES,
    )


def sections(columns: list[Outcomes]) -> list[Section]:
    """The outcome sections of these columns (each area shown, then the region pooled)."""

    def row(label: str, key: str, cell: Callable[[Outcomes], Cell], people: bool = True) -> Row:
        return Row(label, [cell(c) for c in columns], key, describes_people=people)

    police_keys = [key for key in POLICE_LABELS if any(c.police[key] for c in columns)]
    return [
        _share(
            "completion",
            "Completion",
            columns,
            ("Completed", "completed", lambda c: c.completed),
            ("Closed, not completed", "not_completed", lambda c: c.not_completed),
            (
                "Completion rate",
                "completion_rate",
                lambda c: (c.completed, c.completed + c.not_completed),
            ),
        ),
        _share(
            "treatment",
            "Entry into treatment",
            columns,
            ("Referred on to treatment", "referred_to_treatment", lambda c: c.onward),
            ("Entered treatment", "entered_treatment", lambda c: c.entered),
            ("Share who entered treatment", "treatment_rate", lambda c: (c.entered, c.onward)),
        ),
        Section(
            "police_outcomes",
            "Police outcomes of returned cases",
            [
                row(POLICE_LABELS[key], key, lambda c, key=key: count(c.police[key], c.returned))
                for key in police_keys
            ],
            adds_up=True,
            breakdown=True,
            group=OUTCOMES,
        ),
        _share(
            "take_up",
            "Take-up",
            columns,
            (
                "Eligible possession offences reported by the force",
                "eligible",
                lambda c: c.eligible,
            ),
            (
                "Referrals in the months reported",
                "referrals_in_reported_months",
                lambda c: c.referrals_in_reported_months,
            ),
            (
                "Take-up (referrals ÷ eligible offences)",
                "take_up",
                lambda c: (c.referrals_in_reported_months, c.eligible),
            ),
            about_people=False,
        ),
        *_reoffending(columns),
    ]


def outcome_sections(
    region: Region, shown: list[Area], period: Period, today: date, programme: str | None = None
) -> list[Section]:
    """The outcome sections of the areas shown and the region pooled, as report columns, of
    one programme (by its code) or of every programme."""
    by_area = outcomes_by_area(region, period, today, programme)
    return sections([by_area[area.id] for area in shown] + [pooled(by_area)])
