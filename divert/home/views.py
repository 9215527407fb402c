"""Root redirect, area home (what this role can do here) and /healthz."""

from __future__ import annotations

import time
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from divert.auth.views import landing_url
from divert.extensions import db
from divert.home import tasks
from divert.models import Role
from divert.permissions import Permission, public, requires
from divert.tenancy import current_area

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    return redirect(url_for("auth.sign_in"))


@bp.route("/<area_slug>/")
@requires(Permission.VIEW_AREA_HOME)
def area_home() -> str:
    """What there is to do here, for this role: counts that link to the lists behind them."""
    role = g.role
    todo: list[tasks.Task] = []
    if role is Role.OFFICER:
        todo = tasks.officer_tasks(current_user)
    elif role is Role.MANAGER:
        todo = tasks.manager_tasks(current_area) + tasks.educator_tasks(
            current_user, everyone=True
        )
    elif role is Role.EDUCATOR:
        todo = tasks.educator_tasks(current_user, everyone=False)
    elif role is Role.CUSTODY_WORKER:
        todo = tasks.custody_tasks(current_user)
    figures = tasks.headline_figures(current_area) if role is Role.COMMISSIONER else None
    return render_template("home/area_home.html", tasks=todo, figures=figures)


@bp.route("/healthz")
@public
def healthz() -> tuple[dict[str, object], int]:
    """Liveness with a database round-trip, for load balancers and monitoring."""
    started = time.perf_counter()
    try:
        db.session.execute(select(1)).scalar_one()
    except Exception as error:  # any database failure means unhealthy, never a 500 page
        db.session.rollback()
        return {"status": "unavailable", "database": type(error).__name__}, 503
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return {"status": "ok", "database": "ok", "database_ms": elapsed_ms}, 200


@bp.route("/assets/<path:filename>")
@public
def govuk_assets(filename: str) -> Response:
    """GOV.UK Frontend's fonts and images, at the /assets path its stylesheet refers to."""
    return send_from_directory(Path(current_app.static_folder or "") / "govuk" / "assets", filename)
