"""CARS on a 375-px phone in a real Chromium, axe-core checking every page on the way: a custody
worker records a contact with a positive test on arrest, an assessment that refers the person
into treatment and a follow-up booked; the treatment service's confirmation marks them as
engaged with treatment; the commissioner's quarterly CARS figures, on a phone too, change by
exactly those records."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from divert.clock import LOCAL, utcnow
from divert.extensions import db
from divert.models import (
    AppointmentKind,
    AssessmentResult,
    CustodyAppointment,
    DrugInterventionsRecord,
    DrugTestResult,
    InitialContact,
    Person,
    Role,
)
from divert.tenancy import area_scope
from tests.browser.conftest import PHONE, accessibility_violations, sign_in
from tests.cars_figures.builders import contact
from tests.factories import account_email, area, create_demo_accounts, make_user

WORKER = account_email(Role.CUSTODY_WORKER, "warwickshire")
COMMISSIONER = account_email(Role.COMMISSIONER, "warwickshire")
TODAY = date.today()
# What the worker's records add to the commissioner's figures (Warwickshire's column).
CHANGES = {
    "Custody contacts": 1,
    "Test on arrest": 1,
    "Contact only": 0,
    "Required assessments requested": 1,
    "Required assessments completed": 1,
    "Referrals into mainstream treatment": 1,
    "Entered treatment": 1,
    "Appointments booked": 1,
    "Cases closed": 0,
}


@pytest.fixture
def accounts(app_ctx: Flask) -> None:
    create_demo_accounts()
    # Five contacts already this quarter, so that the commissioner's quarter is not too small
    # to show figures describing people (the small-period rule).
    here = area("warwickshire")
    seen_by = make_user("cars@warwickshire.test", {"warwickshire": Role.CUSTODY_WORKER})
    with area_scope(here):
        for _ in range(5):
            contact(here, seen_by, utcnow().replace(microsecond=0) - timedelta(minutes=1))
        db.session.commit()


def _cars_figures(page: Page) -> dict[str, int]:
    """Warwickshire's count in each CARS row of CHANGES (the first column)."""
    page.reload()
    _checked(page)
    found = {}
    for label in CHANGES:
        row = page.locator("tr", has=page.locator("th", has_text=re.compile(rf"^{label}$")))
        found[label] = int(row.first.locator("td").first.inner_text().split()[0])
    return found


def _checked(page: Page) -> Page:
    assert accessibility_violations(page) == [], page.url
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 375, f"{page.url} is {wide}px wide"
    return page


def _fill_date(page: Page, field: str, day: date) -> None:
    page.fill(f"#{field}-day", str(day.day))
    page.fill(f"#{field}-month", str(day.month))
    page.fill(f"#{field}-year", str(day.year))


def test_a_custody_worker_records_a_contact_an_assessment_and_a_follow_up(
    accounts: None, browser: Browser, phone: Page, live_server: str
) -> None:
    opcc = browser.new_context(viewport=PHONE)
    commissioner = opcc.new_page()
    sign_in(commissioner, live_server, COMMISSIONER)
    quarter = f"q:{TODAY.year}-{(TODAY.month - 1) // 3 + 1}"
    commissioner.goto(f"{live_server}/warwickshire/dashboard?period={quarter}&programme=cars")
    before = _cars_figures(commissioner)

    sign_in(phone, live_server, WORKER)
    phone.get_by_role("link", name="Custody contacts").first.click()
    _checked(phone)
    phone.get_by_role("link", name="Record a contact").click()
    _checked(phone)
    # The contact: a positive test for cocaine in Leamington's custody suite, half an hour ago.
    earlier = datetime.now(LOCAL) - timedelta(minutes=30)
    phone.fill("#forename", "Jordan")
    phone.fill("#surname", "Ellis")
    _fill_date(phone, "date_of_birth", date(1990, 3, 14))
    phone.select_option("#location", label="Leamington Justice Centre custody suite")
    _fill_date(phone, "seen_on", earlier.date())
    phone.fill("#seen_at", earlier.strftime("%H:%M"))
    phone.get_by_label("Positive for cocaine", exact=True).check()
    phone.get_by_role("button", name="Save the contact").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("Contact saved")
    expect(phone.locator("main")).to_contain_text("Required assessment")
    _checked(phone)
    # The assessment, referring them into treatment (the required assessment done in custody).
    phone.get_by_role("link", name="An assessment").click()
    _checked(phone)
    phone.get_by_role("button", name="Save the assessment").click()  # nothing chosen yet
    expect(phone.locator(".govuk-error-summary")).to_contain_text("Choose their alcohol use")
    _checked(phone)
    phone.get_by_label("Cocaine", exact=True).check()
    phone.get_by_label("Snorted").check()
    phone.get_by_label("Harmful or hazardous drinking").check()
    phone.get_by_label("Needs help with housing").check()
    phone.get_by_label("Referred into treatment", exact=True).check()
    phone.select_option("#treatment_service", label="Community drug and alcohol service")
    phone.get_by_role("button", name="Save the assessment").click()
    expect(phone.locator("main")).to_contain_text(
        "Referred into treatment: Community drug and alcohol service"
    )
    expect(phone.locator("main")).to_contain_text("Awaiting the treatment service")
    # A follow-up appointment in two days.
    phone.get_by_role("link", name="Book an appointment").click()
    _checked(phone)
    phone.get_by_label("Follow-up appointment").check()
    _fill_date(phone, "day", TODAY + timedelta(days=2))
    phone.fill("#starts", "10:30")
    phone.get_by_role("button", name="Book the appointment").click()
    expect(phone.locator(".govuk-notification-banner")).to_contain_text("Appointment booked")
    expect(phone.locator("main")).to_contain_text("Follow-up appointment")
    _checked(phone)
    with area_scope(area("warwickshire")):
        contact = db.session.scalars(
            select(InitialContact).join(Person).where(Person.surname == "Ellis")
        ).one()
        assert contact.test_result is DrugTestResult.POSITIVE_COCAINE
        assert contact.required_assessment is not None
        assert contact.required_assessment.completed_on == TODAY
        record = db.session.scalars(select(DrugInterventionsRecord)).one()
        assert record.outcome is AssessmentResult.REFERRED_TO_TREATMENT
        booked = db.session.scalars(select(CustodyAppointment)).one()
        assert booked.kind is AppointmentKind.FOLLOW_UP
        assert booked.starts_at.astimezone(LOCAL).strftime("%H:%M") == "10:30"
    # The treatment service confirms they entered treatment: engaged with treatment.
    phone.get_by_role("link", name="Record what the treatment service said").click()
    _checked(phone)
    phone.get_by_label("Yes, the treatment service confirmed it").check()
    _fill_date(phone, "entered_on", TODAY)
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("main")).to_contain_text("Confirmed: entered on")
    _checked(phone)
    db.session.expire_all()  # read again what the live server wrote since
    with area_scope(area("warwickshire")):
        assert db.session.scalars(select(DrugInterventionsRecord)).one().treatment_entry_on == TODAY
    after = _cars_figures(commissioner)
    assert {label: after[label] - before[label] for label in CHANGES} == CHANGES
    opcc.close()
