"""One small-number rule everywhere: publication mode scanned on every page, sentence, chart,
table cell, export and API answer of the area and regional dashboards and board reports; and
the breakdowns of a small period withheld from commissioners and regional leads on every route
they reach, publication or not.

The region, April 2023 to March 2024 (threshold 5 in every area):

| area          | referrals | attended (main substance)          | not engaged | other          |
|---------------|-----------|------------------------------------|-------------|----------------|
| Warwickshire  |        12 | 9 (cannabis 6, cocaine 2, ketamine 1) | 2        | 1 in progress  |
| Staffordshire |         7 | 5 (cannabis 5)                      |           2 |                |
| West Midlands |         3 | 3 (cannabis 3)                      |           0 |                |
| West Mercia   |         0 |                                     |             |                |

Warwickshire's 12: 3 female, 9 male; one naloxone kit and one onward referral (GP).
Small counts a reader must never see: Warwickshire's 2 not engaged (and its 82% engagement rate,
9 ÷ 11, which gives them away), cocaine 2, ketamine 1, 3 female, 1 kit, 1 GP referral; West
Midlands' 3 referrals; and any figure from which one of these could be worked out.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    BookingStatus,
    ReferralStatus,
    Role,
    SessionKind,
    Substance,
    TreatmentService,
    User,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.api.conftest import Api
from tests.conftest import Auth
from tests.dashboard import scan
from tests.factories import (
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
    make_token,
    make_user,
)
from tests.referrals.builders import referral, session_slot

THRESHOLD = 5
ON = date(2023, 11, 6)
PERIOD = {"period": "fy:2023"}
PUBLISHED = {**PERIOD, "publication": "y"}
NOT_COUNTS = {
    "Average a month",
    "Places allocated for the period",
    "Places allocated",
    "Projected use by the end of the contract (at the rate since go-live)",
}
# Breakdowns and the published total their rows add up to.
BREAKDOWNS = {
    "Main substance reported by attendees": "Attended",
    "Age group": "Referrals received",
    "Gender": "Referrals received",
    "Ethnicity": "Referrals received",
    "Outcomes": "Referrals received",
    "Referrals per month": "Referrals received",
}
REGION = ("West Midlands region", "west-midlands-region")  # as pages and the API name it
# A figure worked out from counts: hidden whenever one of them is.
DERIVED = {
    "Engagement rate": ("Attended", "Not engaged"),
    "Average a month": ("Referrals received",),
    "Share of those places used": ("Referrals received",),
    "Cost per referral": ("Referrals received",),
    "Cost per person who attended": ("Attended",),
}


def _by_code(model: type, code: str) -> object:
    return db.session.scalars(select(model).where(model.code == code)).one()


def _build(slug: str, people: list[dict[str, object]]) -> None:
    """Each person: substance (attended), not_engaged, gender, naloxone, onward."""
    here = area(slug)
    officer = make_user(f"pc@{slug}.test", {slug: Role.OFFICER})
    educator = make_user(f"ed@{slug}.test", {slug: Role.EDUCATOR})
    with area_scope(here):
        slot = session_slot(
            here,
            educator,
            kind=SessionKind.INITIAL,
            starts_at=datetime.combine(ON, time(10), tzinfo=UTC),
            capacity=len(people),
        )
        for person in people:
            made = referral(
                here, officer, received_on=ON, offence_date=ON, gender=person.get("gender")
            )
            if person.get("not_engaged"):
                lifecycle.change_status(made, ReferralStatus.NOT_ENGAGED, educator)
            elif person.get("substance"):
                booking = lifecycle.book(made, slot, educator)
                onward = person.get("onward")
                lifecycle.record_attendance(
                    booking,
                    BookingStatus.ATTENDED,
                    educator,
                    main_substance=_by_code(Substance, str(person["substance"])),
                    naloxone_kit_supplied=bool(person.get("naloxone")),
                    onward_service=_by_code(TreatmentService, str(onward)) if onward else None,
                )
        db.session.commit()


@pytest.fixture
def small_region(app: Flask) -> None:
    # Built in a context of its own: requests then get theirs, as in a real server.
    with app.app_context():
        _small_region()


def _small_region() -> None:
    create_demo_accounts()
    female, male = {"gender": "female"}, {"gender": "male"}
    _build(
        "warwickshire",
        [
            {"substance": "cannabis", **female, "naloxone": True, "onward": "gp"},
            {"substance": "cannabis", **female},
            {"substance": "cannabis", **female},
            *({"substance": "cannabis", **male} for _ in range(3)),
            {"substance": "cocaine", **male},
            {"substance": "cocaine", **male},
            {"substance": "ketamine", **male},
            {"not_engaged": True, **male},
            {"not_engaged": True, **male},
            male,  # in progress
        ],
    )
    _build(
        "staffordshire",
        [*({"substance": "cannabis"} for _ in range(5)), *({"not_engaged": True},) * 2],
    )
    _build("west-midlands", [{"substance": "cannabis"} for _ in range(3)])


def _hidden_or_zero(cell: scan.Shown) -> bool:
    return cell.hidden or cell.count == 0


def problems(seen: scan.Seen, *, every_area_shown: bool) -> list[str]:
    """Every place where a reader could see, or work out, a count under the threshold."""
    found: list[str] = []
    values = {label: cells for table in seen.tables for label, cells in table.rows.items()}
    for table in seen.tables:
        for label, cells in table.rows.items():
            for number, cell in enumerate(cells):
                if label not in NOT_COUNTS and cell.count and cell.count < THRESHOLD:
                    found.append(f"{table.caption} / {label} [{number}] shows {cell.text}")
        if table.caption in BREAKDOWNS and table.rows:
            totals = values[BREAKDOWNS[table.caption]]
            for number, total in enumerate(totals):
                hidden = [row[number] for row in table.rows.values() if row[number].hidden]
                if len(hidden) == 1 and not total.hidden and total.count:
                    found.append(f"{table.caption} [{number}]: one hidden, given by the total")
        if not table.columns or table.columns[-1] not in REGION:
            continue  # a contract's terms: each area's own, with no total
        for label, cells in table.rows.items():
            counts = [c for c in cells if c.hidden or c.count is not None]
            if len(counts) != len(cells) or label in NOT_COUNTS:
                continue
            if every_area_shown:
                if sum(1 for c in cells if c.hidden) == 1:
                    found.append(f"{table.caption} / {label}: one hidden, given by the region's")
            else:
                area_cell, region_cell = cells[0], cells[-1]
                if not area_cell.hidden and not region_cell.hidden:
                    rest = (region_cell.count or 0) - (area_cell.count or 0)
                    if 0 < rest < THRESHOLD:
                        found.append(f"{table.caption} / {label}: the rest of the region is {rest}")
    for label, parts in DERIVED.items():
        for number, cell in enumerate(values.get(label, [])):
            made_from_hidden = any(values[p][number].hidden for p in parts if p in values)
            if not cell.hidden and cell.text != "–" and made_from_hidden:
                found.append(f"{label} [{number}] shows {cell.text} made from a hidden count")
    for sentence in seen.sentences:
        for pattern in (r"Referrals were (\d+)", r"(\d+) referrals were repeats"):
            for match in re.finditer(pattern, sentence):
                if 0 < int(match.group(1)) < THRESHOLD:
                    found.append(f"sentence: {sentence}")
    for label in seen.chart_labels:
        shown = scan.shown(label)
        if shown.count and shown.count < THRESHOLD:
            found.append(f"chart label {label}")
    return found


def _engagement_sentence_hidden(seen: scan.Seen, who: str) -> None:
    """The sentence about an area whose engagement rate is hidden does not give the rate."""
    sentences = [
        s
        for s in seen.sentences
        if ("Referrals were" in s and who in s) or (who == "" and s.startswith("Referrals were"))
    ]
    assert sentences
    for sentence in sentences:
        assert "of decided cases engaged" not in sentence.split(";")[1]


AREA_ROUTES = [
    "/warwickshire/dashboard",
    "/warwickshire/dashboard/board-report",
    "/warwickshire/dashboard/export.csv",
    "/warwickshire/dashboard/export.xlsx",
]
REGION_ROUTES = [
    "/region/west-midlands-region/dashboard",
    "/region/west-midlands-region/dashboard/board-report",
    "/region/west-midlands-region/dashboard/export.csv",
    "/region/west-midlands-region/dashboard/export.xlsx",
]


def _seen(path: str, response: object) -> scan.Seen:
    if path.endswith(".csv"):
        return scan.csv_export(response.get_data(as_text=True))
    if path.endswith(".xlsx"):
        return scan.xlsx_export(response.get_data())
    return scan.page(response.get_data(as_text=True))


def test_publication_mode_reveals_no_small_count_anywhere(
    client: FlaskClient, auth: Auth, small_region: None
) -> None:
    auth.sign_in(account_email(Role.COMMISSIONER, "warwickshire"))
    for path in AREA_ROUTES:
        response = client.get(path, query_string=PUBLISHED)
        assert response.status_code == 200, path
        seen = _seen(path, response)
        assert problems(seen, every_area_shown=False) == [], path
        referrals = next(t for t in seen.tables if "Referrals received" in t.rows)
        assert [c.text for c in referrals.rows["Referrals received"]] == ["12", "22"]
        rows: dict[str, list[scan.Shown]] = {}
        for table in seen.tables:  # the first of a label: the outcome tables come later
            for label, cells in table.rows.items():
                rows.setdefault(label, cells)
        assert rows["Not engaged"][0].hidden and rows["Engagement rate"][0].hidden
        assert rows["Cannabis"][0].count == 6 and rows["Cocaine"][0].hidden
        if not path.endswith(("csv", "xlsx")):
            _engagement_sentence_hidden(seen, "")
            assert "fewer than 5" in response.get_data(as_text=True)
    auth.sign_out()
    auth.sign_in(REGIONAL_LEAD_EMAIL)
    for path in REGION_ROUTES:
        response = client.get(path, query_string=PUBLISHED)
        assert response.status_code == 200, path
        seen = _seen(path, response)
        assert problems(seen, every_area_shown=True) == [], path
        rows = {label: cells for t in seen.tables for label, cells in t.rows.items()}
        # Staffordshire, Warwickshire, West Mercia, West Midlands, then the region.
        referrals = rows["Referrals received"]
        assert referrals[1].count == 12 and referrals[3].hidden and referrals[4].count == 22
        assert referrals[0].hidden  # 7, hidden with West Midlands' 3 that it would give away
        if not path.endswith(("csv", "xlsx")):
            _engagement_sentence_hidden(seen, "Warwickshire")


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _tokens(app: Flask) -> dict[str, str]:
    """A commissioner's token for Warwickshire and the regional lead's, by the API path."""
    with app.app_context():
        lead = _user(REGIONAL_LEAD_EMAIL)
        commissioner = _user(account_email(Role.COMMISSIONER, "warwickshire"))
        return {
            "/areas/warwickshire/figures": make_token(commissioner, area=area("warwickshire")),
            "/regions/west-midlands-region/figures": make_token(
                lead, region=lead.regional_leads[0].region
            ),
        }


def test_the_api_publishes_by_the_same_rule(
    app: Flask, client: FlaskClient, small_region: None
) -> None:
    tokens = _tokens(app)
    area_token = tokens["/areas/warwickshire/figures"]
    region_token = tokens["/regions/west-midlands-region/figures"]
    dates = {"from": "2023-04-01", "to": "2024-03-31", "publication": "true"}
    api = Api(client)
    beside = api.get("/areas/warwickshire/figures", area_token, query_string=dates).get_json()
    assert problems(scan.api_rows(beside), every_area_shown=False) == []
    counts = beside["counts"]
    assert counts["referrals"] == 12 and counts["not_engaged"] is None
    assert counts["engagement_rate"] is None and counts["naloxone_kits"] is None
    assert counts["substances"] == {"cannabis": 6, "cocaine": None, "ketamine": None}
    assert counts["genders"] == {"male": None, "female": None, "Not recorded": 0}
    for name, value in counts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            assert not 0 < value < THRESHOLD, name
    region = api.get(
        "/regions/west-midlands-region/figures", region_token, query_string=dates
    ).get_json()
    assert problems(scan.api_rows(region), every_area_shown=True) == []
    by_area = {a["area"]: a["counts"] for a in region["areas"]}
    assert by_area["west-midlands"]["referrals"] is None
    assert region["total"]["referrals"] == 22


def _one_person() -> None:
    create_demo_accounts()
    here = area("warwickshire")
    officer = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
    educator = make_user("ed@warwickshire.test", {"warwickshire": Role.EDUCATOR})
    with area_scope(here):
        made = referral(
            here,
            officer,
            received_on=ON,
            offence_date=ON,
            gender="female",
            ethnicity="White British",
        )
        slot = session_slot(here, educator, starts_at=datetime.combine(ON, time(10), tzinfo=UTC))
        booking = lifecycle.book(made, slot, educator)
        lifecycle.record_attendance(
            booking,
            BookingStatus.ATTENDED,
            educator,
            main_substance=_by_code(Substance, "cannabis"),
        )
        lifecycle.change_status(made, ReferralStatus.COMPLETED, educator)
        db.session.commit()


ONE_DAY = {"period": "custom", "start": ["6", "11", "2023"], "end": ["6", "11", "2023"]}
PROFILE = ("Female", "female", "White British", "Cannabis", "cannabis")


@pytest.mark.parametrize("publication", [False, True])
def test_a_single_persons_profile_reaches_no_commissioner_or_regional_lead(
    app: Flask, client: FlaskClient, auth: Auth, publication: bool
) -> None:
    with app.app_context():
        _one_person()
    tokens = _tokens(app)
    query = {**ONE_DAY, "publication": "y"} if publication else ONE_DAY
    for email, paths in (
        (account_email(Role.COMMISSIONER, "warwickshire"), AREA_ROUTES),
        (REGIONAL_LEAD_EMAIL, REGION_ROUTES),
    ):
        auth.sign_in(email)
        for path in paths:
            response = client.get(path, query_string=query)
            assert response.status_code == 200, path
            seen = _seen(path, response)
            text = (
                response.get_data(as_text=True)
                if not path.endswith("xlsx")
                else str([t.rows for t in seen.tables])
            )
            for word in PROFILE:
                assert word not in text, f"{path} shows {word}"
            outcomes = next(t for t in seen.tables if t.caption == "Outcomes")
            referred = [
                n for n, name in enumerate(outcomes.columns) if name in ("Warwickshire", *REGION)
            ]
            assert len(referred) == 2, path
            for row in outcomes.rows.values():
                assert all(row[n].hidden for n in referred), path
            rows = {label: cells for t in seen.tables for label, cells in t.rows.items()}
            total = rows["Referrals received"][-1]  # the one referral: hidden only to publish
            assert total.hidden if publication else total.text == "1"
        auth.sign_out()
    api = Api(app.test_client())  # the API takes a token, never a session cookie
    dates = {"from": "2023-11-06", "to": "2023-11-06", "publication": str(publication).lower()}
    for path, token in tokens.items():
        answer = api.get(path, token, query_string=dates)
        assert answer.status_code == 200
        for word in PROFILE:
            assert word not in answer.get_data(as_text=True), f"{path} gives {word}"
        for counts in [answer.get_json().get("counts"), answer.get_json().get("total")]:
            if counts:
                assert counts["completed"] is None and counts["adult"] is None


def test_the_provider_manager_still_sees_a_small_periods_breakdown(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    with app.app_context():
        _one_person()
    auth.sign_in(account_email(Role.MANAGER, "warwickshire"))
    page = client.get("/warwickshire/dashboard", query_string=ONE_DAY).get_data(as_text=True)
    assert "Female" in page and "White British" in page
