"""The monthly summaries' rows, as plain tuples in a fixed order, to compare two states of one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from divert.extensions import db
from divert.figures import summary
from divert.models import MonthlySummary, OutcomeSummary
from divert.tenancy import system_scope


def _rows(model: Any, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    names = ("area_id", "month", *columns)
    with system_scope():
        rows = db.session.execute(select(*(getattr(model, n) for n in names)))
        return sorted((tuple(row) for row in rows), key=repr)


def summary_rows() -> list[tuple[Any, ...]]:
    return _rows(MonthlySummary, summary.COLUMNS)


def outcome_rows() -> list[tuple[Any, ...]]:
    return _rows(OutcomeSummary, summary.OUTCOME_COLUMNS)
