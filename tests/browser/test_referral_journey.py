"""An officer on a phone refers someone and books the first appointment, in a real Chromium."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from divert.extensions import db
from divert.models import Role
from divert.tenancy import area_scope
from tests.browser.conftest import accessibility_violations, sign_in
from tests.factories import account_email, area, create_demo_accounts, make_user
from tests.referrals.builders import session_slot

OFFICER = account_email(Role.OFFICER, "warwickshire")
MAX_INPUTS = 12


def _next_weekday(start: date) -> date:
    day = start
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def open_slot(app_ctx: Flask) -> None:
    create_demo_accounts()
    educator = make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
    with area_scope(area("warwickshire")):
        day = _next_weekday(date.today() + timedelta(days=3))
        session_slot(
            area("warwickshire"), educator, starts_at=datetime.combine(day, time(11), tzinfo=UTC)
        )
        db.session.commit()


class Inputs:
    """Counts what the officer fills in, so the form stays short."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.count += 1

    def check(self, label: str) -> None:
        self.page.get_by_label(label, exact=True).check()
        self.count += 1


def test_officer_refers_and_books_on_a_phone(
    phone: Page, live_server: str, open_slot: None
) -> None:
    sign_in(phone, live_server, OFFICER)
    phone.goto(f"{live_server}/warwickshire/referrals/new")
    assert accessibility_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    inputs = Inputs(phone)
    inputs.fill("#forename", "Jordan")
    inputs.fill("#surname", "Smith")
    inputs.fill("#date_of_birth-day", "14")
    inputs.fill("#date_of_birth-month", "2")
    inputs.fill("#date_of_birth-year", "2001")
    inputs.fill("#phone", "07911 123456")
    inputs.fill("#crime_reference", "23/12345/24")
    inputs.check("Cannabis")
    phone.locator("input[name=slot]").first.check()
    inputs.count += 1
    inputs.check("They agree to be contacted by the drug education service")
    phone.get_by_role("button", name="Submit referral").click()
    expect(phone.locator(".govuk-panel__title")).to_have_text("Referral submitted")
    expect(phone.locator(".govuk-panel__body")).to_contain_text(f"WAR-{date.today().year}-00001")
    expect(phone.get_by_role("heading", name="First appointment")).to_be_visible()
    assert inputs.count <= MAX_INPUTS
    assert accessibility_violations(phone) == []


def test_bad_input_is_shown_and_nothing_typed_is_lost(
    phone: Page, live_server: str, open_slot: None
) -> None:
    sign_in(phone, live_server, OFFICER)
    phone.goto(f"{live_server}/warwickshire/referrals/new")
    phone.fill("#forename", "Jordan")
    phone.fill("#surname", "Smith")
    phone.fill("#date_of_birth-day", "14")
    phone.fill("#date_of_birth-month", "2")
    phone.fill("#date_of_birth-year", str(date.today().year + 1))
    phone.fill("#phone", "12345")
    phone.fill("#crime_reference", "23/12345/24")
    phone.get_by_role("button", name="Submit referral").click()
    summary = phone.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Date of birth must be in the past")
    expect(summary).to_contain_text("Enter a UK phone number")
    expect(summary).to_contain_text("Select what was found")
    expect(phone.locator("#forename")).to_have_value("Jordan")
    expect(phone.locator("#date_of_birth-year")).to_have_value(str(date.today().year + 1))
    expect(phone.locator("#phone")).to_have_value("12345")
    expect(phone.locator("#crime_reference")).to_have_value("23/12345/24")
    assert accessibility_violations(phone) == []


def test_an_error_summary_link_to_a_date_puts_the_cursor_in_it(
    phone: Page, live_server: str, open_slot: None
) -> None:
    sign_in(phone, live_server, OFFICER)
    phone.goto(f"{live_server}/warwickshire/referrals/new")
    phone.fill("#forename", "Jordan")
    phone.fill("#surname", "Smith")
    phone.fill("#date_of_birth-day", "14")
    phone.fill("#date_of_birth-year", "2001")
    phone.get_by_role("button", name="Submit referral").click()
    link = phone.locator(".govuk-error-summary a", has_text="Date of birth must include a month")
    expect(link).to_have_attribute("href", "#date_of_birth-month")
    link.click()
    assert phone.evaluate("document.activeElement.id") == "date_of_birth-month"
