"""The referred person, the referral and everything that happens to it."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.area import Area
from divert.models.base import AreaOwned, Base
from divert.models.programme import Disposal, Programme
from divert.models.reference import Offence, Substance
from divert.models.user import User


class ReferralStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    BOOKED = "booked"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"
    COMPLETED = "completed"
    NOT_ENGAGED = "not_engaged"
    NOT_COMPLETED = "not_completed"  # engaged, but the programme's rule was not met in time
    REFERRED_ON = "referred_on"  # assessed and routed out (to the YOT, MASH...)
    INELIGIBLE = "ineligible"
    WITHDRAWN = "withdrawn"
    VOIDED = "voided"  # entered in error: never counted in any figure


class AgeGroup(enum.StrEnum):
    UNDER_18 = "under_18"
    ADULT = "adult"


class Person(AreaOwned, Base):
    """The referred subject. Personal fields are nulled by retention; the row stays for figures."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    forename: Mapped[str | None] = mapped_column(String(100))
    surname: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[date | None]
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    postcode_district: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(255))
    guardian_name: Mapped[str | None] = mapped_column(String(120))
    guardian_contact: Mapped[str | None] = mapped_column(String(254))
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area] = relationship()
    referrals: Mapped[list[Referral]] = relationship(back_populates="person")

    __table_args__ = (Index("ix_person_area_dob", "area_id", "date_of_birth"),)

    @property
    def full_name(self) -> str:
        return name_of(self.forename, self.surname)


def name_of(forename: str | None, surname: str | None) -> str:
    """A person's name as pages show it; "(removed)" once anonymised (both parts cleared)."""
    return " ".join(part for part in (forename, surname) if part) or "(removed)"


referral_substance_found = Table(
    "referral_substance_found",
    Base.metadata,
    Column("referral_id", ForeignKey("referral.id", ondelete="CASCADE"), primary_key=True),
    Column("substance_id", ForeignKey("substance.id"), primary_key=True),
)


class Referral(AreaOwned, Base):
    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    disposal: Mapped[str] = mapped_column(String(32), default=Disposal.PRE_ARREST_DIVERSION.value)
    # A conditional caution (or other disposal) date, and the day the programme must be done by.
    disposal_on: Mapped[date | None]
    deadline_on: Mapped[date | None]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    received_on: Mapped[date]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    offence_date: Mapped[date]
    offence_id: Mapped[int | None] = mapped_column(ForeignKey("offence.id"))
    crime_reference: Mapped[str] = mapped_column(String(40))
    consent_to_contact: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReferralStatus] = mapped_column(
        Enum(ReferralStatus, native_enum=False, length=20), default=ReferralStatus.SUBMITTED
    )
    # Kept through retention: what the figures need once names are gone.
    age_group: Mapped[AgeGroup] = mapped_column(Enum(AgeGroup, native_enum=False, length=10))
    gender: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    # Recorded with the initial one-to-one's attendance, in the same transaction, so that the
    # engagement and substance figures need no join over bookings.
    initial_attended_on: Mapped[date | None]
    main_substance_id: Mapped[int | None] = mapped_column(ForeignKey("substance.id"))
    is_repeat: Mapped[bool] = mapped_column(default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"))
    missed_appointments: Mapped[int] = mapped_column(default=0)
    closed_on: Mapped[date | None]

    area: Mapped[Area] = relationship()
    programme: Mapped[Programme] = relationship()
    person: Mapped[Person] = relationship(back_populates="referrals")
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    educator: Mapped[User | None] = relationship(foreign_keys=[educator_id])
    offence: Mapped[Offence | None] = relationship()
    main_substance: Mapped[Substance | None] = relationship()
    substances_found: Mapped[list[Substance]] = relationship(secondary=referral_substance_found)
    repeat_of: Mapped[Referral | None] = relationship(remote_side=[id])
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id"
    )

    __table_args__ = (
        UniqueConstraint("area_id", "reference", name="uq_referral_area_reference"),
        # Covers every column the figures read, so PostgreSQL answers them from the index.
        Index(
            "ix_referral_figures",
            "area_id",
            "received_on",
            postgresql_include=[
                "status",
                "initial_attended_on",
                "is_repeat",
                "age_group",
                "gender",
                "ethnicity",
                "main_substance_id",
            ],
        ),
        Index("ix_referral_officer_received", "officer_id", "received_at"),
        # The caseload: an area's cases of one status, oldest first (divert.sessions.queries).
        Index("ix_referral_caseload", "area_id", "status", "received_on", "received_at", "id"),
    )


class ReferralEvent(AreaOwned, Base):
    """Every change of a referral's status: who, when, from what to what."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class SubmissionToken(AreaOwned, Base):
    """A referral form's one-time token: a second submit of the same form finds the first."""

    __tablename__ = "submission_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceCounter(AreaOwned, Base):
    """The last sequence number issued per area and year; locked while a reference is taken."""

    __tablename__ = "reference_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("area_id", "year", name="uq_reference_counter_area_year"),)


class ContactAttempt(AreaOwned, Base):
    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()


class PersonBlockingKey(AreaOwned, Base):
    """Blocking keys of a person, so that repeat candidates are found by index, not by scan."""

    __tablename__ = "person_blocking_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))

    __table_args__ = (Index("ix_person_blocking_key_lookup", "area_id", "key"),)


class MatchReview(AreaOwned, Base):
    """A possible repeat awaiting, or carrying, a manager's same/different person decision."""

    __tablename__ = "match_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    candidate_referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    candidate_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    weight: Mapped[float]
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[Referral] = relationship(foreign_keys=[referral_id])
    candidate_referral: Mapped[Referral] = relationship(foreign_keys=[candidate_referral_id])

    __table_args__ = (Index("ix_match_review_pair", "person_id", "candidate_person_id"),)


class RegionalKeyHash(AreaOwned, Base):
    """The regional index: keyed hashes of blocking keys only, never a name or date of birth.

    Other areas of the region read it through one function, divert.tenancy.regional_earlier_
    referrals, which returns only the area and date of a match.
    """

    __tablename__ = "regional_key_hash"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    # Declared here, not by AreaOwned: the lookup index below serves it, so it has none of its own.
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    key_hash: Mapped[str] = mapped_column(String(64))
    referral_on: Mapped[date]

    __table_args__ = (Index("ix_regional_key_hash_lookup", "region_id", "key_hash"),)


class SafeguardingConcern(AreaOwned, Base):
    """A worry about a young person's safety, raised on their case; the area's managers are told.

    The text is personal: retention blanks it with the rest of the person's data.
    """

    __tablename__ = "safeguarding_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    concern: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)

    raised_by: Mapped[User] = relationship()
