"""The search page: educators and managers search the area's cases, officers their own
referrals."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, render_template, request
from flask_login import current_user

from divert import audit
from divert.permissions import Permission, can, requires
from divert.referrals import lifecycle
from divert.referrals import search as referral_search

bp = Blueprint("search", __name__)


@bp.route("/<area_slug>/search")
@requires(Permission.SEARCH_REFERRALS)
def search() -> str:
    term = request.args.get("q", "").strip()
    whole_area = can(Permission.VIEW_CASES)
    found = referral_search.find(term, officer=None if whole_area else current_user)
    page = partial(
        render_template,
        "search/results.html",
        term=term,
        found=found,
        whole_area=whole_area,
        labels=lifecycle.LABELS,
        limit=referral_search.LIMIT,
    )
    if not term:
        return page()
    # Names were shown: the audit trail says who searched, not what for (that may be a name).
    return audit.record_with_answer("referrals_searched", page, results=len(found))
