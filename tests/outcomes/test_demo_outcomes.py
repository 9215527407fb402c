"""The demo region carries outcomes, consistent with its cases."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select

from divert.demo.builder import build_demo
from divert.demo.outcomes import build_outcomes
from divert.extensions import db
from divert.models import (
    CaseOutcome,
    EligibleOffences,
    PoliceOutcome,
    Programme,
    Referral,
    ReferralStatus,
)
from divert.tenancy import system_scope
from tests.factories import create_demo_accounts

TODAY = date(2026, 11, 27)


def test_demo_outcomes_follow_the_cases(app_ctx: Flask) -> None:
    create_demo_accounts()
    build_demo(400, seed=3, today=TODAY)
    cases = build_outcomes(3, TODAY)
    with system_scope():
        closed = db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(
                Referral.status.in_(
                    (
                        ReferralStatus.COMPLETED,
                        ReferralStatus.NOT_COMPLETED,
                        ReferralStatus.NOT_ENGAGED,
                    )
                )
            )
        )
        assert cases == closed > 0
        # Every programme's closed cases have outcomes.
        codes = db.session.scalars(
            select(Programme.code)
            .distinct()
            .join(Referral, Referral.programme_id == Programme.id)
            .join(CaseOutcome, CaseOutcome.referral_id == Referral.id)
        ).all()
        assert set(codes) == {"divert-adults", "divert-young-people", "arv"}
        assert db.session.scalar(select(func.count()).select_from(EligibleOffences)) > 0
        assert db.session.scalar(select(func.count()).select_from(PoliceOutcome)) > 0
        early = select(func.count()).where(
            CaseOutcome.result_at.is_not(None), CaseOutcome.follow_up_due_on > TODAY
        )
        assert db.session.scalar(early) == 0
        assert db.session.scalar(select(func.count()).where(CaseOutcome.result_at.is_not(None))) > 0
