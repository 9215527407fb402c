"""Commissioners' and managers' area dashboard, exports, board report; the regional view, its
exports and board report. The figures come presented from divert.figures.report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, Response, current_app, g, render_template, request
from markupsafe import Markup
from sqlalchemy import inspect, select

from divert import audit
from divert.dashboard.exports import as_csv, as_xlsx
from divert.dashboard.forms import CUSTOM, PeriodForm, period_choices
from divert.extensions import db
from divert.figures import periods
from divert.figures.cars_counts import cars_programme_codes
from divert.figures.cars_report import CarsFigures, area_cars_figures, region_cars_figures
from divert.figures.counts import programme_choices
from divert.figures.periods import Period
from divert.figures.report import Figures, area_figures, region_figures
from divert.figures.snapshot import SnapshotCache
from divert.figures.suppression import small_periods_restricted
from divert.formfields import options
from divert.models import Area, Contract, Programme, Region
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


@dataclass
class Shown:
    """What a figures page, export or board report lays out for the period asked for: DIVERT's
    figures and the CARS figures. CARS's go with every programme's, or alone when a CARS
    programme is chosen; a region that commissions no CARS has none."""

    form: PeriodForm
    period: Period | None = None
    figures: Figures | None = None
    cars: CarsFigures | None = None

    @property
    def parts(self) -> list[Figures]:
        return [part for part in (self.figures, self.cars) if part is not None]


def _chosen(form: PeriodForm, region: Region) -> tuple[str | None, bool, bool]:
    """The programme chosen, and whether DIVERT's figures and CARS's are shown for it."""
    programme = form.programme.data or None
    cars_codes = cars_programme_codes(region)
    with_cars = bool(cars_codes) and (programme is None or programme in cars_codes)
    return programme, programme not in cars_codes, with_cars


# The area's contracts, newest first; those starting the same day in the programmes' order.
# Built once: a statement executed again costs SQLAlchemy less than one built at every view.
CONTRACTS = (
    select(Contract)
    .join(Contract.programme)
    .order_by(Contract.starts_on.desc(), Programme.position, Contract.id)
)


def _area_figures() -> Shown:
    contracts = list(db.session.scalars(CONTRACTS))
    area: Area = g.area
    form, period = _period_form(contracts, area.region)
    if period is None:
        return Shown(form)
    programme, with_divert, with_cars = _chosen(form, area.region)
    publication, restrict = bool(form.publication.data), small_periods_restricted(g.role)
    return Shown(
        form,
        period,
        area_figures(
            area,
            period,
            publication=publication,
            restrict_small_periods=restrict,
            programme=programme,
        )
        if with_divert
        else None,
        area_cars_figures(area, period, publication=publication, restrict_small_periods=restrict)
        if with_cars
        else None,
    )


def _region_figures() -> Shown:
    form, period = _period_form([], g.region)
    if period is None:
        return Shown(form)
    programme, with_divert, with_cars = _chosen(form, g.region)
    publication = bool(form.publication.data)
    return Shown(
        form,
        period,
        region_figures(g.region, period, publication=publication, programme=programme)
        if with_divert
        else None,
        region_cars_figures(g.region, period, publication=publication) if with_cars else None,
    )


def _download(shown: Shown, kind: str, name: str, page: Callable[[], str]) -> Response:
    if shown.period is None:
        return Response(page(), status=400)
    parts = shown.parts
    body, mimetype = audit.record_with_answer(
        "figures_exported",
        lambda: (as_csv(*parts), "text/csv") if kind == "csv" else (as_xlsx(*parts), XLSX),
        format=kind,
        period=shown.period.label,
        publication=bool(shown.form.publication.data),
    )
    name = f"{name}-{shown.form.programme.data or 'all'}"
    filename = f"divert-{name}-{shown.period.start}-{shown.period.end}.{kind}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# Area and region pages with the same figures look the same to everyone with the same view of
# them: their bodies are kept per database snapshot (divert.figures.snapshot), a handful per
# process (each is a rendered page body of some tens of kilobytes).
PAGES = SnapshotCache(size=32)


def _place_values(place: Area | Region) -> str:
    """The area's (region's) columns as this request has them: kept per process
    (divert.area_cache) and possibly older than the snapshot, so they are part of the key."""
    return repr(sorted((a.key, getattr(place, a.key)) for a in inspect(place).mapper.column_attrs))


@dataclass(frozen=True)
class Page:
    """What differs between the area's figures page and the region's."""

    title: str
    heading: str
    exports: tuple[str, str, str]  # endpoints: CSV, XLSX, board report


AREA_PAGE = Page(
    "Dashboard",
    "Figures",
    ("dashboard.export_csv", "dashboard.export_xlsx", "dashboard.board_report"),
)
REGION_PAGE = Page(
    "Regional figures",
    "Areas side by side",
    (
        "dashboard.region_export_csv",
        "dashboard.region_export_xlsx",
        "dashboard.region_board_report",
    ),
)


def _body(shown: Shown, place: Area | Region, page: Page) -> Markup:
    """The page's body, rendered: HTML the template has escaped, to go into the layout as is."""
    return Markup(  # nosec B704  (the output of an autoescaping template, not raw input)
        render_template(
            "dashboard/_main.html",
            shown=shown,
            form=shown.form,
            custom=CUSTOM,
            place_name=place.name,
            heading=page.heading,
            exports=page.exports,
        )
    )


def _page(shown: Shown, place: Area | Region, page: Page) -> str:
    """The page of figures already worked out (an export's answer to a period in error)."""
    # `form` too: the layout puts its errors in the page's error summary.
    main = _body(shown, place, page)
    return render_template("dashboard/page.html", title=page.title, main=main, form=shown.form)


def _figures_page(place: Area | Region, page: Page, figures: Callable[[], Shown]) -> str:
    """The figures page of an area or a region; its body comes from the cache when the same
    figures, for the same view of them, were shown at this snapshot. A request whose period
    does not validate is answered afresh and not kept: its errors go in the layout."""

    def made() -> tuple[Markup, PeriodForm | None]:
        shown = figures()
        return _body(shown, place, page), shown.form if shown.period is None else None

    inputs = (
        request.endpoint,
        _place_values(place),
        str(g.get("role")),
        request.query_string,
        date.today(),
    )
    main, form = PAGES.get_or_make(
        inputs,
        made,
        keep=lambda answer: answer[1] is None,
        enabled=current_app.config["DASHBOARD_FIGURES_CACHE"],
    )
    return render_template("dashboard/page.html", title=page.title, main=main, form=form)


@bp.route("/<area_slug>/dashboard")
@requires(Permission.VIEW_DASHBOARD)
def area_dashboard() -> str:
    return _figures_page(g.area, AREA_PAGE, _area_figures)


def _area_export(kind: str) -> Response:
    shown = _area_figures()
    return _download(shown, kind, current_area.slug, lambda: _page(shown, g.area, AREA_PAGE))


@bp.route("/<area_slug>/dashboard/export.csv")
@requires(Permission.EXPORT_FIGURES)
def export_csv() -> Response:
    return _area_export("csv")


@bp.route("/<area_slug>/dashboard/export.xlsx")
@requires(Permission.EXPORT_FIGURES)
def export_xlsx() -> Response:
    return _area_export("xlsx")


def _board_report(shown: Shown, heading: str) -> str:
    def page() -> str:
        return render_template(
            "dashboard/board_report.html", shown=shown, form=shown.form, heading=heading
        )

    if shown.period is None:
        return page()
    return audit.record_with_answer(
        "board_report_viewed",
        page,
        period=shown.period.label,
        publication=bool(shown.form.publication.data),
    )


@bp.route("/<area_slug>/dashboard/board-report")
@requires(Permission.EXPORT_FIGURES)
def board_report() -> str:
    return _board_report(_area_figures(), current_area.name)


@bp.route("/region/<region_slug>/dashboard")
@requires(Permission.VIEW_REGION)
def region_dashboard() -> str:
    return _figures_page(g.region, REGION_PAGE, _region_figures)


def _region_export(kind: str) -> Response:
    shown = _region_figures()
    return _download(shown, kind, g.region.slug, lambda: _page(shown, g.region, REGION_PAGE))


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
    return _board_report(_region_figures(), g.region.name)
