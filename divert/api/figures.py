"""Figures for commissioners (an area beside its region) and regional leads (every area).

The numbers come presented from divert.figures.report, suppressed by the same rule as the pages:
`publication=true` hides small counts and what would reveal them, and commissioners and regional
leads never get a breakdown of a period with fewer referrals than the threshold. A hidden
figure is null.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import g
from marshmallow import RAISE

from divert.api import schemas
from divert.api.blueprint import bp, operation
from divert.figures import periods, report
from divert.figures.counts import Counts
from divert.figures.periods import Period
from divert.figures.report import Cell, ColumnCells, ContractTerms, Figures
from divert.figures.suppression import small_periods_restricted
from divert.permissions import Permission
from divert.tenancy import current_area

COUNT_NAMES = (*Counts.SCALARS, "naloxone_kits")


def asked_period(query: dict[str, Any]) -> Period:
    """The dates asked for, or this financial year."""
    if query.get("from_") and query.get("to"):
        return periods.custom(query["from_"], query["to"])
    return periods.financial_year(periods.financial_year_of(date.today()))


def asked_area_figures(query: dict[str, Any], today: date | None = None) -> Figures:
    """The area's figures as a figures query asks (period, publication, programme), a short
    period restricted as the caller's role is."""
    return report.area_figures(
        current_area,
        asked_period(query),
        publication=query["publication"],
        restrict_small_periods=small_periods_restricted(g.role),
        programme=query["programme"],
        today=today,
    )


def _number(cell: Cell) -> Any:
    return None if cell.suppressed else cell.value


def _share(cell: Cell) -> float | None:
    return None if cell.suppressed or cell.share is None else float(cell.share)


def _rate(cell: Cell) -> float | None:
    return None if cell.suppressed or cell.value is None else float(cell.value)


def _breakdown(cells: dict[Any, Cell]) -> dict[str, Any]:
    """A breakdown's values by key; a key withheld for a small period is left out altogether
    (the key itself, "female" say, would describe the people)."""
    return {str(key): _number(cell) for key, cell in cells.items() if not cell.withheld}


def counts_out(cells: ColumnCells) -> dict[str, Any]:
    named, breakdowns = cells.named, cells.breakdowns
    engagement = named["engagement_rate"]
    return {
        **{name: _number(named[name]) for name in COUNT_NAMES},
        "decided": None
        if named["attended"].suppressed or named["not_engaged"].suppressed
        else int(named["attended"].value or 0) + int(named["not_engaged"].value or 0),
        "engagement_rate": _rate(engagement),
        "completion_rate": _rate(named["completion_rate"]),
        "repeat_share": _share(named["repeats"]),
        "substances": _breakdown(breakdowns["substances"]),
        "genders": _breakdown(breakdowns["genders"]),
        "ethnicities": _breakdown(breakdowns["ethnicities"]),
        "onward_referrals": _breakdown(breakdowns["onward"]),
        "per_month": [
            {"month": f"{year}-{month:02d}", "referrals": _number(cell)}
            for (year, month), cell in breakdowns["per_month"].items()
        ],
    }


def rows_out(figures: Figures, group: str | None = "") -> list[dict[str, Any]]:
    """Every presented row: what the pages and exports show, each column's value and text.
    With a `group`, only the rows of its sections (None: the activity figures)."""
    return [
        {
            "section": section.key,
            "figure": row.label,
            "key": row.key,
            "values": [
                {
                    "column": column.slug,
                    "value": None if cell.suppressed or cell.value is None else str(cell.value),
                    "share": _share(cell),
                    "text": cell.text,
                    "suppressed": cell.suppressed,
                    "example": cell.example,
                }
                for column, cell in zip(figures.columns, row.cells, strict=True)
            ],
        }
        for section in figures.sections
        if group == "" or section.group == group
        for row in section.rows
    ]


def contract_out(terms: ContractTerms) -> dict[str, Any]:
    """One contract's terms and use so far; what a small period would reveal is null."""
    use, used = terms.use, terms.rows[0].cells[0]
    hidden = used.suppressed
    return {
        "contract": use.contract.label,
        "programme": use.contract.programme.code,
        "contract_starts_on": use.contract.starts_on,
        "contract_ends_on": use.contract.ends_on,
        "as_of": use.as_of,
        "pricing": use.contract.pricing.value,
        "allocated": use.allocated,
        "used": None if hidden else use.used,
        "utilisation": None if hidden or not use.allocated else use.used / use.allocated,
        "unit_price_pence": use.unit_price_pence,
        "spend_to_date_pence": None if hidden and use.per_place else use.spend_to_date_pence,
        "projected_use": None if hidden else use.projected_use,
        "example": use.contract.is_example or use.contract.value_example,
    }


def places_out(figures: Figures) -> dict[str, Any] | None:
    """The contract covering the period's last day (or today); null if none, or if contracts
    of several programmes cover it (each is in `contracts`)."""
    covering = [
        t
        for t in figures.contracts
        if t.use.contract.starts_on <= figures.as_of <= t.use.contract.ends_on
    ]
    return contract_out(covering[0]) if len(covering) == 1 else None


Counter = Callable[[ColumnCells], dict[str, Any]]


def area_answer(figures: Figures, counts: Counter) -> dict[str, Any]:
    """An area's figures beside the region's: each column's counts (as `counts` gives them)
    and every presented row."""
    return {
        "area": current_area.slug,
        "period": figures.period,
        "publication": figures.publication,
        "counts": counts(figures.by_column[0]),
        "region": counts(figures.by_column[-1]),
        "figures": rows_out(figures),
    }


def region_answer(figures: Figures, counts: Counter) -> dict[str, Any]:
    """Every area's figures side by side, the region's pooled, and every presented row."""
    return {
        "region": g.region.slug,
        "period": figures.period,
        "publication": figures.publication,
        "areas": [
            {"area": column.slug, "name": column.name, "counts": counts(cells)}
            for column, cells in zip(figures.columns[:-1], figures.by_column, strict=False)
        ],
        "total": counts(figures.by_column[-1]),
        "figures": rows_out(figures),
    }


@bp.route("/areas/<area_slug>/figures", tags=["figures"])
@operation(Permission.VIEW_DASHBOARD)
@bp.arguments(schemas.PeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.AreaFigures)
def area_figures(query: dict[str, Any]) -> dict[str, Any]:
    """The area's dashboard figures for a period, beside the region's pooled figures

    Of one programme (by its code) or of every programme. Engagement counts the first step of
    each referral's programme attended; completion follows each programme's rule. Periods are
    inclusive dates of referral receipt; places are counted against each programme's
    contracts, with that programme's referrals only (`contracts`; `places` is the one covering
    the period's last day, or today if sooner). With publication=true, counts under
    the area's threshold and any figure that would reveal one are null.
    """
    figures = asked_area_figures(query)
    return {
        **area_answer(figures, counts_out),
        "places": places_out(figures),
        "contracts": [contract_out(terms) for terms in figures.contracts],
    }


@bp.route("/regions/<region_slug>/figures", tags=["figures"])
@operation(Permission.VIEW_REGION)
@bp.arguments(schemas.PeriodQuery, location="query", unknown=RAISE)
@bp.response(200, schemas.RegionFigures)
def region_figures(query: dict[str, Any]) -> dict[str, Any]:
    """Every area of the region side by side, and the region pooled"""
    figures = report.region_figures(
        g.region,
        asked_period(query),
        publication=query["publication"],
        programme=query["programme"],
    )
    return region_answer(figures, counts_out)
