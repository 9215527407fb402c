"""The outcomes pages, and what the home page and case page include from them."""

from __future__ import annotations

from flask import Flask

from divert.clock import local_today
from divert.models import Referral
from divert.outcomes import cases, force, police, returned  # noqa: F401  (routes join the blueprint)
from divert.outcomes.blueprint import bp, visible_referrals
from divert.permissions import Permission, can


def overdue_returned_cases() -> list[Referral] | None:
    """For the home page: the returned cases overdue an outcome, None for a role without any."""
    if not can(Permission.RECORD_POLICE_OUTCOME):
        return None
    return police.overdue(visible_referrals(), local_today())


def init_app(app: Flask) -> None:
    app.add_template_global(overdue_returned_cases)
    app.add_template_global(cases.case_outcomes)
    app.register_blueprint(bp)
