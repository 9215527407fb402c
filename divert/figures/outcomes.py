"""Outcome figures (DESIGN.md, "Figures"): completion, entry into treatment, police outcomes of
returned cases, reoffending by cohort beside the comparison group, and take-up.

Like divert.figures.counts, each is a handful of GROUP BY queries over the region's areas at
once (regional_scope), returning counts per area; the region's figures pool those counts.
Cases are those referred in the period (not voided), as for every other figure: those of whole
months counted from the outcome summary (divert.models.OutcomeSummary, kept in step with the
records by divert.figures.summary), those of part-months from the records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from divert.extensions import db
from divert.figures.counts import of_programme, received_in
from divert.figures.periods import Period, split
from divert.figures.statements import built_once
from divert.models import (
    Area,
    Booking,
    BookingStatus,
    CaseOutcome,
    Cohort,
    ComparisonGroup,
    EligibleOffences,
    MonthlySummary,
    OutcomeSummary,
    PoliceOutcome,
    Referral,
    Region,
    TreatmentEntry,
)
from divert.referrals.lifecycle import RETURNED_TO_OFFICER
from divert.tenancy import regional_scope

AWAITING = "awaiting"  # a returned case with no police outcome yet


@dataclass
class Reoffending:
    """One cohort's follow-up: cases, whose window has passed, whose result is in, and of
    those in, how many reoffended, their offences, and how many had a violent or an
    alcohol-related offence."""

    cases: int = 0
    window_passed: int = 0
    results_in: int = 0
    reoffended: int = 0
    offences: int = 0
    violent: int = 0
    alcohol: int = 0

    def __add__(self, other: Reoffending) -> Reoffending:
        return Reoffending(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(Reoffending))
        )

    @property
    def awaited(self) -> int:
        """Window passed, result not in yet."""
        return self.window_passed - self.results_in

    def share(self, name: str) -> float | None:
        return getattr(self, name) / self.results_in if self.results_in else None

    @property
    def average_offences(self) -> float | None:
        return self.offences / self.results_in if self.results_in else None


COHORTS = (Cohort.COMPLETED, Cohort.ATTENDED_NOT_COMPLETED, Cohort.NOT_ENGAGED)


@dataclass
class Outcomes:
    """Outcome counts of one area's (or the pooled region's) referrals of a period."""

    completed: int = 0
    not_completed: int = 0
    onward: int = 0  # referred on to treatment
    entered: int = 0  # of those, entered treatment
    police: Counter[str] = field(default_factory=Counter)  # outcome (or AWAITING) -> cases
    cohorts: dict[Cohort, Reoffending] = field(
        default_factory=lambda: {cohort: Reoffending() for cohort in COHORTS}
    )
    comparison: Reoffending | None = None  # None: the force sent no comparison group
    eligible: int = 0  # eligible offences in the months the force reported
    referrals_in_reported_months: int = 0
    months_reported: int = 0
    months: int = 0

    def __add__(self, other: Outcomes) -> Outcomes:
        comparisons = [c for c in (self.comparison, other.comparison) if c is not None]
        return Outcomes(
            completed=self.completed + other.completed,
            not_completed=self.not_completed + other.not_completed,
            onward=self.onward + other.onward,
            entered=self.entered + other.entered,
            police=self.police + other.police,
            cohorts={c: self.cohorts[c] + other.cohorts[c] for c in COHORTS},
            comparison=sum(comparisons, Reoffending()) if comparisons else None,
            eligible=self.eligible + other.eligible,
            referrals_in_reported_months=(
                self.referrals_in_reported_months + other.referrals_in_reported_months
            ),
            months_reported=max(self.months_reported, other.months_reported),
            months=max(self.months, other.months),
        )

    @property
    def completion_rate(self) -> float | None:
        decided = self.completed + self.not_completed
        return self.completed / decided if decided else None

    @property
    def treatment_rate(self) -> float | None:
        return self.entered / self.onward if self.onward else None

    @property
    def returned(self) -> int:
        return sum(self.police.values())

    @property
    def take_up(self) -> float | None:
        return self.referrals_in_reported_months / self.eligible if self.eligible else None


# What the outcome summary keeps of each group of referrals, in the order case_groups gives
# them: the referrals, those referred on to treatment and of them those who entered it, then
# the cohort's follow-up (Reoffending's fields but `window_passed`, which depends on the day).
OUTCOME_COUNTS = (
    "cases",
    "onward",
    "entered",
    "case_outcomes",
    "results_in",
    "reoffended",
    "offences",
    "violent",
    "alcohol",
)
# And the outcome keys it groups them by, after the caller's own.
OUTCOME_KEYS = ("returned", "police_outcome", "cohort", "follow_up_due_on")


def case_groups(received: Any, *keys: Any) -> Select:
    """The referrals of `received` (a condition on Referral) that some outcome figure counts,
    grouped by `keys` and OUTCOME_KEYS, with OUTCOME_COUNTS: the one definition of each, for
    the records and the outcome summary alike.

    A referral counts for the police outcomes when it was returned, for entry into treatment
    when it was referred on, for completion and reoffending when it has a cohort; any other
    referral counts for none of them, and is left out. Each outcome is one row per referral
    at most (unique), so the joins give one row per referral.

    Onward referrals are joined, not tested with EXISTS per referral: a correlated subquery
    runs once for each referral, a join hashes the onward referrals once."""
    onward = (
        select(Booking.referral_id)
        .where(Booking.status == BookingStatus.ATTENDED, Booking.onward_service_id.is_not(None))
        .distinct()
        .subquery()
    )
    returned = Referral.status.in_(RETURNED_TO_OFFICER)
    referred_on = onward.c.referral_id.is_not(None)
    result_in = CaseOutcome.result_at.is_not(None)
    groups = (
        *keys,
        *(
            column.label(name)
            for column, name in zip(
                (returned, PoliceOutcome.outcome, CaseOutcome.cohort, CaseOutcome.follow_up_due_on),
                OUTCOME_KEYS,
                strict=True,
            )
        ),
    )
    counts = (
        func.count(),
        func.count(onward.c.referral_id),
        func.count(TreatmentEntry.id).filter(referred_on),
        func.count(CaseOutcome.id),
        func.count(CaseOutcome.id).filter(result_in),
        func.count(CaseOutcome.id).filter(and_(result_in, CaseOutcome.reoffended.is_(True))),
        func.coalesce(func.sum(CaseOutcome.offence_count).filter(result_in), 0),
        func.count(CaseOutcome.id).filter(and_(result_in, CaseOutcome.any_violent.is_(True))),
        func.count(CaseOutcome.id).filter(and_(result_in, CaseOutcome.any_alcohol.is_(True))),
    )
    return (
        select(
            *groups,
            *(count.label(name) for count, name in zip(counts, OUTCOME_COUNTS, strict=True)),
        )
        .outerjoin(CaseOutcome, CaseOutcome.referral_id == Referral.id)
        .outerjoin(onward, onward.c.referral_id == Referral.id)
        .outerjoin(TreatmentEntry, TreatmentEntry.referral_id == Referral.id)
        .outerjoin(PoliceOutcome, PoliceOutcome.referral_id == Referral.id)
        .where(received, or_(returned, referred_on, CaseOutcome.id.is_not(None)))
        .group_by(*groups)
    )


def _by_outcome(rows: Any, today: date) -> Select:
    """Per area, returned or not, police outcome and cohort, the groups' counts added up:
    the follow-up's in the order of Reoffending's fields, of cases whose window has passed
    (due `today` or before) but the first. `rows`: OutcomeSummary, or the columns of records
    grouped as it is (case_groups)."""
    passed = rows.follow_up_due_on <= today
    keys = (rows.area_id, rows.returned, rows.police_outcome, rows.cohort)
    return select(
        *keys,
        func.sum(rows.cases),
        func.sum(rows.onward),
        func.sum(rows.entered),
        func.sum(rows.case_outcomes),
        func.sum(rows.case_outcomes).filter(passed),
        *(
            func.sum(getattr(rows, name)).filter(passed)
            for name in ("results_in", "reoffended", "offences", "violent", "alcohol")
        ),
    ).group_by(*keys)


@built_once
def _cases(period: Period, programme: str | None, today: date) -> tuple[Select, ...]:
    """Completion, entry into treatment, police outcomes of returned cases and reoffending by
    cohort, grouped by area, returned or not, police outcome and cohort (a few hundred groups
    at most): whole months from the outcome summary, part-months from the records, as
    divert.figures.counts reads the referral counts."""
    parts = split(period.start, period.end)
    queries = []
    if parts.months:
        s = OutcomeSummary
        queries.append(
            _by_outcome(s, today).where(
                s.month.between(*parts.months), of_programme(s.programme_id, programme)
            )
        )
    if parts.edges:
        records = case_groups(received_in(parts.edges, programme), Referral.area_id).subquery()
        queries.append(_by_outcome(records.c, today))
    return tuple(queries)


@built_once
def _comparison(period: Period) -> Any:
    """Comparison groups whose period overlaps the figures' period."""
    return (
        select(
            ComparisonGroup.area_id,
            func.sum(ComparisonGroup.people),
            func.sum(ComparisonGroup.reoffended),
            func.sum(ComparisonGroup.offences),
            func.sum(ComparisonGroup.violent),
            func.sum(ComparisonGroup.alcohol),
        )
        .where(ComparisonGroup.starts_on <= period.end, ComparisonGroup.ends_on >= period.start)
        .group_by(ComparisonGroup.area_id)
    )


def _whole_months(period: Period) -> tuple[date, date]:
    """The first day of the period's first month, and the last day of its last month."""
    last_year, last_month = period.months()[-1]
    after = date(last_year + last_month // 12, last_month % 12 + 1, 1)
    return period.start.replace(day=1), after - timedelta(days=1)


@built_once
def _eligible(period: Period) -> Any:
    first, last = _whole_months(period)
    return select(
        EligibleOffences.area_id, EligibleOffences.month, EligibleOffences.offences
    ).where(EligibleOffences.month >= first, EligibleOffences.month <= last)


@built_once
def _referrals_per_month(period: Period) -> Any:
    """Referrals of every programme (not voided) in each whole month the period touches: from
    the monthly summary, which counts them the same way (divert.figures.summary)."""
    first, last = _whole_months(period)
    s = MonthlySummary
    return (
        select(s.area_id, s.month, func.sum(s.referrals))
        .where(s.month >= first, s.month <= last)
        .group_by(s.area_id, s.month)
    )


def _fill(by_area: dict[int, Outcomes], period: Period, programme: str | None, today: date) -> None:
    session = db.session
    groups = chain.from_iterable(
        session.execute(query) for query in _cases(period, programme, today)
    )
    for area_id, returned, police, cohort, cases, onward, entered, *follow_up in groups:
        found = by_area[area_id]
        found.onward += int(onward)
        found.entered += int(entered)
        if returned:
            found.police[police.value if police else AWAITING] += int(cases)
        if cohort is None:
            continue
        if cohort is Cohort.COMPLETED:
            found.completed += int(follow_up[0])
        else:
            found.not_completed += int(follow_up[0])
        found.cohorts[cohort] += Reoffending(*(int(c or 0) for c in follow_up))
    for area_id, people, *counts in session.execute(_comparison(period)):
        by_area[area_id].comparison = Reoffending(
            people, people, people, *(int(c or 0) for c in counts)
        )
    reported: dict[int, dict[date, int]] = {area_id: {} for area_id in by_area}
    for area_id, month, offences in session.execute(_eligible(period)):
        reported[area_id][month] = offences
    for area_id, month, count in session.execute(_referrals_per_month(period)):
        if month in reported[area_id]:
            by_area[area_id].referrals_in_reported_months += int(count or 0)
    for area_id, months in reported.items():
        by_area[area_id].eligible = sum(months.values())
        by_area[area_id].months_reported = len(months)


def outcomes_by_area(
    region: Region, period: Period, today: date, programme: str | None = None
) -> dict[int, Outcomes]:
    """Outcome counts for every area of the region (areas with none get zeros), of one
    programme's referrals (by its code) or of every programme's. The force's counts (eligible
    offences, comparison groups) are of the whole scheme, whichever programme is shown."""
    months = len(period.months())
    by_area = {area.id: Outcomes(months=months) for area in region.areas}
    with regional_scope(region):
        _fill(by_area, period, programme, today)
    return by_area


def pooled(by_area: dict[int, Outcomes]) -> Outcomes:
    return sum(by_area.values(), Outcomes())


def area_and_region(area: Area, period: Period, today: date) -> tuple[Outcomes, Outcomes]:
    by_area = outcomes_by_area(area.region, period, today)
    return by_area[area.id], pooled(by_area)
