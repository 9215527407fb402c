"""Reporting periods: month, quarter, financial year (April–March), contract, custom dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    """Inclusive dates of referral receipt, with a label for people."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) the period touches, in order."""
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_of_next - timedelta(days=1)


def month(year: int, month_number: int) -> Period:
    start = date(year, month_number, 1)
    return Period(start, _month_end(year, month_number), f"{start:%B %Y}")


def quarter(year: int, number: int) -> Period:
    """Calendar quarter 1–4 of a year."""
    first_month = 3 * (number - 1) + 1
    return Period(
        date(year, first_month, 1),
        _month_end(year, first_month + 2),
        f"{date(year, first_month, 1):%B} to {date(year, first_month + 2, 1):%B %Y}",
    )


def financial_year(starting: int) -> Period:
    """1 April of `starting` to 31 March of the next year."""
    return Period(
        date(starting, 4, 1), date(starting + 1, 3, 31), f"{starting}–{(starting + 1) % 100:02d}"
    )


def custom(start: date, end: date) -> Period:
    return Period(start, end, f"{start:%-d %B %Y} to {end:%-d %B %Y}")


def financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def month_of(day: date) -> date:
    """The first day of `day`'s month: the monthly summary's key."""
    return day.replace(day=1)


def month_end(first: date) -> date:
    return _month_end(first.year, first.month)


@dataclass(frozen=True)
class Split:
    """A span of dates cut into whole months (`months`: the first and the last, inclusive, or
    None) and the part-months left at its ends (`edges`: inclusive date ranges)."""

    months: tuple[date, date] | None
    edges: tuple[tuple[date, date], ...]


def split(start: date, end: date) -> Split:
    """Whole months are read from the monthly summary, part-months from the records."""
    first = start if start.day == 1 else month_end(month_of(start)) + timedelta(days=1)
    last = month_of(end + timedelta(days=1)) - timedelta(days=1)  # the last whole month's end
    if first > last:
        return Split(None, ((start, end),) if start <= end else ())
    edges = []
    if start < first:
        edges.append((start, first - timedelta(days=1)))
    if last < end:
        edges.append((last + timedelta(days=1), end))
    return Split((first, month_of(last)), tuple(edges))
