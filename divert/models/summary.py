"""Referral counts per area, month of receipt and breakdown keys, for the figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from divert.models.base import AreaOwned, Base

# Key values standing for "not recorded": a key column cannot be NULL and stay unique.
NO_SUBSTANCE = 0
NOT_RECORDED = ""


class ReferralMonthSummary(AreaOwned, Base):
    """One row per area × month × main substance × gender × ethnicity, holding the counts every
    figure is made of. divert.figures.summary keeps it in step with the referrals in the same
    transaction, so the dashboard reads a few hundred rows however many referrals there are.
    There is no programme column because referrals have no programme yet."""

    __tablename__ = "referral_month_summary"

    month: Mapped[date]  # the first day of the month of receipt
    main_substance_id: Mapped[int]  # NO_SUBSTANCE until one is reported; no foreign key needed
    gender: Mapped[str] = mapped_column(String(20))
    ethnicity: Mapped[str] = mapped_column(String(40))
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

    __table_args__ = (
        PrimaryKeyConstraint("area_id", "month", "main_substance_id", "gender", "ethnicity"),
    )
