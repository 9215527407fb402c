"""The monthly summaries: referral counts per area × programme × month × breakdown key, and
outcome counts per area × programme × month × outcome key.

Derived data, kept by divert.figures.summary: every commit that changes a referral, a booking or
an outcome works out again the rows of the months it touched, from the records, in the same
transaction. The dashboard reads whole months from here and only the part-months at a period's
ends from the records, so its cost does not grow with the table.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from divert.models.base import AreaOwned, Base
from divert.models.outcomes import Cohort, PoliceOutcomeKind


class MonthlySummary(AreaOwned, Base):
    """One group of a month's referrals (not voided), or of its sessions' content.

    A referral group has `referrals` ≥ 1 and no onward service; a session-content group (what
    attended bookings of the month's referrals gave) has `referrals` = 0 and only
    `naloxone_kits` and `onward` set.
    """

    __tablename__ = "monthly_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    month: Mapped[date]  # the first day of the month the referrals were received in
    main_substance_id: Mapped[int | None] = mapped_column(ForeignKey("substance.id"))
    gender: Mapped[str | None] = mapped_column(String(20))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    onward_service_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_service.id"))
    referrals: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
    not_engaged: Mapped[int] = mapped_column(default=0)
    repeats: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    ineligible: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    in_progress: Mapped[int] = mapped_column(default=0)
    under_18: Mapped[int] = mapped_column(default=0)
    adult: Mapped[int] = mapped_column(default=0)
    not_completed: Mapped[int] = mapped_column(default=0)
    referred_on: Mapped[int] = mapped_column(default=0)
    naloxone_kits: Mapped[int] = mapped_column(default=0)
    onward: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_monthly_summary_area_month", "area_id", "month"),)


class OutcomeSummary(AreaOwned, Base):
    """One group of a month's referrals (not voided) by what came after them: returned to the
    police or not, the police outcome, the cohort and the day its reoffending follow-up is due,
    with the counts the outcome figures add up (divert.figures.outcomes).

    Only referrals that some outcome figure counts are here: those returned to the police, those
    referred on to treatment and those with a cohort. The follow-up counts are of every case of
    the group, whatever its due day: the figures keep those whose day has come
    (`follow_up_due_on` ≤ today), so the rows hold for any day they are read on.
    """

    __tablename__ = "outcome_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"))
    month: Mapped[date]  # the first day of the month the referrals were received in
    returned: Mapped[bool]
    police_outcome: Mapped[PoliceOutcomeKind | None] = mapped_column(
        Enum(PoliceOutcomeKind, native_enum=False, length=24)
    )
    cohort: Mapped[Cohort | None] = mapped_column(Enum(Cohort, native_enum=False, length=24))
    follow_up_due_on: Mapped[date | None]
    cases: Mapped[int] = mapped_column(default=0)  # referrals of the group
    onward: Mapped[int] = mapped_column(default=0)  # of those, referred on to treatment
    entered: Mapped[int] = mapped_column(default=0)  # of those, entered treatment
    case_outcomes: Mapped[int] = mapped_column(default=0)  # with a cohort
    results_in: Mapped[int] = mapped_column(default=0)  # the force's result in
    reoffended: Mapped[int] = mapped_column(default=0)
    offences: Mapped[int] = mapped_column(default=0)
    violent: Mapped[int] = mapped_column(default=0)
    alcohol: Mapped[int] = mapped_column(default=0)

    __table_args__ = (Index("ix_outcome_summary_area_month", "area_id", "month"),)
