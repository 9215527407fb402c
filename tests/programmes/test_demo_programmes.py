"""The demo builds every programme in every area, so a newcomer sees each one working."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select

from divert.demo.accounts import create_demo_accounts
from divert.demo.builder import build_demo
from divert.extensions import db
from divert.models import (
    Area,
    Assessment,
    Booking,
    BookingStatus,
    Course,
    Programme,
    Referral,
    ReferralStatus,
)
from divert.tenancy import system_scope

TODAY = date(2026, 11, 23)


def test_every_area_runs_all_three_programmes(app_ctx: Flask) -> None:
    create_demo_accounts()
    build_demo(300, seed=5, today=TODAY)
    with system_scope():
        per_programme = {
            f"{slug} {code}": count
            for slug, code, count in db.session.execute(
                select(Area.slug, Programme.code, func.count(Referral.id))
                .join(Programme, Programme.id == Referral.programme_id)
                .join(Area, Area.id == Referral.area_id)
                .group_by(Area.slug, Programme.code)
            )
        }
        courses_per_area = dict(
            db.session.execute(
                select(Area.slug, func.count(Course.id))
                .join(Area, Area.id == Course.area_id)
                .group_by(Area.slug)
            ).all()
        )
        registers = db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.status == BookingStatus.ATTENDED, Booking.recorded_at.is_not(None))
        )
        cautions = db.session.scalar(select(func.count()).where(Referral.deadline_on.is_not(None)))
        completed_arv = db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .join(Programme, Programme.id == Referral.programme_id)
            .where(Programme.code == "arv", Referral.status == ReferralStatus.COMPLETED)
        )
        assessments = db.session.scalar(select(func.count()).select_from(Assessment))
    for slug in ("west-midlands", "warwickshire", "staffordshire", "west-mercia"):
        for code in ("divert-adults", "divert-young-people", "arv"):
            assert per_programme.get(f"{slug} {code}", 0) > 0, f"{slug} has no {code}"
        assert courses_per_area[slug] == 3  # two ARV courses and a young people's one
    assert registers > 0
    assert cautions == 4 * 11  # every ARV referral has its disposal's deadline
    assert completed_arv > 0
    assert assessments == 4 * 5
