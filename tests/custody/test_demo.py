"""The demo's year of CARS activity is at the scale the seeds report, and the service keeps
working on top of it."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select

from divert.custody import use_cases
from divert.demo.accounts import create_demo_accounts
from divert.demo.custody import build_custody_demo
from divert.extensions import db
from divert.models import (
    POSITIVE_RESULTS,
    Area,
    AssessmentResult,
    DrugInterventionsRecord,
    InitialContact,
    RequiredAssessment,
    Role,
    User,
)
from divert.tenancy import area_scope, system_scope
from tests.custody.conftest import details
from tests.factories import account_email, area

TODAY = date(2026, 11, 23)


def test_a_year_of_cars_in_every_area(app_ctx: Flask) -> None:
    create_demo_accounts()
    with system_scope():
        made = build_custody_demo(list(db.session.scalars(select(Area))), 5, TODAY)
        db.session.commit()
        contacts = db.session.scalar(select(func.count()).select_from(InitialContact))
        assessed = db.session.scalar(select(func.count()).select_from(DrugInterventionsRecord))
        referred = db.session.scalar(
            select(func.count()).where(
                DrugInterventionsRecord.outcome == AssessmentResult.REFERRED_TO_TREATMENT
            )
        )
        oldest = db.session.scalar(select(func.min(InitialContact.seen_at)))
        unrequired = db.session.scalar(
            select(func.count())
            .select_from(RequiredAssessment)
            .join(InitialContact, InitialContact.id == RequiredAssessment.contact_id)
            .where(InitialContact.test_result.not_in(POSITIVE_RESULTS))
        )
    assert made == {
        "staffordshire": 2600,
        "warwickshire": 1600,
        "west-mercia": 3400,
        "west-midlands": 9000,
    }
    assert contacts == 16600
    assert 0.24 <= assessed / contacts <= 0.31  # published: 27.2%
    assert 0.35 <= referred / assessed <= 0.45  # published: 1,828 of 4,521
    assert unrequired == 0
    assert (TODAY - oldest.date()).days <= 365
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        worker = db.session.scalars(
            select(User).where(User.email == account_email(Role.CUSTODY_WORKER, "warwickshire"))
        ).one()
        later = use_cases.record_contact(
            warwickshire, worker, details(seen_at=details().seen_at - timedelta(minutes=1))
        )
        db.session.commit()
        assert later.id == 16601
