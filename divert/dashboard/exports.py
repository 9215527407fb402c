"""The figures as files for analysts: a tidy CSV and an XLSX workbook.

Both have the header in the first row and one row per area × figure × breakdown value, with a
suppressed flag; the XLSX keeps numbers as numbers (percentages as fractions with a percent
format, money in pounds) and notes the period and the suppression on a second sheet. Text that
a spreadsheet would run as a formula is neutralised as OWASP recommends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font

from divert.figures.report import Cell, Figures, Kind

# `value` holds numbers only (empty when hidden or not a number); `text` is the figure as the
# pages show it, and carries the words of a contract's terms (dates, pricing, funding source).
HEADER = [
    "area",
    "section",
    "figure",
    "breakdown",
    "value",
    "unit",
    "share",
    "suppressed",
    "example",
    "text",
]
UNITS = {
    Kind.COUNT: "count",
    Kind.RATE: "proportion",
    Kind.MONEY: "pounds",
    Kind.PLACES: "places",
    Kind.AVERAGE: "a month",
    Kind.PER_PERSON: "offences a person",
    Kind.TEXT: "text",
}
# The first of these tells a spreadsheet that a formula follows (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Under 10% one decimal place, whole percents otherwise: the rounding used everywhere else.
PERCENT_FORMAT = "[=0]0%;[<0.1]0.0%;0%"
POUNDS_FORMAT = "£#,##0.00"


def neutralised(text: str) -> str:
    """Text a spreadsheet will show as text: a leading formula character gets a quote first."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Line:
    """One row of an export: what the figure is, and its cell."""

    area: str
    section: str
    figure: str
    breakdown: str
    cell: Cell

    @property
    def value(self) -> int | float | None:
        cell = self.cell
        if cell.suppressed or cell.value is None or cell.kind is Kind.TEXT:
            return None
        if cell.kind is Kind.MONEY:
            return float(Decimal(cell.value) / 100)
        if cell.kind in (Kind.RATE, Kind.PER_PERSON):
            return float(cell.value)
        return int(cell.value)

    @property
    def share(self) -> float | None:
        if self.cell.suppressed or self.cell.share is None:
            return None
        return float(self.cell.share)


def lines(figures: Figures) -> Iterator[Line]:
    for section in figures.sections:
        for row in section.rows:
            figure, breakdown = (section.title, row.label) if section.breakdown else (row.label, "")
            for column, cell in zip(figures.columns, row.cells, strict=True):
                yield Line(column.name, section.title, figure, breakdown, cell)
    for terms in figures.contracts:
        for row in terms.rows:
            yield Line(terms.area.name, "Contracts", row.label, terms.title, row.cells[0])


def _values(line: Line) -> list[object]:
    return [
        line.area,
        line.section,
        line.figure,
        line.breakdown,
        line.value,
        UNITS[line.cell.kind],
        line.share,
        line.cell.suppressed,
        line.cell.example,
        line.cell.text,
    ]


def _safe(value: object) -> object:
    return neutralised(value) if isinstance(value, str) else value


def as_csv(*parts: Figures) -> str:
    """The parts (DIVERT's figures, CARS's) one after the other under one header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for line in (line for figures in parts for line in lines(figures)):
        writer.writerow(
            [
                ""
                if value is None
                else str(value).lower()
                if isinstance(value, bool)
                else _safe(value)
                for value in _values(line)
            ]
        )
    return buffer.getvalue()


def _text_cell(cell: SheetCell, value: object) -> None:
    cell.value = _safe(value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text


def as_xlsx(*parts: Figures) -> bytes:
    """The parts on one Figures sheet; their notes (each once) on the Notes sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    every_line = (line for figures in parts for line in lines(figures))
    for number, line in enumerate(every_line, start=2):
        for column, value in enumerate(_values(line), start=1):
            _text_cell(sheet.cell(number, column), value)
        value_cell, share_cell = sheet.cell(number, 5), sheet.cell(number, 7)
        if line.cell.kind is Kind.RATE:
            value_cell.number_format = PERCENT_FORMAT
        elif line.cell.kind is Kind.MONEY:
            value_cell.number_format = POUNDS_FORMAT
        share_cell.number_format = PERCENT_FORMAT
    widths = (24, 40, 40, 30, 14, 12, 10, 12, 10, 40)
    for column, width in zip("ABCDEFGHIJ", widths, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Notes")
    notes.append(["note"])
    notes["A1"].font = Font(bold=True)
    period, publication = parts[0].period, parts[0].publication
    every_note = [note for figures in parts for note in figures.notes]
    for row, note in enumerate(
        [
            f"Period: {period.label} ({period.start} to {period.end})",
            f"For publication: {'yes' if publication else 'no'}",
            *dict.fromkeys(every_note),  # in order, each once
        ],
        start=2,
    ):
        _text_cell(notes.cell(row, 1), note)
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
