"""The CARS world of tests/cars_figures/test_kpis.py (its docstring tells it, and works out
every figure by hand), entered through the custody use cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask

from divert.custody import use_cases
from divert.extensions import db
from divert.models import Area, Role, User
from divert.tenancy import area_scope
from tests.cars_figures.builders import assess, book, contact, local, suitability
from tests.factories import area, make_user


@pytest.fixture
def built(app_ctx: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Area]:
    warwickshire, staffordshire = area("warwickshire"), area("staffordshire")
    worker = make_user("cars@warwickshire.test", {"warwickshire": Role.CUSTODY_WORKER})
    police = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
    other = make_user("cars@staffordshire.test", {"staffordshire": Role.CUSTODY_WORKER})
    with area_scope(warwickshire):
        _warwickshire(warwickshire, worker, police, monkeypatch)
        db.session.commit()
    with area_scope(staffordshire):
        _staffordshire(staffordshire, other)
        db.session.commit()
    yield warwickshire


def _warwickshire(here: Area, w: User, police: User, monkeypatch: pytest.MonkeyPatch) -> None:
    c9 = contact(here, w, local(date(2024, 9, 30), 23, 30), "positive_cocaine")
    use_cases.record_activity(c9, w, kind="naloxone_supplied", done_on=date(2024, 9, 30))
    assess(c9, w, "required", date(2024, 10, 2))
    contact(here, w, local(date(2024, 10, 1), 0, 30))  # C7
    c1 = contact(here, w, local(date(2024, 10, 2)), "positive_cocaine")
    use_cases.record_activity(c1, w, kind="naloxone_supplied", done_on=date(2024, 10, 2))
    referred = assess(c1, w, "required", date(2024, 10, 3), "referred_to_treatment")
    use_cases.confirm_treatment_entry(referred, w, entered_on=date(2024, 10, 20))
    book(monkeypatch, c1, w, local(date(2024, 10, 9), 10))
    use_cases.close_case(c1, w, reason="transferred_to_treatment", closed_on=date(2024, 10, 25))
    c2 = contact(here, w, local(date(2024, 10, 10)), "positive_opiates")
    book(
        monkeypatch,
        c2,
        police,
        local(date(2024, 10, 12), 18),
        "required_assessment",
        by_police=True,
    )
    c3 = contact(here, w, local(date(2024, 11, 15)), "negative", voluntary=True)
    declined = assess(c3, w, "voluntary", date(2024, 11, 15), "referred_to_treatment")
    use_cases.record_non_entry(declined, w, reason="declined_treatment")
    c4 = contact(here, w, local(date(2024, 11, 20)), voluntary=True)
    assess(c4, w, "voluntary", date(2024, 11, 21))
    book(monkeypatch, c4, police, local(date(2024, 11, 24), 7, 30), by_police=True)
    use_cases.close_case(c4, w, reason="end_of_contact", closed_on=date(2024, 11, 30))
    c5 = contact(here, w, local(date(2024, 12, 1)), at_court=True)
    suitability(
        c5,
        w,
        date(2024, 12, 1),
        adjourned=True,
        recommendation="drr_and_atr",
        completed_on=date(2024, 12, 10),
        result="drr",
        result_on=date(2024, 12, 15),
    )
    c6 = contact(here, w, local(date(2024, 12, 5)), at_court=True)
    suitability(
        c6,
        w,
        date(2024, 12, 5),
        recommendation="atr",
        completed_on=date(2024, 12, 12),
        result="atr",
        result_on=date(2024, 12, 20),
    )


def _staffordshire(here: Area, w: User) -> None:
    s1 = contact(here, w, local(date(2024, 10, 7)), "positive_both")
    use_cases.record_activity(s1, w, kind="naloxone_supplied", done_on=date(2024, 10, 7))
    referred = assess(s1, w, "required", date(2024, 10, 8), "referred_to_treatment")
    use_cases.confirm_treatment_entry(referred, w, entered_on=date(2024, 11, 1))
    contact(here, w, local(date(2024, 10, 8)))
    contact(here, w, local(date(2024, 11, 9)), "refused")
