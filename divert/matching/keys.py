"""Blocking keys: short strings stored with an index, so that candidates for a new record
are looked up, never scanned for.

Every key pairs part of the date of birth with a sound of the name, so that one typing error
(in the day, the month or the year; a day and month swapped; a misspelt or double-barrelled
surname) still leaves at least one key in common, while no key is as common as a surname alone.
"""

from __future__ import annotations

from datetime import date

import jellyfish

from divert.matching.normalise import PersonRecord, canonical_forename, surname_parts


def sound(name: str) -> str:
    """A phonetic code (metaphone): Smith and Smyth sound alike."""
    return jellyfish.metaphone(name)[:4] if name else ""


def _date_keys(born: date) -> list[str]:
    low, high = sorted((born.day, born.month))
    return [
        f"{born.year}|{low}|{high}",  # exact, or day and month swapped
        f"y{born.year}|m{born.month}",  # the day mistyped
        f"y{born.year}|d{born.day}",  # the month mistyped
        f"m{born.month}|d{born.day}",  # the year mistyped
    ]


def _name_keys(person: PersonRecord, prefix: str) -> set[str]:
    forename = sound(canonical_forename(person.forename))
    if not forename:
        return set()
    surnames = {sound(part) for part in surname_parts(person.surname)} - {""}
    pairs = {(forename, s) for s in surnames} | {(s, forename) for s in surnames}
    return {f"{prefix}:{first}|{second}" for first, second in pairs}


def index_keys(person: PersonRecord) -> set[str]:
    """The keys stored for a person.

    With a date of birth: date part + name sound. Without one: the name sounds alone, under a
    prefix of their own, so that only records missing a date of birth are found by name only.
    """
    forename = sound(canonical_forename(person.forename))
    surnames = {sound(part) for part in surname_parts(person.surname)} - {""}
    if person.date_of_birth is None:
        return _name_keys(person, "n")
    names = surnames | ({forename} if forename else set())  # forename and surname swapped
    exact, *partial = _date_keys(person.date_of_birth)
    keys = {f"d:{exact}|{name}" for name in names}
    keys |= {f"p:{key}|{name}" for key in partial for name in surnames}
    return keys | _name_keys(person, "x")


def lookup_keys(person: PersonRecord) -> set[str]:
    """The keys to look up for a new record: its own, plus name-only keys across the
    date-of-birth divide (a record without a date of birth meets one with, by name)."""
    if person.date_of_birth is None:
        return _name_keys(person, "n") | _name_keys(person, "x")
    return index_keys(person) - _name_keys(person, "x") | _name_keys(person, "n")
