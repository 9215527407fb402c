"""The figures pages kept per database snapshot (divert.figures.snapshot) on PostgreSQL: a page
shown again at the same snapshot costs no figure's SQL, and whatever is committed in between
(a referral, an attendance, an outcome, a contract, a custody contact) shows at the next view.

The period is January 2023, before any of the demo areas' contracts, so every figure starts
from nothing and each step's figure can be worked out by hand.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import (
    Area,
    BookingStatus,
    Contract,
    Pricing,
    Referral,
    ReferralStatus,
    Role,
    Substance,
)
from divert.referrals import lifecycle
from divert.tenancy import area_scope
from tests.cars_figures.builders import contact, local
from tests.conftest import Auth
from tests.factories import account_email, area, create_demo_accounts
from tests.outcomes.builders import demo_user
from tests.referrals.builders import programme_id, referral, session_slot
from tests.support.queries import queries_for

pytestmark = pytest.mark.postgresql_only

AREA = "warwickshire"
URL = f"/{AREA}/dashboard"
JANUARY_2023 = {"period": "custom", "start": ["1", "1", "2023"], "end": ["31", "1", "2023"]}
RECEIVED = date(2023, 1, 10)


def _figure(page: str, label: str) -> str:
    """The area's column (the first) of the row with this label, as the page shows it."""
    row = re.search(
        rf'<th scope="row" class="govuk-table__header">{re.escape(label)}</th>\s*'
        r'<td class="govuk-table__cell[^"]*">([^<]*)</td>',
        page,
    )
    assert row is not None, f"no row {label!r}"
    return row[1]


def _main(page: str) -> str:
    """The page's main content: the layout around it differs per request (its nonce)."""
    return page[page.index("<main") : page.index("</main>")]


@pytest.fixture
def here(app_ctx: Flask, client: FlaskClient, auth: Auth) -> Area:
    create_demo_accounts()
    auth.sign_in(account_email(Role.MANAGER, AREA))
    return area(AREA)


def _view(client: FlaskClient, period: dict[str, object] = JANUARY_2023) -> str:
    response = client.get(URL, query_string=period)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_kind_of_change_committed_shows_at_the_next_view(
    here: Area, client: FlaskClient
) -> None:
    officer, educator = demo_user(Role.OFFICER, here), demo_user(Role.EDUCATOR, here)
    with area_scope(here):
        first = referral(here, officer, received_on=RECEIVED, offence_date=RECEIVED)
        referral(here, officer, received_on=RECEIVED, offence_date=RECEIVED)
        first_id = first.id
        db.session.commit()
    page = _view(client)
    assert _figure(page, "Referrals received") == "2"
    assert _main(_view(client)) == _main(page)  # shown again, the same

    with area_scope(here):  # a third referral
        referral(here, officer, received_on=RECEIVED, offence_date=RECEIVED)
        db.session.commit()
    page = _view(client)
    assert _figure(page, "Referrals received") == "3"
    assert _figure(page, "Attended") == "0"

    with area_scope(here):  # the first one's initial one-to-one attended
        case = db.session.get(Referral, first_id)
        assert case is not None
        slot = session_slot(here, educator, starts_at=local(date(2023, 1, 12)))
        cannabis = db.session.scalars(select(Substance).where(Substance.code == "cannabis")).one()
        booking = lifecycle.book(case, slot, officer)
        lifecycle.record_attendance(
            booking, BookingStatus.ATTENDED, educator, main_substance=cannabis
        )
        db.session.commit()
    page = _view(client)
    assert _figure(page, "Attended") == "1"
    assert _figure(page, "Completed") == "0 (0%)"

    with area_scope(here):  # and then completed
        case = db.session.get(Referral, first_id)
        assert case is not None
        lifecycle.change_status(case, ReferralStatus.COMPLETED, educator)
        db.session.commit()
    page = _view(client)
    assert _figure(page, "Completed") == "1 (33%)"  # 1 of the 3 referrals
    assert _figure(page, "Places allocated for the period") == "–"  # no contract yet

    with area_scope(here):  # a contract for 2023: 365 places, so 31 for January's 31 days
        db.session.add(
            Contract(
                area_id=here.id,
                programme_id=programme_id(here, "divert-adults"),
                label="Warwickshire 2023",
                funding_source="OPCC",
                starts_on=date(2023, 1, 1),
                ends_on=date(2023, 12, 31),
                pricing=Pricing.PER_PLACE,
                places_allocated=365,
                value_pence=3_650_000,
            )
        )
        db.session.commit()
    page = _view(client)
    assert _figure(page, "Places allocated for the period") == "31"
    assert _figure(page, "Custody contacts") == "0"

    with area_scope(here):  # someone seen in custody on 20 January
        contact(here, demo_user(Role.CUSTODY_WORKER, here), local(date(2023, 1, 20)))
        db.session.commit()
    assert _figure(_view(client), "Custody contacts") == "1"


def test_the_page_shown_again_costs_only_the_snapshot(here: Area, client: FlaskClient) -> None:
    url = f"{URL}?period=custom&start=1&start=1&start=2023&end=31&end=1&end=2023"
    queries_for(client, url, warm=False)  # worked out, and kept
    # The session with its user and memberships, then the snapshot: no figure's SQL.
    assert queries_for(client, url, warm=False) == 2


def test_a_page_is_kept_per_view_of_the_figures(here: Area, client: FlaskClient) -> None:
    """The same snapshot, asked for another period or for publication, is worked out anew."""
    published = {**JANUARY_2023, "publication": "y"}
    with area_scope(here):
        officer = demo_user(Role.OFFICER, here)
        for _ in range(3):
            referral(here, officer, received_on=RECEIVED, offence_date=RECEIVED)
        db.session.commit()
    assert _figure(_view(client), "Referrals received") == "3"
    shown = client.get(URL, query_string=published).get_data(as_text=True)
    assert _figure(shown, "Referrals received") == "fewer than 5"


def test_a_transaction_that_has_written_works_its_figures_out_and_keeps_nothing(
    here: Area, client: FlaskClient
) -> None:
    """Its own changes are visible to it and to no snapshot: what it sees is never kept. (A
    part-month, counted from the records: whole months come from the monthly summary, which
    is worked out at the commit.)"""
    fortnight = {**JANUARY_2023, "end": ["15", "1", "2023"]}
    officer = demo_user(Role.OFFICER, here)
    with area_scope(here):
        referral(here, officer, received_on=RECEIVED, offence_date=RECEIVED)
        db.session.commit()
    assert _figure(_view(client, fortnight), "Referrals received") == "1"
    with area_scope(here):  # written in the session the request shares, not committed
        referral(here, officer, received_on=RECEIVED, offence_date=RECEIVED)
        assert _figure(_view(client, fortnight), "Referrals received") == "2"
        db.session.rollback()
    assert _figure(_view(client, fortnight), "Referrals received") == "1"
