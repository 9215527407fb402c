"""Signing in and out, landing pages, time-outs and password changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from divert.auth.passwords import hash_password
from divert.extensions import db
from divert.models import AuditEvent, Role, User
from divert.tenancy import system_scope
from tests.conftest import Auth
from tests.factories import (
    ADMIN_EMAIL,
    REGIONAL_LEAD_EMAIL,
    account_email,
    create_demo_accounts,
    make_user,
)

SIGN_IN_FAILED = "Enter a correct email address and password"


@pytest.fixture
def accounts(app_ctx: Flask) -> None:
    create_demo_accounts()


def test_officer_with_one_area_lands_in_it(client: FlaskClient, auth: Auth, accounts: None) -> None:
    response = auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/warwickshire/"
    page = client.get("/warwickshire/")
    assert page.status_code == 200
    assert "Warwickshire" in page.text
    assert "Your role here: Police officer" in page.text


def test_an_admin_chooses_where_to_go(auth: Auth, accounts: None) -> None:
    response = auth.sign_in(ADMIN_EMAIL)
    assert response.headers["Location"] == "/choose-area"


def test_the_lead_of_one_region_goes_straight_to_it(auth: Auth, accounts: None) -> None:
    response = auth.sign_in(REGIONAL_LEAD_EMAIL)
    assert response.headers["Location"] == "/region/west-midlands-region/dashboard"


def test_member_of_two_areas_picks_one(client: FlaskClient, auth: Auth, app_ctx: Flask) -> None:
    make_user(
        "regional.educator@example.org",
        {"warwickshire": Role.EDUCATOR, "staffordshire": Role.MANAGER},
    )
    response = auth.sign_in("regional.educator@example.org")
    assert response.headers["Location"] == "/choose-area"
    page = client.get("/choose-area")
    assert "/warwickshire/" in page.text and "/staffordshire/" in page.text
    assert "/west-mercia/" not in page.text


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.org", "whatever-password"),
        ("officer@warwickshire.example", "wrong-password"),
    ],
)
def test_unknown_user_and_wrong_password_get_the_same_message(
    client: FlaskClient, accounts: None, email: str, password: str
) -> None:
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert SIGN_IN_FAILED in response.text
    assert f'value="{email}"' in response.text  # what was typed is kept
    assert "Sign in to divert" in response.text


def test_empty_fields_get_messages_by_each_field(client: FlaskClient, accounts: None) -> None:
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 200
    assert "Enter your email address" in response.text
    assert "Enter your password" in response.text
    assert 'href="#email"' in response.text and 'href="#password"' in response.text


def test_failed_sign_in_is_audited(client: FlaskClient, accounts: None) -> None:
    client.post("/sign-in", data={"email": "officer@warwickshire.example", "password": "nope-nope"})
    with system_scope():  # a sign-in's event belongs to no area
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in_failed")
        ).all()
    assert len(events) == 1
    assert events[0].user_id is not None


def test_sign_in_starts_a_fresh_session(client: FlaskClient, auth: Auth, accounts: None) -> None:
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    with client.session_transaction() as session:
        assert "planted" not in session
        assert len(session["sid"]) > 30


def test_sign_out_ends_the_session(client: FlaskClient, auth: Auth, accounts: None) -> None:
    auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    assert auth.sign_out().status_code == 302
    assert client.get("/warwickshire/").status_code == 302


@pytest.mark.parametrize(
    ("key", "age"), [("last_seen", timedelta(minutes=31)), ("signed_in_at", timedelta(hours=11))]
)
def test_idle_and_absolute_time_outs(
    client: FlaskClient, auth: Auth, accounts: None, key: str, age: timedelta
) -> None:
    auth.sign_in(account_email(Role.OFFICER, "warwickshire"))
    assert client.get("/warwickshire/").status_code == 200
    with client.session_transaction() as session:
        from datetime import datetime

        session[key] = (datetime.fromisoformat(session[key]) - age).isoformat()
    response = client.get("/warwickshire/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_change_password(client: FlaskClient, auth: Auth, accounts: None) -> None:
    email = account_email(Role.EDUCATOR, "warwickshire")
    auth.sign_in(email)
    bad = client.post(
        "/account/password",
        data={"current_password": "wrong", "new_password": "short", "confirm_password": "other"},
    )
    assert "Your current password is not correct" not in bad.text  # form errors come first
    assert "Password must be 12 characters or more" in bad.text
    good = client.post(
        "/account/password",
        data={
            "current_password": "divert-demo-password",
            "new_password": "a much longer secret",
            "confirm_password": "a much longer secret",
        },
    )
    assert good.status_code == 302
    auth.sign_out()
    assert auth.sign_in(email, "a much longer secret").status_code == 302
    user = db.session.scalar(select(User).where(User.email == email))
    assert user.password_hash.startswith("$argon2id$")


def test_open_redirect_through_next_is_ignored(client: FlaskClient, accounts: None) -> None:
    response = client.post(
        "/sign-in?next=//evil.example/x",
        data={
            "email": account_email(Role.OFFICER, "warwickshire"),
            "password": "divert-demo-password",
        },
    )
    assert response.headers["Location"] == "/warwickshire/"


def test_healthz_round_trips_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


AREAS = ["west-midlands", "warwickshire", "staffordshire", "west-mercia"]


ROLE_WORDS = {
    Role.OFFICER: "Police officer",
    Role.EDUCATOR: "Drug educator",
    Role.MANAGER: "Provider manager",
    Role.COMMISSIONER: "Commissioner (OPCC)",
    Role.POLICE_SUPERVISOR: "Police supervisor",
    Role.FORCE_ANALYST: "Force analyst",
    Role.TREATMENT_SERVICE: "Treatment service",
    Role.CUSTODY_WORKER: "Custody worker (CARS)",
}


@pytest.mark.parametrize("area_slug", AREAS)
@pytest.mark.parametrize("role", list(Role))
def test_every_demo_account_lands_in_its_area(
    client: FlaskClient, auth: Auth, accounts: None, role: Role, area_slug: str
) -> None:
    response = auth.sign_in(account_email(role, area_slug))
    assert response.headers["Location"] == f"/{area_slug}/"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert f"Your role here: {ROLE_WORDS[role]}" in page.text


def test_new_hashes_use_owasp_argon2id_minimum(app_ctx: Flask) -> None:
    assert hash_password("correct horse battery").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_an_older_hash_is_upgraded_at_sign_in(
    client: FlaskClient, auth: Auth, app_ctx: Flask
) -> None:
    """A hash made with the earlier parameters (64 MiB, 3 iterations, 4 lanes) still opens the
    account, and is replaced by one with today's parameters once the password is known."""
    older = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash("an older password")
    user = make_user("older@example.org", {"warwickshire": Role.OFFICER})
    user.password_hash = older
    db.session.commit()
    response = auth.sign_in("older@example.org", "an older password")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    auth.sign_out()
    assert auth.sign_in("older@example.org", "an older password").status_code == 302
    auth.sign_out()
    assert auth.sign_in("older@example.org", "a wrong password").status_code == 200
