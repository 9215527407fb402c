"""The commissioner's quarterly CARS figures on a 375-px phone, in a real Chromium with axe-core:
they change by exactly what a custody worker records. The worker's records go through the
custody use cases (divert.custody.use_cases), as the worker's pages call them: a contact with a
positive test on arrest, the required assessment referring into treatment, a follow-up booked,
and the treatment service's confirmation of entry."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from divert.clock import local_today, utcnow
from divert.custody import use_cases
from divert.extensions import db
from divert.models import Role, User
from divert.tenancy import area_scope
from tests.browser.conftest import accessibility_violations, sign_in
from tests.cars_figures.builders import assess, contact
from tests.factories import account_email, area, create_demo_accounts, make_user

COMMISSIONER = account_email(Role.COMMISSIONER, "warwickshire")
# What the worker's records add to each figure (the first column: Warwickshire's).
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


def _figure(page: Page, label: str) -> int:
    """Warwickshire's count in the row headed exactly `label`."""
    row = page.locator("tr", has=page.locator("th", has_text=re.compile(rf"^{label}$"))).first
    return int(row.locator("td").first.inner_text().split()[0].replace(",", ""))


def _figures(page: Page) -> dict[str, int]:
    return {label: _figure(page, label) for label in CHANGES}


def test_the_quarters_cars_figures_change_by_what_the_worker_recorded(
    app_ctx: Flask, phone: Page, live_server: str
) -> None:
    create_demo_accounts()
    here = area("warwickshire")
    worker = make_user("cars@warwickshire.test", {"warwickshire": Role.CUSTODY_WORKER})
    with area_scope(here):
        # Five contacts earlier today, so the quarter is not too small to describe people.
        for _ in range(5):
            contact(here, worker, utcnow().replace(microsecond=0) - timedelta(hours=2))
        db.session.commit()

    today = local_today()
    quarter = f"q:{today.year}-{(today.month - 1) // 3 + 1}"
    sign_in(phone, live_server, COMMISSIONER)
    phone.goto(f"{live_server}/warwickshire/dashboard?period={quarter}&programme=cars")
    assert accessibility_violations(phone) == []
    before = _figures(phone)
    assert before["Custody contacts"] == 5

    with area_scope(here):
        worker = db.session.scalars(
            select(User).where(User.email == "cars@warwickshire.test")
        ).one()
        seen = contact(
            here, worker, utcnow().replace(microsecond=0) - timedelta(hours=1), "positive_cocaine"
        )
        referred = assess(seen, worker, "required", today, "referred_to_treatment")
        use_cases.book_appointment(
            seen, worker, kind="follow_up", starts_at=utcnow() + timedelta(days=1)
        )
        use_cases.confirm_treatment_entry(referred, worker, entered_on=today)
        db.session.commit()

    phone.reload()
    assert accessibility_violations(phone) == []
    after = _figures(phone)
    assert {label: after[label] - before[label] for label in CHANGES} == CHANGES
