"""Completion: the one place that decides which reoffending cohort a closed case falls in, and
when its follow-up is due.

Whether a case was completed is its programme's completion rule (divert.models.programme
CompletionRule), already applied when the case closed: the educator closes a one-to-one case as
completed once it was attended; divert.courses.services.decide closes a course case as completed
or not completed. So a completed case is one whose status says so. The reoffending window is the
programme's `reoffending_months` (tenants/<area>.toml, per programme).
"""

from __future__ import annotations

import calendar
from datetime import date

from divert.models import Cohort, Programme, Referral, ReferralStatus


def cohort_of(referral: Referral) -> Cohort | None:
    """The reoffending cohort of a closed case; None for a case in no cohort (ineligible,
    referred on, voided, or withdrawn before engaging)."""
    if referral.status is ReferralStatus.COMPLETED:
        return Cohort.COMPLETED
    if referral.status in (ReferralStatus.REFERRED_ON, ReferralStatus.VOIDED):
        return None
    if referral.initial_attended_on is not None:
        return Cohort.ATTENDED_NOT_COMPLETED
    if referral.status in (ReferralStatus.NOT_ENGAGED, ReferralStatus.NOT_COMPLETED):
        return Cohort.NOT_ENGAGED  # closed without attending its programme's first step
    return None


def follow_up_due_on(programme: Programme, closed_on: date) -> date:
    """The end of the reoffending window after a case of `programme` closed on `closed_on`."""
    return months_after(closed_on, programme.reoffending_months)


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
