"""Commissioners' and managers' area dashboard, exports, board report; the regional view, its
exports and board report. The figures come presented from divert.figures.report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, g, render_template, request
from sqlalchemy import select

from divert import audit
from divert.dashboard.exports import as_csv, as_xlsx
from divert.dashboard.forms import CUSTOM, PeriodForm, period_choices
from divert.extensions import db
from divert.figures import periods
from divert.figures.counts import programme_choices
from divert.figures.periods import Period
from divert.figures.report import Figures, area_figures, region_figures
from divert.figures.suppression import small_periods_restricted
from divert.formfields import options
from divert.models import Contract, Programme, Region
from divert.permissions import Permission, requires
from divert.tenancy import current_area

bp = Blueprint("dashboard", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_form(contracts: list[Contract], region: Region) -> tuple[PeriodForm, Period | None]:
    """The period from the query string; this financial year when none was asked for."""
    today = date.today()
    form = PeriodForm(formdata=request.args if request.args else None)
    form.period.choices = options(period_choices(today, contracts))
    form.programme.choices = options([("", "All programmes"), *programme_choices(region)])
    if not request.args:
        form.period.data = f"fy:{periods.financial_year_of(today)}"
        return form, periods.financial_year(periods.financial_year_of(today))
    if not form.validate():
        return form, None
    return form, form.chosen(contracts)


def _area_figures() -> tuple[PeriodForm, Figures | None]:
    # Newest first; contracts starting the same day in the programmes' order.
    contracts = list(
        db.session.scalars(
            select(Contract)
            .join(Contract.programme)
            .order_by(Contract.starts_on.desc(), Programme.position, Contract.id)
        )
    )
    form, period = _period_form(contracts, current_area.region)
    if period is None:
        return form, None
    return form, area_figures(
        current_area,
        period,
        publication=bool(form.publication.data),
        restrict_small_periods=small_periods_restricted(g.role),
        programme=form.programme.data or None,
    )


def _region_figures() -> tuple[PeriodForm, Figures | None]:
    form, period = _period_form([], g.region)
    if period is None:
        return form, None
    return form, region_figures(
        g.region,
        period,
        publication=bool(form.publication.data),
        programme=form.programme.data or None,
    )


def _download(
    figures: Figures | None, form: PeriodForm, kind: str, name: str, page: Callable[[], str]
) -> Response:
    if figures is None:
        return Response(page(), status=400)
    audit.record(
        "figures_exported",
        format=kind,
        period=figures.period.label,
        publication=figures.publication,
    )
    # Written before the commit: the figures' records must not be reloaded afterwards, where
    # row-level security shows only the request's own area (a region's are in none).
    body, mimetype = (as_csv(figures), "text/csv") if kind == "csv" else (as_xlsx(figures), XLSX)
    db.session.commit()
    name = f"{name}-{figures.programme or 'all'}"
    filename = f"divert-{name}-{figures.period.start}-{figures.period.end}.{kind}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _area_page(form: PeriodForm, figures: Figures | None) -> str:
    return render_template("dashboard/area.html", form=form, figures=figures, custom=CUSTOM)


def _region_page(form: PeriodForm, figures: Figures | None) -> str:
    return render_template("dashboard/region.html", form=form, figures=figures, custom=CUSTOM)


@bp.route("/<area_slug>/dashboard")
@requires(Permission.VIEW_DASHBOARD)
def area_dashboard() -> str:
    return _area_page(*_area_figures())


def _area_export(kind: str) -> Response:
    form, figures = _area_figures()
    return _download(figures, form, kind, current_area.slug, lambda: _area_page(form, None))


@bp.route("/<area_slug>/dashboard/export.csv")
@requires(Permission.EXPORT_FIGURES)
def export_csv() -> Response:
    return _area_export("csv")


@bp.route("/<area_slug>/dashboard/export.xlsx")
@requires(Permission.EXPORT_FIGURES)
def export_xlsx() -> Response:
    return _area_export("xlsx")


def _board_report(form: PeriodForm, figures: Figures | None, heading: str) -> str:
    page = render_template(
        "dashboard/board_report.html", form=form, figures=figures, heading=heading
    )  # rendered before the commit, for the reason given in _download
    if figures is not None:
        audit.record(
            "board_report_viewed", period=figures.period.label, publication=figures.publication
        )
        db.session.commit()
    return page


@bp.route("/<area_slug>/dashboard/board-report")
@requires(Permission.EXPORT_FIGURES)
def board_report() -> str:
    return _board_report(*_area_figures(), current_area.name)


@bp.route("/region/<region_slug>/dashboard")
@requires(Permission.VIEW_REGION)
def region_dashboard() -> str:
    return _region_page(*_region_figures())


def _region_export(kind: str) -> Response:
    form, figures = _region_figures()
    return _download(figures, form, kind, g.region.slug, lambda: _region_page(form, None))


@bp.route("/region/<region_slug>/dashboard/export.csv")
@requires(Permission.VIEW_REGION)
def region_export_csv() -> Response:
    return _region_export("csv")


@bp.route("/region/<region_slug>/dashboard/export.xlsx")
@requires(Permission.VIEW_REGION)
def region_export_xlsx() -> Response:
    return _region_export("xlsx")


@bp.route("/region/<region_slug>/dashboard/board-report")
@requires(Permission.VIEW_REGION)
def region_board_report() -> str:
    return _board_report(*_region_figures(), g.region.name)
