"""Figures per programme, worked out by hand: engagement and completion follow each
programme's own rule (the one-to-one, the young people's assessment, the course's 3 of 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from divert.assessments import services as assessments
from divert.courses import services as courses
from divert.extensions import db
from divert.figures.periods import quarter
from divert.figures.report import Figures, area_figures
from divert.models import (
    Area,
    AssessmentOutcome,
    BookingStatus,
    Programme,
    Referral,
    ReferralStatus,
    Role,
    Substance,
    User,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.factories import area, make_user
from tests.referrals.builders import programme_id, referral, session_slot

Q1 = quarter(2024, 1)
ON = date(2024, 1, 8)
A, M = BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND
YOUNG = date(2008, 5, 1)  # 15 on the day


def _cannabis() -> Substance:
    return db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()


def _referral(here: Area, officer: User, **fields: object) -> Referral:
    return referral(here, officer, received_on=ON, offence_date=ON, **fields)


def _adult(here: Area, officer: User, educator: User, attended: bool, complete: bool) -> None:
    made = _referral(here, officer)
    for _ in range(1 if attended else 2):
        slot = session_slot(
            here, educator, starts_at=datetime.combine(ON + timedelta(days=3), time(10), tzinfo=UTC)
        )
        booking = lifecycle.book(made, slot, educator)
        outcome = A if attended else M
        lifecycle.record_attendance(booking, outcome, educator, main_substance=_cannabis())
    if complete:
        lifecycle.change_status(made, ReferralStatus.COMPLETED, educator)


def _course(here: Area, code: str, educator: User, people: list[tuple[Referral, str]]) -> None:
    """A 4-session course from a week after ON; each person's pattern, e.g. "AAM-" (- = no
    register yet for them: their case was already closed)."""
    course = courses.publish(
        programme=db.session.get(Programme, programme_id(here, code)),
        educator=educator,
        title="Course",
        starts=courses.weekly(datetime.combine(ON + timedelta(days=7), time(18), tzinfo=UTC), 4),
        minutes=120,
        capacity=10,
        venue=None,
    )
    before = datetime.combine(ON, time(9), tzinfo=UTC)
    for person, _pattern in people:
        courses.enrol(course, person, educator, now=before)
    for index, session in enumerate(course.sessions):
        booking_of = {
            b.referral_id: b.id for b in session.bookings if b.status is BookingStatus.BOOKED
        }
        outcomes = {
            booking_of[person.id]: A if pattern[index] == "A" else M
            for person, pattern in people
            if person.id in booking_of
        }
        courses.take_register(session, outcomes, educator, session.starts_at.date())


def _warwickshire(here: Area, officer: User, educator: User) -> None:
    # DIVERT adults: attended and completed; attended, in progress; not engaged.
    _adult(here, officer, educator, attended=True, complete=True)
    _adult(here, officer, educator, attended=True, complete=False)
    _adult(here, officer, educator, attended=False, complete=False)
    # DIVERT young people: assessed onto a course and completed it; assessed out to the MASH.
    young = [
        _referral(here, officer, date_of_birth=YOUNG, guardian_name="G", guardian_contact="G")
        for _ in range(2)
    ]
    for person, outcome in zip(
        young, (AssessmentOutcome.GROUP_COURSE, AssessmentOutcome.OUT), strict=True
    ):
        assessments.record(
            person,
            educator,
            held_on=ON + timedelta(days=2),
            present=["young_person", "guardian"],
            answers={},
            outcome=outcome,
            main_substance=_cannabis(),
            out_reason="mash",
        )
    _course(here, "divert-young-people", educator, [(young[0], "AMAA")])
    # ARV: completed (3 of 4); attended one then missed two; never came.
    arv = [
        _referral(here, officer, disposal="conditional_caution", disposal_on=ON) for _ in range(3)
    ]
    _course(here, "arv", educator, [(arv[0], "AAMA"), (arv[1], "AMM-"), (arv[2], "MM--")])


def _staffordshire(here: Area, officer: User, educator: User) -> None:
    completed = _referral(here, officer, disposal="conditional_caution", disposal_on=ON)
    _course(here, "arv", educator, [(completed, "AAAM")])


@pytest.fixture
def built(app_ctx: Flask) -> Area:
    for slug, build in (("warwickshire", _warwickshire), ("staffordshire", _staffordshire)):
        here = area(slug)
        officer = make_user(f"pc@{slug}.test", {slug: Role.OFFICER})
        educator = make_user(f"ed@{slug}.test", {slug: Role.EDUCATOR})
        with area_scope(here):
            build(here, officer, educator)
            db.session.commit()
    return area("warwickshire")


def _summary(figures: Figures, index: int) -> dict[str, object]:
    """One column's counts, and its rates as whole percentages."""

    def value(name: str) -> object:
        return figures.cell(index, name).value

    def percent(name: str) -> int | None:
        rate = figures.cell(index, name).value
        return None if rate is None else round(100 * rate)

    return {
        **{
            name: value(name)
            for name in (
                "referrals",
                "attended",
                "not_engaged",
                "completed",
                "not_completed",
                "referred_on",
                "in_progress",
            )
        },
        "engagement": percent("engagement_rate"),
        "completion": percent("completion_rate"),
    }


def _area_and_region(
    built: Area, programme: str | None = None
) -> tuple[dict[str, object], dict[str, object]]:
    figures = area_figures(built, Q1, programme=programme, today=date(2026, 11, 23))
    return _summary(figures, 0), _summary(figures, -1)


def test_divert_adults(built: Area) -> None:
    # 3 referrals: 2 attended the one-to-one, 1 not engaged -> 2/3 = 67% engaged;
    # 1 completed, 1 closed not completed (the not engaged) -> 1/2 = 50% completed.
    counts, region = _area_and_region(built, "divert-adults")
    expected = {
        "referrals": 3,
        "attended": 2,
        "not_engaged": 1,
        "completed": 1,
        "not_completed": 0,
        "referred_on": 0,
        "in_progress": 1,
        "engagement": 67,
        "completion": 50,
    }
    assert counts == expected
    assert region == expected  # Staffordshire has no adults this quarter


def test_divert_young_people(built: Area) -> None:
    # Both assessed (engaged by the programme's rule); one completed 3 of 4 sessions, one
    # referred on to the MASH, which is neither completed nor not completed -> 1/1 = 100%.
    counts, _region = _area_and_region(built, "divert-young-people")
    assert counts == {
        "referrals": 2,
        "attended": 2,
        "not_engaged": 0,
        "completed": 1,
        "not_completed": 0,
        "referred_on": 1,
        "in_progress": 0,
        "engagement": 100,
        "completion": 100,
    }


def test_the_arv_course_beside_the_region(built: Area) -> None:
    # Warwickshire: completed (AAMA), attended then could no longer reach 3 (AMM), never came
    # (MM): engaged 2 of 3 = 67%; completed 1 of 3 closed = 33%.
    # Region adds Staffordshire's completed one (AAAM): engaged 3/4 = 75%, completed 2/4 = 50%.
    counts, region = _area_and_region(built, "arv")
    assert counts == {
        "referrals": 3,
        "attended": 2,
        "not_engaged": 1,
        "completed": 1,
        "not_completed": 1,
        "referred_on": 0,
        "in_progress": 0,
        "engagement": 67,
        "completion": 33,
    }
    assert region == {
        "referrals": 4,
        "attended": 3,
        "not_engaged": 1,
        "completed": 2,
        "not_completed": 1,
        "referred_on": 0,
        "in_progress": 0,
        "engagement": 75,
        "completion": 50,
    }


def test_all_programmes_together(built: Area) -> None:
    # 3 + 2 + 3 referrals; attended 2 + 2 + 2; not engaged 1 + 0 + 1; completed 1 + 1 + 1;
    # closed not completed 1 + 0 + 2 -> completion 3/6 = 50%; engagement 6/8 = 75%.
    counts, _region = _area_and_region(built)
    assert counts == {
        "referrals": 8,
        "attended": 6,
        "not_engaged": 2,
        "completed": 3,
        "not_completed": 1,
        "referred_on": 1,
        "in_progress": 1,
        "engagement": 75,
        "completion": 50,
    }


def test_the_dashboard_rows_for_one_programme(built: Area) -> None:
    figures = area_figures(built, Q1, programme="arv", today=date(2026, 11, 23))
    outcomes = {
        row.label: (row.cells[0].text, row.cells[-1].text)
        for key in ("outcomes", "completion")
        for row in figures.section(key).rows
    }
    assert outcomes["Completed"] == ("1 (33%)", "2 (50%)")
    assert outcomes["Not completed"] == ("1 (33%)", "1 (25%)")
    assert outcomes["Completion rate"] == ("33%", "50%")
