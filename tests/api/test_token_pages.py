"""Making and revoking API tokens in the web pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.extensions import db
from divert.models import ApiToken, AuditEvent, Role
from divert.tenancy import area_scope, system_scope
from tests.api.conftest import AREA, Api, user
from tests.conftest import Auth
from tests.factories import REGIONAL_LEAD_EMAIL, account_email, area, create_demo_accounts

SECRET = re.compile(r"divert_[A-Za-z0-9_-]{40,}")


def _make(client: FlaskClient, path: str, **form: str) -> str:
    page = client.post(path, data={"name": "Records system", "expires": "30", **form})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.mimetype == "text/html"
    return SECRET.search(page.get_data(as_text=True)).group(0)


def test_an_officer_makes_a_token_that_is_shown_once_and_works(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    with app.app_context():
        create_demo_accounts()
    auth.sign_in(account_email(Role.OFFICER, AREA))
    secret = _make(client, f"/{AREA}/api-tokens/new")
    listing = client.get(f"/{AREA}/api-tokens").get_data(as_text=True)
    assert "Records system" in listing and secret not in listing
    assert secret[:13] in listing  # the hint, to tell tokens apart
    assert Api(client).get(f"/areas/{AREA}/referrals", secret).status_code == 200
    with app.app_context(), area_scope(area(AREA)):
        token = db.session.scalars(select(ApiToken)).one()
        assert token.expires_at is not None
        assert token.user.email == account_email(Role.OFFICER, AREA)
        with system_scope():
            actions = db.session.scalars(
                select(AuditEvent.action).where(AuditEvent.record_type == "api_token")
            ).all()
        assert actions == ["api_token_created"]


def test_an_officer_cannot_revoke_anothers_token_but_a_manager_can(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    with app.app_context():
        create_demo_accounts()
    auth.sign_in(account_email(Role.EDUCATOR, AREA))
    educators = _make(client, f"/{AREA}/api-tokens/new")
    auth.sign_out()
    with app.app_context(), area_scope(area(AREA)):
        token_id = db.session.scalars(select(ApiToken.id)).one()

    auth.sign_in(account_email(Role.OFFICER, AREA))
    assert educators[:13] not in client.get(f"/{AREA}/api-tokens").get_data(as_text=True)
    assert client.post(f"/{AREA}/api-tokens/{token_id}/revoke").status_code == 404
    auth.sign_out()

    auth.sign_in(account_email(Role.MANAGER, AREA))
    listing = client.get(f"/{AREA}/api-tokens").get_data(as_text=True)
    assert "Demo Educator (Warwickshire)" in listing
    assert client.post(f"/{AREA}/api-tokens/{token_id}/revoke").status_code == 302
    assert Api(client).get(f"/areas/{AREA}/referrals", educators).status_code == 401
    with app.app_context(), area_scope(area(AREA)):
        token = db.session.get(ApiToken, token_id)
        assert token.revoked_at is not None
        assert token.revoked_by_id == user(account_email(Role.MANAGER, AREA)).id


@pytest.mark.parametrize("holder", [Role.OFFICER, Role.COMMISSIONER])
def test_a_manager_cannot_make_a_token_that_acts_as_someone_else(
    app: Flask, client: FlaskClient, auth: Auth, holder: Role
) -> None:
    """A token acts as its holder: one made "for" another member would let the manager submit
    referrals in their name. Whatever the form says, the token is the manager's own."""
    with app.app_context():
        create_demo_accounts()
        other_id = user(account_email(holder, AREA)).id
        manager_id = user(account_email(Role.MANAGER, AREA)).id
    auth.sign_in(account_email(Role.MANAGER, AREA))
    assert 'name="holder"' not in client.get(f"/{AREA}/api-tokens/new").get_data(as_text=True)
    _make(client, f"/{AREA}/api-tokens/new", holder=str(other_id), expires="never")
    with app.app_context(), area_scope(area(AREA)):
        token = db.session.scalars(select(ApiToken)).one()
        assert (token.user_id, token.created_by_id, token.expires_at) == (
            manager_id,
            manager_id,
            None,
        )


def test_a_regional_lead_makes_a_token_for_the_region(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    with app.app_context():
        create_demo_accounts()
    auth.sign_in(REGIONAL_LEAD_EMAIL)
    secret = _make(client, "/region/west-midlands-region/api-tokens/new")
    figures = Api(client).get("/regions/west-midlands-region/figures", secret)
    assert figures.status_code == 200
    assert client.get(f"/{AREA}/api-tokens").status_code == 404
