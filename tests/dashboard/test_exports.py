"""Exports for analysts: the XLSX opens in openpyxl and pandas with its header in the first
row and numbers as numbers; the CSV is tidy; text that a spreadsheet would run is neutralised."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from divert.extensions import db
from divert.models import BookingStatus, Contract, Role, SessionKind, Substance
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import account_email, area, create_demo_accounts, make_user
from tests.referrals.builders import referral, session_slot

ON = date(2023, 11, 6)
PERIOD = {"period": "fy:2023"}
HEADER = [
    "area",
    "section",
    "figure",
    "breakdown",
    "value",
    "unit",
    "share",
    "suppressed",
    "example",
    "text",
]
FORMULA = '=HYPERLINK("http://attacker.example","Click")'


@pytest.fixture
def attended(app: Flask) -> None:
    """Eight Warwickshire referrals in November 2023, six attended: cannabis 5, cocaine 1."""
    with app.app_context():
        create_demo_accounts()
        here = area("warwickshire")
        officer = make_user("pc@warwickshire.test", {"warwickshire": Role.OFFICER})
        educator = make_user("ed@warwickshire.test", {"warwickshire": Role.EDUCATOR})
        with area_scope(here):
            slot = session_slot(
                here,
                educator,
                kind=SessionKind.INITIAL,
                starts_at=datetime.combine(ON, time(10), tzinfo=UTC),
                capacity=6,
            )
            substances = {s.code: s for s in db.session.scalars(select(Substance)).all()}
            for number in range(8):
                made = referral(here, officer, received_on=ON, offence_date=ON)
                if number < 6:
                    booking = lifecycle.book(made, slot, educator)
                    code = "cocaine" if number == 5 else "cannabis"
                    lifecycle.record_attendance(
                        booking, BookingStatus.ATTENDED, educator, main_substance=substances[code]
                    )
            db.session.commit()


def _download(client: FlaskClient, auth: Auth, kind: str, **query: str) -> bytes:
    auth.sign_in(account_email(Role.COMMISSIONER, "warwickshire"))
    response = client.get(
        f"/warwickshire/dashboard/export.{kind}", query_string={**PERIOD, **query}
    )
    assert response.status_code == 200
    return response.get_data()


def test_the_spreadsheet_opens_with_numbers_as_numbers(
    client: FlaskClient, auth: Auth, attended: None
) -> None:
    body = _download(client, auth, "xlsx")
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Figures", "Notes"]
    sheet = book["Figures"]
    assert [cell.value for cell in sheet[1]] == HEADER
    rows = {
        (r[0], r[2], r[3]): r for r in sheet.iter_rows(min_row=2) if r[0].value == "Warwickshire"
    }
    rows = {
        (a.value, f.value, b.value): r for (a, f, b), r in zip(rows, rows.values(), strict=True)
    }
    referrals = rows[("Warwickshire", "Referrals received", None)]
    assert referrals[4].value == 8 and referrals[4].data_type == "n"
    engagement = rows[("Warwickshire", "Engagement rate", None)]
    assert engagement[4].value == 1.0 and "%" in engagement[4].number_format  # 6 of 6 decided
    cannabis = rows[("Warwickshire", "Main substance reported by attendees", "Cannabis")]
    assert (cannabis[4].value, cannabis[6].value) == (5, 0.83)  # 5 ÷ 6 = 83.3%
    assert cannabis[6].number_format == "[=0]0%;[<0.1]0.0%;0%"
    cost = rows[("Warwickshire", "Cost for the period", None)]
    assert isinstance(cost[4].value, float) and cost[4].number_format.startswith("£")
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True)]
    assert notes[0] == "note"
    assert any("2023-04-01 to 2024-03-31" in note for note in notes[1:])

    frame = pd.read_excel(io.BytesIO(body), sheet_name="Figures")
    assert list(frame.columns) == HEADER
    counts = frame[frame["unit"] == "count"]
    assert pd.to_numeric(counts["value"]).sum() > 0  # every count cell is a number
    mine = frame[(frame["area"] == "Warwickshire") & (frame["figure"] == "Referrals received")]
    assert mine["value"].tolist() == [8]
    notes_frame = pd.read_excel(io.BytesIO(body), sheet_name="Notes")
    assert list(notes_frame.columns) == ["note"]


def test_publication_leaves_suppressed_cells_empty_and_flagged(
    client: FlaskClient, auth: Auth, attended: None
) -> None:
    frame = pd.read_excel(io.BytesIO(_download(client, auth, "xlsx", publication="y")))
    cocaine = frame[(frame["area"] == "Warwickshire") & (frame["breakdown"] == "Cocaine")]
    assert cocaine["suppressed"].tolist() == [True]
    assert cocaine["value"].isna().tolist() == [True]


def test_the_csv_is_tidy(client: FlaskClient, auth: Auth, attended: None) -> None:
    frame = pd.read_csv(io.BytesIO(_download(client, auth, "csv")))
    assert list(frame.columns) == HEADER
    substances = frame[frame["figure"] == "Main substance reported by attendees"]
    wide = substances.pivot(index="breakdown", columns="area", values="value")
    assert wide.loc["Cannabis", "Warwickshire"] == 5
    assert wide.loc["Cocaine", "West Midlands region"] == 1
    assert set(frame["suppressed"]) == {False}


def test_spreadsheet_formulas_are_neutralised(
    app: Flask, client: FlaskClient, auth: Auth, attended: None
) -> None:
    with app.app_context():
        here = area("warwickshire")
        with area_scope(here):
            contract = db.session.scalars(
                select(Contract).where(Contract.starts_on == date(2023, 7, 1))
            ).one()
            contract.label = FORMULA
            contract.funding_source = "@SUM(A1:A9)"
            cannabis = db.session.scalars(
                select(Substance).where(Substance.code == "cannabis")
            ).one()
            cannabis.label = "+1+1"
            db.session.commit()
    xlsx = load_workbook(io.BytesIO(_download(client, auth, "xlsx")))
    texts = []
    for sheet in xlsx:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert f"'{FORMULA}" in texts  # the contract's name, as the breakdown of its terms
    assert "'@SUM(A1:A9)" in texts and "'+1+1" in texts
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    csv_text = _download(client, auth, "csv").decode()
    assert "'+1+1" in csv_text and "'@SUM(A1:A9)" in csv_text
    for line in csv_text.splitlines():
        for field in line.split(","):
            assert not field.startswith(("=", "+", "@", "\t", "\r")), line
