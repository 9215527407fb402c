"""Reoffending follow-up: which cases are due a check, and the force's answers for them.

A batch of results (an API call or an uploaded CSV file) is checked whole before any of it is
saved: one result that cannot be matched or does not add up refuses the batch, naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from divert.extensions import db
from divert.models import CaseOutcome, Referral, ResultSource, User, utcnow
from divert.refusals import Refusal


@dataclass(frozen=True)
class Result:
    """The force's answer for one case: new offences recorded in the window after it closed."""

    reference: str
    reoffended: bool
    offence_count: int
    first_offence_on: date | None = None
    any_violent: bool = False
    any_alcohol: bool = False
    crime_reference: str | None = None  # when given, it must be the case's


@dataclass(frozen=True)
class Problem:
    """A result of a batch that was refused: its position (0-based item or file line)."""

    position: int
    refusal: Refusal


class BatchRefused(Exception):
    """Some results of a batch were refused, so none of it was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} results refused")
        self.problems = problems


def cases_due(today: date, *, awaiting_only: bool = True) -> Select[tuple[str, str, CaseOutcome]]:
    """Cases whose window has ended: reference, crime reference and the outcome row only."""
    query = (
        select(Referral.reference, Referral.crime_reference, CaseOutcome)
        .join(Referral, Referral.id == CaseOutcome.referral_id)
        .where(CaseOutcome.follow_up_due_on <= today)
        .order_by(CaseOutcome.follow_up_due_on, Referral.reference)
    )
    return query.where(CaseOutcome.result_at.is_(None)) if awaiting_only else query


def _due_by_reference(references: Sequence[str], today: date) -> dict[str, tuple[str, CaseOutcome]]:
    rows = db.session.execute(
        cases_due(today, awaiting_only=False).where(Referral.reference.in_(set(references)))
    )
    return {reference: (crime_reference, outcome) for reference, crime_reference, outcome in rows}


def _check(result: Result, found: tuple[str, CaseOutcome] | None) -> CaseOutcome:
    if found is None:
        raise Refusal(
            "reference",
            f"No case of this area due a reoffending check has reference {result.reference}",
        )
    crime_reference, outcome = found
    if result.crime_reference and crime_reference and result.crime_reference != crime_reference:
        raise Refusal(
            "crime_reference",
            f"Crime reference {result.crime_reference} is not the one of {result.reference}",
        )
    if result.offence_count < 0:
        raise Refusal("offence_count", "The number of offences must be 0 or more")
    if not result.reoffended:
        if (
            result.offence_count
            or result.first_offence_on
            or result.any_violent
            or result.any_alcohol
        ):
            raise Refusal(
                "reoffended", "A person who did not reoffend has no offences, dates or kinds"
            )
        return outcome
    if result.offence_count < 1:
        raise Refusal("offence_count", "A person who reoffended has 1 offence or more")
    first = result.first_offence_on
    if first is None:
        raise Refusal("first_offence_on", "Enter the date of the first new offence")
    if not outcome.closed_on < first <= outcome.follow_up_due_on:
        raise Refusal(
            "first_offence_on",
            f"The first new offence must fall in the window: after {outcome.closed_on:%-d %B %Y}"
            f" and by {outcome.follow_up_due_on:%-d %B %Y}",
        )
    return outcome


def check_batch(results: Sequence[Result], today: date) -> list[CaseOutcome]:
    """The outcome rows the results are for, or BatchRefused naming every result at fault."""
    found = _due_by_reference([result.reference for result in results], today)
    problems, outcomes, seen = [], [], set()
    for position, result in enumerate(results):
        try:
            if result.reference in seen:
                raise Refusal("reference", f"{result.reference} appears more than once")
            seen.add(result.reference)
            outcomes.append(_check(result, found.get(result.reference)))
        except Refusal as refusal:
            problems.append(Problem(position, refusal))
    if problems:
        raise BatchRefused(problems)
    return outcomes


def record_batch(
    results: Sequence[Result], by: User, source: ResultSource, today: date
) -> list[CaseOutcome]:
    """Save every result of the batch (a result already in is corrected), or none of them."""
    outcomes = check_batch(results, today)
    now = utcnow()
    for result, outcome in zip(results, outcomes, strict=True):
        outcome.reoffended = result.reoffended
        outcome.offence_count = result.offence_count
        outcome.first_offence_on = result.first_offence_on
        outcome.any_violent, outcome.any_alcohol = result.any_violent, result.any_alcohol
        outcome.result_at, outcome.result_source, outcome.result_by_id = now, source, by.id
    return outcomes
