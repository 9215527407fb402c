"""Reading back what a reader sees on a figures page, in an export or in an API answer, as
plain tables, so that tests can look for small numbers without asking the code that made them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from openpyxl import load_workbook

HIDDEN = re.compile(r"^(fewer than \d+|suppressed|not shown: .*)$")
COUNT = re.compile(r"^(\d[\d,]*)(?: \(.*\))?$")


@dataclass
class Shown:
    """One figure as a reader sees it: its count if it is one, and whether it is hidden."""

    text: str
    count: int | None = None
    hidden: bool = False


@dataclass
class Bar:
    """One row of a chart as drawn: its label, its figure's text and its bar's length in percent
    of the chart's width ("" when no bar is drawn)."""

    label: str
    text: str
    length: str = ""

    @property
    def drawn(self) -> bool:
        return bool(self.length)


@dataclass
class Chart:
    title: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: dict[str, list[Shown]] = field(default_factory=dict)


def shown(text: str) -> Shown:
    text = text.strip()
    match = COUNT.match(text)
    count = int(match.group(1).replace(",", "")) if match else None
    return Shown(text, count, bool(HIDDEN.match(text)))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.sentences: list[str] = []
        self.charts: list[Chart] = []
        self._stack: list[str] = []
        self._chart_part = ""  # the Bar field ("label" or "text") being read
        self._text = ""
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table("", []))
        if tag in ("caption", "th", "td", "p", "figcaption", "span"):
            self._text = ""
        if tag == "tr":
            self._row = []
        classes = (dict(attrs).get("class") or "").split()
        if "divert-chart" in classes:
            self.charts.append(Chart(""))
        if "divert-chart__label" in classes:
            self.charts[-1].bars.append(Bar("", ""))
            self._chart_part = "label"
        if "divert-chart__value" in classes:
            self._chart_part = "text"
        if tag == "rect" and self.charts and self.charts[-1].bars:
            self.charts[-1].bars[-1].length = dict(attrs).get("width") or ""
        self._stack.append(tag)

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._stack:
            self._stack.pop()
        text = " ".join(self._text.split())
        if tag == "figcaption" and self.charts:
            self.charts[-1].title = text
        elif tag == "span" and self._chart_part:
            setattr(self.charts[-1].bars[-1], self._chart_part, text)
            self._chart_part = ""
        if tag == "caption" and self.tables:
            self.tables[-1].caption = text
        elif tag in ("th", "td"):
            self._row.append(text)
        elif tag == "tr" and self.tables and self._row:
            table = self.tables[-1]
            if not table.columns and not table.rows and "thead" in self._stack:
                table.columns = self._row[1:]
            else:
                table.rows[self._row[0]] = [shown(t) for t in self._row[1:]]
        elif tag == "p":
            self.sentences.append(text)


@dataclass
class Seen:
    tables: list[Table]
    sentences: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def page(html: str) -> Seen:
    parser = _Page()
    parser.feed(html)
    return Seen(parser.tables, parser.sentences, parser.charts)


def _tidy(records: list[dict[str, Any]]) -> Seen:
    """Tidy rows (area, section, figure, breakdown, value, unit, suppressed) as tables."""
    tables: dict[str, Table] = {}
    for record in records:
        table = tables.setdefault(record["section"], Table(record["section"], []))
        if record["area"] not in table.columns:
            table.columns.append(record["area"])
        label = record["breakdown"] or record["figure"]
        value, hidden = record["value"], record["suppressed"]
        count = int(value) if record["unit"] == "count" and value not in (None, "") else None
        table.rows.setdefault(label, []).append(
            Shown("suppressed" if hidden else str(value), count, hidden)
        )
    return Seen(list(tables.values()))


def csv_export(text: str) -> Seen:
    records = list(csv.DictReader(io.StringIO(text)))
    for record in records:
        record["suppressed"] = record["suppressed"] == "true"
    return _tidy(records)


def xlsx_export(body: bytes) -> Seen:
    sheet = load_workbook(io.BytesIO(body))["Figures"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return _tidy([dict(zip(header, row, strict=True)) for row in rows[1:]])


def api_rows(body: dict[str, Any]) -> Seen:
    tables: dict[str, Table] = {}
    for row in body["figures"]:
        table = tables.setdefault(row["section"], Table(row["section"], []))
        table.columns = [v["column"] for v in row["values"]]
        table.rows[row["figure"]] = [
            Shown(v["text"], shown(v["text"]).count, v["suppressed"]) for v in row["values"]
        ]
    return Seen(list(tables.values()))
