"""Names for the people a load or capacity run refers, that sound like nobody else's.

The repeat check pairs a sound of each name (metaphone, 4 letters) with parts of the date of
birth. A name whose sound no demo person's name has, and that no other simulated person is
given, can never meet an earlier referral, whatever the date of birth: the officers' submissions
are never refused as possible repeats ("referral refused: confirm_repeat").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from divert.demo.builder import DemoBuilder
from divert.matching.keys import sound
from divert.matching.normalise import canonical_forename, surname_parts

# Consonants metaphone keeps as they are when each stands between two "a"s.
CONSONANTS = "BFJKLMNPRST"


def _spelled(number: int) -> tuple[str, str]:
    """The number in base 11 as four consonants: the name, and the sound it must have."""
    letters = []
    for _ in range(4):
        number, digit = divmod(number, len(CONSONANTS))
        letters.append(CONSONANTS[digit])
    code = "".join(letters)
    return "a".join(letters).capitalize() + "a", code


def demo_sounds(seed: int = 2024) -> set[str]:
    """Sounds of every forename and surname the demo region's people are given, as the repeat
    check hears them (nicknames made canonical, double-barrelled surnames split)."""
    builder = DemoBuilder(seed)
    names = {canonical_forename(name) for name in builder.forenames}
    names |= {part for name in builder.surnames for part in surname_parts(name)}
    names |= set(builder.forenames)
    return {sound(name) for name in names}


def unheard_names(taken: set[str], start: int = 0) -> Iterator[str]:
    """Names, each with a sound of its own that is not in `taken` (about 14,000 of them)."""
    for number in itertools.count(start):
        if number >= len(CONSONANTS) ** 4:
            raise RuntimeError("no unused name sounds left")
        name, code = _spelled(number)
        heard = {sound(canonical_forename(name)), *(sound(p) for p in surname_parts(name))}
        if heard == {code} and code not in taken:
            yield name
