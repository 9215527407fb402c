"""The demo region resembles the real one, and the app keeps working on top of it."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select

from divert.demo.accounts import create_demo_accounts
from divert.demo.builder import build_demo
from divert.extensions import db
from divert.models import Referral, ReferralStatus, Role, Substance, User
from divert.tenancy import area_scope, system_scope
from tests.factories import account_email, area
from tests.referrals.builders import referral

TODAY = date(2026, 11, 23)


def _share(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def test_demo_proportions_resemble_the_region(app_ctx: Flask) -> None:
    create_demo_accounts()
    per_area = build_demo(4000, seed=7, today=TODAY)
    assert sum(per_area.values()) == 4000
    assert per_area["west-midlands"] > per_area["staffordshire"] > per_area["warwickshire"]
    with system_scope():
        attended = db.session.scalar(
            select(func.count()).where(Referral.initial_attended_on.is_not(None))
        )
        not_engaged = db.session.scalar(
            select(func.count()).where(Referral.status == ReferralStatus.NOT_ENGAGED)
        )
        by_substance = dict(
            db.session.execute(
                select(Substance.code, func.count())
                .join(Referral, Referral.main_substance_id == Substance.id)
                .group_by(Substance.code)
            ).all()
        )
        repeats = db.session.scalar(select(func.count()).where(Referral.is_repeat))
        oldest = db.session.scalar(select(func.min(Referral.received_on)))
    assert 0.75 <= _share(attended, attended + not_engaged) <= 0.87
    assert 0.72 <= _share(by_substance["cannabis"], attended) <= 0.88
    assert 0.06 <= _share(by_substance["cocaine"], attended) <= 0.14
    assert 0 < repeats < 0.06 * 4000
    assert (TODAY - oldest).days > 500  # 18 months of history


def test_new_referrals_follow_the_demo_ones(app_ctx: Flask) -> None:
    create_demo_accounts()
    build_demo(300, seed=3, today=TODAY)
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        officer = db.session.scalar(
            select(User).where(User.email == account_email(Role.OFFICER, "warwickshire"))
        )
        latest = db.session.scalar(
            select(func.max(Referral.reference)).where(Referral.received_on >= date(2026, 1, 1))
        )
        made = referral(warwickshire, officer, received_on=TODAY)
        db.session.commit()
        assert made.id is not None
        assert int(made.reference.rsplit("-", 1)[1]) == int(latest.rsplit("-", 1)[1]) + 1
