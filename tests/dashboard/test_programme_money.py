"""Places and money per programme contract, worked out by hand.

No contract in tenants/*.toml starts before July 2023, so the contracts below, for April 2022
onwards, are the only ones. Warwickshire buys DIVERT adults' places per place and the young
people's programme for a fixed contribution; Staffordshire buys DIVERT adults per place.

| area          | programme    | contract                   | pricing   | places | value     |
|---------------|--------------|----------------------------|-----------|--------|-----------|
| Warwickshire  | adults       | 1 Apr 2022 – 31 Mar 2023   | per place |     50 | £7,300.00 |
| Warwickshire  | young people | 1 Apr 2022 – 30 Sep 2022   | fixed     |     10 | £2,196.00 |
| Staffordshire | adults       | 1 Apr 2022 – 31 Mar 2023   | per place |    100 | £7,300.00 |

(365 days for the years, 183 for April to September.) Referrals, none voided but the one named:

| area          | programme    | April–June 2022 | July–September 2022                         |
|---------------|--------------|-----------------|---------------------------------------------|
| Warwickshire  | adults       | 4               | 6 (3 attended the one-to-one), and 1 voided |
| Warwickshire  | young people | 2               | 4 (3 assessed: their first step attended)   |
| Staffordshire | adults       | –               | 2 (none attended)                           |

West Mercia and West Midlands have no contract and no referral then.
The period is July to September 2022 (92 days), as of its last day, 30 September 2022.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.assessments import services as assessments
from divert.extensions import db
from divert.figures.periods import quarter
from divert.figures.report import Figures, area_figures
from divert.models import (
    Area,
    AssessmentOutcome,
    BookingStatus,
    Contract,
    Pricing,
    ReferralStatus,
    Role,
    Substance,
    User,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import area, make_token, make_user
from tests.referrals.builders import programme_id, referral, session_slot

JULY_TO_SEPTEMBER = quarter(2022, 3)
AS_OF = date(2022, 9, 30)
SPRING, SUMMER = date(2022, 5, 10), date(2022, 8, 10)
YOUNG = date(2007, 1, 1)  # 15 in 2022


def _cannabis() -> Substance:
    return db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()


def _contract(here: Area, code: str, **terms: object) -> None:
    db.session.add(
        Contract(
            area_id=here.id,
            programme_id=programme_id(here, code),
            label=f"{here.name} {code} 2022",
            funding_source="OPCC",
            **terms,
        )
    )


def _adults(here: Area, officer: User, educator: User, on: date, number: int, attended: int):
    for index in range(number):
        made = referral(here, officer, received_on=on, offence_date=on)
        if index < attended:
            slot = session_slot(
                here, educator, starts_at=datetime.combine(on, time(10), tzinfo=UTC)
            )
            booking = lifecycle.book(made, slot, educator)
            lifecycle.record_attendance(
                booking, BookingStatus.ATTENDED, educator, main_substance=_cannabis()
            )


def _young_people(here: Area, officer: User, educator: User, on: date, number: int, assessed: int):
    for index in range(number):
        made = referral(
            here,
            officer,
            received_on=on,
            offence_date=on,
            date_of_birth=YOUNG,
            guardian_name="Guardian",
            guardian_contact="07700 900456",
        )
        if index < assessed:
            assessments.record(
                made,
                educator,
                held_on=on,
                present=["young_person", "guardian"],
                answers={},
                outcome=AssessmentOutcome.ONE_TO_ONE,
                main_substance=_cannabis(),
            )


def _warwickshire(here: Area, officer: User, educator: User) -> None:
    year = {"starts_on": date(2022, 4, 1), "ends_on": date(2023, 3, 31)}
    _contract(
        here,
        "divert-adults",
        pricing=Pricing.PER_PLACE,
        places_allocated=50,
        value_pence=730000,
        **year,
    )
    _contract(
        here,
        "divert-young-people",
        starts_on=date(2022, 4, 1),
        ends_on=date(2022, 9, 30),
        pricing=Pricing.FIXED,
        places_allocated=10,
        value_pence=219600,
    )
    _adults(here, officer, educator, SPRING, 4, attended=0)
    _adults(here, officer, educator, SUMMER, 6, attended=3)
    voided = referral(here, officer, received_on=SUMMER, offence_date=SUMMER)
    lifecycle.change_status(voided, ReferralStatus.VOIDED, educator)
    _young_people(here, officer, educator, SPRING, 2, assessed=0)
    _young_people(here, officer, educator, SUMMER, 4, assessed=3)


def _staffordshire(here: Area, officer: User, educator: User) -> None:
    _contract(
        here,
        "divert-adults",
        starts_on=date(2022, 4, 1),
        ends_on=date(2023, 3, 31),
        pricing=Pricing.PER_PLACE,
        places_allocated=100,
        value_pence=730000,
    )
    _adults(here, officer, educator, SUMMER, 2, attended=0)


@pytest.fixture
def two_programmes(app_ctx: Flask) -> Area:
    for slug, build in (("warwickshire", _warwickshire), ("staffordshire", _staffordshire)):
        here = area(slug)
        officer = make_user(f"pc@{slug}.test", {slug: Role.OFFICER})
        educator = make_user(f"ed@{slug}.test", {slug: Role.EDUCATOR})
        with area_scope(here):
            build(here, officer, educator)
            db.session.commit()
    return area("warwickshire")


def _figures(here: Area, programme: str | None) -> Figures:
    with area_scope(here):
        return area_figures(here, JULY_TO_SEPTEMBER, programme=programme, today=date(2026, 11, 23))


def _money(figures: Figures) -> dict[str, tuple[str, str]]:
    """The money section: (Warwickshire, the region pooled) for each row."""
    return {
        row.label: (row.cells[0].text, row.cells[1].text) for row in figures.section("money").rows
    }


def _terms(figures: Figures) -> dict[str, dict[str, str]]:
    return {
        terms.use.contract.programme.code: {row.label: row.cells[0].text for row in terms.rows}
        for terms in figures.contracts
    }


def test_divert_adults_per_place(two_programmes: Area) -> None:
    figures = _figures(two_programmes, "divert-adults")
    # Warwickshire: 50 × 92 ÷ 365 = 12.60 places; 6 referrals ÷ 12.60 = 47.6%;
    # £7,300.00 × 92 ÷ 365 = £1,840.00; ÷ 6 referrals = £306.67; ÷ 3 attended = £613.33.
    # Region: 12.60 + 100 × 92 ÷ 365 (25.21) = 37.81 places; 8 ÷ 37.81 = 21.2%;
    # £1,840.00 × 2 = £3,680.00; ÷ 8 = £460.00; ÷ 3 attended = £1,226.67.
    assert _money(figures) == {
        "Places allocated for the period": ("13", "38"),
        "Share of those places used": ("48%", "21%"),
        "Cost for the period": ("£1,840.00", "£3,680.00"),
        "Cost per referral": ("£306.67", "£460.00"),
        "Cost per person who attended": ("£613.33", "£1,226.67"),
    }
    (adults,) = figures.contracts
    assert _terms(figures)["divert-adults"] == {
        "Places used to date": "10",  # 4 in spring, 6 in summer; the voided one not
        "Programme": "DIVERT adults",
        "Dates": "1 April 2022 to 31 March 2023",
        "Go-live date": "–",
        "Pricing": "Per place: £146.00 a place",  # £7,300.00 ÷ 50
        "Places allocated": "50",
        "Value": "£7,300.00",
        "Funding source": "OPCC",
        "Extends": "–",
        "Utilisation": "20%",  # 10 ÷ 50
        "Spend to date": "£1,460.00",  # 10 × £146.00
        # 10 in the 183 days since the start; 182 days left: 10 + 10 × 182 ÷ 183 = 19.9.
        "Projected use by the end of the contract (at the rate since go-live)": "20",
    }
    assert adults.warning == (
        "At the rate since go-live about 20 of 50 places will be used: under 60% of the allocation"
    )


def test_divert_young_people_fixed(two_programmes: Area) -> None:
    figures = _figures(two_programmes, "divert-young-people")
    # 10 × 92 ÷ 183 = 5.03 places; 4 referrals ÷ 5.03 = 79.6%; £2,196.00 × 92 ÷ 183 = £1,104.00;
    # ÷ 4 referrals = £276.00; ÷ 3 assessed = £368.00. The region has no other young people's
    # contract: the same.
    assert _money(figures) == {
        "Places allocated for the period": ("5", "5"),
        "Share of those places used": ("80%", "80%"),
        "Cost for the period": ("£1,104.00", "£1,104.00"),
        "Cost per referral": ("£276.00", "£276.00"),
        "Cost per person who attended": ("£368.00", "£368.00"),
    }
    (young_people,) = figures.contracts
    assert _terms(figures)["divert-young-people"] == {
        "Places used to date": "6",  # 2 in spring, 4 in summer: the adults' are not counted
        "Programme": "DIVERT young people",
        "Dates": "1 April 2022 to 30 September 2022",
        "Go-live date": "–",
        "Pricing": "Fixed contribution for the period",
        "Places allocated": "10",
        "Contribution": "£2,196.00",
        "Funding source": "OPCC",
        "Extends": "–",
        "Utilisation": "60%",  # 6 ÷ 10
        "Spend to date": "£2,196.00",  # the contribution, however many are used
        "Projected use by the end of the contract (at the rate since go-live)": "6",  # it ends
    }
    assert young_people.warning is None  # 6 of 10 is not under 60%


def test_all_programmes_add_up_the_programmes_contracts(two_programmes: Area) -> None:
    figures = _figures(two_programmes, None)
    # Warwickshire: 12.60 + 5.03 = 17.63 places; 10 referrals ÷ 17.63 = 56.7%;
    # £1,840.00 + £1,104.00 = £2,944.00; ÷ 10 = £294.40; ÷ 6 attended = £490.67.
    # Region: 37.81 + 5.03 = 42.84 places; 12 ÷ 42.84 = 28.0%; £3,680.00 + £1,104.00 =
    # £4,784.00; ÷ 12 = £398.67; ÷ 6 attended = £797.33.
    assert _money(figures) == {
        "Places allocated for the period": ("18", "43"),
        "Share of those places used": ("57%", "28%"),
        "Cost for the period": ("£2,944.00", "£4,784.00"),
        "Cost per referral": ("£294.40", "£398.67"),
        "Cost per person who attended": ("£490.67", "£797.33"),
    }
    assert figures.notes[0] == (
        "All programmes: places and money add up every programme's contracts, each counting "
        "its own programme's referrals."
    )
    # Each programme's contract, with its own places used: adults first (the same start).
    assert [
        (terms.use.contract.programme.code, terms.rows[0].cells[0].text)
        for terms in figures.contracts
    ] == [("divert-adults", "10"), ("divert-young-people", "6")]


def test_the_api_gives_each_programmes_contract(two_programmes: Area, client: FlaskClient) -> None:
    commissioner = make_user("opcc@warwickshire.test", {"warwickshire": Role.COMMISSIONER})
    secret = make_token(commissioner, area=two_programmes)

    def figures(**query: str) -> dict[str, Any]:
        answer = client.get(
            "/api/v1/areas/warwickshire/figures",
            headers={"Authorization": f"Bearer {secret}"},
            query_string={"from": "2022-07-01", "to": "2022-09-30", **query},
        )
        assert answer.status_code == 200, answer.text
        return answer.get_json()

    young_people = {
        "contract": "Warwickshire divert-young-people 2022",
        "programme": "divert-young-people",
        "contract_starts_on": "2022-04-01",
        "contract_ends_on": "2022-09-30",
        "as_of": "2022-09-30",
        "pricing": "fixed",
        "allocated": 10,
        "used": 6,
        "utilisation": 0.6,
        "unit_price_pence": None,
        "spend_to_date_pence": 219600,
        "projected_use": 6,
        "example": False,
    }
    one = figures(programme="divert-young-people")
    assert one["contracts"] == [young_people]
    assert one["places"] == young_people  # the one contract covering 30 September
    every = figures()
    assert [(c["programme"], c["used"], c["spend_to_date_pence"]) for c in every["contracts"]] == [
        ("divert-adults", 10, 146000),
        ("divert-young-people", 6, 219600),
    ]
    assert every["places"] is None  # two programmes' contracts cover 30 September
    cost = next(row for row in every["figures"] if row["figure"] == "Cost for the period")
    assert [(v["column"], v["text"]) for v in cost["values"]] == [
        ("warwickshire", "£2,944.00"),
        ("west-midlands-region", "£4,784.00"),
    ]


def test_the_export_and_board_report_say_which_programme(
    two_programmes: Area, client: FlaskClient, auth: Auth
) -> None:
    make_user("opcc@warwickshire.test", {"warwickshire": Role.COMMISSIONER})
    auth.sign_in("opcc@warwickshire.test")
    query = [
        ("period", "custom"),
        *(("start", part) for part in ("1", "7", "2022")),
        *(("end", part) for part in ("30", "9", "2022")),
        ("programme", "divert-young-people"),
    ]
    export = client.get("/warwickshire/dashboard/export.csv", query_string=query)
    assert export.status_code == 200
    frame = pd.read_csv(io.BytesIO(export.get_data()))
    contracts = frame[frame["section"] == "Contracts"]
    assert dict(zip(contracts["figure"], contracts["text"], strict=True)) == {
        "Places used to date": "6",
        "Programme": "DIVERT young people",
        "Dates": "1 April 2022 to 30 September 2022",
        "Go-live date": "–",
        "Pricing": "Fixed contribution for the period",
        "Places allocated": "10",
        "Contribution": "£2,196.00",
        "Funding source": "OPCC",
        "Extends": "–",
        "Utilisation": "60%",
        "Spend to date": "£2,196.00",
        "Projected use by the end of the contract (at the rate since go-live)": "6",
    }
    cost = frame[(frame["figure"] == "Cost for the period")]
    assert dict(zip(cost["area"], cost["value"], strict=True)) == {
        "Warwickshire": 1104.0,
        "West Midlands region": 1104.0,
    }
    report = client.get("/warwickshire/dashboard/board-report", query_string=query).text
    assert "Warwickshire – DIVERT young people" in report
    assert "DIVERT young people: its referrals only, and its contracts&#39; places and money." in (
        report
    )


@pytest.fixture
def one_programme_contracted(app_ctx: Flask) -> Area:
    """West Mercia buys DIVERT adults per place: 1 April 2022 – 31 March 2023 (365 days), 73
    places, £7,300.00 (£100.00 a place). It has no young people's contract, yet its officers
    refer 6 young people in July–September 2022, beside 4 adults (2 attended the one-to-one).
    No other area has a contract or a referral then, so the region is West Mercia's."""
    here = area("west-mercia")
    officer = make_user("pc@west-mercia.test", {"west-mercia": Role.OFFICER})
    educator = make_user("ed@west-mercia.test", {"west-mercia": Role.EDUCATOR})
    with area_scope(here):
        _contract(
            here,
            "divert-adults",
            starts_on=date(2022, 4, 1),
            ends_on=date(2023, 3, 31),
            pricing=Pricing.PER_PLACE,
            places_allocated=73,
            value_pence=730000,
        )
        _adults(here, officer, educator, SUMMER, 4, attended=2)
        _young_people(here, officer, educator, SUMMER, 6, assessed=0)
        db.session.commit()
    return here


# 73 × 92 ÷ 365 = 18.4 places; £7,300.00 × 92 ÷ 365 = £1,840.00. The contract is for adults, so
# its places used are the 4 adults' referrals: 4 ÷ 18.4 = 21.7%, and £1,840.00 ÷ 4 = £460.00 a
# referral (counting the 6 young people would give 10 ÷ 18.4 = 54% and £184.00); ÷ 2 attended =
# £920.00. All programmes add up the programmes' contracts: the adults' alone. The region
# (West Mercia only) says the same.
ADULTS_ONLY = {
    "Places allocated for the period": ("18", "18"),
    "Share of those places used": ("22%", "22%"),
    "Cost for the period": ("£1,840.00", "£1,840.00"),
    "Cost per referral": ("£460.00", "£460.00"),
    "Cost per person who attended": ("£920.00", "£920.00"),
}


def test_a_programme_without_a_contract_uses_no_places(one_programme_contracted: Area) -> None:
    every = _figures(one_programme_contracted, None)
    assert every.cell(0, "referrals").text == "10"  # every referral is still counted
    assert _money(every) == ADULTS_ONLY
    assert _money(_figures(one_programme_contracted, "divert-adults")) == ADULTS_ONLY
    assert "22% of the places allocated for the period" in every.narrative[0]


def test_the_page_and_api_leave_out_a_programme_without_a_contract(
    one_programme_contracted: Area, client: FlaskClient, auth: Auth
) -> None:
    commissioner = make_user("opcc@west-mercia.test", {"west-mercia": Role.COMMISSIONER})
    secret = make_token(commissioner, area=one_programme_contracted)
    answer = client.get(
        "/api/v1/areas/west-mercia/figures",
        headers={"Authorization": f"Bearer {secret}"},
        query_string={"from": "2022-07-01", "to": "2022-09-30"},
    )
    assert answer.status_code == 200, answer.text
    rows = {row["figure"]: row["values"] for row in answer.get_json()["figures"]}
    for label, (area_text, region_text) in ADULTS_ONLY.items():
        assert [(v["column"], v["text"]) for v in rows[label]] == [
            ("west-mercia", area_text),
            ("west-midlands-region", region_text),
        ]
    auth.sign_in("opcc@west-mercia.test")
    query = [
        ("period", "custom"),
        *(("start", part) for part in ("1", "7", "2022")),
        *(("end", part) for part in ("30", "9", "2022")),
    ]
    page = client.get("/west-mercia/dashboard", query_string=query)
    assert page.status_code == 200
    assert "22% of the places allocated for the period" in page.text
    assert "£460.00" in page.text
    assert "54%" not in page.text and "£184.00" not in page.text


def test_for_publication_the_contracted_referrals_are_not_revealed(
    one_programme_contracted: Area,
) -> None:
    # 10 referrals are shown, but 22% of 18.4 places or £1,840.00 ÷ £460.00 would give back the
    # 4 adults' referrals, under the threshold of 5; the 2 attended are under it too.
    with area_scope(one_programme_contracted):
        every = area_figures(
            one_programme_contracted,
            JULY_TO_SEPTEMBER,
            publication=True,
            today=date(2026, 11, 23),
        )
    assert every.cell(0, "referrals").text == "10"
    money = _money(every)
    assert money["Cost for the period"] == ("£1,840.00", "£1,840.00")
    hidden_rows = (
        "Share of those places used",
        "Cost per referral",
        "Cost per person who attended",
    )
    for hidden in hidden_rows:
        assert money[hidden] == ("suppressed", "suppressed"), hidden
    assert "22%" not in every.narrative[0]
