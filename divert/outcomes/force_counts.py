"""The force's counts: eligible possession offences per month (for take-up) and comparison
groups (people eligible but not referred, counts only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from divert.extensions import db
from divert.models import ComparisonGroup, EligibleOffences, ResultSource, User, utcnow
from divert.outcomes.follow_up import BatchRefused, Problem
from divert.refusals import Refusal

MOST = 10_000_000
COMPARISON_FIELDS = (
    "starts_on",
    "ends_on",
    "people",
    "reoffended",
    "offences",
    "violent",
    "alcohol",
)


def record_eligible(
    months: Sequence[tuple[date, int]], by: User, source: ResultSource
) -> list[EligibleOffences]:
    """Save each month's count (a month already reported is replaced), or none of them."""
    problems, seen = [], set()
    for position, (month, offences) in enumerate(months):
        if month.day != 1:
            problems.append(Problem(position, Refusal("month", "Give the month's first day")))
        elif month in seen:
            problems.append(Problem(position, Refusal("month", f"{month:%B %Y} appears twice")))
        elif not 0 <= offences <= MOST:
            problems.append(Problem(position, Refusal("eligible_offences", "Must be 0 or more")))
        seen.add(month)
    if problems:
        raise BatchRefused(problems)
    existing = {
        row.month: row
        for row in db.session.scalars(
            select(EligibleOffences).where(EligibleOffences.month.in_(seen))
        )
    }
    saved = []
    for month, offences in months:
        row = existing.get(month) or EligibleOffences(month=month)
        if row.id is None:
            db.session.add(row)
        row.offences, row.source, row.entered_by_id, row.entered_at = (
            offences,
            source,
            by.id,
            utcnow(),
        )
        saved.append(row)
    return saved


@dataclass(frozen=True)
class Comparison:
    """The force's counts for a comparison group of one period."""

    starts_on: date
    ends_on: date
    people: int
    reoffended: int
    offences: int
    violent: int
    alcohol: int


def _check_comparison(group: Comparison) -> None:
    if group.ends_on < group.starts_on:
        raise Refusal("ends_on", "The last day must be on or after the first day")
    for name in COMPARISON_FIELDS[2:]:
        if not 0 <= getattr(group, name) <= MOST:
            raise Refusal(name, "Must be 0 or more")
    if group.reoffended > group.people:
        raise Refusal("reoffended", "More people reoffended than are in the group")
    if group.offences < group.reoffended:
        raise Refusal("offences", "Each person who reoffended committed at least 1 offence")
    if group.violent > group.reoffended:
        raise Refusal("violent", "More people had a violent offence than reoffended")
    if group.alcohol > group.reoffended:
        raise Refusal("alcohol", "More people had an alcohol-related offence than reoffended")


def record_comparison(group: Comparison, by: User, source: ResultSource) -> ComparisonGroup:
    """Save a comparison group; the same period again replaces its counts."""
    _check_comparison(group)
    row = db.session.scalar(
        select(ComparisonGroup).where(
            ComparisonGroup.starts_on == group.starts_on, ComparisonGroup.ends_on == group.ends_on
        )
    )
    if row is None:
        row = ComparisonGroup(starts_on=group.starts_on, ends_on=group.ends_on)
        db.session.add(row)
    for name in COMPARISON_FIELDS[2:]:
        setattr(row, name, getattr(group, name))
    row.source, row.entered_by_id, row.entered_at = source, by.id, utcnow()
    return row
