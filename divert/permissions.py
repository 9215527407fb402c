"""Who may do what: the role -> permissions table, and the one decorator that checks it.

Every view carries `@requires(...)` (or `@public`); tests/test_isolation.py fails any route
without one and walks every route for every role.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user

from divert.extensions import login_manager
from divert.models import Role


class Permission(enum.StrEnum):
    # Area permissions: held through a membership of the URL's area.
    VIEW_AREA_HOME = "view_area_home"
    SUBMIT_REFERRAL = "submit_referral"
    VIEW_OWN_REFERRALS = "view_own_referrals"
    VIEW_CASES = "view_cases"
    MANAGE_DIARY = "manage_diary"
    RECORD_ATTENDANCE = "record_attendance"
    MANAGE_ALL_DIARIES = "manage_all_diaries"
    REVIEW_MATCHES = "review_matches"
    MANAGE_AREA_USERS = "manage_area_users"
    VIEW_AREA_AUDIT = "view_area_audit"
    VIEW_DASHBOARD = "view_dashboard"
    EXPORT_FIGURES = "export_figures"
    MANAGE_API_TOKENS = "manage_api_tokens"
    # Outcomes (divert.outcomes).
    RECORD_POLICE_OUTCOME = "record_police_outcome"  # officers: their own returned cases
    VIEW_AREA_REFERRALS = "view_area_referrals"  # every officer's referrals and returned cases
    CONFIRM_TREATMENT = "confirm_treatment"  # a treatment service, through the API
    SUPPLY_FORCE_DATA = "supply_force_data"  # reoffending results, eligible offences, comparison
    # Find referrals by name or reference: educators and managers in the whole area, officers
    # among their own referrals only (the view narrows it; see divert/search).
    SEARCH_REFERRALS = "search_referrals"
    # CARS (divert/custody): the custody worker's caseload and records (managers' too), and
    # the appointments police book for the service out of hours.
    RECORD_CUSTODY_CONTACTS = "record_custody_contacts"
    BOOK_CUSTODY_FOLLOW_UP = "book_custody_follow_up"
    # Not tied to an area.
    SIGNED_IN = "signed_in"
    VIEW_REGION = "view_region"
    ADMINISTER = "administer"


_EDUCATOR = {
    Permission.VIEW_AREA_HOME,
    Permission.SEARCH_REFERRALS,
    Permission.VIEW_CASES,
    Permission.MANAGE_DIARY,
    Permission.RECORD_ATTENDANCE,
    Permission.MANAGE_API_TOKENS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(
        {
            Permission.VIEW_AREA_HOME,
            Permission.SUBMIT_REFERRAL,
            Permission.VIEW_OWN_REFERRALS,
            Permission.RECORD_POLICE_OUTCOME,
            Permission.MANAGE_API_TOKENS,
            Permission.SEARCH_REFERRALS,
            Permission.BOOK_CUSTODY_FOLLOW_UP,
        }
    ),
    Role.EDUCATOR: frozenset(_EDUCATOR),
    Role.MANAGER: frozenset(
        _EDUCATOR
        | {
            Permission.MANAGE_ALL_DIARIES,
            Permission.REVIEW_MATCHES,
            Permission.MANAGE_AREA_USERS,
            Permission.VIEW_AREA_AUDIT,
            Permission.VIEW_DASHBOARD,
            Permission.EXPORT_FIGURES,
            Permission.RECORD_CUSTODY_CONTACTS,
        }
    ),
    Role.COMMISSIONER: frozenset(
        {
            Permission.VIEW_AREA_HOME,
            Permission.VIEW_DASHBOARD,
            Permission.EXPORT_FIGURES,
            Permission.MANAGE_API_TOKENS,
        }
    ),
    Role.POLICE_SUPERVISOR: frozenset(
        {
            Permission.VIEW_AREA_HOME,
            Permission.RECORD_POLICE_OUTCOME,
            Permission.VIEW_AREA_REFERRALS,
            Permission.MANAGE_API_TOKENS,
        }
    ),
    Role.FORCE_ANALYST: frozenset(
        {
            Permission.VIEW_AREA_HOME,
            Permission.SUPPLY_FORCE_DATA,
            Permission.MANAGE_API_TOKENS,
        }
    ),
    # A treatment service's account: makes a token and confirms entry into treatment by the
    # case's reference, nothing else.
    Role.TREATMENT_SERVICE: frozenset(
        {Permission.VIEW_AREA_HOME, Permission.CONFIRM_TREATMENT, Permission.MANAGE_API_TOKENS}
    ),
    Role.CUSTODY_WORKER: frozenset(
        {
            Permission.VIEW_AREA_HOME,
            Permission.RECORD_CUSTODY_CONTACTS,
            Permission.MANAGE_API_TOKENS,
        }
    ),
}

AREA_PERMISSIONS = frozenset(set().union(*ROLE_PERMISSIONS.values()))

View = TypeVar("View", bound=Callable[..., Any])


def role_can(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS[role]


def can(permission: Permission) -> bool:
    """Whether the signed-in user may do this here (used by templates to show links)."""
    if not current_user.is_authenticated:
        return False
    if permission in AREA_PERMISSIONS:
        return role_can(g.get("role"), permission)
    if permission is Permission.VIEW_REGION:
        return g.get("region") is not None
    if permission is Permission.ADMINISTER:
        return bool(current_user.is_admin)
    return True


def requires(permission: Permission) -> Callable[[View], View]:
    """Refuse the view unless the signed-in user holds `permission` where the URL points.

    Area membership itself is settled by divert.tenancy (404 for a foreign area); here a member
    whose role lacks the permission gets 403.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if permission in AREA_PERMISSIONS and g.get("area") is None:
                abort(404)  # an area permission on a view outside any area is a wiring bug
            if permission is Permission.VIEW_REGION and g.get("region") is None:
                abort(404)
            if permission is Permission.ADMINISTER and not current_user.is_admin:
                abort(404)
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        checked.required_permission = permission  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def public(view: View) -> View:
    """Mark a view as open to anyone, so the route audit knows it was a decision."""
    view.required_permission = None  # type: ignore[attr-defined]
    return view
