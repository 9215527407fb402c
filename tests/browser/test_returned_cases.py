"""A returned case's police outcome from a phone: the officer records "community resolution";
the supervisor's overdue list shrinks by one; the commissioner's police-outcome figures move.
axe-core checks the pages on the way."""

from __future__ import annotations

from datetime import date

from flask import Flask
from playwright.sync_api import Browser, Page, expect

from divert.extensions import db
from divert.models import Role
from divert.outcomes.csv_files import RESULT_COLUMNS
from divert.referrals import closure
from divert.tenancy import area_scope
from tests.browser.conftest import PHONE, accessibility_violations, sign_in
from tests.factories import account_email, area, create_demo_accounts
from tests.outcomes.builders import demo_user, returned_case

AREA = "warwickshire"
OFFICER = account_email(Role.OFFICER, AREA)
SUPERVISOR = account_email(Role.POLICE_SUPERVISOR, AREA)
COMMISSIONER = account_email(Role.COMMISSIONER, AREA)
MANAGER = account_email(Role.MANAGER, AREA)


def _overdue_heading(page: Page, base: str) -> str:
    page.goto(f"{base}/{AREA}/")
    return page.locator("#overdue-heading").inner_text()


def _community_resolutions(page: Page, base: str) -> str:
    page.goto(f"{base}/{AREA}/dashboard")
    table = page.locator("table", has=page.get_by_text("Police outcomes of returned cases"))
    row = table.locator("tr", has=page.locator("th", has_text="Community resolution"))
    return row.locator("td").first.inner_text().strip() if row.count() else "none"


def test_officer_records_community_resolution_on_a_phone(
    app_ctx: Flask, live_server: str, browser: Browser
) -> None:
    create_demo_accounts()
    here = area(AREA)
    with area_scope(here):
        officer = demo_user(Role.OFFICER, here)
        first = returned_case(here, officer, 20, forename="Morgan", crime_reference="WK/26/71")
        returned_case(here, officer, 16, forename="Casey", crime_reference="WK/26/72")
        db.session.commit()
        reference = first.reference
    # Each person signs in on a phone of their own, as they would, rather than one browser
    # signing in as each in turn.
    contexts = []

    def signed_in(email: str) -> Page:
        context = browser.new_context(viewport=PHONE)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server, email)
        return page

    page = signed_in(SUPERVISOR)
    assert _overdue_heading(page, live_server).endswith("(2)")
    assert accessibility_violations(page) == []
    page = signed_in(COMMISSIONER)
    assert _community_resolutions(page, live_server) == "none"

    page = signed_in(OFFICER)
    assert _overdue_heading(page, live_server).endswith("(2)")
    page.get_by_role("link", name=reference).first.click()
    expect(page.get_by_role("heading", name="Police outcome")).to_be_visible()
    page.get_by_label("Community resolution").check()
    today = date.today()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    assert accessibility_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.get_by_text(f"{reference}: Community resolution recorded.")).to_be_visible()
    assert accessibility_violations(page) == []

    page = signed_in(SUPERVISOR)
    assert _overdue_heading(page, live_server).endswith("(1)")
    # Two referrals this period, under the threshold of 5: a commissioner sees no breakdown
    # describing people; the manager, who sees the cases themselves, sees 1 of the 2.
    page = signed_in(COMMISSIONER)
    assert _community_resolutions(page, live_server) == "not shown: fewer than 5 referrals"
    page = signed_in(MANAGER)
    assert _community_resolutions(page, live_server) == "1 (50%)"
    for context in contexts:
        context.close()


def test_force_analyst_uploads_results_on_a_phone(
    app_ctx: Flask, live_server: str, browser: Browser
) -> None:
    """The analyst's pages pass axe at 375 px; a bad line is named and nothing is saved."""
    create_demo_accounts()
    here = area(AREA)
    with area_scope(here):
        officer = demo_user(Role.OFFICER, here)
        made = returned_case(here, officer, 0, forename="Hidden", crime_reference="WK/26/90")
        made.closed_on = date(2026, 1, 5)
        closure.case_closed(made)
        db.session.commit()
        reference = made.reference
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, live_server, account_email(Role.FORCE_ANALYST, AREA))
    page.goto(f"{live_server}/{AREA}/reoffending")
    expect(page.get_by_role("cell", name=reference)).to_be_visible()
    assert "Hidden" not in page.content()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Upload results (CSV)").click()
    header = ",".join(RESULT_COLUMNS)
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "results.csv",
                "mimeType": "text/csv",
                "buffer": f"{header}\n{reference},WK/26/90,maybe,0,,no,no\n".encode(),
            }
        ],
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Nothing has been imported: 1 line cannot be used")).to_be_visible()
    expect(page.get_by_role("link", name="Line 2: reoffended must be yes or no")).to_be_visible()
    assert accessibility_violations(page) == []
    page.context.close()
