"""The CARS (arrest referral) figures for commissioners and managers (an area beside its
region) and regional leads (every area): the rows of divert.figures.cars_report, suppressed by
the same rule as the pages; a hidden figure is null."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import RAISE

from divert.api import cars_figure_schemas as schemas
from divert.api.blueprint import bp, operation
from divert.api.figures import area_answer, asked_period, region_answer
from divert.figures import cars_report
from divert.figures.report import Cell, ColumnCells
from divert.figures.suppression import small_periods_restricted
from divert.permissions import Permission
from divert.tenancy import current_area


def _number(cell: Cell) -> Any:
    return None if cell.suppressed else cell.value


def counts_out(cells: ColumnCells) -> dict[str, Any]:
    named, breakdowns = cells.named, cells.breakdowns
    return {
        **{name: _number(named[name]) for name in schemas.COUNTS},
        "shares": {
            name: None
            if named[name].suppressed or named[name].share is None
            else float(named[name].share)
            for name in schemas.SHARES
        },
        "not_converted": {key: _number(cell) for key, cell in breakdowns["not_converted"].items()},
        "closure_reasons": {
            key: _number(cell) for key, cell in breakdowns["closure_reasons"].items()
        },
        "per_month": [
            {"month": f"{year}-{month:02d}", "contacts": _number(cell)}
            for (year, month), cell in breakdowns["per_month"].items()
        ],
    }


@bp.route("/areas/<area_slug>/cars/figures", tags=["figures"])
@operation(Permission.VIEW_DASHBOARD)
@bp.arguments(schemas.CarsPeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.AreaCarsFigures)
def area_cars_figures(query: dict[str, Any]) -> dict[str, Any]:
    """The area's CARS figures for a period, beside the region's pooled figures

    Custody contacts (by kind), required, voluntary and court suitability assessments, DRRs and
    ATRs assigned, referrals into treatment and what became of them, cases closed, naloxone
    and appointments booked (out of hours), each counted in the period it happened (local
    dates, inclusive). With publication=true, counts under the area's threshold and any figure
    that would reveal one are null.
    """
    figures = cars_report.area_cars_figures(
        current_area,
        asked_period(query),
        publication=query["publication"],
        restrict_small_periods=small_periods_restricted(g.role),
    )
    return area_answer(figures, counts_out)


@bp.route("/regions/<region_slug>/cars/figures", tags=["figures"])
@operation(Permission.VIEW_REGION)
@bp.arguments(schemas.CarsPeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.RegionCarsFigures)
def region_cars_figures(query: dict[str, Any]) -> dict[str, Any]:
    """Every area's CARS figures side by side, and the region pooled"""
    figures = cars_report.region_cars_figures(
        g.region, asked_period(query), publication=query["publication"]
    )
    return region_answer(figures, counts_out)
