"""Programmes an area commissions (DIVERT adults, DIVERT young people, the ARV course...),
their group courses with enrolled cohorts, and the young people's assessment.

A programme's settings come from tenants/<area>.toml; what differs between programmes is data
(eligibility, pathway, completion rule, deadline), not code.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.base import AreaOwned, Base
from divert.models.reference import Venue
from divert.models.user import User

if TYPE_CHECKING:
    from divert.models.diary import DiarySession
    from divert.models.referral import Referral


class Disposal(enum.StrEnum):
    """What the police did that the programme goes with."""

    PRE_ARREST_DIVERSION = "pre_arrest_diversion"
    CONDITIONAL_CAUTION = "conditional_caution"
    COMMUNITY_RESOLUTION = "community_resolution"


DISPOSAL_LABELS = {
    Disposal.PRE_ARREST_DIVERSION: "Pre-arrest diversion",
    Disposal.CONDITIONAL_CAUTION: "Conditional caution",
    Disposal.COMMUNITY_RESOLUTION: "Community resolution",
}


class PathwayStep(enum.StrEnum):
    ASSESSMENT = "assessment"
    ONE_TO_ONE = "one_to_one"
    GROUP_COURSE = "group_course"
    FOLLOW_UP = "follow_up"
    # CARS: people seen in custody or at court (divert/custody), not referred by an officer.
    CUSTODY_CONTACT = "custody_contact"


class CompletionRule(enum.StrEnum):
    ONE_TO_ONE_ATTENDED = "one_to_one_attended"  # the educator closes it once attended
    COURSE_SESSIONS = "course_sessions"  # at least `sessions_to_complete` course sessions
    CASE_CLOSED = "case_closed"  # CARS: the worker closes the custody contact


class Programme(AreaOwned, Base):
    """One programme of one area, as its TOML block declares it (synced by `tenants sync`)."""

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    disposals: Mapped[list[str]] = mapped_column(JSON, default=list)
    pathway: Mapped[list[str]] = mapped_column(JSON, default=list)
    completion_rule: Mapped[str] = mapped_column(String(32))
    course_sessions: Mapped[int | None]
    sessions_to_complete: Mapped[int | None]
    deadline_days: Mapped[int | None]
    reoffending_months: Mapped[int] = mapped_column(default=6)
    # [{"code": "...", "question": "..."}]: what the young people's assessment asks.
    assessment_questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # The service's own opening hours where they differ from the area's ({"monday": ["07:00",
    # "22:00"], ...}): CARS counts bookings made outside them as out of hours.
    opening_hours: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("area_id", "code", name="uq_programme_area_code"),)

    def __str__(self) -> str:
        return self.name

    def fits(self, age: int, disposal: str) -> bool:
        """Whether someone of `age` given `disposal` is eligible."""
        return (
            self.active
            and disposal in self.disposals
            and (self.min_age is None or age >= self.min_age)
            and (self.max_age is None or age <= self.max_age)
        )

    def has(self, step: PathwayStep) -> bool:
        return step.value in self.pathway

    @property
    def first_step(self) -> PathwayStep:
        return PathwayStep(self.pathway[0])


class Course(AreaOwned, Base):
    """A group course: a series of dated sessions (DiarySession.course_id) for one cohort."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int]
    remote: Mapped[bool] = mapped_column(default=False)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    educator: Mapped[User] = relationship()
    venue: Mapped[Venue | None] = relationship()
    sessions: Mapped[list[DiarySession]] = relationship(
        back_populates="course", order_by="DiarySession.starts_at"
    )
    enrolments: Mapped[list[CourseEnrolment]] = relationship(
        back_populates="course", order_by="CourseEnrolment.id"
    )

    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)


class CourseEnrolment(AreaOwned, Base):
    """A referred person's place in a course's cohort (a booking for each of its sessions)."""

    __tablename__ = "course_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    enrolled_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="enrolments")
    referral: Mapped[Referral] = relationship()

    __table_args__ = (
        UniqueConstraint("course_id", "referral_id", name="uq_course_enrolment_course_referral"),
    )


class AssessmentOutcome(enum.StrEnum):
    GROUP_COURSE = "group_course"
    ONE_TO_ONE = "one_to_one"
    OUT = "out"


class Assessment(AreaOwned, Base):
    """A young person's suitability and vulnerability assessment, held with their guardian.

    The answers and notes are personal: retention blanks them with the rest of the case.
    """

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), unique=True)
    held_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who was there: "young_person", "guardian", "social_worker", ... (see assessments.PRESENT)
    present: Mapped[list[str]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20))
    out_reason: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)

    recorded_by: Mapped[User] = relationship()
