"""CARS on a 375-px phone in a real Chromium, axe-core checking every page on the way: a custody
worker records a contact with a positive test on arrest, an assessment that refers the person
into treatment and a follow-up booked; the treatment service's confirmation marks them as
engaged with treatment."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from divert.clock import LOCAL
from divert.extensions import db
from divert.models import (
    AppointmentKind,
    AssessmentResult,
    CustodyAppointment,
    DrugInterventionsRecord,
    DrugTestResult,
    InitialContact,
    Role,
)
from divert.tenancy import area_scope
from tests.browser.conftest import accessibility_violations, sign_in
from tests.factories import account_email, area, create_demo_accounts

WORKER = account_email(Role.CUSTODY_WORKER, "warwickshire")
TODAY = date.today()


@pytest.fixture
def accounts(app_ctx: Flask) -> None:
    create_demo_accounts()


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
    accounts: None, phone: Page, live_server: str
) -> None:
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
        contact = db.session.scalars(select(InitialContact)).one()
        assert contact.test_result is DrugTestResult.POSITIVE_COCAINE
        assert contact.required_assessment is not None
        assert contact.required_assessment.completed_on == TODAY
        record = db.session.scalars(select(DrugInterventionsRecord)).one()
        assert record.outcome is AssessmentResult.REFERRED_TO_TREATMENT
        booked = db.session.scalars(select(CustodyAppointment)).one()
        assert booked.kind is AppointmentKind.FOLLOW_UP
        assert booked.starts_at.astimezone(LOCAL).strftime("%H:%M") == "10:30"
    # The commissioner's quarterly CARS figures before the confirmation go here (figures
    # helper): read them, then confirm, then assert they changed by exactly these records.
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
