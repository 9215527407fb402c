"""The monthly summary's rows, as plain tuples in a fixed order, to compare two states of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from divert.extensions import db
from divert.figures import summary
from divert.models import MonthlySummary
from divert.tenancy import system_scope


def summary_rows() -> list[tuple[Any, ...]]:
    names = ("area_id", "month", *summary.COLUMNS)
    with system_scope():
        rows = db.session.execute(select(*(getattr(MonthlySummary, n) for n in names)))
        return sorted((tuple(row) for row in rows), key=repr)
