"""Demo outcomes for the demo region's closed cases: cohorts and follow-up dates, the force's
reoffending results for most cases due, police outcomes of most returned cases (a few left
overdue), eligible possession offences per month and a comparison group per area.

Rates are illustrative, in the range the provider reports (about 11% of completers
reoffending within six months, more among those who did not engage)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import load_only, selectinload

from divert.extensions import db
from divert.figures import summary
from divert.figures.counts import month_start
from divert.models import (
    CaseOutcome,
    Cohort,
    ComparisonGroup,
    EligibleOffences,
    Membership,
    PoliceOutcome,
    PoliceOutcomeKind,
    Referral,
    ResultSource,
    Role,
    utcnow,
)
from divert.programmes.completion import cohort_of, follow_up_due_on
from divert.referrals.lifecycle import RETURNED_TO_OFFICER
from divert.tenancy import system_scope

REOFFENDING = {Cohort.COMPLETED: 0.11, Cohort.ATTENDED_NOT_COMPLETED: 0.2, Cohort.NOT_ENGAGED: 0.3}
POLICE = {
    PoliceOutcomeKind.NO_FURTHER_ACTION: 45,
    PoliceOutcomeKind.COMMUNITY_RESOLUTION: 25,
    PoliceOutcomeKind.CAUTION: 15,
    PoliceOutcomeKind.CONDITIONAL_CAUTION: 5,
    PoliceOutcomeKind.CHARGE: 7,
    PoliceOutcomeKind.OTHER: 3,
}


def _user_ids(role: Role) -> dict[int, int]:
    """Each area's first member of a role (its demo account)."""
    found: dict[int, int] = {}
    for area_id, user_id in db.session.execute(
        select(Membership.area_id, Membership.user_id)
        .where(Membership.role == role, Membership.active)
        .order_by(Membership.user_id)
    ):
        found.setdefault(area_id, user_id)
    return found


def _result(rng: random.Random, outcome: dict[str, Any]) -> dict[str, Any]:
    if rng.random() >= REOFFENDING[outcome["cohort"]]:
        return {"reoffended": False, "offence_count": 0, "any_violent": False, "any_alcohol": False}
    window = (outcome["follow_up_due_on"] - outcome["closed_on"]).days
    return {
        "reoffended": True,
        "offence_count": rng.choice((1, 1, 1, 2, 2, 3, 4)),
        "first_offence_on": outcome["closed_on"] + timedelta(days=rng.randint(1, window)),
        "any_violent": rng.random() < 0.2,
        "any_alcohol": rng.random() < 0.25,
    }


def _case_outcomes(
    rng: random.Random, closed: list[Referral], analysts: dict[int, int], today: date
):
    rows = []
    for referral in closed:
        cohort = cohort_of(referral)
        if cohort is None:
            continue
        row: dict[str, Any] = {
            "area_id": referral.area_id,
            "referral_id": referral.id,
            "cohort": cohort,
            "closed_on": referral.closed_on,
            "follow_up_due_on": follow_up_due_on(referral.programme, referral.closed_on),
        }
        if row["follow_up_due_on"] <= today and rng.random() < 0.85:
            row.update(_result(rng, row))
            row.update(
                result_at=utcnow(),
                result_source=ResultSource.API,
                result_by_id=analysts[referral.area_id],
            )
        rows.append(row)
    return rows


def _police_outcomes(
    rng: random.Random, closed: list[Referral], officers: dict[int, int], today: date
):
    rows = []
    for referral in closed:
        if referral.status not in RETURNED_TO_OFFICER:
            continue
        overdue = referral.closed_on < today - timedelta(days=14)
        if rng.random() >= (0.93 if overdue else 0.4):
            continue
        rows.append(
            {
                "area_id": referral.area_id,
                "referral_id": referral.id,
                "outcome": rng.choices(list(POLICE), weights=list(POLICE.values()))[0],
                "decided_on": min(referral.closed_on + timedelta(days=rng.randint(1, 14)), today),
                "recorded_by_id": officers[referral.area_id],
            }
        )
    return rows


def _eligible(rng: random.Random, analysts: dict[int, int], today: date) -> list[dict[str, Any]]:
    """Eligible offences for every finished month with referrals: take-up of a quarter to a half."""
    month = month_start(Referral.received_on)
    per_month = Counter(
        {
            (area_id, first): count
            for area_id, first, count in db.session.execute(
                select(Referral.area_id, month, func.count()).group_by(Referral.area_id, month)
            )
        }
    )
    this_month = today.replace(day=1)
    return [
        {
            "area_id": area_id,
            "month": first,
            "offences": round(count / rng.uniform(0.25, 0.5)),
            "source": ResultSource.CSV,
            "entered_by_id": analysts[area_id],
        }
        for (area_id, first), count in sorted(per_month.items())
        if first < this_month
    ]


def _comparison(rng: random.Random, analysts: dict[int, int], today: date) -> list[dict[str, Any]]:
    starts = date(today.year - 1, 1, 1)
    rows = []
    for area_id, analyst in analysts.items():
        people = rng.randint(80, 300)
        reoffended = round(people * rng.uniform(0.3, 0.45))
        rows.append(
            {
                "area_id": area_id,
                "starts_on": starts,
                "ends_on": date(today.year - 1, 6, 30),
                "people": people,
                "reoffended": reoffended,
                "offences": round(reoffended * rng.uniform(1.6, 2.4)),
                "violent": round(reoffended * 0.25),
                "alcohol": round(reoffended * 0.3),
                "source": ResultSource.API,
                "entered_by_id": analyst,
            }
        )
    return rows


def build_outcomes(seed: int, today: date) -> int:
    """Add the demo outcomes; returns how many closed cases got a cohort."""
    rng = random.Random(seed + 15)  # nosec B311  (reproducible demo data, not secrets)
    with system_scope():
        analysts, officers = _user_ids(Role.FORCE_ANALYST), _user_ids(Role.OFFICER)
        closed = list(
            db.session.scalars(
                select(Referral)
                .options(
                    load_only(
                        Referral.area_id,
                        Referral.status,
                        Referral.initial_attended_on,
                        Referral.closed_on,
                        Referral.programme_id,
                    ),
                    selectinload(Referral.programme),  # each programme's reoffending window
                )
                .where(Referral.closed_on.is_not(None))
                .order_by(Referral.id)
            )
        )
        cases = _case_outcomes(rng, closed, analysts, today)
        # Cases the demo closed through the lifecycle (course registers) got a cohort then,
        # dated the day the demo ran; the builder has since moved their dates back in time.
        db.session.execute(delete(CaseOutcome))
        for model, rows in (
            (CaseOutcome, cases),
            (PoliceOutcome, _police_outcomes(rng, closed, officers, today)),
            (EligibleOffences, _eligible(rng, analysts, today)),
            (ComparisonGroup, _comparison(rng, analysts, today)),
        ):
            if rows:
                db.session.execute(insert(model), rows)
        summary.rebuild()  # the outcomes went in by bulk inserts, which no flush notes
        db.session.commit()
    return len(cases)
