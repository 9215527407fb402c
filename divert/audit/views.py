"""A manager's view of their area's audit trail."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from divert.audit.search import AuditSearchForm, page_url, search
from divert.formfields import options
from divert.params import query_page
from divert.permissions import Permission, requires
from divert.tenancy import current_area

bp = Blueprint("audit", __name__)


@bp.route("/<area_slug>/audit")
@requires(Permission.VIEW_AREA_AUDIT)
def area_audit() -> tuple[str, int] | str:
    form = AuditSearchForm(formdata=request.args or None)
    form.area.choices = options([("", "This area")])
    if request.args and not form.validate():
        return render_template("audit/search.html", form=form, results=None), 400
    results = search(form, query_page(), where=current_area)
    return render_template("audit/search.html", form=form, results=results, page_url=page_url)
