"""The shape of CARS's published 2022/23 results, reproduced from records entered through the
custody use cases (a contact, an assessment, a court's request, recommendation and result at a
time: nothing inserted behind them).

Published for the year: 16,599 custody contacts; 4,521 assessments = 27.2% of contacts, of
which 2,839 statutory (required after a positive test) and 1,682 voluntary or court-mandated;
1,828 transferred to treatment (here: referrals into mainstream treatment); a DRR granted to
226 = 21% and an ATR to 135 = 32% of those found suitable for one.

Entering 16,599 contacts through the use cases takes minutes (about 10 ms each on SQLite), too
slow for the suite, and no common factor divides every published count (16,599 = 3·11·503,
2,839 = 17·167, 1,682 = 2·29², 1,828 = 2²·457, 135 = 3³·5), so the suite enters the year at a
tenth, each count rounded half up: the shares it shows are the published ones. Set
DIVERT_CARS_FULL_SCALE=1 to enter the published counts themselves.

What was not published is chosen here, and is the same shape at both scales:

| records (financial year 2022/23, Warwickshire)          | full scale | a tenth |
|---------------------------------------------------------|-----------:|--------:|
| contacts with a positive test (a required assessment)   |      4,000 |     400 |
| ... of which the required assessment was completed      |      2,839 |     284 |
| ... ... and referred into treatment                     |      1,700 |     170 |
| contacts with a negative or refused test                |      1,000 |     100 |
| voluntary assessments (agreed at the contact)           |        204 |      18 |
| ... referred into treatment                             |        128 |      13 |
| court suitability assessments completed                 |      1,478 |     150 |
| ... suitable for a DRR only / an ATR only / both / not  | 976/322/100/80 | 98/34/10/8 |
| ... orders: DRR (DRR only) / ATR (ATR only) / both      | 196/105/30 | 20/11/3 |
| contacts with nothing more (contact only)               |      9,917 |     992 |

Worked out: contacts 4,000 + 1,000 + 204 + 1,478 + 9,917 = 16,599 (a tenth: 1,660);
assessments 2,839 + 204 + 1,478 = 4,521 = 27.24% of contacts → 27% (a tenth: 284 + 18 + 150 =
452 = 27.23% → 27%); voluntary or court-mandated 204 + 1,478 = 1,682 (18 + 150 = 168);
referrals 1,700 + 128 = 1,828 (170 + 13 = 183); suitable for a DRR 976 + 100 = 1,076, DRR made
196 + 30 = 226 = 21.0% → 21% (98 + 10 = 108, 20 + 3 = 23 = 21.3% → 21%); suitable for an ATR
322 + 100 = 422, ATR made 105 + 30 = 135 = 31.99% → 32% (34 + 10 = 44, 11 + 3 = 14 = 31.8% →
32%). Statutory assessments as a share of all: 2,839 / 4,521 = 62.8% → 63% (284 / 452 = 62.8%).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from divert.extensions import db
from divert.figures.cars_report import area_cars_figures
from divert.figures.periods import financial_year
from divert.models import Area, Role, User
from divert.tenancy import area_scope
from tests.cars_figures.builders import assess, contact, local, suitability
from tests.factories import area, make_user

YEAR = financial_year(2022)


@dataclass(frozen=True)
class Shape:
    positive: int
    completed: int
    referred_required: int
    negative: int
    voluntary: int
    referred_voluntary: int
    drr_only: int
    atr_only: int
    both: int
    not_suitable: int
    drr_orders: int
    atr_orders: int
    both_orders: int
    contact_only: int


FULL = Shape(4000, 2839, 1700, 1000, 204, 128, 976, 322, 100, 80, 196, 105, 30, 9917)
TENTH = Shape(400, 284, 170, 100, 18, 13, 98, 34, 10, 8, 20, 11, 3, 992)


def _day(number: int) -> date:
    """Activity spread over the year's days."""
    return YEAR.start + timedelta(days=number % YEAR.days)


def _enter_the_year(here: Area, worker: User, shape: Shape) -> None:
    step = iter(range(10**6))
    for number in range(shape.positive):
        on = _day(next(step))
        made = contact(here, worker, local(on), "positive_opiates")
        if number < shape.completed:
            referred = number < shape.referred_required
            assess(made, worker, "required", on, _outcome(referred))
    for _ in range(shape.negative):
        contact(here, worker, local(_day(next(step))), "negative")
    for number in range(shape.voluntary):
        on = _day(next(step))
        made = contact(here, worker, local(on), voluntary=True)
        assess(made, worker, "voluntary", on, _outcome(number < shape.referred_voluntary))
    court = [
        ("drr", shape.drr_only, shape.drr_orders),
        ("atr", shape.atr_only, shape.atr_orders),
        ("drr_and_atr", shape.both, shape.both_orders),
        ("not_suitable", shape.not_suitable, 0),
    ]
    for recommendation, how_many, orders in court:
        for number in range(how_many):
            on = _day(next(step))
            made = contact(here, worker, local(on), at_court=True)
            made_order = number < orders
            suitability(
                made,
                worker,
                on,
                recommendation=recommendation,
                result=recommendation if made_order else "no_order",
            )
    for _ in range(shape.contact_only):
        contact(here, worker, local(_day(next(step))))


def _outcome(referred: bool) -> str:
    return "referred_to_treatment" if referred else "brief_intervention"


@dataclass(frozen=True)
class Published:
    contacts: str
    assessments: str
    statutory: str
    voluntary: str
    court: str
    voluntary_or_court: int
    referrals: str
    drr: str
    atr: str


SCALES = [
    pytest.param(
        TENTH,
        Published(
            "1,660",
            "452 (27%)",
            "284 (63%)",
            "18 (4.0%)",
            "150 (33%)",
            168,
            "183",
            "23 (21%)",
            "14 (32%)",
        ),
        id="a tenth",
    ),
    pytest.param(
        FULL,
        Published(
            "16,599",
            "4,521 (27%)",
            "2,839 (63%)",
            "204 (4.5%)",
            "1,478 (33%)",
            1682,
            "1,828",
            "226 (21%)",
            "135 (32%)",
        ),
        id="full scale",
        marks=pytest.mark.skipif(
            not os.environ.get("DIVERT_CARS_FULL_SCALE"),
            reason="minutes of use-case calls: set DIVERT_CARS_FULL_SCALE=1",
        ),
    ),
]


@pytest.mark.parametrize(("shape", "published"), SCALES)
def test_the_published_year_reproduced(app_ctx: Flask, shape: Shape, published: Published) -> None:
    here = area("warwickshire")
    worker = make_user("cars@warwickshire.test", {"warwickshire": Role.CUSTODY_WORKER})
    with area_scope(here):
        _enter_the_year(here, worker, shape)
        db.session.commit()
    figures = area_cars_figures(here, YEAR, today=date(2026, 11, 23))
    shown = {name: cell.text for name, cell in figures.by_column[0].named.items()}
    assert shown["contacts"] == published.contacts
    assert shown["assessments"] == published.assessments  # published: 27.2%
    assert shown["required_completed"] == published.statutory
    assert shown["voluntary_assessments"] == published.voluntary
    assert shown["suitability_completed"] == published.court
    named = figures.by_column[0].named
    voluntary_or_court = named["voluntary_assessments"].value + named["suitability_completed"].value
    assert voluntary_or_court == published.voluntary_or_court
    assert shown["treatment_referrals"] == published.referrals
    assert shown["drr_made"] == published.drr
    assert shown["atr_made"] == published.atr
