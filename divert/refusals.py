"""How a use case says no: a refusal that names the field at fault.

Every domain action (divert/referrals/use_cases.py, divert/sessions/use_cases.py) raises one of
these instead of returning an error string, so each caller puts the message where it belongs by
the field's name alone: a web view next to the form field of that name, the API in its JSON error
(`field`, and `fields` for several), a command on its output. Nobody reads the message to guess
which field it is about.

- `Refusal`: what was asked for is not acceptable as given (the API answers 422).
- `Conflict`: it would be, but the records are not in a state that allows it now: the slot is
  full, the case is closed (the API answers 409).
- `Invalid`: several fields at fault at once, each with its message (422).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date


class Refusal(ValueError):
    """A use case refused: `field` names the value at fault, `message` is fit to show the user,
    `code` is a stable machine-readable name for API clients."""

    default_code = "refused"

    def __init__(self, field: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code or self.default_code

    @property
    def problems(self) -> dict[str, str]:
        """Every field at fault with its message (one, unless this is an Invalid)."""
        return {self.field: self.message}


class Conflict(Refusal):
    """Refused because of the records' present state, not the values sent."""

    default_code = "conflict"


class Invalid(Refusal):
    """Several fields at fault; `field` and `message` are the first of them."""

    default_code = "invalid"

    def __init__(self, problems: Mapping[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(field, message)
        self._problems = dict(problems)

    @property
    def problems(self) -> dict[str, str]:
        return dict(self._problems)


def dated(
    day: date | None,
    field: str,
    *,
    what: str,
    today: date,
    not_later: str,
    earliest: date | None = None,
    since: str = "",
) -> date:
    """`day`, given, not after `today` and not before `earliest` (the day `since` says);
    otherwise a refusal naming `field` that says so of `what` ("the date of the outcome"),
    `not_later` saying how ("today or in the past")."""
    said = what[:1].upper() + what[1:]
    if day is None:
        raise Refusal(field, f"Enter {what}")
    if day > today:
        raise Refusal(field, f"{said} must be {not_later}")
    if earliest is not None and day < earliest:
        raise Refusal(field, f"{said} must be on or after {since} ({earliest:%-d %B %Y})")
    return day
