"""The outcomes pages' blueprint, and what each user may see of the area's referrals."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from sqlalchemy import ColumnElement, true

from divert.permissions import Permission, can
from divert.referrals import queries

bp = Blueprint("outcomes", __name__)


def visible_referrals() -> ColumnElement[bool]:
    """Officers see the referrals they made; police supervisors every officer's in the area."""
    if can(Permission.VIEW_AREA_REFERRALS):
        return true()
    return queries.submitted_by(current_user)
