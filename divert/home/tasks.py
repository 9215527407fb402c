"""What each role has to do here: the items of an area's home page, each a count and the link
to the list behind it. Queries run in the area's tenancy scope, like every view's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import url_for
from sqlalchemy import Select, func, select

from divert.clock import LOCAL, local_today, utcnow
from divert.extensions import db
from divert.figures import periods, report
from divert.figures.suppression import small_periods_restricted
from divert.models import (
    Area,
    DiarySession,
    InitialContact,
    MatchReview,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from divert.referrals import lifecycle, queries
from divert.sessions import queries as cases

S = ReferralStatus


@dataclass(frozen=True)
class Task:
    """One line of a home page: "3 referrals are awaiting contact", linked to where they are."""

    count: int
    none: str  # the sentence for none, for one, then for several ("{n}" is the count)
    one: str
    several: str
    href: str

    @property
    def text(self) -> str:
        if not self.count:
            return self.none
        return (self.one if self.count == 1 else self.several).format(n=self.count)


def _count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def officer_tasks(officer: User) -> list[Task]:
    mine = queries.submitted_by(officer)
    returned = select(Referral.id).where(mine, Referral.status.in_(lifecycle.RETURNED_TO_OFFICER))
    awaiting = select(Referral.id).where(mine, Referral.status == S.SUBMITTED)
    return [
        Task(
            _count(returned),
            "No case is waiting for another outcome from you",
            "{n} case has been returned to you for another outcome",
            "{n} cases have been returned to you for another outcome",
            url_for("referrals.my_referrals", status="returned"),
        ),
        Task(
            _count(awaiting),
            "None of your referrals is waiting to be contacted",
            "{n} of your referrals is awaiting contact from the drug education service",
            "{n} of your referrals are awaiting contact from the drug education service",
            url_for("referrals.my_referrals", status="awaiting"),
        ),
    ]


def educator_tasks(educator: User, *, everyone: bool) -> list[Task]:
    """An educator's own work; a manager (`everyone`) sees the whole area's."""
    whose = None if everyone else educator.id
    today = local_today()
    sessions_today = select(DiarySession.id).where(
        DiarySession.cancelled_at.is_(None),
        DiarySession.starts_at >= datetime.combine(today, time(0), tzinfo=LOCAL),
        DiarySession.starts_at < datetime.combine(today + timedelta(days=1), time(0), tzinfo=LOCAL),
    )
    to_contact = select(Referral.id).where(Referral.status == S.SUBMITTED)
    if whose is not None:
        sessions_today = sessions_today.where(DiarySession.educator_id == whose)
        to_contact = to_contact.where(
            (Referral.educator_id == whose) | Referral.educator_id.is_(None)
        )
    diary_filter = {} if everyone else {"educator": educator.id}
    return [
        Task(
            _count(sessions_today),
            "No sessions today",
            "{n} session today",
            "{n} sessions today",
            url_for("sessions.diary", day=today.isoformat(), **diary_filter),
        ),
        Task(
            _count(select(Referral.id).where(cases.attendance_due(whose))),
            "No attendance to record",
            "{n} person's attendance to record",
            "{n} people's attendance to record",
            url_for("sessions.caseload", status="attendance_due"),
        ),
        Task(
            _count(select(Referral.id).where(Referral.status == S.ATTENDED)),
            "No attended case is awaiting its outcome",
            "{n} case attended and awaiting its outcome",
            "{n} cases attended and awaiting their outcome",
            url_for("sessions.caseload", status="attended"),
        ),
        Task(
            _count(to_contact),
            "Nobody to contact",
            "{n} person to contact",
            "{n} people to contact",
            url_for("sessions.caseload", status="awaiting"),
        ),
    ]


def manager_tasks(area: Area) -> list[Task]:
    reviews = select(MatchReview.id).where(MatchReview.decision.is_(None))
    unassigned = select(Referral.id).where(
        Referral.status.in_((S.SUBMITTED, S.DID_NOT_ATTEND)), Referral.educator_id.is_(None)
    )
    orphaned = select(DiarySession.id).where(
        DiarySession.cancelled_at.is_(None),
        DiarySession.starts_at >= utcnow(),
        cases.educator_has_left(area.id),
    )
    return [
        Task(
            _count(reviews),
            "No possible repeat referrals to review",
            "{n} possible repeat referral to review",
            "{n} possible repeat referrals to review",
            url_for("reviews.review_queue"),
        ),
        Task(
            _count(unassigned),
            "Every case has an educator",
            "{n} case without an educator",
            "{n} cases without an educator",
            url_for("sessions.caseload", status="awaiting", educator=cases.UNASSIGNED),
        ),
        Task(
            _count(orphaned),
            "Every upcoming session has an educator",
            "{n} upcoming session whose educator has left " + area.name,
            "{n} upcoming sessions whose educator has left " + area.name,
            url_for("sessions.diary", view="week", educator=cases.UNASSIGNED),
        ),
    ]


def custody_tasks(worker: User) -> list[Task]:
    """A CARS custody worker's: contacts police booked out of hours, their own open ones."""
    awaiting = select(InitialContact.id).where(
        InitialContact.worker_id.is_(None), InitialContact.closed_on.is_(None)
    )
    mine = select(InitialContact.id).where(
        InitialContact.worker_id == worker.id, InitialContact.closed_on.is_(None)
    )
    return [
        Task(
            _count(awaiting),
            "No contact booked by police is awaiting a worker",
            "{n} contact booked by police is awaiting a worker",
            "{n} contacts booked by police are awaiting a worker",
            url_for("custody.caseload", show="awaiting"),
        ),
        Task(
            _count(mine),
            "You have no open custody contacts",
            "You have {n} open custody contact",
            "You have {n} open custody contacts",
            url_for("custody.caseload", show="mine"),
        ),
    ]


def this_quarter() -> periods.Period:
    today = local_today()
    return periods.quarter(today.year, (today.month - 1) // 3 + 1)


def headline_figures(area: Area) -> report.Figures:
    """This quarter's figures of the area beside the region's, as the dashboard shows them to
    the commissioner (the one role whose home page has them)."""
    restricted = small_periods_restricted(Role.COMMISSIONER)
    return report.area_figures(area, this_quarter(), restrict_small_periods=restricted)
