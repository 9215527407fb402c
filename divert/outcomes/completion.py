"""Completion: the one place that decides whether a closed case was completed, and which
reoffending cohort it falls in, and when its follow-up is due.

Today every case is on DIVERT adults, whose rule is "the initial one-to-one attended". When
programmes carry their own rules (e.g. 3 of 4 course sessions), `is_completed` asks the
case's programme instead; nothing else changes.
"""

from __future__ import annotations

import calendar
from datetime import date

from divert.models import Area, Cohort, Referral, ReferralStatus

DEFAULT_FOLLOW_UP_MONTHS = 6


def is_completed(referral: Referral) -> bool:
    """Whether the case met its completion rule (DIVERT adults: initial one-to-one attended)."""
    return referral.initial_attended_on is not None


def cohort_of(referral: Referral) -> Cohort | None:
    """The reoffending cohort of a closed case; None for a case in no cohort (ineligible, or
    withdrawn before attending, or voided)."""
    if is_completed(referral):
        return Cohort.COMPLETED
    if referral.initial_attended_on is not None:
        return Cohort.ATTENDED_NOT_COMPLETED
    if referral.status is ReferralStatus.NOT_ENGAGED:
        return Cohort.NOT_ENGAGED
    return None


def follow_up_months(area: Area) -> int:
    """The reoffending window after a case closes: the area's setting (tenants/*.toml
    `[outcomes] follow_up_months`), six months when it has none."""
    return int((area.settings or {}).get("follow_up_months", DEFAULT_FOLLOW_UP_MONTHS))


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
