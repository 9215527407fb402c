"""The force's CSV files: reoffending results and eligible offences per month.

Every line is read and checked before anything is saved; a line that cannot be read is named
by its line number in the file (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from divert.outcomes.follow_up import Result
from divert.refusals import Refusal

RESULT_COLUMNS = (
    "reference",
    "crime_reference",
    "reoffended",
    "offence_count",
    "first_offence_on",
    "any_violent",
    "any_alcohol",
)
ELIGIBLE_COLUMNS = ("month", "eligible_offences")
MAX_LINES = 20_000

YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}

T = TypeVar("T")


class FileRefused(ValueError):
    """The file as a whole cannot be read (not CSV, wrong columns, too long)."""


@dataclass(frozen=True)
class Line:
    """One line of a file: what it says, and why it was refused when it was."""

    number: int
    values: dict[str, str]
    parsed: Any = None
    refusal: Refusal | None = None


def _yes_no(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise Refusal(column, f"{column} must be yes or no, not “{value}”")


def _count(value: str, column: str) -> int:
    text = value.strip() or "0"
    if not text.isdigit() or len(text) > 7:
        raise Refusal(column, f"{column} must be a whole number, not “{value}”")
    return int(text)


def _date(value: str, column: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise Refusal(column, f"{column} must be a date like 2026-03-27, not “{value}”")


def _month(value: str, column: str) -> date:
    text = value.strip()
    for form in ("%Y-%m", "%Y-%m-%d", "%m/%Y"):
        try:
            return datetime.strptime(text, form).date().replace(day=1)
        except ValueError:
            continue
    raise Refusal(column, f"{column} must be a month like 2026-03, not “{value}”")


def _rows(text: str, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    if "\x00" in text:
        raise FileRefused("The file is not a CSV file")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in columns if column not in header]
    if missing:
        raise FileRefused(f"The first line must name the columns: {', '.join(columns)}")
    reader.fieldnames = header
    for row in reader:
        if reader.line_num > MAX_LINES:
            raise FileRefused(f"The file has more than {MAX_LINES:,} lines: split it")
        values = {column: (row.get(column) or "").strip() for column in columns}
        if any(values.values()):
            yield reader.line_num, values


def _lines(text: str, columns: tuple[str, ...], parse: Callable[[dict[str, str]], T]) -> list[Line]:
    lines = []
    try:
        for number, values in _rows(text, columns):
            try:
                lines.append(Line(number, values, parsed=parse(values)))
            except Refusal as refusal:
                lines.append(Line(number, values, refusal=refusal))
    except csv.Error as error:
        raise FileRefused(f"The file is not a CSV file: {error}") from error
    if not lines:
        raise FileRefused("The file has no lines after its header")
    return lines


def _result(values: dict[str, str]) -> Result:
    if not values["reference"]:
        raise Refusal("reference", "reference is empty")
    return Result(
        reference=values["reference"].upper(),
        crime_reference=values["crime_reference"] or None,
        reoffended=_yes_no(values["reoffended"], "reoffended"),
        offence_count=_count(values["offence_count"], "offence_count"),
        first_offence_on=_date(values["first_offence_on"], "first_offence_on"),
        any_violent=_yes_no(values["any_violent"], "any_violent"),
        any_alcohol=_yes_no(values["any_alcohol"], "any_alcohol"),
    )


def result_lines(text: str) -> list[Line]:
    return _lines(text, RESULT_COLUMNS, _result)


def _eligible(values: dict[str, str]) -> tuple[date, int]:
    if not values["eligible_offences"]:
        raise Refusal("eligible_offences", "eligible_offences is empty")
    return (
        _month(values["month"], "month"),
        _count(values["eligible_offences"], "eligible_offences"),
    )


def eligible_lines(text: str) -> list[Line]:
    return _lines(text, ELIGIBLE_COLUMNS, _eligible)
