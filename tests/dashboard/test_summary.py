"""The monthly summary the figures read agrees with the referrals themselves: on random data,
and after every kind of change a referral goes through (a new referral, attendance, a status
change, a repeat flag, voiding, retention). Two references: the summary's rows equal the
from-scratch GROUP BY of the referrals, and the figures the dashboard shows equal counts made
here, in plain Python, from every referral."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from divert.extensions import db
from divert.figures import summary
from divert.figures.counts import NOT_RECORDED, counts_by_area
from divert.figures.periods import Period
from divert.models import (
    AgeGroup,
    BookingStatus,
    Referral,
    ReferralMonthSummary,
    ReferralStatus,
    Role,
    SessionKind,
    Substance,
)
from divert.privacy.retention import apply_retention
from divert.referrals import lifecycle
from divert.referrals.lifecycle import TransitionError
from divert.tenancy import area_scope, system_scope
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot

S = ReferralStatus
AREAS = ("warwickshire", "staffordshire")
FIRST_DAY = date(2024, 1, 1)
KEYS = len(summary.KEYS)
PERIODS = [
    Period(date(2024, 1, 1), date(2024, 6, 30), "whole months"),
    Period(date(2024, 1, 17), date(2024, 5, 9), "odd days at both ends"),
    Period(date(2024, 3, 5), date(2024, 3, 20), "inside one month"),
]


def _summary_rows() -> dict[tuple, tuple]:
    """The summary's rows, leaving out rows that have counted down to nothing."""
    table = ReferralMonthSummary
    names = (*summary.KEYS, *summary.MEASURES)
    with system_scope():
        found = db.session.execute(select(*(getattr(table, name) for name in names)))
        return {tuple(row[:KEYS]): tuple(row[KEYS:]) for row in found if any(row[KEYS:])}


def _from_scratch_rows() -> dict[tuple, tuple]:
    with system_scope():
        return {
            tuple(row[:KEYS]): tuple(row[KEYS:])
            for row in db.session.execute(summary.from_scratch())
        }


def _by_hand(period: Period) -> dict[int, dict[str, object]]:
    """Each area's figures for the period, counted one referral at a time."""
    counted: dict[int, dict[str, object]] = {}
    with system_scope():
        referrals = db.session.scalars(select(Referral)).all()
        codes = dict(db.session.execute(select(Substance.id, Substance.code)).all())
    for slug in AREAS:
        counted[area(slug).id] = {"n": Counter(), "months": Counter(), "substances": Counter()}
    for made in referrals:
        if made.status is S.VOIDED or not period.start <= made.received_on <= period.end:
            continue
        figures = counted[made.area_id]
        n = figures["n"]
        attended = made.initial_attended_on is not None
        n["referrals"] += 1
        n["attended"] += attended
        n["not_engaged"] += made.status is S.NOT_ENGAGED and not attended
        n["repeats"] += made.is_repeat
        n["completed"] += made.status is S.COMPLETED
        n["ineligible"] += made.status is S.INELIGIBLE
        n["withdrawn"] += made.status is S.WITHDRAWN
        n["in_progress"] += made.status in (S.SUBMITTED, S.BOOKED, S.ATTENDED, S.DID_NOT_ATTEND)
        n["under_18"] += made.age_group is AgeGroup.UNDER_18
        n["adult"] += made.age_group is AgeGroup.ADULT
        n[("gender", made.gender or NOT_RECORDED)] += 1
        n[("ethnicity", made.ethnicity or NOT_RECORDED)] += 1
        figures["months"][(made.received_on.year, made.received_on.month)] += 1
        if attended and made.main_substance_id is not None:
            figures["substances"][codes[made.main_substance_id]] += 1
    return counted


def _assert_in_step() -> None:
    assert _summary_rows() == _from_scratch_rows()
    for period in PERIODS:
        expected = _by_hand(period)
        figures = counts_by_area(area(AREAS[0]).region, period)
        for area_id, by_hand in expected.items():
            got = figures[area_id]
            n = by_hand["n"]
            for name in summary.MEASURES:
                assert getattr(got, name) == n[name], (period.label, area_id, name)
            assert got.genders == Counter({k[1]: v for k, v in n.items() if k[0] == "gender"})
            assert got.ethnicities == Counter(
                {k[1]: v for k, v in n.items() if k[0] == "ethnicity"}
            )
            assert got.per_month == by_hand["months"]
            assert got.substances == by_hand["substances"]


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20241)


def test_summary_stays_in_step_through_every_kind_of_change(
    app_ctx: Flask, rng: random.Random
) -> None:
    staff = {
        slug: (
            make_user(f"pc@{slug}.test", {slug: Role.OFFICER}),
            make_user(f"ed@{slug}.test", {slug: Role.EDUCATOR}),
        )
        for slug in AREAS
    }
    substances = {}
    for slug in AREAS:
        with area_scope(area(slug)):
            substances[slug] = db.session.scalars(select(Substance).where(Substance.active)).all()
    made: list[Referral] = []

    # New referrals: random areas, days, ages, genders and ethnicities.
    for number in range(60):
        slug = rng.choice(AREAS)
        received_on = FIRST_DAY + timedelta(days=rng.randrange(182))
        with area_scope(area(slug)):
            made.append(
                referral(
                    area(slug),
                    staff[slug][0],
                    forename=f"Person{number}",
                    surname=rng.choice(["Ellis", "Patel", "Jones"]),
                    date_of_birth=date(rng.choice([1990, 2009]), 1 + number % 12, 3),
                    received_on=received_on,
                    offence_date=received_on,
                    crime_reference=f"CR/{number}",
                    gender=rng.choice(["Female", "Male", None]),
                    ethnicity=rng.choice(["White British", "Asian or Asian British", None]),
                )
            )
            db.session.commit()
    _assert_in_step()

    # Attendance: attended with a main substance, or missed (twice closes as not engaged).
    for one in rng.sample(made, 40):
        slug = one.area.slug
        with area_scope(one.area):
            starts = datetime.combine(one.received_on + timedelta(days=2), time(10), tzinfo=UTC)
            slot = session_slot(
                one.area, staff[slug][1], starts_at=starts, kind=SessionKind.INITIAL
            )
            booking = lifecycle.book(one, slot, staff[slug][1])
            if rng.random() < 0.7:
                lifecycle.record_attendance(
                    booking,
                    BookingStatus.ATTENDED,
                    staff[slug][1],
                    main_substance=rng.choice(substances[slug]),
                )
            else:
                lifecycle.record_attendance(booking, BookingStatus.DID_NOT_ATTEND, staff[slug][1])
            db.session.commit()
    _assert_in_step()

    # Status changes, including voiding, wherever the referral's state allows them.
    for one in made:
        to_status = rng.choice([S.COMPLETED, S.WITHDRAWN, S.INELIGIBLE, S.NOT_ENGAGED, S.VOIDED])
        with area_scope(one.area):
            try:
                lifecycle.change_status(one, to_status, staff[one.area.slug][1])
            except TransitionError:
                continue
            db.session.commit()
    _assert_in_step()

    # A manager confirms some as repeats; one referral's substance is corrected.
    for one in rng.sample(made, 10):
        with area_scope(one.area):
            one.is_repeat = True
            db.session.commit()
    attended = next(one for one in made if one.initial_attended_on is not None)
    with area_scope(attended.area):
        attended.main_substance_id = substances[attended.area.slug][-1].id
        db.session.commit()
    _assert_in_step()

    # Retention removes personal data of closed cases; no figure may change.
    before = _summary_rows()
    for slug in AREAS:
        with area_scope(area(slug)):
            assert apply_retention(area(slug), date(2099, 1, 1)).people > 0
    assert _summary_rows() == before
    _assert_in_step()


def test_a_failed_transaction_leaves_the_summary_as_it_was(app_ctx: Flask) -> None:
    officer = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
    here = area("warwickshire")
    with area_scope(here):
        one = referral(here, officer, received_on=date(2024, 2, 3), offence_date=date(2024, 2, 3))
        db.session.commit()
        before = _summary_rows()
        one.status = S.WITHDRAWN
        db.session.flush()
        db.session.rollback()
    assert _summary_rows() == before
    _assert_in_step()


def test_rebuild_gives_the_rows_kept_in_step(app_ctx: Flask) -> None:
    officer = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
    here = area("warwickshire")
    with area_scope(here):
        for day in (3, 17, 40):
            received_on = FIRST_DAY + timedelta(days=day)
            referral(here, officer, received_on=received_on, offence_date=received_on)
        db.session.commit()
    kept = _summary_rows()
    with system_scope():
        summary.rebuild()
        db.session.commit()
    assert _summary_rows() == kept
    # Each referral counts once in its month's totals, and once in each of three breakdowns.
    assert sum(counts[0] for key, counts in kept.items() if key[2] == "all") == 3
    assert sum(counts[0] for counts in kept.values()) == 12
