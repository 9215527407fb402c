"""Educators' sessions and the bookings (with attendance) of referred people into them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Enum, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.base import AreaOwned, Base
from divert.models.programme import Course, Programme
from divert.models.reference import Intervention, Substance, TreatmentService, Venue
from divert.models.referral import Referral
from divert.models.user import User


class SessionKind(enum.StrEnum):
    INITIAL = "initial"  # the initial one-to-one that engagement is measured on
    FOLLOW_UP = "follow_up"
    GROUP = "group"
    ASSESSMENT = "assessment"


class BookingStatus(enum.StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


class DiarySession(AreaOwned, Base):
    """A session in an educator's diary, with places for `capacity` people."""

    __tablename__ = "diary_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    kind: Mapped[SessionKind] = mapped_column(Enum(SessionKind, native_enum=False, length=12))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(default=1)
    # Maintained by a guarded UPDATE (booked_count < capacity) so two officers can never
    # both take the last place.
    booked_count: Mapped[int] = mapped_column(default=0)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venue.id"))
    remote: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    educator: Mapped[User] = relationship()
    programme: Mapped[Programme] = relationship()
    course: Mapped[Course | None] = relationship(back_populates="sessions")
    venue: Mapped[Venue | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(back_populates="session")

    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_diary_session_open", "area_id", "kind", "starts_at"),
    )


booking_intervention = Table(
    "booking_intervention",
    Base.metadata,
    Column("booking_id", ForeignKey("booking.id", ondelete="CASCADE"), primary_key=True),
    Column("intervention_id", ForeignKey("intervention.id"), primary_key=True),
)

booking_other_substance = Table(
    "booking_other_substance",
    Base.metadata,
    Column("booking_id", ForeignKey("booking.id", ondelete="CASCADE"), primary_key=True),
    Column("substance_id", ForeignKey("substance.id"), primary_key=True),
)


class Booking(AreaOwned, Base):
    """A referred person's place in a session, and what happened at it."""

    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("diary_session.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(BookingStatus, native_enum=False, length=16), default=BookingStatus.BOOKED
    )
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_by: Mapped[str | None] = mapped_column(String(20))
    main_substance_id: Mapped[int | None] = mapped_column(ForeignKey("substance.id"))
    naloxone_kit_supplied: Mapped[bool] = mapped_column(default=False)
    onward_service_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_service.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[Referral] = relationship()
    session: Mapped[DiarySession] = relationship(back_populates="bookings")
    main_substance: Mapped[Substance | None] = relationship()
    onward_service: Mapped[TreatmentService | None] = relationship()
    interventions: Mapped[list[Intervention]] = relationship(secondary=booking_intervention)
    other_substances: Mapped[list[Substance]] = relationship(secondary=booking_other_substance)
