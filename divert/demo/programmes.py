"""Demo records of the programmes beyond the one-to-one: in every area, ARV courses (one over,
one to come) with conditional-caution deadlines, and young people assessed and on a course.
Made through the programmes' own use cases, so they are what the service itself would make."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker
from sqlalchemy import select

from divert.assessments import services as assessments
from divert.courses import services as courses
from divert.extensions import db
from divert.models import (
    Area,
    AssessmentOutcome,
    BookingStatus,
    Course,
    Disposal,
    Programme,
    Referral,
    Role,
    Substance,
    User,
)
from divert.referrals.submission import create_referral
from divert.tenancy import area_scope

A, M = BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND


class ProgrammeDemo:
    def __init__(self, area: Area, rng: random.Random, faker: Faker, today: date) -> None:
        self.area, self.rng, self.faker, self.today = area, rng, faker, today
        self.officer = self._user(Role.OFFICER)
        self.educator = self._user(Role.EDUCATOR)
        self.cannabis = db.session.scalars(
            select(Substance).where(Substance.code == "cannabis")
        ).one()

    def _user(self, role: Role) -> User:
        return db.session.scalars(
            select(User).where(User.email == f"{role}@{self.area.slug}.example")
        ).one()

    def _programme(self, code: str) -> Programme:
        return db.session.scalars(select(Programme).where(Programme.code == code)).one()

    def _referral(self, received_on: date, age: int, **fields: object) -> Referral:
        born = received_on - timedelta(days=age * 365 + self.rng.randint(30, 300))
        young = age < 18
        return create_referral(
            area=self.area,
            officer=self.officer,
            forename=self.faker.first_name(),
            surname=self.faker.last_name(),
            date_of_birth=born,
            offence_date=received_on,
            received_on=received_on,
            crime_reference=f"CR/{self.rng.randint(10000, 99999)}",
            phone=f"+4477009{self.rng.randint(0, 99999):05d}",
            guardian_name=self.faker.name() if young else None,
            guardian_contact="+447700900000" if young else None,
            **fields,  # type: ignore[arg-type]
        )

    def _course(self, code: str, title: str, first_day: date) -> Course:
        first = datetime.combine(first_day, time(18), tzinfo=UTC)
        return courses.publish(
            programme=self._programme(code),
            educator=self.educator,
            title=title,
            starts=courses.weekly(first, self._programme(code).course_sessions or 1),
            minutes=120,
            capacity=12,
            venue=None,
        )

    def _registers(self, course: Course, people: list[Referral], chance: float) -> None:
        """Every session's register, each person attending with the given chance."""
        for session in course.sessions:
            if session.starts_at.date() >= self.today:
                return
            open_ = [b for b in session.bookings if b.status is BookingStatus.BOOKED]
            outcomes = {b.id: A if self.rng.random() < chance else M for b in open_}
            courses.take_register(session, outcomes, self.educator, session.starts_at.date())

    def _enrolled(self, course: Course, people: list[Referral]) -> None:
        before = course.sessions[0].starts_at - timedelta(days=1)
        for person in people:
            courses.enrol(course, person, self.educator, now=before)

    def arv(self) -> None:
        """An ARV course that has run (most complete, some not), one to come, a caution still
        waiting for a course, and one whose deadline has passed unenrolled."""
        cautioned = self.today - timedelta(days=60)
        caution = {"disposal": Disposal.CONDITIONAL_CAUTION.value, "disposal_on": cautioned}
        past = [self._referral(cautioned, self.rng.randint(19, 50), **caution) for _ in range(6)]
        course = self._course("arv", "ARV course (evening)", cautioned + timedelta(days=14))
        self._enrolled(course, past)
        self._registers(course, past, chance=0.85)
        recent = self.today - timedelta(days=10)
        soon = [
            self._referral(
                recent,
                self.rng.randint(19, 50),
                disposal=Disposal.COMMUNITY_RESOLUTION.value,
                disposal_on=recent,
            )
            for _ in range(3)
        ]
        self._enrolled(
            self._course("arv", "ARV course (video)", self.today + timedelta(days=5)), soon
        )
        self._referral(recent, 27, **{**caution, "disposal_on": recent})
        lapsed_on = self.today - timedelta(days=100)
        self._referral(lapsed_on, 33, disposal=caution["disposal"], disposal_on=lapsed_on)
        courses.apply_deadlines(self.today)

    def young_people(self) -> None:
        """Young people assessed with a guardian: most onto a course that has run, one routed
        out to the MASH, one to one-to-one work."""
        received = self.today - timedelta(days=70)
        young = [self._referral(received, self.rng.randint(13, 17)) for _ in range(5)]
        routes = [AssessmentOutcome.GROUP_COURSE] * 3 + [
            AssessmentOutcome.OUT,
            AssessmentOutcome.ONE_TO_ONE,
        ]
        for person, outcome in zip(young, routes, strict=True):
            assessments.record(
                person,
                self.educator,
                held_on=received + timedelta(days=7),
                present=["young_person", "guardian"],
                answers={"education": "In school", "support": "A parent at home"},
                outcome=outcome,
                main_substance=self.cannabis,
                out_reason="mash" if outcome is AssessmentOutcome.OUT else None,
            )
        course = self._course(
            "divert-young-people", "Young people's course", received + timedelta(days=14)
        )
        self._enrolled(course, young[:3])
        self._registers(course, young[:3], chance=0.9)


def build_programme_demo(areas: list[Area], seed: int, today: date) -> None:
    """The programme records for each area; the caller commits."""
    rng = random.Random(seed)  # nosec B311 - reproducible demo data, not secrets
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    for area in areas:
        with area_scope(area):
            demo = ProgrammeDemo(area, rng, faker, today)
            demo.arv()
            demo.young_people()
            db.session.flush()
