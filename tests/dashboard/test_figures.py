"""Warwickshire's decision paper, reproduced from records entered through the application's own
services, in a region worked out by hand (every number below is written out, not computed).

The region, October 2023 to March 2024:

| area          | referrals | attended | not engaged | cannabis | cocaine | amphetamines | other |
|---------------|-----------|----------|-------------|----------|---------|--------------|-------|
| Warwickshire  |        32 |       30 |           2 |       19 |       6 |            2 |     3 |
| Staffordshire |       320 |      250 |          70 |      205 |      25 |            0 |    20 |
| West Midlands |       289 |      220 |          69 |      186 |      19 |            0 |    15 |
| region        |       641 |      500 |         141 |      410 |      50 |            2 |    38 |

Engagement: Warwickshire 30 / 32 = 93.75% → 94%; region 500 / 641 = 78.0% → 78%.
Substances among attendees: Warwickshire cannabis 19 / 30 = 63.3% → 63%, cocaine 6 / 30 = 20%,
amphetamines 2 / 30 = 6.67% → 6.7% (the paper printed whole percents: 7%); region cannabis
410 / 500 = 82%, cocaine 50 / 500 = 10%, amphetamines 2 / 500 = 0.4%.
Warwickshire also has one referral in September 2023 (same contract, before go-live), one voided
in December (never counted), and 9 during the extension (July 2024 to March 2025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from divert.extensions import db
from divert.figures.periods import Period, custom, financial_year
from divert.figures.report import Figures, area_figures
from divert.models import (
    Area,
    BookingStatus,
    DiarySession,
    ReferralStatus,
    Role,
    SessionKind,
    Substance,
    TreatmentService,
    User,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.factories import area, make_user
from tests.referrals.builders import referral, session_slot

SIX_MONTHS = Period(date(2023, 10, 1), date(2024, 3, 31), "October 2023 to March 2024")
EXTENSION = custom(date(2024, 7, 1), date(2025, 3, 31))
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


def _code(model: type, code: str) -> object:
    return db.session.scalars(select(model).where(model.code == code)).one()


def _session(here: Area, staff: Staff, on: date, places: int = 1) -> DiarySession:
    starts = datetime.combine(on + timedelta(days=3), time(10), tzinfo=UTC)
    return session_slot(
        here, staff.educator, starts_at=starts, kind=SessionKind.INITIAL, capacity=places
    )


def _attend(
    here: Area,
    staff: Staff,
    on: date,
    code: str,
    *,
    slot: DiarySession | None = None,
    complete: bool = False,
    naloxone: bool = False,
    onward: str | None = None,
) -> None:
    made = referral(here, staff.officer, received_on=on, offence_date=on)
    booking = lifecycle.book(made, slot or _session(here, staff, on), staff.educator)
    lifecycle.record_attendance(
        booking,
        BookingStatus.ATTENDED,
        staff.educator,
        main_substance=_code(Substance, code),
        naloxone_kit_supplied=naloxone,
        onward_service=_code(TreatmentService, onward) if onward else None,
    )
    if complete:
        lifecycle.change_status(made, ReferralStatus.COMPLETED, staff.educator)


def _missed_twice(here: Area, staff: Staff, on: date) -> None:
    made = referral(here, staff.officer, received_on=on, offence_date=on)
    for _ in range(2):  # the area's limit: the second miss closes the case as not engaged
        booking = lifecycle.book(made, _session(here, staff, on), staff.educator)
        lifecycle.record_attendance(booking, BookingStatus.DID_NOT_ATTEND, staff.educator)
    assert made.status is ReferralStatus.NOT_ENGAGED


def _no_contact(here: Area, staff: Staff, on: date) -> None:
    made = referral(here, staff.officer, received_on=on, offence_date=on)
    lifecycle.change_status(made, ReferralStatus.NOT_ENGAGED, staff.educator)


def _in_area(slug: str, build) -> None:
    here = area(slug)
    with area_scope(here):
        build(here, _staff(slug))
        db.session.commit()


def _warwickshire(here: Area, staff: Staff) -> None:
    codes = ["cannabis"] * 19 + ["cocaine"] * 6 + ["amphetamines"] * 2 + ["other"] * 3
    onward = ["community_drug_service"] * 4 + ["gp"]
    for number, code in enumerate(codes):
        _attend(
            here,
            staff,
            MONTHS[number % 6],
            code,
            complete=number < 28,
            naloxone=number < 12,  # 12 kits
            onward=onward[number] if number < len(onward) else None,
        )
    _missed_twice(here, staff, MONTHS[1])
    _missed_twice(here, staff, MONTHS[4])
    referral(here, staff.officer, received_on=date(2023, 9, 20), offence_date=date(2023, 9, 20))
    voided = referral(here, staff.officer, received_on=MONTHS[2], offence_date=MONTHS[2])
    lifecycle.change_status(voided, ReferralStatus.VOIDED, staff.educator)
    for year, month in [(2024, m) for m in range(7, 13)] + [(2025, m) for m in (1, 2, 3)]:
        on = date(year, month, 10)
        referral(here, staff.officer, received_on=on, offence_date=on)


def _larger_area(attended: dict[str, int], not_engaged: int):
    def build(here: Area, staff: Staff) -> None:
        slot = _session(here, staff, MONTHS[0], places=sum(attended.values()))
        for code, number in attended.items():
            for _ in range(number):
                _attend(here, staff, MONTHS[0], code, slot=slot)
        for _ in range(not_engaged):
            _no_contact(here, staff, MONTHS[3])

    return build


@pytest.fixture
def warwickshire_records(app_ctx: Flask) -> None:
    _in_area("warwickshire", _warwickshire)


@pytest.fixture
def decision_paper_region(warwickshire_records: None) -> None:
    _in_area("staffordshire", _larger_area({"cannabis": 205, "cocaine": 25, "other": 20}, 70))
    _in_area("west-midlands", _larger_area({"cannabis": 186, "cocaine": 19, "other": 15}, 69))


def _figures(period: Period, **options: bool) -> Figures:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        return area_figures(warwickshire, period, today=TODAY, **options)


def _texts(figures: Figures, section: str) -> dict[str, tuple[str, str]]:
    return {
        row.label: (row.cells[0].text, row.cells[1].text) for row in figures.section(section).rows
    }


def _contract(figures: Figures, label: str) -> dict[str, str]:
    terms = next(t for t in figures.contracts if t.use.contract.label == label)
    return {row.label: row.cells[0].text for row in terms.rows}


def test_the_decision_paper_reproduces(decision_paper_region: None) -> None:
    figures = _figures(SIX_MONTHS)
    referrals = _texts(figures, "referrals")
    assert referrals["Referrals received"] == ("32", "641")
    assert referrals["Average a month"] == ("5", "107")  # 32 ÷ 6 = 5.3; 641 ÷ 6 = 106.8
    assert referrals["Repeat referrals"] == ("0 (0%)", "0 (0%)")
    engagement = _texts(figures, "engagement")
    assert engagement["Engagement rate"] == ("94%", "78%")
    assert engagement["Attended"] == ("30", "500")
    substances = _texts(figures, "substances")
    assert substances["Cannabis"] == ("19 (63%)", "410 (82%)")
    assert substances["Cocaine"] == ("6 (20%)", "50 (10%)")
    assert substances["Amphetamines"] == ("2 (6.7%)", "2 (0.4%)")
    assert substances["Other"] == ("3 (10%)", "38 (7.6%)")
    assert list(substances) == ["Cannabis", "Cocaine", "Other", "Amphetamines"]
    # One chart, the area's (the region pooled is the table's last column only), its bars in
    # percent of the largest: 6 ÷ 19 = 31.6%, 3 ÷ 19 = 15.8%, 2 ÷ 19 = 10.5%.
    [chart] = figures.charts(figures.section("substances"), "report")
    assert (chart.id, chart.title) == (
        "report-substances-0",
        "Warwickshire: main substance reported by attendees",
    )
    assert [(bar.label, bar.text, str(bar.length)) for bar in chart.bars] == [
        ("Cannabis", "19 (63%)", "100.0"),
        ("Cocaine", "6 (20%)", "31.6"),
        ("Other", "3 (10%)", "15.8"),
        ("Amphetamines", "2 (6.7%)", "10.5"),
    ]
    assert figures.charts(figures.section("engagement"), "report") == []
    session = _texts(figures, "session_content")
    assert session["Naloxone kits supplied"] == ("12", "12")
    assert session["Onward referral: Community drug and alcohol service"] == ("4", "4")
    assert session["Onward referral: GP"] == ("1", "1")
    assert figures.narrative[0] == (
        "Referrals were 32, about 5 a month, 41% of the places allocated for the period; "
        "94% of decided cases engaged with the initial session, against 78% across the region; "
        "the main substance reported most was cannabis (63% of attendees); "
        "there were no repeat referrals."
    )


def test_money_for_the_six_months_is_pro_rata_and_marked_as_an_example(
    warwickshire_records: None,
) -> None:
    money = _texts(_figures(SIX_MONTHS), "money")
    # 183 of the contract's 366 days: half of 158 places and of the example value £8,058.00.
    assert money["Places allocated for the period"][0] == "79"
    assert money["Share of those places used"][0] == "41%"  # 32 ÷ 79 = 40.5%
    assert money["Cost for the period"][0] == "£4,029.00 (example)"
    assert money["Cost per referral"][0] == "£125.91 (example)"  # 4,029 ÷ 32 = 125.906
    assert money["Cost per person who attended"][0] == "£134.30 (example)"  # 4,029 ÷ 30


def test_the_contract_as_signed_with_its_projection_from_go_live(
    warwickshire_records: None,
) -> None:
    figures = _figures(SIX_MONTHS)
    terms = _contract(figures, "Regional PADS contract 2023–24")
    assert terms["Dates"] == "1 July 2023 to 30 June 2024"
    assert terms["Go-live date"] == "1 October 2023"
    assert terms["Pricing"] == "Per place: £51.00 a place"  # £8,058.00 ÷ 158
    assert terms["Places allocated"] == "158"
    assert terms["Value"] == "£8,058.00 (example)"
    assert terms["Funding source"] == "Regional ARIS funding (ending June 2024)"
    assert terms["Places used to date"] == "33"  # September's too: the same contract
    assert terms["Utilisation"] == "21%"  # 33 ÷ 158 = 20.9%
    assert terms["Spend to date"] == "£1,683.00 (example)"  # 33 × £51.00
    # 32 since go-live in 183 days; 91 days left: 33 + 32 × 91 ÷ 183 = 48.9.
    assert terms["Projected use by the end of the contract (at the rate since go-live)"] == "49"
    assert figures.contracts[0].warning == (
        "At the rate since go-live about 49 of 158 places will be used: under 60% of the allocation"
    )


def test_the_extension_is_a_fixed_contribution(warwickshire_records: None) -> None:
    figures = _figures(EXTENSION)
    terms = _contract(figures, "Extension to March 2025")
    assert terms["Pricing"] == "Fixed contribution for the period"
    assert terms["Contribution"] == "£6,043.50"
    assert terms["Dates"] == "1 July 2024 to 31 March 2025"
    assert terms["Extends"] == "Regional PADS contract 2023–24"
    assert terms["Funding source"] == "Underspends across the OPCC budget"
    assert terms["Places allocated"] == "–"
    assert terms["Places used to date"] == "9"
    assert terms["Spend to date"] == "£6,043.50"  # the contribution, however many are used
    money = _texts(figures, "money")
    assert money["Cost for the period"][0] == "£6,043.50"
    assert money["Cost per referral"][0] == "£671.50"  # 6,043.50 ÷ 9


def test_a_period_across_a_contract_and_its_extension(warwickshire_records: None) -> None:
    figures = _figures(financial_year(2024))  # April 2024 to March 2025
    money = _texts(figures, "money")
    # 91 of 366 days of £8,058.00 (£2,003.49) and the whole £6,043.50.
    assert money["Cost for the period"][0] == "£8,046.99 (example)"
    assert money["Cost per referral"][0] == "£894.11 (example)"  # 8,046.99 ÷ 9
    # The extension published no places: the allocation is unknown, not "0%".
    assert money["Places allocated for the period"][0] == "–"
    assert money["Share of those places used"][0] == "–"
    assert [t.use.contract.label for t in figures.contracts] == [
        "Regional PADS contract 2023–24",
        "Extension to March 2025",
    ]


def test_a_month_average_uses_elapsed_months_only(warwickshire_records: None) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        figures = area_figures(
            warwickshire, custom(date(2023, 10, 1), date(2024, 6, 30)), today=date(2024, 3, 31)
        )
    # October to March have begun, April to June have not: 32 ÷ 6 = 5.3, not 32 ÷ 9 = 3.6.
    assert _texts(figures, "referrals")["Referrals received"][0] == "32"
    assert _texts(figures, "referrals")["Average a month"][0] == "5"


def test_an_admins_new_substance_shows_with_its_name(app_ctx: Flask) -> None:
    warwickshire = area("warwickshire")
    with area_scope(warwickshire):
        db.session.add(
            Substance(area_id=warwickshire.id, code="pregabalin", label="Pregabalin", position=20)
        )
        db.session.commit()
        staff = _staff("warwickshire")
        _attend(warwickshire, staff, MONTHS[0], "pregabalin")
        db.session.commit()
    substances = _texts(_figures(SIX_MONTHS), "substances")
    assert substances["Pregabalin"] == ("1 (100%)", "1 (100%)")
