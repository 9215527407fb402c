"""Dashboard pages, exports and the regional view: aggregates only, fixed queries, bad input."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from divert.extensions import db
from divert.figures.suppression import Hideable, suppress_breakdown
from divert.models import Role
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import (
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
    make_user,
)
from tests.referrals.builders import referral
from tests.support.queries import queries_for

MARKER = "Qzxmarkername"
PERIOD = {"period": "fy:2023"}


@pytest.fixture
def seeded(app_ctx: Flask) -> None:
    """Referrals whose people carry unique markers in every personal field."""
    create_demo_accounts()
    for slug in ("warwickshire", "staffordshire"):
        officer = make_user(f"pc@{slug}.test", {slug: Role.OFFICER})
        with area_scope(area(slug)):
            for number in range(6):
                referral(
                    area(slug),
                    officer,
                    forename=f"{MARKER}{number}",
                    surname=f"{MARKER}Surname",
                    email=f"{MARKER}{number}@example.org",
                    phone="07911 555000",
                    date_of_birth=date(1990, 7, 13),
                    received_on=date(2023, 11, 1 + number),
                )
            db.session.commit()


def _aggregate_routes(app: Flask) -> list[str]:
    return [
        rule.rule.replace("<area_slug>", "warwickshire").replace(
            "<region_slug>", "west-midlands-region"
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.")
    ]


@pytest.mark.parametrize("who", ["commissioner", "regional_lead"])
def test_no_name_or_personal_detail_reaches_aggregate_users(
    app: Flask, client: FlaskClient, auth: Auth, seeded: None, who: str
) -> None:
    email = (
        REGIONAL_LEAD_EMAIL
        if who == "regional_lead"
        else account_email(Role.COMMISSIONER, "warwickshire")
    )
    auth.sign_in(email)
    reached = 0
    for path in _aggregate_routes(app):
        for query in (PERIOD, {**PERIOD, "publication": "y"}):
            response = client.get(path, query_string=query)
            if response.status_code != 200:
                continue
            reached += 1
            body = response.get_data()
            if path.endswith(".xlsx"):
                book = load_workbook(io.BytesIO(body))
                body = " ".join(
                    str(c.value) for row in book.active.iter_rows() for c in row
                ).encode()
            for secret in (MARKER, "1990-07-13", "13/07/1990", "7911555000", "07911 555000"):
                assert secret.encode() not in body, f"{path} shows {secret}"
    assert reached >= (2 if who == "regional_lead" else 8)


def test_dashboard_queries_do_not_grow_with_the_data(
    app: Flask, client: FlaskClient, auth: Auth, seeded: None
) -> None:
    auth.sign_in(account_email(Role.MANAGER, "warwickshire"))

    def queries() -> int:
        return queries_for(client, "/warwickshire/dashboard", query_string=PERIOD)

    before = queries()
    officer = make_user("pc2@warwickshire.test", {"warwickshire": Role.OFFICER})
    with area_scope(area("warwickshire")):
        for number in range(30):
            referral(area("warwickshire"), officer, received_on=date(2023, 12, 1 + number % 28))
        db.session.commit()
    assert queries() == before
    # the outcome figures (divert.figures.outcomes) take 6 of them; the CARS figures add the
    # region's CARS programmes and one query for each kind of record they count (seven)
    assert before <= 29


def test_exports_carry_the_figures(client: FlaskClient, auth: Auth, seeded: None) -> None:
    auth.sign_in(account_email(Role.COMMISSIONER, "warwickshire"))
    csv_text = client.get("/warwickshire/dashboard/export.csv", query_string=PERIOD).text
    assert "Warwickshire,Referrals,Referrals received,,6,count,,false,false,6" in csv_text
    assert "West Midlands region,Referrals,Referrals received,,12,count,,false,false,12" in csv_text
    published = client.get(
        "/warwickshire/dashboard/export.csv", query_string={**PERIOD, "publication": "y"}
    ).text
    assert "Warwickshire,Referrals,Referrals received,,6,count,,false,false,6" in published
    # None are under 18: zero is not small, and is shown.
    assert "Warwickshire,Age group,Age group,Under 18,0,count,0.0,false,false,0 (0%)" in published
    xlsx = client.get("/warwickshire/dashboard/export.xlsx", query_string=PERIOD)
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[1][:6] == ("Warwickshire", "Referrals", "Referrals received", None, 6, "count")


def test_bad_period_input_is_explained(client: FlaskClient, auth: Auth, seeded: None) -> None:
    auth.sign_in(account_email(Role.COMMISSIONER, "warwickshire"))
    backwards = client.get(
        "/warwickshire/dashboard",
        query_string={"period": "custom", "start": ["1", "3", "2024"], "end": ["1", "2", "2024"]},
    )
    assert backwards.status_code == 200
    assert "The end date must be the same as or after the start date" in backwards.text
    unknown = client.get("/warwickshire/dashboard", query_string={"period": "fy:x"})
    assert unknown.status_code == 200 and "govuk-error-summary" in unknown.text
    nonsense = client.get("/warwickshire/dashboard/export.csv", query_string={"period": "zzz"})
    assert nonsense.status_code == 400


def test_secondary_suppression_hides_the_cell_that_would_reveal_a_small_one() -> None:
    cells = [Hideable(count=n) for n in (12, 3, 7, 0)]
    suppress_breakdown(cells)
    assert [c.suppressed_text for c in cells] == ["", "fewer than 5", "suppressed", ""]


def test_the_regional_view_has_every_area_figure(
    client: FlaskClient, auth: Auth, seeded: None
) -> None:
    auth.sign_in(REGIONAL_LEAD_EMAIL)
    page = client.get("/region/west-midlands-region/dashboard", query_string=PERIOD).text
    for heading in (
        "Referrals",
        "Engagement with the initial one-to-one",
        "Main substance reported by attendees",
        "Naloxone and onward referrals at sessions attended",
        "Places and costs for the period",
        "Contracts in this period",
    ):
        assert heading in page
    for caption in (
        "Warwickshire: Regional PADS contract 2023–24",
        "Staffordshire: Regional PADS contract 2023–24 (example)",
        "West Mercia: Regional PADS contract 2023–24 (example)",
        "West Midlands: Regional PADS contract 2023–24 (example)",
    ):
        assert caption in page
    for route in ("export.csv", "export.xlsx", "board-report"):
        assert f"/region/west-midlands-region/dashboard/{route}?" in page
    tidy = client.get(
        "/region/west-midlands-region/dashboard/export.csv", query_string=PERIOD
    ).text.splitlines()
    received = {line.split(",")[0] for line in tidy if ",Referrals received,," in line}
    assert received == {
        "Staffordshire",
        "Warwickshire",
        "West Mercia",
        "West Midlands",
        "West Midlands region",
    }
    report = client.get(
        "/region/west-midlands-region/dashboard/board-report", query_string=PERIOD
    ).text
    assert (
        "Board report: 2023–24" in report
        and "<strong>Warwickshire:</strong> Referrals were 6," in report
    )
