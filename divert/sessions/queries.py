"""Reading the caseload and the diary (the area comes from the tenancy scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from divert.clock import LOCAL
from divert.extensions import db
from divert.models import Booking, DiarySession, Membership, Referral, ReferralStatus, Role, User

S = ReferralStatus
CASELOAD_FILTERS = {
    "awaiting": ("Awaiting contact", (S.SUBMITTED,)),
    "booked": ("Booked", (S.BOOKED,)),
    "did_not_attend": ("Did not attend", (S.DID_NOT_ATTEND,)),
    "attended": ("Attended: decision due", (S.ATTENDED,)),
}
PAGE_SIZE = 25


@dataclass
class CaseloadPage:
    referrals: list[Referral]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max((self.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _caseload_query(status: str, educator_id: int | None) -> Select:
    statuses = CASELOAD_FILTERS.get(status, CASELOAD_FILTERS["awaiting"])[1]
    query = select(Referral).where(Referral.status.in_(statuses))
    if educator_id:
        query = query.where(Referral.educator_id == educator_id)
    return query


def caseload(status: str, educator_id: int | None, page: int) -> CaseloadPage:
    """Open cases of one status, oldest first (those waiting longest come first)."""
    query = _caseload_query(status, educator_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    referrals = db.session.scalars(
        query.options(joinedload(Referral.person), joinedload(Referral.educator))
        .order_by(Referral.received_on, Referral.received_at, Referral.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return CaseloadPage(list(referrals), total or 0, page)


def area_educators(area_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(
                Membership.area_id == area_id,
                Membership.active,
                Membership.role.in_((Role.EDUCATOR, Role.MANAGER)),
            )
            .order_by(User.name)
        )
    )


def diary(
    educator_id: int | None, start: date, days: int, programme_id: int | None = None
) -> list[DiarySession]:
    """Sessions from `start` for `days` days, with their bookings and people; every
    programme's, or one's."""
    query = (
        select(DiarySession)
        .options(
            selectinload(DiarySession.bookings)
            .joinedload(Booking.referral)
            .joinedload(Referral.person),
            joinedload(DiarySession.venue),
            joinedload(DiarySession.educator),
            joinedload(DiarySession.programme),
            joinedload(DiarySession.course),
        )
        .where(
            DiarySession.starts_at >= datetime.combine(start, time(0), tzinfo=LOCAL),
            DiarySession.starts_at
            < datetime.combine(start + timedelta(days=days), time(0), tzinfo=LOCAL),
            DiarySession.cancelled_at.is_(None),
        )
        .order_by(DiarySession.starts_at, DiarySession.id)
    )
    if educator_id:
        query = query.where(DiarySession.educator_id == educator_id)
    if programme_id:
        query = query.where(DiarySession.programme_id == programme_id)
    return list(db.session.scalars(query).unique())
