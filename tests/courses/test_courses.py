"""Group courses: enrolment takes a place in every session to come, the register records the
whole group at once, and the completion rule or the deadline closes each case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.cli import apply_deadlines_command
from divert.courses import services
from divert.extensions import db
from divert.models import (
    Area,
    Booking,
    BookingStatus,
    Course,
    Programme,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from divert.sessions.rules import due_for_not_engaged
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import programme_id, referral

A, M = BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def here(app_ctx: Flask) -> Area:
    return area("warwickshire")


@pytest.fixture
def people(here: Area) -> dict[str, User]:
    return {
        "officer": make_user("pc@example.org", {"warwickshire": Role.OFFICER}),
        "educator": make_user("ed@example.org", {"warwickshire": Role.EDUCATOR}),
    }


def _course(
    here: Area, educator: User, *, first: datetime | None = None, capacity: int = 8
) -> Course:
    return services.publish(
        programme=db.session.get(Programme, programme_id(here, "arv")),
        educator=educator,
        title="ARV course, Leamington",
        starts=services.weekly(first or NOW + timedelta(days=1), 4),
        minutes=120,
        capacity=capacity,
        venue=None,
    )


def _cautioned(here: Area, officer: User, name: str, cautioned_on: date | None = None) -> Referral:
    return referral(
        here,
        officer,
        forename=name,
        disposal="conditional_caution",
        disposal_on=cautioned_on or date.today(),
    )


def _take(
    course: Course,
    index: int,
    outcomes: dict[Referral, BookingStatus],
    by: User,
    today: date | None = None,
) -> None:
    session = course.sessions[index]
    booking_of = {b.referral_id: b.id for b in session.bookings}
    services.take_register(
        session, {booking_of[r.id]: outcome for r, outcome in outcomes.items()}, by, today
    )


def test_a_cohort_is_completed_by_three_of_four_sessions(
    here: Area, people: dict[str, User]
) -> None:
    with area_scope(here):
        course = _course(here, people["educator"])
        ann, bob, cat = (_cautioned(here, people["officer"], n) for n in ("Ann", "Bob", "Cat"))
        for person in (ann, bob, cat):
            services.enrol(course, person, people["educator"])
        assert [s.booked_count for s in course.sessions] == [3, 3, 3, 3]
        assert ann.status is ReferralStatus.BOOKED
        assert ann.deadline_on == date.today() + timedelta(days=84)

        _take(course, 0, {ann: A, bob: A, cat: M}, people["educator"])
        _take(course, 1, {ann: A, bob: M, cat: M}, people["educator"])
        # Cat has missed 2 of 4: at most 2 attended, 3 needed, so not completed now.
        assert cat.status is ReferralStatus.NOT_COMPLETED
        assert cat.events[-1].note == (
            "Not completed: attended 0 of 3 needed; missed 2 sessions, too many to reach 3"
        )
        assert course.sessions[2].booked_count == 2  # Cat's later places were given back
        _take(course, 2, {ann: A, bob: A}, people["educator"])
        # Ann has her 3, but stays on the course until its last session.
        assert (ann.status, bob.status) == (ReferralStatus.BOOKED, ReferralStatus.BOOKED)
        _take(course, 3, {ann: M, bob: A}, people["educator"])
        assert ann.status is ReferralStatus.COMPLETED
        assert ann.events[-1].note == "Completed: attended 3 course sessions (needed 3)"
        assert bob.status is ReferralStatus.COMPLETED
        assert ann.initial_attended_on == course.sessions[0].starts_at.date()
        assert cat.initial_attended_on is None
        db.session.commit()


def test_the_deadline_closes_a_case_not_completed(here: Area, people: dict[str, User]) -> None:
    with area_scope(here):
        course = _course(here, people["educator"])
        late = _cautioned(here, people["officer"], "Dee", date.today() - timedelta(days=80))
        # 84 days from the caution: only the first session (tomorrow) is before the deadline.
        with pytest.raises(services.CourseRefusal) as refused:
            services.enrol(course, late, people["educator"])
        assert str(refused.value) == (
            "Only 1 of this course's sessions are still to come before their deadline; they need 3"
        )
        on_time = _cautioned(here, people["officer"], "Eve")
        services.enrol(course, on_time, people["educator"])
        _take(course, 0, {on_time: A}, people["educator"])
        closed = services.apply_deadlines(on_time.deadline_on + timedelta(days=1))
        assert closed == [
            (late.reference, f"Not completed: deadline of {late.deadline_on:%-d %B %Y} passed"),
            (
                on_time.reference,
                f"Not completed: attended 1 of 3 needed; deadline of "
                f"{on_time.deadline_on:%-d %B %Y} passed",
            ),
        ]
        assert {late.status, on_time.status} == {ReferralStatus.NOT_COMPLETED}
        db.session.commit()


def test_the_daily_job_runs_for_every_area(app: Flask, here: Area, people: dict[str, User]) -> None:
    with area_scope(here):
        late = _cautioned(here, people["officer"], "Fay", date.today() - timedelta(days=90))
        reference = late.reference
        db.session.commit()
    result = app.test_cli_runner().invoke(apply_deadlines_command, [])
    assert f"warwickshire: {reference} not completed (Not completed: deadline of" in result.output
    assert result.output.endswith("1 case(s) closed as not completed by their deadline\n")


def test_a_full_course_refuses_one_more(here: Area, people: dict[str, User]) -> None:
    with area_scope(here):
        course = _course(here, people["educator"], capacity=1)
        services.enrol(course, _cautioned(here, people["officer"], "Gus"), people["educator"])
        with pytest.raises(services.CourseRefusal, match="The course is full"):
            services.enrol(course, _cautioned(here, people["officer"], "Hal"), people["educator"])


def test_only_the_courses_programme_joins_it(here: Area, people: dict[str, User]) -> None:
    with area_scope(here):
        course = _course(here, people["educator"])
        adult = referral(here, people["officer"])
        with pytest.raises(
            services.CourseRefusal, match="is referred to DIVERT adults, not Alcohol"
        ):
            services.enrol(course, adult, people["educator"])


def test_the_register_is_one_page_and_one_submit(
    here: Area, people: dict[str, User], client: FlaskClient, auth: Auth
) -> None:
    with area_scope(here):
        course = _course(here, people["educator"])
        ann, bob = (_cautioned(here, people["officer"], n) for n in ("Ann", "Bob"))
        for person in (ann, bob):
            services.enrol(course, person, people["educator"])
        session_id = course.sessions[0].id
        bookings = {
            b.referral_id: b.id
            for b in db.session.scalars(select(Booking).where(Booking.session_id == session_id))
        }
        ann_id, bob_id, course_id = ann.id, bob.id, course.id
        db.session.commit()
    auth.sign_in("ed@example.org")
    url = f"/warwickshire/sessions/{session_id}/register"
    page = client.get(url).text
    assert page.count('type="radio"') == 4
    half = client.post(url, data={f"booking_{bookings[ann_id]}": "attended"})
    assert "Choose whether Bob Example attended" in half.text
    assert 'value="attended" checked' in half.text
    saved = client.post(
        url,
        data={
            f"booking_{bookings[ann_id]}": "attended",
            f"booking_{bookings[bob_id]}": "did_not_attend",
        },
    )
    assert saved.headers["Location"].endswith(f"/warwickshire/courses/{course_id}")
    with area_scope(here):
        statuses = dict(
            db.session.execute(
                select(Booking.referral_id, Booking.status).where(Booking.session_id == session_id)
            ).all()
        )
    assert statuses == {ann_id: A, bob_id: M}


def test_a_caution_waits_for_its_course_until_its_deadline(
    here: Area, people: dict[str, User]
) -> None:
    with area_scope(here):
        waiting = _cautioned(here, people["officer"], "Ivy", date.today() - timedelta(days=40))
        waiting.received_on = date.today() - timedelta(days=40)
        db.session.flush()
        assert due_for_not_engaged(here, date.today()) == []  # 40 days, no contact: not yet
        assert _closed_by_deadline(date.today() + timedelta(days=45)) == [waiting.reference]


def _closed_by_deadline(today: date) -> list[str]:
    return [reference for reference, _note in services.apply_deadlines(today)]
