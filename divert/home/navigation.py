"""The service navigation: one list of (permission, endpoint, label), filtered per user."""

from __future__ import annotations

from flask import Flask, current_app, g, request, url_for

from divert.permissions import Permission, can

NAVIGATION: list[tuple[Permission, str, str]] = [
    (Permission.VIEW_AREA_HOME, "home.area_home", "Home"),
    (Permission.SUBMIT_REFERRAL, "referrals.new_referral", "New referral"),
    (Permission.VIEW_OWN_REFERRALS, "referrals.my_referrals", "My referrals"),
    (Permission.VIEW_AREA_REFERRALS, "outcomes.area_referrals", "Area referrals"),
    (Permission.RECORD_POLICE_OUTCOME, "outcomes.returned_cases", "Returned cases"),
    (Permission.SUPPLY_FORCE_DATA, "outcomes.checks_due", "Reoffending checks"),
    (Permission.SUPPLY_FORCE_DATA, "outcomes.eligible_offences", "Eligible offences"),
    (Permission.SUPPLY_FORCE_DATA, "outcomes.comparison_groups", "Comparison groups"),
    (Permission.VIEW_CASES, "sessions.caseload", "Caseload"),
    (Permission.RECORD_CUSTODY_CONTACTS, "custody.caseload", "Custody contacts"),
    (Permission.BOOK_CUSTODY_FOLLOW_UP, "custody.police_booking", "CARS appointment"),
    (Permission.SEARCH_REFERRALS, "search.search", "Search"),
    (Permission.MANAGE_DIARY, "sessions.diary", "Diary"),
    (Permission.VIEW_CASES, "courses.courses", "Courses"),
    (Permission.REVIEW_MATCHES, "reviews.review_queue", "Possible repeats"),
    (Permission.VIEW_DASHBOARD, "dashboard.area_dashboard", "Dashboard"),
    (Permission.MANAGE_AREA_USERS, "area_users.list_users", "Users"),
    (Permission.VIEW_REGION, "dashboard.region_dashboard", "Region"),
    (Permission.MANAGE_API_TOKENS, "api_tokens.list_area_tokens", "API tokens"),
    (Permission.VIEW_REGION, "api_tokens.list_region_tokens", "API tokens"),
    (Permission.ADMINISTER, "admin.index", "Admin"),
]


def navigation_items() -> list[dict[str, object]]:
    """Links this user may follow from here; endpoints not built yet are left out."""
    url_map = current_app.url_map
    items = []
    for permission, endpoint, label in NAVIGATION:
        if not endpoint_exists(endpoint) or not can(permission):
            continue
        expects_area = url_map.is_endpoint_expecting(endpoint, "area_slug")
        if expects_area and g.get("area") is None:
            continue
        if url_map.is_endpoint_expecting(endpoint, "region_slug") and g.get("region") is None:
            continue
        href = url_for(endpoint)
        items.append({"href": href, "text": label, "active": request.path == href})
    return items


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def init_app(app: Flask) -> None:
    app.add_template_global(endpoint_exists)
    app.add_template_global(navigation_items)
    app.add_template_global(can)
    app.add_template_global(Permission, "Permission")
