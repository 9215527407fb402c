"""Referral counts per area, month of receipt and breakdown keys, for the figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from divert.models.base import AreaOwned, Base

# What a row breaks the counts down by; ALL rows hold the month's totals.
ALL, SUBSTANCE, GENDER, ETHNICITY = "all", "substance", "gender", "ethnicity"
# The key of an ALL row, and of a row for a value not recorded: a key column cannot be NULL.
NOT_RECORDED = ""


class ReferralMonthSummary(AreaOwned, Base):
    """The counts every figure is made of, per area and month of receipt: the month's totals
    (breakdown ALL), and the same counts for each main substance (by id), gender and ethnicity
    recorded. Each referral counts in four rows of its month. divert.figures.summary keeps the
    table in step with the referrals in the same transaction, so the dashboard reads a few dozen
    rows per area and month however many referrals there are. There is no programme column
    because referrals have no programme yet."""

    __tablename__ = "referral_month_summary"

    month: Mapped[date]  # the first day of the month of receipt
    breakdown: Mapped[str] = mapped_column(String(12))
    key: Mapped[str] = mapped_column(String(40))
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

    __table_args__ = (PrimaryKeyConstraint("area_id", "month", "breakdown", "key"),)
