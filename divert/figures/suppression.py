"""One small-number rule for every page, sentence, chart, export and API answer.

Publication mode (`publication=True`):
- primary: a count from 1 to the area's threshold less one is shown as "fewer than N";
- secondary, within a column: where the rows of a section add up to a published total and only
  one of them is hidden, the next smallest is hidden too (else the total gives it away);
- secondary, across columns: a row's region figure is the sum of its areas; where that sum
  leaves exactly one hidden figure (an area's, or on an area's page the rest of the region's
  when it is small) another is hidden with it;
- a rate, share or price worked out from a hidden count is hidden with it.

Always, publication or not, for commissioners and regional leads: a column whose period has
fewer referrals (custody contacts, for CARS) than its threshold shows no breakdown that
describes people (age, gender, ethnicity, substance, engagement, outcomes, session content,
assessments, treatment); the across-column rule then keeps the region's figures from giving
them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from divert.models import Role

if TYPE_CHECKING:
    from divert.figures.report import Figures

DEFAULT_THRESHOLD = 5
SUPPRESSED = "suppressed"


def small_periods_restricted(role: Role | None) -> bool:
    """Whether the viewer sees no breakdown of a small period: everyone but the provider's
    managers, who see the cases themselves (it fails closed: an unknown role is restricted)."""
    return role is not Role.MANAGER


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def small_period(threshold: int, subject: str = "referrals") -> str:
    return f"not shown: fewer than {threshold} {subject}"


def is_small(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    return 0 < count < threshold


@dataclass(eq=False)
class Hideable:
    """What suppression needs of a figure: its count, whether it is hidden, and why."""

    count: int | None = None
    suppressed: bool = False
    suppressed_text: str = ""
    withheld: bool = False  # hidden because its period is too small to describe people
    parts: tuple[Hideable, ...] = field(default=(), repr=False)

    def suppress(self, text: str = SUPPRESSED) -> bool:
        """Hide the figure; True when it was not hidden already."""
        if self.suppressed:
            return False
        self.suppressed, self.suppressed_text = True, text
        return True

    def withhold(self, threshold: int, subject: str = "referrals") -> None:
        self.suppressed, self.withheld = True, True
        self.suppressed_text = small_period(threshold, subject)


def _hide_next_smallest(cells: Iterable[Hideable], text: str = SUPPRESSED) -> bool:
    shown = [c for c in cells if not c.suppressed and c.count]
    if not shown:
        return False
    return min(shown, key=lambda c: c.count or 0).suppress(text)


def suppress_breakdown(cells: list[Hideable], threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Primary then secondary suppression over cells that add up to a published total."""
    changed = False
    for cell in cells:
        if cell.count is not None and is_small(cell.count, threshold):
            changed |= cell.suppress(fewer_than(threshold))
    if sum(1 for c in cells if c.suppressed) == 1:
        changed |= _hide_next_smallest(cells)
    return changed


def _across_columns(
    parts: list[Hideable], total: Hideable, *, rest_hidden: bool, rest_small: bool
) -> bool:
    """total = the parts (+ the rest of the region, on an area's page): never one unknown."""
    unknown = [c for c in parts if c.suppressed] + ([total] if total.suppressed else [])
    if len(unknown) + rest_hidden != 1:
        return False
    if unknown:
        return _hide_next_smallest(parts) or total.suppress()
    # Only the rest of the region is unknown: the total would give it away if it is small.
    return total.suppress() if rest_small else False


def _derived(cells: Iterable[Hideable]) -> bool:
    changed = False
    for cell in cells:
        if any(part.suppressed for part in cell.parts):
            changed |= cell.suppress()
    return changed


def apply(figures: Figures, *, publication: bool, restrict_small_periods: bool) -> None:
    """Suppress in place every figure the rule hides (see the module's docstring)."""
    columns = figures.columns
    if restrict_small_periods:
        for index, column in enumerate(columns):
            if is_small(column.counted, column.threshold):  # none: nobody to describe
                for row in figures.rows_describing_people():
                    row.cells[index].withhold(column.threshold, column.subject)
    if publication:
        for section in figures.sections:
            for row in section.rows:
                for index, cell in enumerate(row.cells):
                    if cell.count is not None and is_small(cell.count, columns[index].threshold):
                        cell.suppress(fewer_than(columns[index].threshold))
        for terms in figures.contracts:
            for row in terms.rows:
                for cell in row.cells:
                    if cell.count is not None and is_small(cell.count, terms.area.threshold):
                        cell.suppress(fewer_than(terms.area.threshold))
    changed = True
    while changed:  # hiding one figure may leave another alone: repeat until settled
        changed = _derived(figures.every_cell())
        for section in figures.sections:
            if publication and section.adds_up:
                for index, column in enumerate(columns):
                    cells = [row.cells[index] for row in section.rows]
                    changed |= suppress_breakdown(cells, column.threshold)
            for row in section.rows:
                changed |= _across_row(figures, row.cells, publication)


def _across_row(figures: Figures, cells: list[Hideable], publication: bool) -> bool:
    total_index = figures.total_index
    total = cells[total_index]
    if total.count is None:
        return False
    parts = [c for i, c in enumerate(cells) if i != total_index]
    rest = total.count - sum(c.count or 0 for c in parts)
    # Outside publication mode small counts are shown, so a small rest hides nothing.
    rest_small = publication and is_small(rest, figures.columns[total_index].threshold)
    return _across_columns(parts, total, rest_hidden=figures.total_has_rest, rest_small=rest_small)
