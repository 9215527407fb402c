"""Hand-worked figures: a Warwickshire-like six months next to the pooled region, built through
the application's own services, and checked against numbers worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from divert.extensions import db
from divert.figures.periods import Period, quarter
from divert.figures.report import dashboard
from divert.models import Area, BookingStatus, ReferralStatus, Role, SessionKind, Substance, User
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot

SIX_MONTHS = Period(date(2023, 10, 1), date(2024, 3, 31), "October 2023 to March 2024")
TODAY = date(2026, 11, 23)
MONTHS = [
    date(2023, 10, 2),
    date(2023, 11, 1),
    date(2023, 12, 4),
    date(2024, 1, 8),
    date(2024, 2, 5),
    date(2024, 3, 4),
]


@dataclass
class Staff:
    officer: User
    educator: User


def _staff(slug: str) -> Staff:
    return Staff(
        make_user(f"pc@{slug}.test", {slug: Role.OFFICER}),
        make_user(f"ed@{slug}.test", {slug: Role.EDUCATOR}),
    )


def _substance(code: str) -> Substance:
    return db.session.scalars(select(Substance).where(Substance.code == code)).one()


def _session_after(here: Area, staff: Staff, received_on: date) -> object:
    starts = datetime.combine(received_on + timedelta(days=3), time(10), tzinfo=UTC)
    return session_slot(here, staff.educator, starts_at=starts, kind=SessionKind.INITIAL)


def _attended(here: Area, staff: Staff, received_on: date, code: str, complete: bool) -> None:
    made = referral(here, staff.officer, received_on=received_on, offence_date=received_on)
    booking = lifecycle.book(made, _session_after(here, staff, received_on), staff.educator)
    lifecycle.record_attendance(
        booking, BookingStatus.ATTENDED, staff.educator, main_substance=_substance(code)
    )
    if complete:
        lifecycle.change_status(made, ReferralStatus.COMPLETED, staff.educator)


def _not_engaged(here: Area, staff: Staff, received_on: date) -> None:
    made = referral(here, staff.officer, received_on=received_on, offence_date=received_on)
    for _ in range(2):  # the area's limit: the second miss closes the case
        booking = lifecycle.book(made, _session_after(here, staff, received_on), staff.educator)
        lifecycle.record_attendance(booking, BookingStatus.DID_NOT_ATTEND, staff.educator)
    assert made.status is ReferralStatus.NOT_ENGAGED


def _other(here: Area, staff: Staff, received_on: date, status: ReferralStatus | None) -> None:
    made = referral(here, staff.officer, received_on=received_on, offence_date=received_on)
    if status is not None:
        lifecycle.change_status(made, status, staff.educator)


def _in_area(slug: str, build) -> None:
    here = area(slug)
    with area_scope(here):
        build(here, _staff(slug))
        db.session.commit()


def _warwickshire(here: Area, staff: Staff) -> None:
    """32 referrals: 30 attended (cannabis 19, cocaine 6, amphetamines 2, other 3), of whom 28
    completed; 2 not engaged. Plus one in September and one voided, which do not count."""
    codes = ["cannabis"] * 19 + ["cocaine"] * 6 + ["amphetamines"] * 2 + ["other"] * 3
    for number, code in enumerate(codes):
        _attended(here, staff, MONTHS[number % 6], code, complete=number < 28)
    _not_engaged(here, staff, MONTHS[1])
    _not_engaged(here, staff, MONTHS[4])
    _other(here, staff, date(2023, 9, 20), None)
    _other(here, staff, MONTHS[2], ReferralStatus.VOIDED)


def _staffordshire(here: Area, staff: Staff) -> None:
    """10 referrals: 6 attended (cannabis 5, cocaine 1), 3 not engaged, 1 in progress."""
    for code in ["cannabis"] * 5 + ["cocaine"]:
        _attended(here, staff, MONTHS[2], code, complete=True)
    for _ in range(3):
        _not_engaged(here, staff, MONTHS[3])
    _other(here, staff, MONTHS[5], None)


def _west_midlands(here: Area, staff: Staff) -> None:
    """8 referrals: 4 attended (cannabis), 1 not engaged, 2 ineligible, 1 in progress."""
    for _ in range(4):
        _attended(here, staff, MONTHS[0], "cannabis", complete=False)
    _not_engaged(here, staff, MONTHS[1])
    for _ in range(2):
        _other(here, staff, MONTHS[1], ReferralStatus.INELIGIBLE)
    _other(here, staff, MONTHS[5], None)


@pytest.fixture
def region_records(app_ctx: Flask) -> None:
    _in_area("warwickshire", _warwickshire)
    _in_area("staffordshire", _staffordshire)
    _in_area("west-midlands", _west_midlands)


def _board(**kwargs: object):
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        return dashboard(warwickshire, kwargs.pop("period", SIX_MONTHS), today=TODAY, **kwargs)


def test_warwickshire_six_months(region_records: None) -> None:
    board = _board()
    c = board.counts
    assert c.referrals == 32
    assert (c.attended, c.not_engaged, c.decided) == (30, 2, 32)
    assert round(100 * c.engagement_rate) == 94
    assert dict(c.substances) == {"cannabis": 19, "cocaine": 6, "amphetamines": 2, "other": 3}
    assert [round(100 * c.substances[k] / c.attended) for k in ("cannabis", "cocaine")] == [63, 20]
    assert c.repeats == 0
    assert (c.completed, c.not_engaged, c.ineligible, c.in_progress) == (28, 2, 0, 2)
    assert [c.per_month[(d.year, d.month)] for d in MONTHS] == [5, 6, 5, 5, 6, 5]


def test_pooled_region_figures(region_records: None) -> None:
    r = _board().region
    assert r.referrals == 32 + 10 + 8
    assert (r.attended, r.not_engaged) == (30 + 6 + 4, 2 + 3 + 1)
    assert round(100 * r.engagement_rate) == 87  # 40 / 46, pooled (not an average of rates)
    assert dict(r.substances) == {"cannabis": 28, "cocaine": 7, "amphetamines": 2, "other": 3}
    assert (r.ineligible, r.in_progress) == (2, 2 + 1 + 1 + 4)


def test_places_and_spending_for_158_places(region_records: None) -> None:
    places = _board().places
    assert places.contract.places_allocated == 158
    assert places.as_of == date(2024, 3, 31)
    assert places.used == 33  # 32 in the period and one in September, same contract year
    assert places.unit_price_pence == 5079  # £8,024.82 ÷ 158
    assert places.spend_to_date_pence == 33 * 5079
    assert (places.elapsed_days, places.contract_days) == (275, 366)
    assert places.projected_use == 44  # 33 × 366 ÷ 275 = 43.9
    assert "under 60% of the allocation" in places.warning


def test_the_extension_and_its_value(region_records: None) -> None:
    places = _board(period=quarter(2024, 3)).places
    assert places.contract.label == "Extension to March 2025"
    assert places.contract.value_pence == 604350  # £6,043.50
    assert places.used == 0 and places.unit_price_pence == 5079  # 604,350 ÷ 119 = 5,078.6


def test_narrative(region_records: None) -> None:
    text = _board().narrative
    assert text.startswith("Referrals were 32, about 5 a month, 21% of the allocation")
    assert "94% of decided cases engaged" in text and "against 87% across the region" in text
    assert "cannabis (63% of attendees)" in text
    assert "there were no repeat referrals" in text


def test_publication_suppresses_small_counts_and_what_reveals_them(region_records: None) -> None:
    board = _board(for_publication=True)
    sections = {s.title: {row.label: row for row in s.rows} for s in board.sections}
    substances = sections["Main substance reported by attendees"]
    assert substances["Amphetamines"].area.text == "fewer than 5"
    assert substances["Other"].area.text == "fewer than 5"
    assert substances["Cannabis"].area.text == "19 (63%)"
    engagement = sections["Engagement with the initial one-to-one"]
    assert engagement["Not engaged"].area.text == "fewer than 5"
    assert engagement["Engagement rate"].area.suppressed  # 30 ÷ (30 + 2) would reveal 2
    assert engagement["Attended"].area.text == "30"  # a suppressed partner already hides it
    assert sections["Engagement with the initial one-to-one"]["Not engaged"].region.text == "6"
