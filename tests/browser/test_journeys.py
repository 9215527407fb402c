"""The service end to end in a real Chromium: an officer's referral with a booking on a phone,
the educator's attendance, the commissioner's figures moving, an admin's new contract, and the
referral form completed with the keyboard alone. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from divert.extensions import db
from divert.models import DiarySession, Role, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.browser.conftest import accessibility_violations, sign_in
from tests.factories import ADMIN_EMAIL, account_email, area, create_demo_accounts
from tests.referrals.builders import referral, session_slot

OFFICER = account_email(Role.OFFICER, "warwickshire")
EDUCATOR = account_email(Role.EDUCATOR, "warwickshire")
COMMISSIONER = account_email(Role.COMMISSIONER, "warwickshire")
MANAGER = account_email(Role.MANAGER, "warwickshire")


@pytest.fixture
def open_slot(app_ctx: Flask) -> int:
    """Demo accounts and one open initial session of the Warwickshire demo educator."""
    create_demo_accounts()
    here = area("warwickshire")
    day = date.today() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with area_scope(here):
        educator = db.session.scalars(select(User).where(User.email == EDUCATOR)).one()
        slot = session_slot(here, educator, starts_at=datetime.combine(day, time(11), tzinfo=UTC))
        db.session.commit()
        return slot.id


def _has_started(slot_id: int) -> None:
    """Time passes: the session began a few minutes ago, so attendance can be recorded."""
    with area_scope(area("warwickshire")):
        slot = db.session.get(DiarySession, slot_id)
        slot.starts_at = datetime.now(UTC) - timedelta(minutes=5)
        slot.ends_at = slot.starts_at + timedelta(hours=1)
        db.session.commit()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _checked(page: Page) -> Page:
    assert accessibility_violations(page) == [], page.url
    return page


def _figure(page: Page, label: str) -> str:
    row = page.locator("tr", has=page.locator("th", has_text=label)).first
    return row.locator("td").first.inner_text().strip()


def _submit_referral(page: Page, base: str) -> None:
    page.goto(f"{base}/warwickshire/referrals/new")
    _checked(page)
    page.fill("#forename", "Jordan")
    page.fill("#surname", "Smith")
    page.fill("#date_of_birth-day", "14")
    page.fill("#date_of_birth-month", "2")
    page.fill("#date_of_birth-year", "2001")
    page.fill("#phone", "07911 123456")
    page.fill("#crime_reference", "23/12345/24")
    page.get_by_label("Cannabis", exact=True).check()
    page.locator("input[name=slot]").first.check()
    page.get_by_label("They agree to be contacted by the drug education service").check()
    page.get_by_role("button", name="Submit referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral submitted")
    _checked(page)


def test_referral_to_attendance_to_figures(
    browser: Browser, phone: Page, desk: Page, live_server: str, open_slot: int
) -> None:
    # The provider's manager sees every figure; a commissioner no breakdown of under 5 people.
    sign_in(desk, live_server, MANAGER)
    desk.goto(f"{live_server}/warwickshire/dashboard")
    _checked(desk)
    referrals_before, attended_before = (
        _figure(desk, "Referrals received"),
        _figure(desk, "Attended"),
    )

    sign_in(phone, live_server, OFFICER)
    _submit_referral(phone, live_server)

    educator_context = browser.new_context(viewport={"width": 1024, "height": 900})
    educator = educator_context.new_page()
    sign_in(educator, live_server, EDUCATOR)
    educator.goto(f"{live_server}/warwickshire/sessions/{open_slot}")
    _checked(educator)
    expect(educator.get_by_role("link", name="Record attendance")).to_have_count(0)
    _has_started(open_slot)
    educator.reload()
    educator.get_by_role("link", name="Record attendance").click()
    _checked(educator)
    educator.get_by_label("Attended", exact=True).check()
    educator.get_by_label("Main substance they reported").select_option(label="Cannabis")
    educator.get_by_role("button", name="Save attendance").click()
    expect(educator.locator(".govuk-notification-banner")).to_contain_text(
        "Attendance saved for Jordan Smith"
    )
    _checked(educator)
    educator_context.close()

    desk.reload()
    assert int(_figure(desk, "Referrals received")) == int(referrals_before) + 1
    assert int(_figure(desk, "Attended")) == int(attended_before) + 1
    _checked(desk)
    if int(referrals_before) + 1 < 5:
        commissioner_context = browser.new_context(viewport={"width": 1024, "height": 900})
        commissioner = commissioner_context.new_page()
        sign_in(commissioner, live_server, COMMISSIONER)
        commissioner.goto(f"{live_server}/warwickshire/dashboard")
        assert _figure(commissioner, "Attended") == "not shown: fewer than 5 referrals"
        _checked(commissioner)
        commissioner_context.close()


def _fill_date(page: Page, name: str, day_month_year: str) -> None:
    for part, value in zip(("day", "month", "year"), day_month_year.split(), strict=True):
        page.fill(f"#{name}-{part}", value)


def test_admin_creates_a_contract(desk: Page, live_server: str, open_slot: int) -> None:
    sign_in(desk, live_server, ADMIN_EMAIL)
    desk.goto(f"{live_server}/admin/")
    _checked(desk)
    desk.get_by_role("link", name="Contracts").first.click()
    _checked(desk)
    desk.get_by_role("link", name="Add to contracts").click()
    _checked(desk)
    desk.get_by_label("Area").select_option(label="West Mercia")
    desk.get_by_label("Label").fill("Extension to March 2028")
    _fill_date(desk, "starts_on", "1 4 2027")
    _fill_date(desk, "ends_on", "1 3 2027")
    desk.get_by_label("Places allocated").fill("120")
    desk.get_by_label("Value (£)").fill("6043.50")
    desk.get_by_label("Funding source").fill("OPCC community safety fund")
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator(".govuk-error-summary")).to_contain_text(
        "End date must be the same as or after the start date"
    )
    expect(desk.get_by_label("Label")).to_have_value("Extension to March 2028")
    _checked(desk)
    _fill_date(desk, "ends_on", "31 3 2028")
    desk.get_by_role("button", name="Save").click()
    expect(desk.locator("table")).to_contain_text("Extension to March 2028")
    expect(desk.locator("table")).to_contain_text("£6,043.50")
    _checked(desk)
    for path in ("/admin/audit/", "/admin/people/", "/admin/admin_users/new/"):
        desk.goto(f"{live_server}{path}")
        _checked(desk)


KEYS = {
    "forename": "Jordan",
    "surname": "Smith",
    "date_of_birth-day": "14",
    "date_of_birth-month": "2",
    "date_of_birth-year": "2001",
    "phone": "07911 123456",
    "crime_reference": "23/12345/24",
}
TICK = ("Cannabis", "They agree to be contacted by the drug education service")


def test_the_referral_form_with_the_keyboard_alone(
    phone: Page, live_server: str, open_slot: int
) -> None:
    sign_in(phone, live_server, OFFICER)
    phone.goto(f"{live_server}/warwickshire/referrals/new")
    slot_taken = False
    for _ in range(120):
        phone.keyboard.press("Tab")
        focused = phone.evaluate(
            """() => { const e = document.activeElement;
                const label = e.labels && e.labels[0] ? e.labels[0].innerText.trim() : '';
                return {id: e.id, name: e.name || '', type: e.type || '', label: label,
                        text: (e.innerText || '').trim()}; }"""
        )
        if focused["id"] in KEYS:
            phone.keyboard.type(KEYS[focused["id"]])
        elif focused["type"] == "checkbox" and focused["label"] in TICK:
            phone.keyboard.press("Space")
        elif focused["name"] == "slot" and not slot_taken:
            # The group's focus lands on the checked "leave it" option, the last one: the arrow
            # key moves the choice to the session above it, as a keyboard user would.
            phone.keyboard.press("ArrowUp")
            slot_taken = True
        elif focused["text"] == "Submit referral":
            phone.keyboard.press("Enter")
            break
    else:
        pytest.fail("the submit button was never reached with the Tab key")
    expect(phone.locator(".govuk-panel__title")).to_have_text("Referral submitted")
    expect(phone.get_by_role("heading", name="First appointment")).to_be_visible()


def _booked(forename: str, days_ago: int) -> tuple[int, int]:
    """A Warwickshire referral booked into a session `days_ago` days back: (referral, booking)."""
    here = area("warwickshire")
    with area_scope(here):
        officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
        educator = db.session.scalars(select(User).where(User.email == EDUCATOR)).one()
        made = referral(here, officer, forename=forename, surname="Walker")
        slot = session_slot(here, educator, starts_at=datetime.now(UTC) - timedelta(days=days_ago))
        booking = lifecycle.book(made, slot, educator)
        db.session.commit()
        return made.id, booking.id


def test_educator_records_naloxone_and_two_misses_return_a_case(
    browser: Browser, desk: Page, phone: Page, live_server: str, open_slot: int
) -> None:
    attended_id, attended_booking = _booked("Robin", 1)
    missed_id, first_miss = _booked("Morgan", 2)
    sign_in(desk, live_server, EDUCATOR)

    desk.goto(f"{live_server}/warwickshire/bookings/{attended_booking}/attendance")
    _checked(desk)
    desk.get_by_label("Attended", exact=True).check()
    desk.get_by_label("Main substance they reported").select_option(label="Cocaine")
    desk.get_by_label("Naloxone kit supplied").check()
    desk.get_by_role("button", name="Save attendance").click()
    expect(desk.locator(".govuk-notification-banner")).to_contain_text("Robin Walker")
    desk.goto(f"{live_server}/warwickshire/cases/{attended_id}")
    expect(desk.locator("main")).to_contain_text("Attended")
    _checked(desk)

    desk.goto(f"{live_server}/warwickshire/bookings/{first_miss}/attendance")
    desk.get_by_label("Did not attend", exact=True).check()
    desk.get_by_role("button", name="Save attendance").click()
    desk.goto(f"{live_server}/warwickshire/cases/{missed_id}")
    desk.locator("input[name=slot]").first.check()
    desk.get_by_role("button", name="Book").click()
    _has_started(open_slot)
    desk.goto(f"{live_server}/warwickshire/sessions/{open_slot}")
    desk.get_by_role("link", name="Record attendance").click()
    desk.get_by_label("Did not attend", exact=True).check()
    desk.get_by_role("button", name="Save attendance").click()
    expect(desk.locator(".govuk-notification-banner")).to_contain_text("Morgan Walker")
    _checked(desk)

    sign_in(phone, live_server, OFFICER)
    phone.goto(f"{live_server}/warwickshire/referrals")
    row = phone.locator("tr", has_text="Morgan Walker").first
    expect(row).to_contain_text("Not engaged – returned to you")
    _checked(phone)


def _fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url
    _checked(page)


def test_user_management_and_audit_pages_on_a_phone(
    phone: Page, live_server: str, open_slot: int
) -> None:
    sign_in(phone, live_server, account_email(Role.MANAGER, "warwickshire"))
    phone.goto(f"{live_server}/warwickshire/users")
    _fits_a_phone(phone)
    phone.get_by_role("link", name="Invite an officer or educator").click()
    phone.get_by_label("Full name").fill("Priya Shah")
    phone.get_by_role("button", name="Send invitation").click()
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    expect(phone.get_by_label("Full name")).to_have_value("Priya Shah")
    _fits_a_phone(phone)
    phone.get_by_label("Email address").fill("priya.shah@example.org")
    phone.get_by_label("Educator").check()
    phone.get_by_role("button", name="Send invitation").click()
    expect(phone.locator("table")).to_contain_text("priya.shah@example.org")
    phone.goto(f"{live_server}/warwickshire/audit")
    expect(phone.locator("table")).to_contain_text("Invited a user")
    _fits_a_phone(phone)

    phone.context.clear_cookies()
    sign_in(phone, live_server, ADMIN_EMAIL)
    for path in ("/admin/admin_contracts/", "/admin/admin_contracts/new/", "/admin/audit/"):
        phone.goto(f"{live_server}{path}")
        _fits_a_phone(phone)


def test_the_diary_offers_the_calendar_link_with_a_copy_button(
    browser: Browser, live_server: str, open_slot: int
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    phone = context.new_page()
    sign_in(phone, live_server, EDUCATOR)
    phone.goto(f"{live_server}/warwickshire/diary")
    phone.get_by_role("button", name="Make a calendar link").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text(
        "Your calendar link is ready"
    )
    expect(phone.locator(".govuk-notification-banner")).not_to_contain_text("no longer works")
    link = phone.locator("#calendar-link")
    expect(link).to_have_attribute("href", re.compile(r"/calendar/[\w-]{43}\.ics$"))
    _fits_a_phone(phone)
    phone.get_by_role("button", name="Copy link").click()
    expect(phone.locator("#calendar-link-status")).to_have_text("Link copied")
    copied = phone.evaluate("navigator.clipboard.readText()")
    assert copied == link.get_attribute("href")
    context.close()
