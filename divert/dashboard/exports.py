"""The dashboard's figures as CSV and XLSX files."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from divert.figures.outcome_report import OutcomeFigures
from divert.figures.report import Dashboard

COHORT_MEASURES = (
    ("results_in", "results in"),
    ("reoffended", "reoffended"),
    ("average_offences", "average offences"),
    ("violent", "violent offence"),
    ("alcohol", "alcohol-related offence"),
    ("awaited", "awaited"),
)


def _outcome_rows(outcomes: OutcomeFigures) -> list[list[str]]:
    rows = [
        [section.title, row.label, row.area.text, row.region.text]
        for section in outcomes.sections
        for row in section.rows
    ]
    for mine, theirs in zip(outcomes.area_cohorts, outcomes.region_cohorts, strict=True):
        for name, label in COHORT_MEASURES:
            rows.append(
                [
                    "Reoffending by cohort",
                    f"{mine.label}: {label}",
                    getattr(mine, name).text,
                    getattr(theirs, name).text,
                ]
            )
    return rows


def _rows(board: Dashboard, outcomes: OutcomeFigures) -> list[list[str]]:
    rows = [["Section", "Figure", board.area.name, board.area.region.name]]
    for section in board.sections:
        for row in section.rows:
            rows.append([section.title, row.label, row.area.text, row.region.text])
    rows += _outcome_rows(outcomes)
    if board.places is not None:
        p = board.places
        rows += [
            ["Places and spending", "Contract", p.contract.label, ""],
            ["Places and spending", "Places allocated", str(p.allocated), ""],
            ["Places and spending", "Places used", str(p.used), ""],
            ["Places and spending", "Unit price (£)", f"{p.unit_price_pence / 100:.2f}", ""],
            ["Places and spending", "Spend to date (£)", f"{p.spend_to_date_pence / 100:.2f}", ""],
            ["Places and spending", "Projected use", str(p.projected_use), ""],
        ]
    return rows


def as_csv(board: Dashboard, outcomes: OutcomeFigures) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"divert figures: {board.area.name}, {board.period.label}"])
    writer.writerows(_rows(board, outcomes))
    return buffer.getvalue()


def as_xlsx(board: Dashboard, outcomes: OutcomeFigures) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append([f"divert figures: {board.area.name}, {board.period.label}"])
    sheet["A1"].font = Font(bold=True)
    for row in _rows(board, outcomes):
        sheet.append(row)
    for column, width in zip("ABCD", (40, 40, 22, 22), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
