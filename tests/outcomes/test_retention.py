"""Retention keeps the outcome records: the outcome figures are the same before and after the
personal data of the hand-worked cases is removed, and each result is still there."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import Flask
from sqlalchemy import select, true

from divert.extensions import db
from divert.figures.outcomes import area_and_region
from divert.models import CaseOutcome, Person, PoliceOutcome, Referral, ResultSource, Role
from divert.outcomes import follow_up, police
from divert.privacy.retention import apply_retention
from divert.privacy.subject_access import subject_access
from divert.tenancy import area_scope
from tests.factories import area
from tests.outcomes.builders import demo_user
from tests.outcomes.test_reoffending import ANSWERS, AREA, MARCH, OTHER, _build

LATER = date(2029, 1, 1)  # 24 months after every case of the test closed


def _figures() -> dict[str, object]:
    found, region = area_and_region(area(AREA), MARCH, LATER)
    return {"area": asdict(found), "region": asdict(region)}


def test_outcome_figures_survive_retention(app: Flask) -> None:
    refs = _build(app)
    with app.app_context():
        here = area(AREA)
        with area_scope(here):
            analyst = demo_user(Role.FORCE_ANALYST, here)
            results = [
                follow_up.Result(
                    refs[name],
                    *answer[:2],
                    date.fromisoformat(answer[2]) if answer[2] else None,
                    *answer[3:],
                )
                for name, answer in ANSWERS.items()
            ]
            follow_up.record_batch(results, analyst, ResultSource.API, date.today())
            returned = db.session.scalars(police.returned(true()).limit(1)).one()
            officer = demo_user(Role.OFFICER, here)
            police.record(returned, "caution", date(2026, 3, 20), officer, date.today())
            db.session.commit()
        before = _figures()
        assert before["area"]["cohorts"]["completed"]["results_in"] == 5
        for slug in (AREA, OTHER):
            with area_scope(area(slug)):
                apply_retention(area(slug), LATER)
        assert _figures() == before
        with area_scope(here):
            assert db.session.scalars(select(Person.forename)).all() == [None] * 12
            kept = db.session.scalars(
                select(CaseOutcome).where(CaseOutcome.result_at.is_not(None))
            ).all()
            assert len(kept) == 10
            assert db.session.scalars(select(PoliceOutcome.outcome)).all() == ["caution"]


def test_subject_access_carries_the_outcomes(app: Flask) -> None:
    refs = _build(app)
    with app.app_context(), area_scope(area(AREA)):
        analyst = demo_user(Role.FORCE_ANALYST, area(AREA))
        result = follow_up.Result(refs["A1"], True, 2, date(2026, 4, 2), True, False)
        follow_up.record_batch([result], analyst, ResultSource.API, date.today())
        db.session.commit()
        person = db.session.scalars(
            select(Person).join(Person.referrals).where(Referral.reference == refs["A1"])
        ).one()
        held = subject_access(person)["referrals"][0]["outcomes"]
    assert held["cohort"] == "completed"
    assert held["reoffending_check_due_on"] == "2026-09-15"
    assert held["reoffending_result"]["offence_count"] == 2
    assert held["reoffending_result"]["first_offence_on"] == "2026-04-02"
    assert held["police_outcome"] is None and held["entered_treatment_on"] is None
