"""Whole numbers and dates typed by people or put in query strings, read one way everywhere.

A number is digits only and within the range the database and the calendar hold; a date is a
real day between MIN_DATE and MAX_DATE, so arithmetic on it (a week on, the day after) cannot
overflow. Anything else is "not a value": query strings fall back to the page's default, forms
say what is wrong. Nothing unparsed reaches SQL or `datetime`.
"""

from __future__ import annotations

from datetime import date

from flask import request

# The largest integer the database holds (a 32-bit signed integer on PostgreSQL).
MAX_INT = 2**31 - 1
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


def parse_int(raw: str | None, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """The whole number `raw` spells (ASCII digits, optional spaces around), if in range."""
    text = (raw or "").strip()
    # Ten digits at most: a longer string is out of range anyway, and int() of a huge one is slow.
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_date(year: str | None, month: str | None, day: str | None) -> date | None:
    """The real day with these parts, between MIN_DATE and MAX_DATE, else None."""
    parts = (
        parse_int(year, minimum=MIN_DATE.year, maximum=MAX_DATE.year),
        parse_int(month, minimum=1, maximum=12),
        parse_int(day, minimum=1, maximum=31),
    )
    if None in parts:
        return None
    try:
        return date(*parts)  # type: ignore[arg-type]
    except ValueError:  # 31 April, 29 February in a common year
        return None


def parse_iso_date(raw: str | None) -> date | None:
    """A date written YYYY-MM-DD (as links and date pickers send it)."""
    text = (raw or "").strip()
    if len(text) != 10 or text[4::3] != "--":
        return None
    return parse_date(text[:4], text[5:7], text[8:])


def query_int(
    name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_INT
) -> int | None:
    """The query string's `name` as a whole number in range, else `default`."""
    value = parse_int(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def query_page(name: str = "page") -> int:
    """A page number: 1 when absent or nonsense."""
    return query_int(name, 1, minimum=1) or 1


def query_date(name: str, default: date | None = None) -> date | None:
    """The query string's `name` as a YYYY-MM-DD date in range, else `default`."""
    return parse_iso_date(request.args.get(name)) or default
