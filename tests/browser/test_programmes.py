"""Programmes end to end in a real Chromium, axe-core checking every page on the way:

- a 15-year-old's DIVERT referral, the assessment with a guardian, a group course and its
  registers, the case completed, and the commissioner's figures for the young people's
  programme up by one completed;
- a conditional caution referral to the ARV course, two sessions missed so the course can no
  longer be completed by its rule before the deadline, the case closed not completed and in the
  officer's returned list with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from divert.extensions import db
from divert.models import Role, User
from divert.tenancy import area_scope
from tests.browser.conftest import accessibility_violations, sign_in
from tests.factories import account_email, area, create_demo_accounts
from tests.referrals.builders import referral

OFFICER = account_email(Role.OFFICER, "warwickshire")
EDUCATOR = account_email(Role.EDUCATOR, "warwickshire")
COMMISSIONER = account_email(Role.COMMISSIONER, "warwickshire")
TODAY = date.today()


@pytest.fixture
def accounts(app_ctx: Flask) -> None:
    create_demo_accounts()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _checked(page: Page) -> Page:
    assert accessibility_violations(page) == [], page.url
    return page


def _fill_date(page: Page, field: str, day: date) -> None:
    page.fill(f"#{field}-day", str(day.day))
    page.fill(f"#{field}-month", str(day.month))
    page.fill(f"#{field}-year", str(day.year))


def _count(page: Page, label: str) -> int:
    """The area's count in the figures row whose heading is exactly `label`."""
    row = page.locator("tr", has=page.locator("th", has_text=re.compile(rf"^{label}$")))
    return int(row.locator("td").first.inner_text().split()[0].replace(",", ""))


def _refer(
    page: Page, base: str, forename: str, born: date, *, caution_on: date | None = None
) -> None:
    page.goto(f"{base}/warwickshire/referrals/new")
    if caution_on is not None:
        page.get_by_role("link", name="Refer after a conditional caution instead").click()
        page.wait_for_url("**disposal=conditional_caution")
    _checked(page)
    page.fill("#forename", forename)
    page.fill("#surname", "Example")
    _fill_date(page, "date_of_birth", born)
    page.fill("#phone", "07911 123456")
    page.fill("#crime_reference", f"23/{forename}/24")
    if caution_on is None:
        page.fill("#guardian_name", "Sam Example")
        page.fill("#guardian_contact", "07911 654321")
        page.get_by_label("Cannabis", exact=True).check()
    else:
        _fill_date(page, "disposal_on", caution_on)
    page.get_by_label("They agree to be contacted by the drug education service").check()
    page.get_by_role("button", name="Submit referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral submitted")
    _checked(page)


def _publish_course(page: Page, base: str, programme: str, title: str, every_days: int) -> None:
    page.goto(f"{base}/warwickshire/courses")
    _checked(page)
    page.get_by_role("link", name="Publish a course").click()
    page.wait_for_url("**/courses/new**")
    _checked(page)
    page.get_by_label("Programme").select_option(label=programme)
    page.get_by_label("Name of the course").fill(title)
    _fill_date(page, "first_date", TODAY + timedelta(days=1))
    page.get_by_label("Start time").fill("17:00")
    page.get_by_label("Days between sessions").fill(str(every_days))
    page.get_by_label("Where").select_option(label="Remote (video)")
    page.get_by_role("button", name="Publish course").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Published {title}: 4 sessions"
    )
    _checked(page)


def _enrol(page: Page, name: str) -> None:
    chooser = page.get_by_label("Person to enrol")
    expect(chooser).to_contain_text(f"{name} Example")
    chooser.select_option(index=1)  # the only person who can join
    page.get_by_role("button", name="Enrol").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Enrolled {name} Example")
    _checked(page)


def _register(page: Page, session: int, outcome: str) -> None:
    page.get_by_role("link", name=f"Take the register for session {session}").click()
    page.wait_for_url("**/register")
    _checked(page)
    page.get_by_label(outcome, exact=True).check()
    page.get_by_role("button", name="Save the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Register saved for 1 person"
    )


@pytest.fixture
def young_people_referred(accounts: None) -> None:
    """Five young people referred this year, so that the commissioner's figures for the
    programme are not withheld as too few to show (the small-period rule)."""
    here = area("warwickshire")
    with area_scope(here):
        officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
        for number in range(5):
            referral(
                here,
                officer,
                forename="Young",
                surname=f"Person{'abcde'[number]}",
                date_of_birth=TODAY.replace(year=TODAY.year - 15, day=1),
                crime_reference=f"WK/YP/{number}",
            )
        db.session.commit()


def test_a_young_person_completes_a_group_course(
    browser: Browser,
    phone: Page,
    desk: Page,
    live_server: str,
    young_people_referred: None,
) -> None:
    sign_in(desk, live_server, COMMISSIONER)
    desk.goto(f"{live_server}/warwickshire/dashboard")
    desk.get_by_label("Programme").select_option(label="DIVERT young people")
    desk.get_by_role("button", name="Show figures").click()
    desk.wait_for_url("**programme=divert-young-people**")
    _checked(desk)
    completed_before = _count(desk, "Completed")

    sign_in(phone, live_server, OFFICER)
    _refer(phone, live_server, "Robin", TODAY - timedelta(days=15 * 365 + 100))

    context = browser.new_context(viewport={"width": 1024, "height": 900})
    educator = context.new_page()
    sign_in(educator, live_server, EDUCATOR)
    educator.goto(f"{live_server}/warwickshire/caseload")
    educator.get_by_role("link", name="Robin Example").click()
    educator.wait_for_url("**/cases/*")
    _checked(educator)
    expect(educator.locator("main")).to_contain_text("DIVERT young people")
    educator.get_by_role("link", name="Record the assessment").click()
    educator.wait_for_url("**/assessment")
    _checked(educator)
    educator.get_by_label("The young person").check()
    educator.get_by_label("Parent or guardian", exact=True).check()
    educator.get_by_label("Are they in school, college or training, and attending?").fill(
        "Year 10, attends"
    )
    educator.get_by_label("Main substance they reported").select_option(label="Cannabis")
    educator.get_by_label("Suitable for a group course").check()
    educator.get_by_role("button", name="Save the assessment").click()
    expect(educator.locator(".govuk-notification-banner")).to_contain_text("Assessment saved")
    _checked(educator)

    _publish_course(educator, live_server, "DIVERT young people", "Young people's course", 7)
    _enrol(educator, "Robin")
    for session in range(1, 5):
        _register(educator, session, "Attended")
    _checked(educator)
    educator.get_by_role("link", name="Robin Example").click()
    educator.wait_for_url("**/cases/*")
    expect(educator.locator("main")).to_contain_text("Completed")
    expect(educator.locator("main")).to_contain_text("DIVERT young people")
    _checked(educator)
    context.close()

    desk.reload()
    assert _count(desk, "Completed") == completed_before + 1


def test_a_conditional_caution_not_completed_goes_back_to_the_officer(
    browser: Browser, phone: Page, live_server: str, accounts: None
) -> None:
    sign_in(phone, live_server, OFFICER)
    cautioned = TODAY - timedelta(days=70)  # the ARV course's 84 days end in two weeks
    _refer(phone, live_server, "Casey", TODAY - timedelta(days=30 * 365), caution_on=cautioned)

    context = browser.new_context(viewport={"width": 375, "height": 812})  # a phone
    educator = context.new_page()
    sign_in(educator, live_server, EDUCATOR)
    _publish_course(educator, live_server, "Alcohol Related Violence course", "ARV course", 3)
    _enrol(educator, "Casey")
    _register(educator, 1, "Did not attend")
    _register(educator, 2, "Did not attend")
    expect(educator.locator("main")).to_contain_text("Not completed – returned to you")
    context.close()

    phone.goto(f"{live_server}/warwickshire/referrals")
    returned = phone.locator("table", has_text="Returned to you for another outcome")
    expect(returned).to_contain_text("Casey Example")
    expect(returned).to_contain_text("Alcohol Related Violence course")
    expect(returned).to_contain_text(
        "Not completed: attended 0 of 3 needed; missed 2 sessions, too many to reach 3"
    )
    _checked(phone)
