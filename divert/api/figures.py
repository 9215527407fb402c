"""Figures for commissioners (an area beside its region) and regional leads (every area)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g
from marshmallow import RAISE

from divert.api import schemas
from divert.api.blueprint import bp, operation
from divert.figures import periods
from divert.figures.counts import Counts, counts_by_area, pooled
from divert.figures.periods import Period
from divert.figures.report import dashboard
from divert.permissions import Permission
from divert.tenancy import current_area


def _period(query: dict[str, Any]) -> Period:
    """The dates asked for, or this financial year."""
    if query.get("from_") and query.get("to"):
        return periods.custom(query["from_"], query["to"])
    return periods.financial_year(periods.financial_year_of(date.today()))


def counts_out(counts: Counts) -> dict[str, Any]:
    return {
        **{name: getattr(counts, name) for name in Counts.SCALARS},
        "decided": counts.decided,
        "engagement_rate": counts.engagement_rate,
        "completion_rate": counts.completion_rate,
        "repeat_share": counts.repeat_share,
        "substances": dict(counts.substances),
        "genders": dict(counts.genders),
        "ethnicities": dict(counts.ethnicities),
        "per_month": [
            {"month": f"{year}-{month:02d}", "referrals": number}
            for (year, month), number in sorted(counts.per_month.items())
        ],
    }


@bp.route("/areas/<area_slug>/figures", tags=["figures"])
@operation(Permission.VIEW_DASHBOARD)
@bp.arguments(schemas.PeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.AreaFigures)
def area_figures(query: dict[str, Any]) -> dict[str, Any]:
    """The area's dashboard figures for a period, beside the region's pooled figures

    Of one programme (by its code) or of every programme. Engagement counts the first step of
    each referral's programme attended; completion follows each programme's rule. Periods are
    inclusive dates of referral receipt; places are counted against the contract
    covering the period's last day (or today, if sooner).
    """
    board = dashboard(current_area, _period(query), programme=query["programme"])
    return {
        "area": current_area.slug,
        "period": board.period,
        "counts": counts_out(board.counts),
        "region": counts_out(board.region),
        "places": board.places,
    }


@bp.route("/regions/<region_slug>/figures", tags=["figures"])
@operation(Permission.VIEW_REGION)
@bp.arguments(schemas.PeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.RegionFigures)
def region_figures(query: dict[str, Any]) -> dict[str, Any]:
    """Every area of the region side by side, and the region pooled"""
    period = _period(query)
    by_area = counts_by_area(g.region, period, query["programme"])
    return {
        "region": g.region.slug,
        "period": period,
        "areas": [
            {"area": area.slug, "name": area.name, "counts": counts_out(by_area[area.id])}
            for area in g.region.areas
        ],
        "total": counts_out(pooled(by_area)),
    }
