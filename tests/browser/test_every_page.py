"""Every page of every role, on a 375-px phone and a 1280-px desk, in a real Chromium: each
answers 200, passes axe-core's WCAG 2.2 AA checks with no violation, and is never wider than
the screen (a table may scroll inside its own box, the page may not).

Pages are found from the URL map, so a new page is visited without editing this test; Flask-
Admin's record pages are reached through the first "Change" link of each list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page
from sqlalchemy import select
from werkzeug.routing import Rule

from divert.clock import utcnow
from divert.demo.builder import build_demo
from divert.extensions import db
from divert.models import Course, DiarySession, ReferralStatus, Role, User
from divert.permissions import AREA_PERMISSIONS, Permission, role_can
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.browser.conftest import accessibility_violations, sign_in
from tests.custody.builders import cars_records
from tests.factories import (
    ADMIN_EMAIL,
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
)
from tests.referrals.builders import referral, session_slot

AREA, REGION = "warwickshire", "west-midlands-region"
WIDTHS = (375, 1280)
ACTORS = [*(role.value for role in Role), "regional_lead", "admin", "anonymous"]
# Not pages: downloads, feeds, files, health checks, redirects, and Flask-Admin's JSON helpers
# and the details and export pages this service switches off.
NOT_PAGES = {
    "static",
    "admin.static",
    "home.index",
    "home.healthz",
    "home.govuk_assets",
    "sessions.calendar_feed",
    "dashboard.export_csv",
    "dashboard.export_xlsx",
    "dashboard.region_export_csv",
    "dashboard.region_export_xlsx",
    "admin_people.export",
    "auth.set_password",  # needs an emailed one-time link: its form is checked in test_auth
    "area_users.invitation",  # the same
    "api.openapi_json",
    "outcomes.checks_due_csv",
}
NOT_PAGE_SUFFIXES = (".ajax_lookup", ".details_view", ".export")
# Pages that take a search or a filter are also seen with one, showing results.
WITH_QUERY = {
    "search.search": "q=Alex+Example",
    "sessions.caseload": "status=booked",
    "audit.area_audit": "action=sign_in",
    "custody.caseload": "show=open",
}


@dataclass
class World:
    ids: dict[str, int]


@pytest.fixture
def world(app_ctx: Flask) -> Iterator[World]:
    """The demo region (a small one), and in Warwickshire a referral of the demo officer booked
    into a session that began an hour ago, so every page has something to show."""
    create_demo_accounts()
    build_demo(120, seed=11)
    here = area(AREA)
    with area_scope(here):
        officer = _user(account_email(Role.OFFICER, AREA))
        educator = _user(account_email(Role.EDUCATOR, AREA))
        made = referral(here, officer, forename="Alex", surname="Example")
        # a young person's case, for the assessment page (young people only)
        young = referral(
            here,
            officer,
            forename="Sam",
            surname="Young",
            date_of_birth=date.today().replace(year=date.today().year - 15, day=1),
            guardian_name="Pat Young",
            guardian_contact="07700 900456",
        )
        # a case returned to the officer, for the police outcome page (returned cases only)
        returned = referral(here, officer, forename="Jo", surname="Returned")
        lifecycle.change_status(returned, ReferralStatus.NOT_ENGAGED, educator)
        worker = _user(account_email(Role.CUSTODY_WORKER, AREA))
        cars = cars_records(here, worker, "leamington", "Casey")
        begun = session_slot(here, educator, starts_at=utcnow() - timedelta(hours=1))
        booking = lifecycle.book(made, begun, educator)
        db.session.commit()
        ids = {
            "referral_id": made.id,
            "session_id": begun.id,
            "booking_id": booking.id,
            "user_id": educator.id,
            "person_id": made.person_id,
            "young_referral_id": young.id,
            "returned_referral_id": returned.id,
            **cars,
            # a group course of the demo (an ARV course runs in every area)
            "course_id": db.session.scalar(select(Course.id).order_by(Course.id).limit(1)),
        }
        ids["course_session_id"] = db.session.scalar(
            select(DiarySession.id)
            .where(DiarySession.course_id == ids["course_id"])
            .order_by(DiarySession.starts_at)
            .limit(1)
        )
    yield World(ids)


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _is_page(app: Flask, rule: Rule) -> bool:
    view = app.view_functions[rule.endpoint]
    return (
        "GET" in (rule.methods or ())
        and rule.endpoint not in NOT_PAGES
        and not rule.endpoint.endswith(NOT_PAGE_SUFFIXES)
        and not getattr(view, "api_operation", False)
    )


def _may_open(actor: str, app: Flask, rule: Rule) -> bool:
    if rule.endpoint.startswith("admin"):
        return actor == "admin"
    permission = app.view_functions[rule.endpoint].required_permission
    if actor == "anonymous" or permission is None:
        return actor == "anonymous" and permission is None  # the signed out pages
    if permission in AREA_PERMISSIONS:
        return actor in {role.value for role in Role} and role_can(Role(actor), permission)
    return {
        Permission.SIGNED_IN: True,
        Permission.VIEW_REGION: actor == "regional_lead",
    }[permission]


# Pages that belong to one kind of case only: the world's record of that kind.
RECORD_OF_KIND = {
    "assessments.record_assessment": {"referral_id": "young_referral_id"},
    "courses.register": {"session_id": "course_session_id"},
    "outcomes.police_outcome": {"referral_id": "returned_referral_id"},
}


def _path(rule: Rule, ids: dict[str, int]) -> str:
    path = rule.rule
    kind = RECORD_OF_KIND.get(rule.endpoint, {})
    for name in rule.arguments:
        value = {"area_slug": AREA, "region_slug": REGION, **ids}[kind.get(name, name)]
        path = path.replace(f"<{name}>", str(value)).replace(f"<id:{name}>", str(value))
    return path


def _pages(app: Flask, actor: str, ids: dict[str, int]) -> list[str]:
    rules = sorted(
        (r for r in app.url_map.iter_rules() if _is_page(app, r) and _may_open(actor, app, r)),
        key=lambda r: r.rule,
    )
    pages = [_path(rule, ids) for rule in rules]
    pages += [
        f"{_path(rule, ids)}?{WITH_QUERY[rule.endpoint]}"
        for rule in rules
        if rule.endpoint in WITH_QUERY
    ]
    return pages


def _check(page: Page, base: str, path: str, width: int) -> list[str]:
    response = page.goto(f"{base}{path}")
    page.wait_for_load_state("load")
    problems = []
    if response is None or response.status != 200:
        problems.append(f"{path} at {width}px: status {response.status if response else None}")
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        problems.append(f"{path} at {width}px: the page is {wide}px wide")
    problems += [f"{path} at {width}px: {v}" for v in accessibility_violations(page)]
    return problems


def _record_pages(page: Page) -> list[str]:
    """The edit page of the first record of an administration list, if it has one."""
    change = page.locator("main a", has_text="Change").first
    return [change.get_attribute("href") or ""] if change.count() else []


@pytest.mark.parametrize("actor", ACTORS)
def test_every_page_fits_and_passes_axe(
    app: Flask, browser: Browser, live_server: str, world: World, actor: str
) -> None:
    pages = _pages(app, actor, world.ids)
    assert pages, f"no pages found for {actor}"
    problems: list[str] = []
    visited = 0
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        if actor != "anonymous":
            email = {"regional_lead": REGIONAL_LEAD_EMAIL, "admin": ADMIN_EMAIL}.get(
                actor, account_email(actor, AREA)
            )
            sign_in(page, live_server, email)
        queue = list(pages)
        while queue:
            path = queue.pop(0)
            problems += _check(page, live_server, path, width)
            visited += 1
            if actor == "admin" and path.endswith("/") and "/edit/" not in path:
                queue += [p for p in _record_pages(page) if p and p not in pages]
        context.close()
    assert visited >= 2 * len(pages)
    assert problems == []
