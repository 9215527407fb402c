"""A safeguarding concern on a young person's case alerts the area's managers, and only them."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import AuditEvent, OutboxMessage, Role, SafeguardingConcern
from divert.tenancy import area_scope, system_scope
from tests.conftest import Auth
from tests.factories import area, make_user
from tests.referrals.builders import referral

CONCERN = "Says an older cousin makes him hold packages for money"


@pytest.fixture
def cases(app_ctx: Flask) -> dict[str, int]:
    officer = make_user("pc@example.org", {"warwickshire": Role.OFFICER})
    make_user("ed@example.org", {"warwickshire": Role.EDUCATOR})
    make_user("m1@example.org", {"warwickshire": Role.MANAGER})
    make_user("m2@example.org", {"warwickshire": Role.MANAGER})
    make_user("m3@example.org", {"staffordshire": Role.MANAGER})
    here = area("warwickshire")
    with area_scope(here):
        young = referral(
            here,
            officer,
            date_of_birth=date(date.today().year - 15, 1, 10),
            guardian_name="Dana Reid",
            guardian_contact="07700 900456",
        )
        adult = referral(here, officer, forename="Casey")
        db.session.commit()
        return {"young": young.id, "adult": adult.id}


def test_a_concern_alerts_the_areas_managers(
    client: FlaskClient, auth: Auth, cases: dict[str, int]
) -> None:
    auth.sign_in("ed@example.org")
    page = client.get(f"/warwickshire/cases/{cases['young']}").get_data(as_text=True)
    assert "Dana Reid, 07700 900456" in page and "Raise safeguarding concern" in page

    response = client.post(
        f"/warwickshire/cases/{cases['young']}/safeguarding", data={"concern": CONCERN}
    )
    assert response.status_code == 302
    with system_scope():
        alerts = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "safeguarding_alert")
        ).all()
        (concern,) = db.session.scalars(select(SafeguardingConcern)).all()
    assert sorted(a.recipient for a in alerts) == ["m1@example.org", "m2@example.org"]
    assert all(CONCERN not in a.body and f"/cases/{cases['young']}" in a.body for a in alerts)
    assert concern.concern == CONCERN
    with system_scope():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "safeguarding_concern_raised")
        ).one()
    assert event.detail["managers_alerted"] == 2
    assert CONCERN in client.get(f"/warwickshire/cases/{cases['young']}").get_data(as_text=True)


def test_an_empty_concern_is_explained_and_nothing_is_sent(
    client: FlaskClient, auth: Auth, cases: dict[str, int]
) -> None:
    auth.sign_in("ed@example.org")
    response = client.post(
        f"/warwickshire/cases/{cases['young']}/safeguarding", data={"concern": ""}
    )
    assert response.status_code == 200
    assert "Describe the safeguarding concern" in response.get_data(as_text=True)
    with system_scope():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_an_adults_case_has_no_safeguarding_concern(
    client: FlaskClient, auth: Auth, cases: dict[str, int]
) -> None:
    auth.sign_in("ed@example.org")
    page = client.get(f"/warwickshire/cases/{cases['adult']}").get_data(as_text=True)
    assert "Raise safeguarding concern" not in page
    response = client.post(
        f"/warwickshire/cases/{cases['adult']}/safeguarding", data={"concern": CONCERN}
    )
    assert response.status_code == 404
    with area_scope(area("warwickshire")):
        assert db.session.scalars(select(SafeguardingConcern)).all() == []
