"""Small-number suppression for published figures.

Counts of 1 to 4 are shown as "fewer than 5" (primary suppression). Where a breakdown's total
is published and only one of its cells is suppressed, that cell could be worked out from the
total and the others, so the next smallest cell is suppressed too (secondary suppression).
Rates and shares worked out from a suppressed count are suppressed with it.
"""

from __future__ import annotations

from dataclasses import dataclass

LOWEST_SHOWN = 5
FEWER_THAN_5 = "fewer than 5"


@dataclass
class Cell:
    count: int | None  # None for a cell that is not a count (a rate, a price)
    text: str
    suppressed: bool = False

    def suppress(self) -> None:
        small = self.count is not None and is_small(self.count)
        self.suppressed, self.text = True, FEWER_THAN_5 if small else "suppressed"


def is_small(count: int) -> bool:
    return 0 < count < LOWEST_SHOWN


def suppress_breakdown(cells: list[Cell]) -> None:
    """Primary then secondary suppression over the cells that add up to a published total."""
    for cell in cells:
        if cell.count is not None and is_small(cell.count):
            cell.suppress()
    hidden = [cell for cell in cells if cell.suppressed]
    if len(hidden) == 1:
        candidates = [c for c in cells if not c.suppressed and c.count]
        if candidates:
            min(candidates, key=lambda c: c.count or 0).suppress()
