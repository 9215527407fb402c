"""The dashboard's figures as sections of rows: one shape for the page, exports and reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from divert.areas.reference_lists import SUBSTANCES
from divert.figures.counts import Counts, area_and_region
from divert.figures.periods import Period
from divert.figures.places import Places, places
from divert.figures.suppression import Cell, is_small, suppress_breakdown
from divert.models import Area

SUBSTANCE_LABELS = dict(SUBSTANCES)


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


@dataclass
class Row:
    label: str
    area: Cell
    region: Cell


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    breakdown: bool = True  # the rows add up to a published total: suppress as a group


def _count_cell(count: int, whole: int | None = None) -> Cell:
    share = f" ({percent(count, whole)})" if whole else ""
    return Cell(count, f"{count:,}{share}")


def _rate_cell(part: int, whole: int) -> Cell:
    return Cell(None, percent(part, whole))


def _breakdown(
    title: str, labels: dict, area: Counter, region: Counter, area_whole: int, region_whole: int
) -> Section:
    keys = sorted(set(area) | set(region), key=lambda k: (-region[k], str(k)))
    return Section(
        title,
        [
            Row(
                str(labels.get(k, k)),
                _count_cell(area[k], area_whole),
                _count_cell(region[k], region_whole),
            )
            for k in keys
        ],
    )


@dataclass
class Dashboard:
    area: Area
    period: Period
    counts: Counts
    region: Counts
    places: Places | None
    sections: list[Section]
    programme: str | None = None  # a programme's code, or None for every programme

    @property
    def narrative(self) -> str:
        """A plain-English summary for the board report."""
        c, months = self.counts, max(len(self.period.months()), 1)
        parts = [f"Referrals were {c.referrals:,}, about {round(c.referrals / months):,} a month"]
        if self.places is not None:
            parts[0] += f", {percent(self.places.used, self.places.allocated)} of the allocation"
        if c.engagement_rate is not None:
            parts.append(
                f"{percent(c.attended, c.decided)} of decided cases engaged with the initial "
                f"session, against {percent(self.region.attended, self.region.decided)} "
                f"across the region"
            )
        if c.substances:
            code, count = c.substances.most_common(1)[0]
            parts.append(
                f"the main substance reported most was {SUBSTANCE_LABELS.get(code, code).lower()} "
                f"({percent(count, c.attended)} of attendees)"
            )
        parts.append(
            "there were no repeat referrals"
            if not c.repeats
            else f"{c.repeats} referrals were repeats ({percent(c.repeats, c.referrals)})"
        )
        return "; ".join(parts) + "."


def build_sections(c: Counts, r: Counts) -> list[Section]:
    return [
        Section(
            "Referrals",
            [
                Row("Referrals received", _count_cell(c.referrals), _count_cell(r.referrals)),
                Row(
                    "Repeat referrals",
                    _count_cell(c.repeats, c.referrals),
                    _count_cell(r.repeats, r.referrals),
                ),
            ],
            breakdown=False,
        ),
        Section(
            "Engagement with the initial one-to-one",
            [
                Row("Attended", _count_cell(c.attended), _count_cell(r.attended)),
                Row("Not engaged", _count_cell(c.not_engaged), _count_cell(r.not_engaged)),
                Row(
                    "Engagement rate",
                    _rate_cell(c.attended, c.decided),
                    _rate_cell(r.attended, r.decided),
                ),
            ],
            breakdown=False,
        ),  # no total of this section is published
        _breakdown(
            "Main substance reported by attendees",
            SUBSTANCE_LABELS,
            c.substances,
            r.substances,
            c.attended,
            r.attended,
        ),
        Section(
            "Age group",
            [
                Row(
                    "Under 18",
                    _count_cell(c.under_18, c.referrals),
                    _count_cell(r.under_18, r.referrals),
                ),
                Row("Adult", _count_cell(c.adult, c.referrals), _count_cell(r.adult, r.referrals)),
            ],
        ),
        _breakdown("Gender", {}, c.genders, r.genders, c.referrals, r.referrals),
        _breakdown("Ethnicity", {}, c.ethnicities, r.ethnicities, c.referrals, r.referrals),
        Section(
            "Outcomes",
            [
                Row(
                    label,
                    _count_cell(getattr(c, name), c.referrals),
                    _count_cell(getattr(r, name), r.referrals),
                )
                for name, label in (
                    ("completed", "Completed"),
                    ("not_engaged", "Not engaged"),
                    ("not_completed", "Not completed"),
                    ("referred_on", "Referred on"),
                    ("ineligible", "Ineligible"),
                    ("withdrawn", "Withdrawn"),
                    ("in_progress", "In progress"),
                )
            ]
            + [
                Row(
                    "Completion rate",
                    _rate_cell(c.completed, c.completed + c.closed_not_completed),
                    _rate_cell(r.completed, r.completed + r.closed_not_completed),
                )
            ],
        ),
        Section(
            "Referrals per month",
            [
                Row(
                    f"{date(y, m, 1):%b %Y}",
                    _count_cell(c.per_month[(y, m)]),
                    _count_cell(r.per_month[(y, m)]),
                )
                for y, m in sorted(set(c.per_month) | set(r.per_month))
            ],
        ),
    ]


def apply_suppression(sections: list[Section]) -> None:
    """Suppress each column of each section; a rate goes with any count it is made from."""
    for section in sections:
        for column in ("area", "region"):
            cells = [getattr(row, column) for row in section.rows]
            counts = [cell for cell in cells if cell.count is not None]
            if section.breakdown:
                suppress_breakdown(counts)
            else:
                for cell in counts:
                    if cell.count is not None and is_small(cell.count):
                        cell.suppress()
            if any(cell.suppressed for cell in counts):
                for cell in cells:
                    if cell.count is None:
                        cell.suppress()


def dashboard(
    area: Area,
    period: Period,
    *,
    programme: str | None = None,
    for_publication: bool = False,
    today: date | None = None,
) -> Dashboard:
    """The area's figures beside the region's, of one programme (by code) or of all."""
    counts, region = area_and_region(area, period, programme)
    as_of = min(today or date.today(), period.end)
    sections = build_sections(counts, region)
    if for_publication:
        apply_suppression(sections)
    return Dashboard(area, period, counts, region, places(area, as_of), sections, programme)
