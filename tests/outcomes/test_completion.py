"""Completion and entry into treatment: a closed case's cohort and follow-up date come from
the completion rule; an educator records entry into treatment after an onward referral."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    BookingStatus,
    CaseOutcome,
    Cohort,
    ReferralStatus,
    Role,
    Substance,
    TreatmentEntry,
    TreatmentService,
)
from divert.referrals import closure, lifecycle
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import account_email, area, create_demo_accounts
from tests.outcomes.builders import attended_case, demo_user
from tests.referrals.builders import programme_id, referral, session_slot

AREA = "warwickshire"


def _outcome(referral_id: int) -> CaseOutcome | None:
    return db.session.scalar(select(CaseOutcome).where(CaseOutcome.referral_id == referral_id))


def test_cohorts_and_follow_up_dates(app_ctx: Flask) -> None:
    create_demo_accounts()
    here = area(AREA)
    today = date.today()
    with area_scope(here):
        officer, educator = demo_user(Role.OFFICER, here), demo_user(Role.EDUCATOR, here)
        completed = attended_case(here, educator, officer)
        lifecycle.change_status(completed, ReferralStatus.COMPLETED, educator)
        withdrawn_after = attended_case(here, educator, officer)
        lifecycle.change_status(withdrawn_after, ReferralStatus.WITHDRAWN, educator)
        not_engaged = referral(here, officer)
        lifecycle.change_status(not_engaged, ReferralStatus.NOT_ENGAGED, educator)
        withdrawn_before = referral(here, officer)
        lifecycle.change_status(withdrawn_before, ReferralStatus.WITHDRAWN, educator)
        ineligible = referral(here, officer)
        lifecycle.change_status(ineligible, ReferralStatus.INELIGIBLE, educator)
        db.session.commit()
        # Completed by the programme's rule (DIVERT adults: closed as completed once the
        # one-to-one was attended); attended, then closed otherwise, is not completed.
        assert _outcome(completed.id).cohort is Cohort.COMPLETED
        assert _outcome(withdrawn_after.id).cohort is Cohort.ATTENDED_NOT_COMPLETED
        assert _outcome(not_engaged.id).cohort is Cohort.NOT_ENGAGED
        assert _outcome(withdrawn_before.id) is None
        assert _outcome(ineligible.id) is None
        due = _outcome(completed.id).follow_up_due_on
        six_months_on = date(today.year + (today.month + 5) // 12, (today.month + 5) % 12 + 1, 1)
        assert (due.year, due.month) == (six_months_on.year, six_months_on.month)


def test_the_window_is_the_programmes(app_ctx: Flask) -> None:
    """tenants/*.toml: six months for both DIVERT programmes, twelve for the ARV course."""
    create_demo_accounts()
    here = area(AREA)
    with area_scope(here):
        officer = demo_user(Role.OFFICER, here)
        for code, closed_on, due_on in (
            ("arv", date(2025, 1, 31), date(2026, 1, 31)),  # twelve months
            ("divert-adults", date(2025, 8, 31), date(2026, 2, 28)),  # six, to the month's end
            ("divert-young-people", date(2025, 3, 15), date(2025, 9, 15)),
        ):
            made = referral(here, officer)
            made.programme_id = programme_id(here, code)
            lifecycle.change_status(made, ReferralStatus.NOT_ENGAGED, None)
            made.closed_on = closed_on
            db.session.flush()
            db.session.expire(made, ["programme"])
            closure.case_closed(made)
            assert (_outcome(made.id).closed_on, _outcome(made.id).follow_up_due_on) == (
                closed_on,
                due_on,
            ), code


def test_an_educator_records_entry_into_treatment(app_ctx: Flask, client: FlaskClient) -> None:
    create_demo_accounts()
    here = area(AREA)
    today = date.today()
    with area_scope(here):
        officer, educator = demo_user(Role.OFFICER, here), demo_user(Role.EDUCATOR, here)
        slot = session_slot(here, educator, starts_at=lifecycle.utcnow() - timedelta(days=3))
        made = referral(here, officer)
        booking = lifecycle.book(made, slot, officer)
        cannabis = db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()
        service = db.session.scalars(select(TreatmentService)).first()
        lifecycle.record_attendance(
            booking,
            BookingStatus.ATTENDED,
            educator,
            main_substance=cannabis,
            onward_service=service,
        )
        no_onward = attended_case(here, educator, officer)
        db.session.commit()
        made_id, no_onward_id, service_id = made.id, no_onward.id, service.id
    Auth(client).sign_in(account_email(Role.EDUCATOR, AREA))
    case_page = client.get(f"/{AREA}/cases/{made_id}").get_data(as_text=True)
    assert "entry not confirmed" in case_page
    too_early = today - timedelta(days=10)
    response = client.post(
        f"/{AREA}/cases/{made_id}/treatment-entry",
        data={"entered_on": [str(too_early.day), str(too_early.month), str(too_early.year)]},
    )
    assert "must be on or after the onward referral" in response.get_data(as_text=True)
    assert f'value="{too_early.year}"' in response.get_data(as_text=True)
    response = client.post(
        f"/{AREA}/cases/{made_id}/treatment-entry",
        data={"entered_on": [str(today.day), str(today.month), str(today.year)]},
    )
    assert response.status_code == 302
    assert f"Entered {today:%-d %B %Y} (confirmed by the educator)" in client.get(
        f"/{AREA}/cases/{made_id}"
    ).get_data(as_text=True)
    assert client.get(f"/{AREA}/cases/{no_onward_id}/treatment-entry").status_code == 302
    with area_scope(area(AREA)):
        entry = db.session.scalars(select(TreatmentEntry)).one()
        assert (entry.referral_id, entry.service_id, entry.entered_on) == (
            made_id,
            service_id,
            today,
        )
