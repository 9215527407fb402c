"""Commissioners' and managers' area dashboard, exports, board report; the regional view."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, g, render_template, request
from sqlalchemy import select

from divert import audit
from divert.dashboard.exports import as_csv, as_xlsx
from divert.dashboard.forms import CUSTOM, PeriodForm, period_choices
from divert.extensions import db
from divert.figures import periods
from divert.figures.counts import counts_by_area, pooled, programme_choices
from divert.figures.periods import Period
from divert.figures.report import Dashboard, dashboard
from divert.models import Contract, Region
from divert.permissions import Permission, requires
from divert.tenancy import current_area

bp = Blueprint("dashboard", __name__)


def _period_form(contracts: list[Contract], region: Region) -> tuple[PeriodForm, Period | None]:
    """The period from the query string; this financial year when none was asked for."""
    today = date.today()
    form = PeriodForm(formdata=request.args if request.args else None)
    form.period.choices = period_choices(today, contracts)
    form.programme.choices = [("", "All programmes"), *programme_choices(region)]
    if not request.args:
        form.period.data = f"fy:{periods.financial_year_of(today)}"
        return form, periods.financial_year(periods.financial_year_of(today))
    if not form.validate():
        return form, None
    return form, form.chosen(contracts)


def _area_dashboard() -> tuple[PeriodForm, Dashboard | None]:
    contracts = list(db.session.scalars(select(Contract).order_by(Contract.starts_on.desc())))
    form, period = _period_form(contracts, current_area.region)
    if period is None:
        return form, None
    return form, dashboard(
        current_area,
        period,
        programme=form.programme.data or None,
        for_publication=bool(form.publication.data),
    )


@bp.route("/<area_slug>/dashboard")
@requires(Permission.VIEW_DASHBOARD)
def area_dashboard() -> str:
    form, board = _area_dashboard()
    return render_template("dashboard/area.html", form=form, board=board, custom=CUSTOM)


def _export(kind: str) -> Response:
    form, board = _area_dashboard()
    if board is None:
        return Response(
            render_template("dashboard/area.html", form=form, board=None, custom=CUSTOM), status=400
        )
    audit.record(
        "figures_exported",
        format=kind,
        period=board.period.label,
        publication=bool(form.publication.data),
    )
    db.session.commit()
    period = f"{board.period.start}-{board.period.end}"
    name = f"divert-{current_area.slug}-{board.programme or 'all'}-{period}"
    if kind == "csv":
        body, mimetype = as_csv(board), "text/csv"
    else:
        body = as_xlsx(board)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


@bp.route("/<area_slug>/dashboard/export.csv")
@requires(Permission.EXPORT_FIGURES)
def export_csv() -> Response:
    return _export("csv")


@bp.route("/<area_slug>/dashboard/export.xlsx")
@requires(Permission.EXPORT_FIGURES)
def export_xlsx() -> Response:
    return _export("xlsx")


@bp.route("/<area_slug>/dashboard/board-report")
@requires(Permission.EXPORT_FIGURES)
def board_report() -> str:
    form, board = _area_dashboard()
    if board is not None:
        audit.record("board_report_viewed", period=board.period.label)
        db.session.commit()
    return render_template("dashboard/board_report.html", form=form, board=board)


@bp.route("/region/<region_slug>/dashboard")
@requires(Permission.VIEW_REGION)
def region_dashboard() -> str:
    form, period = _period_form([], g.region)
    by_area = counts_by_area(g.region, period, form.programme.data or None) if period else {}
    return render_template(
        "dashboard/region.html",
        form=form,
        period=period,
        areas=[(area, by_area[area.id]) for area in g.region.areas] if period else [],
        total=pooled(by_area) if period else None,
    )
