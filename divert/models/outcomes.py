"""What happened after a case: the police outcome of a returned case, entry into treatment,
the completion cohort and reoffending follow-up of a closed case, and the force's own counts
(eligible possession offences per month, a comparison group).

None of these rows holds a name or free text, so retention keeps them as long as the case and
the figures read them unchanged after a person's data has gone.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.clock import utcnow
from divert.models.base import AreaOwned, Base
from divert.models.reference import TreatmentService
from divert.models.referral import Referral
from divert.models.user import User


class PoliceOutcomeKind(enum.StrEnum):
    NO_FURTHER_ACTION = "no_further_action"
    COMMUNITY_RESOLUTION = "community_resolution"
    CAUTION = "caution"
    CONDITIONAL_CAUTION = "conditional_caution"
    CHARGE = "charge"
    OTHER = "other"


class Cohort(enum.StrEnum):
    """How a closed case ended, for completion and the reoffending cohorts."""

    COMPLETED = "completed"
    ATTENDED_NOT_COMPLETED = "attended_not_completed"
    NOT_ENGAGED = "not_engaged"


class ResultSource(enum.StrEnum):
    API = "api"
    CSV = "csv"
    PAGE = "page"


class PoliceOutcome(AreaOwned, Base):
    """What the police did with a case returned to them; one per case, correctable."""

    __tablename__ = "police_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), unique=True)
    outcome: Mapped[PoliceOutcomeKind] = mapped_column(
        Enum(PoliceOutcomeKind, native_enum=False, length=24)
    )
    decided_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    referral: Mapped[Referral] = relationship()
    recorded_by: Mapped[User] = relationship()


class TreatmentEntry(AreaOwned, Base):
    """The person entered treatment after an onward referral, confirmed by whom and when."""

    __tablename__ = "treatment_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), unique=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_service.id"))
    entered_on: Mapped[date]
    confirmed_by: Mapped[str] = mapped_column(String(20))  # educator | treatment_service
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    service: Mapped[TreatmentService | None] = relationship()


class CaseOutcome(AreaOwned, Base):
    """A closed case's cohort and its reoffending follow-up, due at the end of the window.

    The result columns stay empty until the force answers; `result_at` says it is in.
    """

    __tablename__ = "case_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), unique=True)
    cohort: Mapped[Cohort] = mapped_column(Enum(Cohort, native_enum=False, length=24))
    closed_on: Mapped[date]
    follow_up_due_on: Mapped[date]
    result_at: Mapped[datetime | None]
    reoffended: Mapped[bool | None]
    offence_count: Mapped[int | None]
    first_offence_on: Mapped[date | None]
    any_violent: Mapped[bool | None]
    any_alcohol: Mapped[bool | None]
    result_source: Mapped[ResultSource | None] = mapped_column(
        Enum(ResultSource, native_enum=False, length=8)
    )
    result_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    referral: Mapped[Referral] = relationship()
    result_by: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_case_outcome_due", "area_id", "follow_up_due_on"),
        CheckConstraint("offence_count IS NULL OR offence_count >= 0", name="count_not_negative"),
    )


class EligibleOffences(AreaOwned, Base):
    """The force's count of possession offences eligible for the scheme in one month."""

    __tablename__ = "eligible_offences"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # the month's first day
    offences: Mapped[int]
    source: Mapped[ResultSource] = mapped_column(Enum(ResultSource, native_enum=False, length=8))
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("area_id", "month", name="uq_eligible_offences_area_month"),
        CheckConstraint("offences >= 0", name="offences_not_negative"),
    )


class ComparisonGroup(AreaOwned, Base):
    """Counts only, from the force: people eligible but not referred in a period, and how
    many of them reoffended within the same window as the cohorts."""

    __tablename__ = "comparison_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    people: Mapped[int]
    reoffended: Mapped[int]
    offences: Mapped[int]
    violent: Mapped[int]
    alcohol: Mapped[int]
    source: Mapped[ResultSource] = mapped_column(Enum(ResultSource, native_enum=False, length=8))
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("area_id", "starts_on", "ends_on", name="uq_comparison_group_period"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint(
            "reoffended <= people AND violent <= reoffended AND alcohol <= reoffended "
            "AND reoffended >= 0 AND offences >= reoffended",
            name="counts_consistent",
        ),
    )


class ForceBatch(AreaOwned, Base):
    """A batch the force posted through the API under an `Idempotency-Key`, with the answer it
    was given, so that a retry gets the same answer and changes nothing."""

    __tablename__ = "force_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("area_id", "user_id", "key", name="uq_force_batch_key"),)
