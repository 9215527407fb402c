"""The CARS figures where commissioners, managers and regional leads read them: the dashboards
(same period picker), board reports, CSV and XLSX exports, and the API. The world and its
figures, worked out by hand, are in test_kpis.py's docstring (quarter October to December 2024:
Warwickshire 7 contacts, Staffordshire 3, the region 10)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import g
from flask.testing import FlaskClient
from openpyxl import load_workbook

from divert.extensions import db
from divert.models import Area, Role, User
from tests.conftest import Auth
from tests.factories import (
    REGIONAL_LEAD_EMAIL,
    account_email,
    create_demo_accounts,
    make_token,
)

# The picker offers the last eight quarters; older ones are asked for as dates.
QUARTER = {"period": "custom", "start": ["1", "10", "2024"], "end": ["31", "12", "2024"]}
CARS_HEADING = "Arrest referral in custody and at court (CARS)"
API_QUARTER = {"from": "2024-10-01", "to": "2024-12-31"}


def _accounts() -> None:
    create_demo_accounts()


def _user(email: str) -> User:
    return db.session.query(User).filter_by(email=email).one()


def _token(role: Role, here: Area) -> dict[str, str]:
    secret = make_token(_user(account_email(role, "warwickshire")), area=here)
    return {"Authorization": f"Bearer {secret}"}


def test_the_commissioners_dashboard_has_a_cars_section(
    client: FlaskClient, auth: Auth, built: Area
) -> None:
    _accounts()
    auth.sign_in(account_email(Role.COMMISSIONER, "warwickshire"))
    page = client.get("/warwickshire/dashboard", query_string=QUARTER).text
    assert CARS_HEADING in page
    assert "Referrals received" in page  # beside DIVERT's, for every programme
    assert "In Warwickshire, custody contacts: 7; assessments of every kind: 6 (86%" in page
    assert "In West Midlands region, custody contacts: 10;" in page
    # Only CARS's when CARS is chosen; only DIVERT's when a DIVERT programme is.
    alone = client.get("/warwickshire/dashboard", query_string={**QUARTER, "programme": "cars"})
    assert CARS_HEADING in alone.text and "Referrals received" not in alone.text
    divert = client.get(
        "/warwickshire/dashboard", query_string={**QUARTER, "programme": "divert-adults"}
    )
    assert CARS_HEADING not in divert.text and "Referrals received" in divert.text


def test_the_board_report_carries_the_cars_figures(
    client: FlaskClient, auth: Auth, built: Area
) -> None:
    _accounts()
    auth.sign_in(account_email(Role.COMMISSIONER, "warwickshire"))
    report = client.get("/warwickshire/dashboard/board-report", query_string=QUARTER).text
    assert CARS_HEADING in report
    assert "DRR assigned: 1 (100% of those found suitable)" in report


def test_the_exports_carry_the_cars_figures(client: FlaskClient, auth: Auth, built: Area) -> None:
    _accounts()
    auth.sign_in(account_email(Role.MANAGER, "warwickshire"))
    text = client.get("/warwickshire/dashboard/export.csv", query_string=QUARTER).text
    rows = list(csv.DictReader(io.StringIO(text)))
    kinds = {
        (row["area"], row["breakdown"]): (row["value"], row["share"])
        for row in rows
        if row["section"] == "CARS: custody contacts by kind"
    }
    assert kinds == {
        ("Warwickshire", "Contact only"): ("3", "0.43"),
        ("Warwickshire", "Test on arrest"): ("3", "0.43"),
        ("Warwickshire", "Voluntary assessment agreed"): ("1", "0.14"),
        ("West Midlands region", "Contact only"): ("4", "0.4"),
        ("West Midlands region", "Test on arrest"): ("5", "0.5"),
        ("West Midlands region", "Voluntary assessment agreed"): ("1", "0.1"),
    }
    assert any(row["section"] == "Referrals" for row in rows)  # DIVERT's too, one header
    workbook = load_workbook(
        io.BytesIO(client.get("/warwickshire/dashboard/export.xlsx", query_string=QUARTER).data)
    )
    figures = list(workbook["Figures"].iter_rows(values_only=True))
    drr = next(r for r in figures if r[0] == "Warwickshire" and r[2] == _DRR_ROW)
    assert drr[1] == "CARS: suitability assessments for a DRR or ATR"
    assert drr[4] == 1 and drr[6] == 1.0  # the count, and its share of those suitable
    notes = [row[0] for row in workbook["Notes"].iter_rows(values_only=True)]
    assert (
        notes.count(
            "Percentages are rounded half up: to one decimal place under 10%, to a whole percent "
            "otherwise."
        )
        == 1
    )
    assert any(str(note).startswith("CARS activity from 1 October 2024") for note in notes)


_DRR_ROW = "DRR assigned (share of those suitable for one)"


def test_the_regional_lead_sees_every_area_side_by_side(
    client: FlaskClient, auth: Auth, built: Area
) -> None:
    _accounts()
    auth.sign_in(REGIONAL_LEAD_EMAIL)
    page = client.get("/region/west-midlands-region/dashboard", query_string=QUARTER).text
    assert CARS_HEADING in page
    assert "In Staffordshire, custody contacts: 3; assessments of every kind: not shown: " in page


def test_the_api_gives_the_area_beside_the_region(client: FlaskClient, built: Area) -> None:
    _accounts()
    headers = _token(Role.COMMISSIONER, built)
    answer = client.get(
        "/api/v1/areas/warwickshire/cars/figures", query_string=API_QUARTER, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.get_json()
    counts = body["counts"]
    assert {name: counts[name] for name in WARWICKSHIRE} == WARWICKSHIRE
    assert counts["shares"] == {
        "assessments": 0.86,
        "drr_made": 1.0,
        "atr_made": 0.5,
        "treatment_entries": 0.5,
        "out_of_hours": 0.67,
    }
    assert counts["not_converted"] == {
        "did_not_attend": 0,
        "declined_treatment": 1,
        "in_prison": 0,
        "moved_away": 0,
        "other": 0,
    }
    assert counts["per_month"] == [
        {"month": "2024-10", "contacts": 3},
        {"month": "2024-11", "contacts": 2},
        {"month": "2024-12", "contacts": 2},
    ]
    assert body["region"]["contacts"] == 10
    assert body["region"]["treatment_entries"] == 2
    published = client.get(
        "/api/v1/areas/warwickshire/cars/figures",
        query_string={**API_QUARTER, "publication": "true"},
        headers=headers,
    ).get_json()["counts"]
    assert published["contacts"] == 7 and published["test_on_arrest"] is None


WARWICKSHIRE = {
    "contacts": 7,
    "contact_only": 3,
    "test_on_arrest": 3,
    "voluntary_assessment": 1,
    "assessments": 6,
    "required_requested": 2,
    "required_completed": 2,
    "voluntary_assessments": 2,
    "suitability_requested": 2,
    "adjournments": 1,
    "suitability_completed": 2,
    "suitable_drr": 1,
    "suitable_atr": 2,
    "suitable_either": 2,
    "drr_made": 1,
    "atr_made": 1,
    "treatment_referrals": 2,
    "treatment_entries": 1,
    "awaiting_entry": 0,
    "closed": 2,
    "naloxone_kits": 1,
    "appointments_booked": 3,
    "booked_by_police": 2,
    "out_of_hours": 2,
}


def test_the_api_refuses_bad_input_and_other_roles(client: FlaskClient, built: Area) -> None:
    _accounts()
    headers = _token(Role.COMMISSIONER, built)
    url = "/api/v1/areas/warwickshire/cars/figures"
    half = client.get(url, query_string={"from": "2024-10-01"}, headers=headers)
    assert half.status_code == 422 and _fields(half.get_json()) == ["to"]
    programme = client.get(url, query_string={"programme": "cars"}, headers=headers)
    assert programme.status_code == 422 and _fields(programme.get_json()) == ["programme"]
    officer_token = _token(Role.OFFICER, built)
    # The world's app context stays open, and requests share its `g`: the last request's user
    # and token go, as a real request starts without them.
    g.pop("_login_user", None)
    g.pop("api_token", None)
    assert client.get(url, headers=officer_token).status_code == 403


def _fields(body: dict[str, Any]) -> list[str]:
    return [problem["field"] for problem in body["error"]["fields"]]


def test_the_api_gives_the_regional_lead_every_area(client: FlaskClient, built: Area) -> None:
    _accounts()
    lead = _user(REGIONAL_LEAD_EMAIL)
    secret = make_token(lead, region=lead.regional_leads[0].region)
    body = client.get(
        "/api/v1/regions/west-midlands-region/cars/figures",
        query_string=API_QUARTER,
        headers={"Authorization": f"Bearer {secret}"},
    ).get_json()
    by_area = {entry["area"]: entry["counts"] for entry in body["areas"]}
    assert by_area["staffordshire"]["contacts"] == 3
    assert by_area["staffordshire"]["test_on_arrest"] is None  # three contacts: a small period
    assert by_area["warwickshire"]["contacts"] == 7
    assert body["total"]["contacts"] == 10
