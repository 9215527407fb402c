"""The figures presented once: sections of rows (label, value, share, suppressed) for the area
and regional dashboards, the board reports, the exports and the API. Templates only loop over
them; exports and the API only lay them out.

A table has one column per area shown and, last, the region pooled (the total of its areas: on
an area's page the other areas are in it but not shown). Every cell is built from the counts
and the contracts, then the one suppression rule (divert.figures.suppression) hides what it
must, and only then are the sentences written, from the cells, so no sentence says what a table
hides.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, TypeVar, Unpack

from divert.figures import suppression
from divert.figures.counts import (
    Counts,
    Labels,
    counts_by_area,
    pooled,
    programme_choices,
    reference_labels,
)
from divert.figures.money import AreaMoney, ContractUse, PeriodMoney, money_by_area
from divert.figures.periods import Period
from divert.figures.rounding import money_text, pence, percent_text, share, whole
from divert.figures.suppression import Hideable
from divert.models import Area, Pricing, Region

EXAMPLE = " (example)"
PRO_RATA_NOTE = (
    "Places and costs for the period are each contract's, shared out by the number of its days "
    "that fall in the period (pro rata by days)."
)


class Kind(enum.StrEnum):
    COUNT = "count"
    RATE = "rate"  # a fraction, shown as a percentage
    MONEY = "money"  # pence, shown in pounds
    PLACES = "places"
    AVERAGE = "average"  # referrals a month
    PER_PERSON = "per_person"  # offences a person, to one decimal place
    TEXT = "text"


ROUNDING_NOTE = (
    "Percentages are rounded half up: to one decimal place under 10%, to a whole percent otherwise."
)


@dataclass(eq=False)
class Cell(Hideable):
    """One figure of one column. `share` is a count's share of its section's whole."""

    kind: Kind = Kind.COUNT
    value: int | Decimal | str | None = None
    share: Decimal | None = None
    example: bool = False

    @property
    def text(self) -> str:
        if self.suppressed:
            return self.suppressed_text
        if self.value is None:
            return "–"
        if self.kind is Kind.TEXT:
            return str(self.value)
        if self.kind is Kind.RATE:
            text = percent_text(Decimal(self.value))
        elif self.kind is Kind.MONEY:
            text = money_text(int(self.value))
        elif self.kind is Kind.PER_PERSON:
            text = f"{Decimal(self.value):.1f}"
        else:
            text = f"{int(self.value):,}"
        if self.share is not None:
            text += f" ({percent_text(self.share)})"
        return text + (EXAMPLE if self.example else "")

    @property
    def shown(self) -> bool:
        return not self.suppressed and self.value is not None


def count(value: int, whole_of: int | None = None) -> Cell:
    return Cell(count=value, value=value, share=share(value, whole_of) if whole_of else None)


@dataclass(eq=False)
class Row:
    label: str
    cells: list[Cell]
    key: str = ""  # the breakdown value's code, e.g. "cannabis"
    describes_people: bool = False
    from_data: bool = False  # a value found in the records, not a fixed label

    @property
    def withheld(self) -> bool:
        """Found only among people withheld as too few to describe (the rest are zeros): even
        its label would say something about them ("Female"), so the row is left out."""
        return (
            self.from_data
            and any(cell.withheld for cell in self.cells)
            and all(cell.withheld or cell.value == 0 for cell in self.cells)
        )


@dataclass(eq=False)
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    adds_up: bool = False  # the rows add up to a published total (secondary suppression)
    breakdown: bool = False  # the rows are the values of one figure (tidy exports)
    note: str | None = None
    group: str | None = None  # where a page lays it out: None with the activity figures


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: its label, its figure as the table shows it, and the bar's
    length as a percentage of the longest bar. A hidden figure draws no bar (length 0), and the
    scale is the largest figure shown, so no bar tells how big a hidden one is."""

    label: str
    text: str
    length: Decimal


@dataclass(frozen=True)
class Chart:
    """A bar chart of one column of a section, drawn before that section's table."""

    id: str
    title: str
    bars: list[Bar]


# The sections drawn as charts as well as tables: the breakdowns a reader compares by eye.
CHARTED = ("substances", "months")


def _length(value: Decimal | None, top: Decimal) -> Decimal:
    """A bar's length in percent of the chart's largest figure shown, to one decimal place."""
    if value is None or not top:
        return Decimal(0)
    return (100 * value / top).quantize(Decimal("0.1"))


def _chart(section: Section, column: Column, index: int, id_prefix: str) -> Chart:
    cells = [row.cells[index] for row in section.rows]
    values = [Decimal(cell.value) if cell.shown else None for cell in cells]  # type: ignore[arg-type]
    top = max((v for v in values if v is not None), default=Decimal(0))
    bars = [
        Bar(row.label, cell.text, _length(value, top))
        for row, cell, value in zip(section.rows, cells, values, strict=True)
    ]
    return Chart(
        f"{id_prefix}-{section.key}-{index}", f"{column.name}: {_label(section.title)}", bars
    )


@dataclass(frozen=True)
class Column:
    """An area's (or the region's) column; `counted` is how many of its `subject` the period
    has (referrals; custody contacts for CARS): fewer than `threshold` make the period small."""

    slug: str
    name: str
    threshold: int
    counted: int
    subject: str = "referrals"


@dataclass(eq=False)
class ContractTerms:
    """One contract overlapping the period, as signed, with its use so far."""

    area: Column
    use: ContractUse
    rows: list[Row]

    @property
    def title(self) -> str:
        label = self.use.contract.label
        marked = self.use.contract.is_example and "example" not in label.lower()
        return f"{label}{EXAMPLE if marked else ''}"

    @property
    def warning(self) -> str | None:
        used = self.rows[0].cells[0] if self.rows else None
        return None if used is None or used.suppressed else self.use.warning


@dataclass
class ColumnCells:
    """The cells of one column by the name of the count they show (what the API reads)."""

    named: dict[str, Cell] = field(default_factory=dict)
    breakdowns: dict[str, dict[Any, Cell]] = field(default_factory=dict)


@dataclass(eq=False)
class Figures:
    period: Period
    as_of: date
    columns: list[Column]
    sections: list[Section]
    contracts: list[ContractTerms]
    by_column: list[ColumnCells]
    total_index: int  # the region's column: the total of the areas' (and of any not shown)
    total_has_rest: bool
    publication: bool
    narrative: list[str] = field(default_factory=list)
    programme: str | None = None  # a programme's code, or None for every programme
    programme_name: str = "All programmes"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def rows_describing_people(self) -> Iterator[Row]:
        for section in self.sections:
            yield from (row for row in section.rows if row.describes_people)

    def every_cell(self) -> Iterator[Cell]:
        for section in self.sections:
            for row in section.rows:
                yield from row.cells
        for terms in self.contracts:
            for row in terms.rows:
                yield from row.cells

    def charts(self, section: Section, id_prefix: str) -> list[Chart]:
        """The charts drawn before a section's table: one per area shown, not the region
        pooled (its figures are the table's last column)."""
        if section.key not in CHARTED or not section.rows:
            return []
        return [
            _chart(section, column, index, id_prefix)
            for index, column in enumerate(self.columns[: self.total_index])
        ]

    def cell(self, index: int, name: str) -> Cell:
        return self.by_column[index].named[name]

    @property
    def notes(self) -> list[str]:
        """What a reader of any copy (page, export, report) must know to read it right."""
        return [
            f"{self.programme_name}: "
            + (
                "its referrals only, and its contracts' places and money."
                if self.programme
                else "places and money add up every programme's contracts, each counting its "
                "own programme's referrals."
            ),
            f"Referrals received from {self.period.start:%-d %B %Y} to {self.period.end:%-d %B %Y}"
            f", as of {self.as_of:%-d %B %Y}; entries voided as made in error are not counted.",
            ROUNDING_NOTE,
            "A month's average counts only the months of the period that have begun.",
            PRO_RATA_NOTE,
            "Figures marked (example) come from values that were not published.",
            *self.hiding_notes("referrals"),
        ]

    def hiding_notes(self, subject: str) -> list[str]:
        """What is hidden and why: small counts for publication, and the figures describing
        people in a period with fewer `subject` (what makes a period small) than a threshold."""
        notes = []
        if self.publication:
            thresholds = sorted({c.threshold for c in self.columns})
            notes.append(
                "For publication: counts under "
                + " or ".join(str(t) for t in thresholds)
                + " are shown as 'fewer than', and any figure that would reveal one as "
                "'suppressed'."
            )
        notes.append(
            f"Where a period has fewer {subject} than the area's threshold, figures describing "
            "people are not shown to commissioners and regional leads."
        )
        return notes


def elapsed_months(period: Period, as_of: date) -> int:
    """Months of the period that have begun by `as_of` (at least one)."""
    return max(sum(1 for y, m in period.months() if date(y, m, 1) <= as_of), 1)


def _label(text: str) -> str:
    """A label inside a sentence: "cannabis", but "MDMA or ecstasy" as it is."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _people_rows(
    cells: list[ColumnCells], name: str, keys: list[Any], label: Callable[[Any], str]
) -> list[Row]:
    return [
        Row(
            label(key),
            [c.breakdowns[name][key] for c in cells],
            str(key),
            describes_people=True,
            from_data=True,
        )
        for key in keys
    ]


def _breakdown_keys(counters: list[Counter[Any]], total: Counter[Any]) -> list[Any]:
    keys: set[Any] = set()
    for counter in counters:
        keys |= set(counter)
    return sorted(keys, key=lambda k: (-total[k], str(k)))


def _column_cells(
    c: Counts, m: PeriodMoney, months: int, keys: dict[str, list[Any]]
) -> ColumnCells:
    """Every cell of one column; a figure worked out from counts lists them as its parts."""
    cells = ColumnCells()
    n = cells.named
    n["referrals"] = count(c.referrals)
    n["average_a_month"] = Cell(
        kind=Kind.AVERAGE, value=whole(Decimal(c.referrals) / months), parts=(n["referrals"],)
    )
    n["repeats"] = count(c.repeats, c.referrals)
    for name in ("attended", "not_engaged", "naloxone_kits"):
        n[name] = count(getattr(c, name))
    n["engagement_rate"] = Cell(
        kind=Kind.RATE,
        value=share(c.attended, c.decided),
        parts=(n["attended"], n["not_engaged"]),
    )
    for name in (
        "under_18",
        "adult",
        "completed",
        "not_completed",
        "referred_on",
        "ineligible",
        "withdrawn",
        "in_progress",
    ):
        n[name] = count(getattr(c, name), c.referrals)
    # Completed ÷ (completed + closed not completed); cases in progress or referred on are in
    # neither. A case closed not engaged was not completed either.
    n["completion_rate"] = Cell(
        kind=Kind.RATE,
        value=share(c.completed, c.completed + c.not_engaged + c.not_completed),
        parts=(n["completed"], n["not_engaged"], n["not_completed"]),
    )
    # The same quantity shows once as one cell wherever it appears, so hiding it hides it all.
    n["outcome_not_engaged"] = n["not_engaged"]
    wholes = {"substances": c.attended, "genders": c.referrals, "ethnicities": c.referrals}
    for name, counter in (
        ("substances", c.substances),
        ("genders", c.genders),
        ("ethnicities", c.ethnicities),
        ("onward", c.onward),
        ("per_month", c.per_month),
    ):
        cells.breakdowns[name] = {key: count(counter[key], wholes.get(name)) for key in keys[name]}
    covered = m.covered_days > 0
    places = None if m.places is None or not covered else whole(m.places)
    cost = m.cost_pence if covered else None
    n["places_for_period"] = Cell(kind=Kind.PLACES, value=places, example=m.places_are_example)
    # The referrals the contracts are for: every referral in one programme's figures; in every
    # programme's, those of the programmes with a contract in the period. Not a row of its own,
    # but the share of places and the cost per referral would reveal it, so it is their part.
    contracted = n["referrals"] if m.referrals == c.referrals else count(m.referrals)
    n["referrals_with_contract"] = contracted
    n["share_of_places_used"] = Cell(
        kind=Kind.RATE,
        value=share(m.referrals, m.places) if m.places else None,
        parts=(contracted,),
        example=m.places_are_example,
    )
    n["cost_for_period"] = Cell(kind=Kind.MONEY, value=cost, example=m.cost_is_example)
    for name, denominator, part in (
        ("cost_per_referral", m.referrals, contracted),
        ("cost_per_attendee", c.attended, n["attended"]),
    ):
        n[name] = Cell(
            kind=Kind.MONEY,
            value=pence(Decimal(m.cost_pence) / denominator) if covered and denominator else None,
            parts=(part,),
            example=m.cost_is_example,
        )
    return cells


def _sections(
    cells: list[ColumnCells], keys: dict[str, list[Any]], labels: Labels
) -> list[Section]:
    def row(label: str, name: str, people: bool = False) -> Row:
        return Row(label, [c.named[name] for c in cells], name, describes_people=people)

    def months_label(key: tuple[int, int]) -> str:
        return f"{date(key[0], key[1], 1):%b %Y}"

    return [
        Section(
            "referrals",
            "Referrals",
            [
                row("Referrals received", "referrals"),
                row("Average a month", "average_a_month"),
                row("Repeat referrals", "repeats", people=True),
            ],
        ),
        Section(
            "engagement",
            "Engagement with the initial one-to-one",
            [
                row("Attended", "attended", True),
                row("Not engaged", "not_engaged", True),
                row("Engagement rate", "engagement_rate", True),
            ],
        ),
        Section(
            "substances",
            "Main substance reported by attendees",
            _people_rows(
                cells, "substances", keys["substances"], lambda k: labels.substances.get(k, k)
            ),
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "age",
            "Age group",
            [row("Under 18", "under_18", True), row("Adult", "adult", True)],
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "gender",
            "Gender",
            _people_rows(cells, "genders", keys["genders"], lambda k: str(k).capitalize()),
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "ethnicity",
            "Ethnicity",
            _people_rows(cells, "ethnicities", keys["ethnicities"], str),
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "outcomes",
            "Outcomes",
            [
                row("Completed", "completed", True),
                row("Not engaged", "outcome_not_engaged", True),
                row("Not completed", "not_completed", True),
                row("Referred on", "referred_on", True),
                row("Ineligible", "ineligible", True),
                row("Withdrawn", "withdrawn", True),
                row("In progress", "in_progress", True),
            ],
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "completion",
            "Completion",
            [row("Completion rate", "completion_rate", True)],
        ),
        Section(
            "session_content",
            "Naloxone and onward referrals at sessions attended",
            [
                row("Naloxone kits supplied", "naloxone_kits", True),
                *_people_rows(
                    cells,
                    "onward",
                    keys["onward"],
                    lambda k: f"Onward referral: {labels.services.get(k, k)}",
                ),
            ],
        ),
        Section(
            "months",
            "Referrals per month",
            [
                Row(
                    months_label(key),
                    [c.breakdowns["per_month"][key] for c in cells],
                    f"{key[0]}-{key[1]:02d}",
                )
                for key in keys["per_month"]
            ],
            adds_up=True,
            breakdown=True,
        ),
        Section(
            "money",
            "Places and costs for the period",
            [
                row("Places allocated for the period", "places_for_period"),
                row("Share of those places used", "share_of_places_used"),
                row("Cost for the period", "cost_for_period"),
                row("Cost per referral", "cost_per_referral"),
                row("Cost per person who attended", "cost_per_attendee"),
            ],
            note=PRO_RATA_NOTE,
        ),
    ]


def _text(value: str | None) -> Cell:
    return Cell(kind=Kind.TEXT, value=value)


def _contract_terms(column: Column, use: ContractUse) -> ContractTerms:
    contract = use.contract
    used = count(use.used)
    pricing = (
        f"Per place: {money_text(use.unit_price_pence)} a place"
        if use.unit_price_pence is not None
        else "Fixed contribution for the period"
    )
    rows = [
        Row("Places used to date", [used], "used"),
        Row("Programme", [_text(contract.programme.name)]),
        Row("Dates", [_text(f"{contract.starts_on:%-d %B %Y} to {contract.ends_on:%-d %B %Y}")]),
        Row(
            "Go-live date",
            [_text(f"{contract.go_live_on:%-d %B %Y}" if contract.go_live_on else None)],
        ),
        Row("Pricing", [_text(pricing)]),
        Row(
            "Places allocated",
            [
                Cell(
                    kind=Kind.PLACES,
                    value=contract.places_allocated,
                    example=contract.places_example,
                )
            ],
        ),
        Row(
            "Value" if contract.pricing is Pricing.PER_PLACE else "Contribution",
            [Cell(kind=Kind.MONEY, value=contract.value_pence, example=contract.value_example)],
        ),
        Row("Funding source", [_text(contract.funding_source)]),
        Row("Extends", [_text(contract.extends.label if contract.extends else None)]),
        Row(
            "Utilisation",
            [
                Cell(
                    kind=Kind.RATE,
                    value=share(use.used, use.allocated) if use.allocated else None,
                    parts=(used,),
                    example=contract.places_example,
                )
            ],
        ),
        Row(
            "Spend to date",
            [
                Cell(
                    kind=Kind.MONEY,
                    value=use.spend_to_date_pence,
                    parts=(used,) if use.per_place else (),
                    example=contract.value_example,
                )
            ],
        ),
        Row(
            "Projected use by the end of the contract (at the rate since go-live)",
            [Cell(kind=Kind.PLACES, value=use.projected_use, parts=(used,))],
        ),
    ]
    return ContractTerms(column, use, rows)


def _narrative(figures: Figures, index: int, labels: Labels) -> str:
    """One plain-English paragraph for a column, built from its (suppressed) cells."""

    def cell(name: str) -> Cell:
        return figures.cell(index, name)

    compare = figures.total_index if figures.total_index != index else None
    first = f"Referrals were {cell('referrals').text}"
    if cell("average_a_month").shown:
        first += f", about {cell('average_a_month').text} a month"
    if cell("share_of_places_used").shown:
        first += f", {cell('share_of_places_used').text} of the places allocated for the period"
    parts = [first]
    rate = cell("engagement_rate")
    if rate.suppressed:
        parts.append(f"the engagement rate is {rate.suppressed_text}")
    elif rate.value is not None:
        sentence = f"{rate.text} of decided cases engaged with the initial session"
        if compare is not None and figures.cell(compare, "engagement_rate").shown:
            sentence += (
                f", against {figures.cell(compare, 'engagement_rate').text} across the region"
            )
        parts.append(sentence)
    substances = [
        (cells.value, key, cells)
        for key, cells in figures.by_column[index].breakdowns["substances"].items()
        if cells.shown and cells.value
    ]
    if substances:
        _value, code, top = max(substances, key=lambda item: (item[0], item[1]))
        label = _label(labels.substances.get(code, code))
        parts.append(
            f"the main substance reported most was {label} ({percent_text(top.share)} of attendees)"
        )
    repeats = cell("repeats")
    if repeats.suppressed:
        parts.append(f"repeat referrals: {repeats.suppressed_text}")
    elif repeats.value == 0:
        parts.append("there were no repeat referrals")
    else:
        parts.append(f"{repeats.value} referrals were repeats ({percent_text(repeats.share)})")
    return "; ".join(parts) + "."


def build(
    region: Region,
    period: Period,
    *,
    shown: list[Area],
    restrict_small_periods: bool,
    publication: bool = False,
    programme: str | None = None,
    today: date | None = None,
    extra_sections: Callable[[list[Area], date], list[Section]] | None = None,
) -> Figures:
    """The figures of `shown` areas (each a column) and of the region pooled, suppressed; of
    one programme (by its code) or of every programme. Places and money are that programme's
    contracts', or every programme's added up. `extra_sections` gives more sections of the same
    columns (given the areas and today), suppressed with the rest."""
    today = today or date.today()
    as_of = min(today, period.end)
    by_area = counts_by_area(region, period, programme)
    money = money_by_area(region, period, as_of, programme)
    labels = reference_labels(region, prefer=shown[0] if len(shown) == 1 else None)
    total_counts = pooled(by_area)
    total_money = _pooled_money(money, period)
    counts_list = [by_area[a.id] for a in shown] + [total_counts]
    money_list = [money[a.id].period for a in shown] + [total_money]
    keys = {
        name: _breakdown_keys([getattr(c, name) for c in counts_list], getattr(total_counts, name))
        for name in ("substances", "genders", "ethnicities", "onward")
    }
    keys["per_month"] = sorted(set().union(*(set(c.per_month) for c in counts_list)))
    months = elapsed_months(period, as_of)
    cells = [
        _column_cells(c, m, months, keys) for c, m in zip(counts_list, money_list, strict=True)
    ]
    columns = columns_of(region, shown, {key: c.referrals for key, c in by_area.items()})
    contracts = [
        _contract_terms(column, use)
        for column, area in zip(columns, shown, strict=False)
        for use in money[area.id].contracts
    ]
    figures = Figures(
        period=period,
        as_of=as_of,
        columns=columns,
        sections=_sections(cells, keys, labels)
        + (extra_sections(shown, today) if extra_sections else []),
        contracts=contracts,
        by_column=cells,
        total_index=len(columns) - 1,
        total_has_rest=len(shown) < len(region.areas),
        publication=publication,
        programme=programme,
    )
    if programme is not None:
        figures.programme_name = dict(programme_choices(region)).get(programme, programme)
    if publication:  # the one count that is in no row: the rule applies to it all the same
        for column, column_cells in zip(columns, cells, strict=True):
            contracted = column_cells.named["referrals_with_contract"]
            if suppression.is_small(contracted.count or 0, column.threshold):
                contracted.suppress(suppression.fewer_than(column.threshold))
    suppression.apply(
        figures, publication=publication, restrict_small_periods=restrict_small_periods
    )
    _leave_out_withheld_rows(figures)
    figures.narrative = [_narrative(figures, i, labels) for i in range(len(columns))]
    return figures


def columns_of(
    region: Region, shown: list[Area], counted: dict[int, int], subject: str = "referrals"
) -> list[Column]:
    """A column for each area shown, then the region's: what every area of it counted, under
    the highest threshold of its areas."""
    columns = [
        Column(a.slug, a.name, a.suppression_threshold, counted[a.id], subject) for a in shown
    ]
    threshold = max(
        (a.suppression_threshold for a in region.areas), default=suppression.DEFAULT_THRESHOLD
    )
    columns.append(Column(region.slug, region.name, threshold, sum(counted.values()), subject))
    return columns


def _leave_out_withheld_rows(figures: Figures) -> None:
    """Rows whose very label would describe withheld people go, from every copy of them."""
    dropped: set[int] = set()
    for section in figures.sections:
        dropped |= {id(cell) for row in section.rows if row.withheld for cell in row.cells}
        section.rows = [row for row in section.rows if not row.withheld]
    for column in figures.by_column:
        for name, cells in column.breakdowns.items():
            column.breakdowns[name] = {k: c for k, c in cells.items() if id(c) not in dropped}


def _pooled_money(money: dict[int, AreaMoney], period: Period) -> PeriodMoney:
    """The areas' contracts added up; an area with no contract in the period (of the programme
    shown) bought no places in it, which leaves the others' known."""
    total = PeriodMoney(0, Decimal(0), False, False, 0, period.days)
    for area_money in money.values():
        if area_money.period.covered_days:
            total = total + area_money.period
    return total


class Presented(TypedDict, total=False):
    """How figures are presented: for publication (small counts hidden; not by default);
    whether a period with few people hides the figures describing them (by default an area's
    does not, a region's does); the day they are as of (today by default)."""

    publication: bool
    restrict_small_periods: bool
    today: date | None


class ProgrammePresented(Presented, total=False):
    """As Presented, of one programme (by its code) or, None as by default, of every one."""

    programme: str | None


Built = TypeVar("Built", bound="Figures")


def of_area(
    builder: Callable[..., Built],
    area: Area,
    period: Period,
    *,
    restrict_small_periods: bool = False,
    **more: Any,
) -> Built:
    """`builder`'s figures of an area (one column) beside its region pooled."""
    return builder(
        area.region, period, shown=[area], restrict_small_periods=restrict_small_periods, **more
    )


def of_region(
    builder: Callable[..., Built],
    region: Region,
    period: Period,
    *,
    restrict_small_periods: bool = True,
    **more: Any,
) -> Built:
    """`builder`'s figures of every area of a region side by side, and the region pooled."""
    return builder(
        region,
        period,
        shown=list(region.areas),
        restrict_small_periods=restrict_small_periods,
        **more,
    )


def area_figures(area: Area, period: Period, **presented: Unpack[ProgrammePresented]) -> Figures:
    """An area beside its region, with its outcome figures: the area dashboard, its board
    report, exports and API."""
    # Imported here, not at the top: the outcome sections are made of this module's cells.
    from divert.figures.outcome_report import outcome_sections

    return of_area(
        build,
        area,
        period,
        extra_sections=lambda shown, on: outcome_sections(
            area.region, shown, period, on, presented.get("programme")
        ),
        **presented,
    )


def region_figures(
    region: Region, period: Period, **presented: Unpack[ProgrammePresented]
) -> Figures:
    """Every area of the region side by side, and the region pooled."""
    return of_region(build, region, period, **presented)
