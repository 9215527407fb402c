"""Sessions end on the server: a cookie copied before sign-out, a password change or reset, a
deactivation or an administrator's "sign out everywhere" opens nothing afterwards."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from divert.extensions import db
from divert.models import OutboxMessage, Role, User, UserSession
from divert.tenancy import system_scope
from tests.factories import ADMIN_EMAIL, DEMO_PASSWORD, account_email, create_demo_accounts

EDUCATOR = account_email(Role.EDUCATOR, "warwickshire")
CASELOAD = "/warwickshire/caseload"
NEW_PASSWORD = "lantern orbit tulip gravel"


@pytest.fixture
def accounts(app: Flask) -> None:
    """The demo accounts. No app context stays open: each request gets its own `g`, as in a
    real server, so one client's signed-in user is never another's."""
    with app.app_context():
        create_demo_accounts()


def _browser(app: Flask, agent: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    return client


def _signed_in(app: Flask, email: str = EDUCATOR, agent: str = "test browser") -> FlaskClient:
    client = _browser(app, agent)
    response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie, with the
    user agent copied too)."""
    thief = _browser(app, client.environ_base["HTTP_USER_AGENT"])
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _opens(client: FlaskClient) -> bool:
    return client.get(CASELOAD).status_code == 200


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app: Flask, accounts: None) -> None:
    client = _signed_in(app)
    thief = _copy(app, client)
    assert _opens(thief)  # the copy works while the session lives
    client.post("/sign-out")
    assert not _opens(thief)
    assert not _opens(client)


def test_a_password_change_ends_every_other_session(app: Flask, accounts: None) -> None:
    here, elsewhere = _signed_in(app), _signed_in(app)
    thief = _copy(app, here)
    response = here.post(
        "/account/password",
        data={
            "current_password": DEMO_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _opens(here)  # the browser that changed it stays signed in, in a new session
    assert not _opens(elsewhere)
    assert not _opens(thief)  # even a copy of the cookie it had before


def test_a_password_reset_ends_every_session(app: Flask, accounts: None) -> None:
    client = _signed_in(app)
    anonymous = app.test_client()
    anonymous.post("/forgot-password", data={"email": EDUCATOR})
    with app.app_context(), system_scope():
        body = db.session.scalars(select(OutboxMessage.body)).one()
    link = re.search(r"http://[^/]+(/set-password/\S+)", body).group(1)
    done = anonymous.post(
        link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert not _opens(client)


def test_a_deactivated_account_is_signed_out_at_once(app: Flask, accounts: None) -> None:
    client = _signed_in(app)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == EDUCATOR)).one()
        user.active = False
        db.session.commit()
    assert not _opens(client)


def test_an_administrator_signs_an_account_out_everywhere(app: Flask, accounts: None) -> None:
    first, second = _signed_in(app), _signed_in(app)
    admin = _signed_in(app, ADMIN_EMAIL)
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.email == EDUCATOR)).one()
    page = admin.get(f"/admin/admin_users/edit/?id={user_id}").get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = admin.post(
        "/admin/admin_users/action/", data={"action": "sign_out_everywhere", "rowid": str(user_id)}
    )
    assert response.status_code == 302
    assert not _opens(first) and not _opens(second)
    with app.app_context():
        live = select(UserSession.id).where(
            UserSession.user_id == user_id, UserSession.ended_at.is_(None)
        )
        assert db.session.scalars(live).all() == []


def test_the_account_page_lists_sessions_and_ends_the_others(app: Flask, accounts: None) -> None:
    laptop = _signed_in(app, agent="Laptop browser")
    phone = _signed_in(app, agent="Phone browser")
    text = laptop.get("/account").get_data(as_text=True)
    assert "Laptop browser" in text and "Phone browser" in text
    assert text.count("This browser") == 1
    assert laptop.post("/account/sign-out-other-sessions").status_code == 302
    assert not _opens(phone)
    text = laptop.get("/account").get_data(as_text=True)
    assert "Laptop browser" in text and "Phone browser" not in text


def test_a_session_costs_one_lookup_of_its_own(app: Flask, accounts: None) -> None:
    """The per-request check replaces the user lookup: one indexed query loads both."""
    client = _signed_in(app)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/choose-area")
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    session_reads = [s for s in statements if "user_session" in s]
    assert len(session_reads) == 1
    assert "user_account" in session_reads[0]  # the user comes in the same query
