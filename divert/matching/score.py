"""How alike two records are, as a Fellegi-Sunter match weight, and what that means.

Each field is compared into an agreement level. For each level, m is the probability of seeing
it when the two records are the same person, and u when they are different people; the level
adds log2(m/u) to the weight (a missing value adds nothing). The m values reflect how often
officers' typing goes wrong at the roadside; the u values how often strangers agree by
chance (e.g. two people share a date of birth about once in 20,000 pairs within a decade of
ages). This is the model splink uses, with the parameters set here rather than trained.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from datetime import date

import jellyfish

from divert.matching.normalise import PersonRecord, canonical_forename, plain, surname_parts

MATCH_WEIGHT = 17.0
POSSIBLE_WEIGHT = 9.0


class MatchTier(enum.StrEnum):
    MATCH = "match"
    POSSIBLE = "possible"
    NO_MATCH = "no_match"


# level -> (m, u)
NAME_LEVELS = {
    "exact": (0.86, 0.01),
    "close": (0.08, 0.005),  # Jaro-Winkler >= 0.92: a typo or a variant spelling
    "similar": (0.04, 0.03),  # Jaro-Winkler >= 0.80
    "different": (0.02, 0.955),
}
SURNAME_LEVELS = {
    "exact": (0.86, 0.002),
    "close": (0.08, 0.002),
    "similar": (0.04, 0.02),
    "different": (0.02, 0.976),
}
DATE_LEVELS = {
    "exact": (0.88, 0.00005),
    "day_month_swapped": (0.04, 0.00005),
    "one_part_differs": (0.06, 0.006),
    "same_year": (0.01, 0.05),
    "different": (0.01, 0.948),
}
EXACT_OR_NOT = {
    "phone": {"exact": (0.55, 0.0001), "different": (0.45, 0.9999)},
    "email": {"exact": (0.55, 0.0001), "different": (0.45, 0.9999)},
    "postcode_district": {"exact": (0.75, 0.02), "different": (0.25, 0.98)},
}


def _similarity_level(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    similarity = jellyfish.jaro_winkler_similarity(a, b)
    return "close" if similarity >= 0.92 else "similar" if similarity >= 0.80 else "different"


def _best(levels: list[str]) -> str:
    order = ["exact", "close", "similar", "different", "missing"]
    return min(levels, key=order.index)


def _date_level(a: date | None, b: date | None) -> str:
    if a is None or b is None:
        return "missing"
    if a == b:
        return "exact"
    if (a.year, a.day, a.month) == (b.year, b.month, b.day):
        return "day_month_swapped"
    same = [a.year == b.year, a.month == b.month, a.day == b.day]
    if sum(same) == 2:
        return "one_part_differs"
    return "same_year" if a.year == b.year else "different"


@dataclass(frozen=True)
class Comparison:
    tier: MatchTier
    weight: float
    levels: dict[str, str]


def _names(a: PersonRecord, b: PersonRecord) -> tuple[str, str]:
    """Forename and surname levels, taking the better of straight and swapped order."""
    fa, fb = canonical_forename(a.forename), canonical_forename(b.forename)
    sa, sb = surname_parts(a.surname), surname_parts(b.surname)
    straight = (
        _similarity_level(fa, fb),
        _best([_similarity_level(x, y) for x in sa for y in sb] or ["missing"]),
    )
    swapped_fore = canonical_forename(b.surname)
    swapped = (
        _similarity_level(fa, swapped_fore),
        _best(
            [_similarity_level(x, plain(b.forename).replace(" ", "")) for x in sa] or ["missing"]
        ),
    )
    return min((straight, swapped), key=lambda pair: _rank(pair))


def _rank(pair: tuple[str, str]) -> float:
    return -(_weight(NAME_LEVELS, pair[0]) + _weight(SURNAME_LEVELS, pair[1]))


def _weight(levels: dict[str, tuple[float, float]], level: str) -> float:
    if level == "missing":
        return 0.0
    m, u = levels[level]
    return math.log2(m / u)


def _exact_level(a: str | None, b: str | None) -> str:
    """Phone numbers, emails and postcode districts agree exactly or not at all."""
    if not a or not b:
        return "missing"
    return "exact" if re.sub(r"\W", "", a.lower()) == re.sub(r"\W", "", b.lower()) else "different"


def compare(a: PersonRecord, b: PersonRecord) -> Comparison:
    forename, surname = _names(a, b)
    levels = {
        "forename": forename,
        "surname": surname,
        "date_of_birth": _date_level(a.date_of_birth, b.date_of_birth),
        "phone": _exact_level(a.phone, b.phone),
        "email": _exact_level(a.email, b.email),
        "postcode_district": _exact_level(a.postcode_district, b.postcode_district),
    }
    weight = (
        _weight(NAME_LEVELS, forename)
        + _weight(SURNAME_LEVELS, surname)
        + _weight(DATE_LEVELS, levels["date_of_birth"])
        + sum(_weight(EXACT_OR_NOT[field], levels[field]) for field in EXACT_OR_NOT)
    )
    tier = (
        MatchTier.MATCH
        if weight >= MATCH_WEIGHT
        else MatchTier.POSSIBLE
        if weight >= POSSIBLE_WEIGHT
        else MatchTier.NO_MATCH
    )
    if tier is MatchTier.MATCH and forename == "different":
        # Twins and siblings share a surname, a date of birth and an address; only the
        # forename tells them apart, so a clear forename disagreement is left to a person.
        tier = MatchTier.POSSIBLE
    return Comparison(tier, round(weight, 2), levels)
