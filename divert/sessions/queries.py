"""Reading the caseload and the diary (the area comes from the tenancy scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, ScalarSelect, Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from divert.clock import LOCAL, utcnow
from divert.extensions import db
from divert.models import (
    AgeGroup,
    Booking,
    BookingStatus,
    DiarySession,
    Membership,
    Person,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from divert.models.referral import name_of
from divert.tenancy import kept_for_area

S = ReferralStatus
CASELOAD_FILTERS = {
    "awaiting": ("Awaiting contact", (S.SUBMITTED,)),
    "booked": ("Booked", (S.BOOKED,)),
    "did_not_attend": ("Did not attend", (S.DID_NOT_ATTEND,)),
    "attended": ("Attended: decision due", (S.ATTENDED,)),
    "attendance_due": ("Attendance to record", (S.BOOKED,)),
}
# The caseload's and the diary's "educator" filter: a user id, or this for nobody's.
UNASSIGNED = "none"
Whose = int | str | None
PAGE_SIZE = 25
APPOINTMENT_STATUSES = (BookingStatus.BOOKED, BookingStatus.ATTENDED, BookingStatus.DID_NOT_ATTEND)


class Case(NamedTuple):
    """What the caseload shows of a case."""

    id: int
    reference: str
    person_name: str
    age_group: AgeGroup
    received_on: date
    educator_name: str | None  # None: nobody's yet
    appointment: datetime | None  # its latest booking's start; None when never booked


@dataclass
class CaseloadPage:
    cases: list[Case]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max((self.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def attendance_due(educator_id: int | None = None) -> ColumnElement[bool]:
    """The referral is booked into a session (of this educator) that has begun, and its
    attendance is not recorded yet."""
    conditions = [
        Booking.referral_id == Referral.id,
        Booking.status == BookingStatus.BOOKED,
        Booking.session_id == DiarySession.id,
        DiarySession.starts_at <= utcnow(),
    ]
    if educator_id is not None:
        conditions.append(DiarySession.educator_id == educator_id)
    return exists().where(*conditions)


def educator_has_left(area_id: int) -> ColumnElement[bool]:
    """The session's educator no longer holds an educator's or manager's role in the area."""
    return ~exists().where(
        Membership.user_id == DiarySession.educator_id,
        Membership.area_id == area_id,
        Membership.active,
        Membership.role.in_((Role.EDUCATOR, Role.MANAGER)),
    )


def parse_whose(value: str | None) -> Whose:
    """The "educator" filter from a query string: an id, UNASSIGNED, or None for everyone."""
    if value == UNASSIGNED:
        return UNASSIGNED
    # A number too large for the database's integers is nobody, never an overflow in the driver.
    return int(value) if value and value.isdigit() and int(value) < 2**31 else None


def _caseload_query(status: str, educator_id: Whose) -> Select:
    statuses = CASELOAD_FILTERS.get(status, CASELOAD_FILTERS["awaiting"])[1]
    query = select(Referral).where(Referral.status.in_(statuses))
    if status == "attendance_due":
        query = query.where(attendance_due())
    if educator_id == UNASSIGNED:
        query = query.where(Referral.educator_id.is_(None))
    elif educator_id:
        query = query.where(Referral.educator_id == educator_id)
    return query


def caseload(status: str, educator_id: Whose, page: int) -> CaseloadPage:
    """Open cases of one status, oldest first (those waiting longest come first): the page,
    how many there are in all and each case's latest appointment, in one statement.

    The count is a subquery of its own that PostgreSQL works out once, on the caseload index
    (ix_referral_caseload), not a window over the page's rows: a window count joined every case
    of the status to its person and educator before the page's 25 were taken (with 1,500
    awaiting contact, 12 ms of PostgreSQL's time under row-level security instead of 0.9).
    Only the columns shown are read: no records are built for a list."""
    query = _caseload_query(status, educator_id)
    counted = query.with_only_columns(func.count()).correlate(None).scalar_subquery()
    rows = db.session.execute(
        query.with_only_columns(
            Referral.id,
            Referral.reference,
            Person.forename,
            Person.surname,
            Referral.age_group,
            Referral.received_on,
            User.name,
            _latest_appointment(),
            counted,
        )
        .outerjoin(Referral.person)
        .outerjoin(User, User.id == Referral.educator_id)
        .order_by(Referral.received_on, Referral.received_at, Referral.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    if rows or page == 1:
        total = rows[0][-1] if rows else 0
    else:  # a page past the end (cases closed since it was linked): counted apart
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    cases = [
        Case(id_, reference, name_of(forename, surname), age_group, on, educator, appointment)
        for id_, reference, forename, surname, age_group, on, educator, appointment, _ in rows
    ]
    return CaseloadPage(cases, total, page)


def _latest_appointment() -> ScalarSelect[datetime]:
    """The start of the referral's latest booking that was kept or still stands."""
    return (
        select(func.max(DiarySession.starts_at))
        .select_from(Booking)
        .join(Booking.session)
        .where(Booking.referral_id == Referral.id, Booking.status.in_(APPOINTMENT_STATUSES))
        .scalar_subquery()
    )


class Educator(NamedTuple):
    id: int
    name: str


def area_educators(area_id: int) -> tuple[Educator, ...]:
    """Who may hold the area's sessions (its active educators and managers), by name: kept in
    the process, as memberships and names change seldom (divert.area_cache forgets it when
    they do), and the caseload and the diary ask on every page."""

    def read() -> tuple[Educator, ...]:
        rows = db.session.execute(
            select(User.id, User.name)
            .join(Membership)
            .where(
                Membership.area_id == area_id,
                Membership.active,
                Membership.role.in_((Role.EDUCATOR, Role.MANAGER)),
            )
            .order_by(User.name)
        )
        return tuple(Educator(user_id, name) for user_id, name in rows)

    return kept_for_area(area_id, "educators", read)


def diary(
    educator_id: Whose, start: date, days: int, area_id: int, programme_id: int | None = None
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
    if educator_id == UNASSIGNED:
        query = query.where(educator_has_left(area_id))
    elif educator_id:
        query = query.where(DiarySession.educator_id == educator_id)
    if programme_id:
        query = query.where(DiarySession.programme_id == programme_id)
    return list(db.session.scalars(query).unique())
