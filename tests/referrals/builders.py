"""Records for referral and session tests, made through the application's own services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from flask import has_request_context
from sqlalchemy import select

from divert.extensions import db
from divert.models import Area, DiarySession, Programme, Referral, SessionKind, User, utcnow
from divert.referrals.submission import create_referral
from divert.tenancy import area_scope
from tests.factories import area


def outside_requests_in(slug: str) -> Iterator[Area]:
    """The area's scope, as a job or a command has it: an app context, no request."""
    here = area(slug)
    with area_scope(here):
        assert not has_request_context()
        yield here


def referral(area: Area, officer: User, **fields: object) -> Referral:
    values: dict[str, object] = {
        "forename": "Alex",
        "surname": "Example",
        "date_of_birth": date(1995, 4, 12),
        "offence_date": date.today(),
        "crime_reference": "CR/123/24",
        "phone": "07700 900123",
    }
    values.update(fields)
    made = create_referral(area=area, officer=officer, **values)  # type: ignore[arg-type]
    db.session.flush()
    return made


def session_slot(
    area: Area,
    educator: User,
    *,
    kind: SessionKind = SessionKind.INITIAL,
    starts_at: datetime | None = None,
    capacity: int = 1,
    programme: str = "divert-adults",
) -> DiarySession:
    """A session of the area's programme with code `programme`."""
    starts_at = starts_at or utcnow().replace(microsecond=0) + timedelta(days=2)
    slot = DiarySession(
        area_id=area.id,
        educator_id=educator.id,
        programme_id=programme_id(area, programme),
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        capacity=capacity,
    )
    db.session.add(slot)
    db.session.flush()
    return slot


def programme_id(area: Area, code: str) -> int:
    return db.session.scalars(
        select(Programme.id).where(Programme.area_id == area.id, Programme.code == code)
    ).one()
