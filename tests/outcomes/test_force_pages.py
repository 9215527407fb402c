"""The force analyst's pages: cases due (references only), CSV uploads previewed and saved
whole or not at all, eligible offences per month and comparison groups."""

from __future__ import annotations

import io
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import CaseOutcome, ComparisonGroup, EligibleOffences, ReferralStatus, Role
from divert.tenancy import area_scope
from tests.conftest import Auth
from tests.factories import account_email, area, create_demo_accounts
from tests.outcomes.builders import attended_case, close, demo_user
from tests.referrals.builders import referral

AREA = "warwickshire"


def _cases() -> list[str]:
    """Three cases closed on 10 March 2026 (due 10 September 2026), one closed yesterday."""
    create_demo_accounts()
    here = area(AREA)
    with area_scope(here):
        officer, educator = demo_user(Role.OFFICER, here), demo_user(Role.EDUCATOR, here)
        references = []
        for number in range(3):
            made = attended_case(
                here, educator, officer, forename="Nameshown", crime_reference=f"WK/26/{number}"
            )
            close(made, ReferralStatus.COMPLETED, educator, date(2026, 3, 10))
            references.append(made.reference)
        recent = referral(here, officer, forename="Nameshown", crime_reference="WK/26/9")
        close(recent, ReferralStatus.NOT_ENGAGED, officer, date.today())
        references.append(recent.reference)
        db.session.commit()
    return references


def _upload(client: FlaskClient, path: str, text: str, **extra: str):
    data = {"file": (io.BytesIO(text.encode()), "results.csv"), **extra}
    return client.post(f"/{AREA}/{path}", data=data, content_type="multipart/form-data")


HEADER = (
    "reference,crime_reference,reoffended,offence_count,first_offence_on,any_violent,any_alcohol"
)


def test_cases_due_show_references_only(app_ctx: Flask, client: FlaskClient) -> None:
    first, second, third, recent = _cases()
    Auth(client).sign_in(account_email(Role.FORCE_ANALYST, AREA))
    page = client.get(f"/{AREA}/reoffending").get_data(as_text=True)
    assert first in page and "WK/26/0" in page and third in page
    assert recent not in page  # its window has not ended
    assert "Nameshown" not in page
    download = client.get(f"/{AREA}/reoffending/due.csv").get_data(as_text=True)
    assert download.splitlines() == [
        HEADER,
        f"{first},WK/26/0,,,,,",
        f"{second},WK/26/1,,,,,",
        f"{third},WK/26/2,,,,,",
    ]


def test_a_bad_line_refuses_the_whole_file(app_ctx: Flask, client: FlaskClient) -> None:
    first, second, third, recent = _cases()
    Auth(client).sign_in(account_email(Role.FORCE_ANALYST, AREA))
    text = "\n".join(
        [
            HEADER,
            f"{first},WK/26/0,yes,2,2026-05-01,yes,no",
            f"{second},WK/26/1,no,0,,no,no",
            f"{recent},WK/26/9,no,0,,no,no",
            f"{third},WK/26/2,perhaps,0,,no,no",
        ]
    )
    page = _upload(client, "reoffending/upload", text).get_data(as_text=True)
    assert "Nothing has been imported: 2 lines cannot be used" in page
    assert f"Line 4: No case of this area due a reoffending check has reference {recent}" in page
    assert "Line 5: reoffended must be yes or no, not “perhaps”" in page
    assert "Import " not in page
    with area_scope(area(AREA)):
        assert db.session.scalars(select(CaseOutcome.result_at)).all() == [None] * 4


def test_a_good_file_is_previewed_then_imported(app_ctx: Flask, client: FlaskClient) -> None:
    first, second, _third, _recent = _cases()
    Auth(client).sign_in(account_email(Role.FORCE_ANALYST, AREA))
    text = "\n".join([HEADER, f"{first},WK/26/0,yes,2,2026-05-01,yes,no", f"{second},,no,,,no,no"])
    preview = _upload(client, "reoffending/upload", text).get_data(as_text=True)
    assert "Import 2 results" in preview
    with area_scope(area(AREA)):
        assert db.session.scalars(select(CaseOutcome.result_at)).all() == [None] * 4
    response = client.post(f"/{AREA}/reoffending/upload", data={"content": text, "confirm": "yes"})
    assert response.status_code == 302
    with area_scope(area(AREA)):
        results = {
            row.referral.reference: (row.reoffended, row.offence_count, row.any_violent)
            for row in db.session.scalars(
                select(CaseOutcome).where(CaseOutcome.result_at.is_not(None))
            )
        }
    assert results == {first: (True, 2, True), second: (False, 0, False)}


def test_eligible_offences_and_comparison_groups(app_ctx: Flask, client: FlaskClient) -> None:
    create_demo_accounts()
    Auth(client).sign_in(account_email(Role.FORCE_ANALYST, AREA))
    bad = "month,eligible_offences\n2026-01,40\n2026-02,lots\n"
    page = _upload(client, "eligible-offences", bad).get_data(as_text=True)
    assert "Line 3: eligible_offences must be a whole number, not “lots”" in page
    good = "month,eligible_offences\n2026-01,40\n2026-02,38\n"
    assert _upload(client, "eligible-offences", good).status_code == 302
    assert (
        _upload(client, "eligible-offences", "month,eligible_offences\n2026-02,39\n").status_code
        == 302
    )
    response = client.post(
        f"/{AREA}/comparison-groups",
        data={
            "starts_on": ["1", "1", "2026"],
            "ends_on": ["31", "3", "2026"],
            "people": "100",
            "reoffended": "101",
            "offences": "150",
            "violent": "10",
            "alcohol": "12",
        },
    )
    assert "More people reoffended than are in the group" in response.get_data(as_text=True)
    assert 'value="101"' in response.get_data(as_text=True)
    response = client.post(
        f"/{AREA}/comparison-groups",
        data={
            "starts_on": ["1", "1", "2026"],
            "ends_on": ["31", "3", "2026"],
            "people": "100",
            "reoffended": "39",
            "offences": "129",
            "violent": "10",
            "alcohol": "12",
        },
    )
    assert response.status_code == 302
    with area_scope(area(AREA)):
        months = db.session.execute(
            select(EligibleOffences.month, EligibleOffences.offences).order_by(
                EligibleOffences.month
            )
        ).all()
        assert months == [(date(2026, 1, 1), 40), (date(2026, 2, 1), 39)]
        group = db.session.scalars(select(ComparisonGroup)).one()
        assert (group.people, group.reoffended, group.offences) == (100, 39, 129)
