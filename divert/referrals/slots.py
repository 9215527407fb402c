"""Open initial one-to-one slots an officer can book at the point of referral."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from divert.clock import LOCAL
from divert.extensions import db
from divert.models import Area, DiarySession, SessionKind, utcnow

BOOKING_WINDOW = timedelta(days=14)
OFFERED = 8  # enough choice without a phone screen of radios
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BANK_HOLIDAY_CALENDARS = {"england": "ENG", "wales": "WLS", "scotland": "SCT"}


@lru_cache(maxsize=8)
def _bank_holidays(calendar: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=BANK_HOLIDAY_CALENDARS.get(calendar, "ENG"))


def within_opening_hours(area: Area, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether a session falls inside the area's opening hours and off its bank holidays."""
    return within_hours(area.opening_hours, area.bank_holidays, starts_at, ends_at)


def within_hours(
    opening_hours: dict[str, list[str]] | None,
    bank_holidays: str | None,
    starts_at: datetime,
    ends_at: datetime,
) -> bool:
    """Whether `starts_at` to `ends_at` falls inside `opening_hours` ({"monday": ["09:00",
    "19:00"], ...}, local time) and off the calendar's bank holidays.

    No hours at all means open every day; with hours, a day not listed is closed.
    """
    start, end = starts_at.astimezone(LOCAL), ends_at.astimezone(LOCAL)
    if bank_holidays and start.date() in _bank_holidays(bank_holidays):
        return False
    if not opening_hours:
        return True
    hours = opening_hours.get(WEEKDAYS[start.weekday()])
    if not hours:
        return False
    opens, closes = (time.fromisoformat(value) for value in hours)
    return opens <= start.time() and end.time() <= closes and start.date() == end.date()


def open_slots(
    area: Area,
    start: datetime,
    end: datetime,
    *,
    session_id: int | None = None,
    limit: int | None = None,
) -> list[DiarySession]:
    """Initial one-to-one sessions with a free place starting after `start` and by `end`,
    inside opening hours, soonest first (or only the session `session_id`, if it is one); at
    most `limit` of them.

    Opening hours are checked here, not in SQL, so a limited read takes `limit` sessions at a
    time and goes on after the last one read until enough are inside the hours: usually one
    statement, instead of loading every open session of the window to offer a few."""
    query = (
        select(DiarySession)
        .options(joinedload(DiarySession.venue))
        .where(
            DiarySession.kind == SessionKind.INITIAL,
            DiarySession.cancelled_at.is_(None),
            DiarySession.booked_count < DiarySession.capacity,
            DiarySession.starts_at > start,
            DiarySession.starts_at <= end,
        )
        .order_by(DiarySession.starts_at, DiarySession.id)
    )
    if session_id is not None:
        query = query.where(DiarySession.id == session_id)
    if limit is None:
        sessions = db.session.scalars(query).all()
        return [s for s in sessions if within_opening_hours(area, s.starts_at, s.ends_at)]
    found: list[DiarySession] = []
    while True:
        batch = db.session.scalars(query.limit(limit)).all()
        found += [s for s in batch if within_opening_hours(area, s.starts_at, s.ends_at)]
        if len(found) >= limit or len(batch) < limit:
            return found[:limit]
        last = batch[-1]
        query = query.where(
            tuple_(DiarySession.starts_at, DiarySession.id) > tuple_(last.starts_at, last.id)
        )


def open_initial_slots(area: Area, now: datetime | None = None) -> list[DiarySession]:
    """The soonest initial one-to-one sessions with a free place in the next 14 days."""
    now = now or utcnow()
    return open_slots(area, now, now + BOOKING_WINDOW, limit=OFFERED)


def describe(session: DiarySession) -> str:
    """How a slot reads to an officer and the person: 'Tuesday 4 June, 10:00, remote'."""
    local = session.starts_at.astimezone(LOCAL)
    if session.remote:
        where = "remote (phone or video)"
    else:
        where = session.venue.label if session.venue else "venue to be confirmed"
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} – {where}"
