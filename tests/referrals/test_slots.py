"""Slots offered at referral respect the area's opening hours and bank holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from divert.models import Area, User
from divert.referrals.slots import open_initial_slots, within_opening_hours
from tests.referrals.builders import session_slot

WEEKDAY_HOURS = {
    day: ["09:00", "17:00"] for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
}


def _area(**settings: object) -> Area:
    return Area(
        opening_hours=settings.get("hours", WEEKDAY_HOURS),
        bank_holidays=settings.get("bank_holidays", "england"),
    )


def _at(year: int, month: int, day: int, hour: int, minutes: int = 60) -> tuple[datetime, datetime]:
    starts = datetime(year, month, day, hour, tzinfo=UTC)
    return starts, starts + timedelta(minutes=minutes)


def test_inside_and_outside_opening_hours() -> None:
    area = _area()
    assert within_opening_hours(area, *_at(2025, 1, 14, 10))  # Tuesday 10:00 GMT
    assert not within_opening_hours(area, *_at(2025, 1, 14, 8))  # before opening
    assert not within_opening_hours(area, *_at(2025, 1, 14, 16, 90))  # runs past closing
    assert not within_opening_hours(area, *_at(2025, 1, 18, 10))  # Saturday: not listed


def test_hours_are_read_in_uk_local_time() -> None:
    # 08:30 UTC in July is 09:30 in London (BST): open.
    starts = datetime(2025, 7, 15, 8, 30, tzinfo=UTC)
    assert within_opening_hours(_area(), starts, starts + timedelta(hours=1))


def test_bank_holidays_are_closed_where_the_area_says_so() -> None:
    christmas = _at(2025, 12, 25, 10)
    boxing_day_monday = _at(2026, 12, 28, 10)  # substitute Boxing Day holiday
    assert not within_opening_hours(_area(), *christmas)
    assert not within_opening_hours(_area(), *boxing_day_monday)
    assert within_opening_hours(_area(bank_holidays=None), *_at(2026, 12, 28, 10))


def test_an_area_without_hours_is_always_open() -> None:
    assert within_opening_hours(_area(hours={}, bank_holidays=None), *_at(2025, 1, 18, 22))


def test_the_soonest_open_slots_inside_hours_are_offered_past_many_outside_them(
    warwickshire: Area, educator: User
) -> None:
    # Read a few at a time: ten early-morning sessions come first and are all closed.
    warwickshire.opening_hours, warwickshire.bank_holidays = WEEKDAY_HOURS, None
    monday = datetime(2027, 1, 11, tzinfo=UTC)  # GMT: local time is UTC
    early = [monday + timedelta(hours=6, minutes=5 * n) for n in range(10)]
    inside = [monday + timedelta(days=1, hours=10, minutes=20 * n) for n in range(9)]
    made = {starts: session_slot(warwickshire, educator, starts_at=starts) for starts in early}
    made |= {starts: session_slot(warwickshire, educator, starts_at=starts) for starts in inside}
    offered = open_initial_slots(warwickshire, monday)
    assert [slot.starts_at for slot in offered] == [
        datetime(2027, 1, 12, 10, 0, tzinfo=UTC),
        datetime(2027, 1, 12, 10, 20, tzinfo=UTC),
        datetime(2027, 1, 12, 10, 40, tzinfo=UTC),
        datetime(2027, 1, 12, 11, 0, tzinfo=UTC),
        datetime(2027, 1, 12, 11, 20, tzinfo=UTC),
        datetime(2027, 1, 12, 11, 40, tzinfo=UTC),
        datetime(2027, 1, 12, 12, 0, tzinfo=UTC),
        datetime(2027, 1, 12, 12, 20, tzinfo=UTC),
    ]
    assert [slot.id for slot in offered] == [made[starts].id for starts in inside[:8]]
