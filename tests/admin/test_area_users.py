"""Managers look after their own area's officers and educators; links to set a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from divert.auth.views import RESET_SENT
from divert.extensions import db
from divert.models import AccountLink, Membership, OutboxMessage, Role, User, utcnow
from divert.tenancy import system_scope
from tests.factories import account_email, area, create_demo_accounts

PASSWORD = "divert-demo-password"
NEW_PASSWORD = "correct horse battery staple"


@pytest.fixture
def manager(app_ctx: Flask, client: FlaskClient) -> FlaskClient:
    create_demo_accounts()
    email = account_email(Role.MANAGER, "warwickshire")
    client.post("/sign-in", data={"email": email, "password": PASSWORD})
    return client


def _the_message() -> OutboxMessage:
    """The one message queued (an account's message belongs to no area: the system scope)."""
    with system_scope():
        return db.session.scalars(select(OutboxMessage)).one()


def _link_in(message: OutboxMessage) -> str:
    match = re.search(r"http://[^/]+(/set-password/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(func.lower(User.email) == email)).one()


def _invite(client: FlaskClient, **changes: str) -> object:
    data = {"name": "Priya Shah", "email": "priya.shah@example.org", "role": "educator"}
    return client.post("/warwickshire/users/invite", data={**data, **changes})


def test_an_invited_educator_sets_a_password_once_and_signs_in(
    manager: FlaskClient, client: FlaskClient
) -> None:
    assert _invite(manager).status_code == 302
    user = _user("priya.shah@example.org")
    assert user.role_in(area("warwickshire")) is Role.EDUCATOR and user.password_hash is None
    link = _link_in(_the_message())
    client.post("/sign-out")

    weak = client.post(link, data={"new_password": "password", "confirm_password": "password"})
    assert weak.status_code == 200 and "new_password-error" in weak.get_data(as_text=True)
    done = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get(link).status_code == 404  # a link works once
    signed_in = client.post(
        "/sign-in", data={"email": "priya.shah@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.location.endswith("/warwickshire/")


def test_the_invitation_form_keeps_what_was_typed(manager: FlaskClient) -> None:
    response = _invite(manager, email="priya.shah@", role="")
    page = response.get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert "Select a role" in page and 'value="Priya Shah"' in page
    assert db.session.scalar(select(func.count(User.id)).where(User.name == "Priya Shah")) == 0


@pytest.mark.parametrize("role", ["manager", "commissioner"])
def test_a_manager_cannot_grant_other_roles(manager: FlaskClient, role: str) -> None:
    response = _invite(manager, role=role)
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    educator = _user(account_email(Role.EDUCATOR, "warwickshire"))
    manager.post(
        f"/warwickshire/users/{educator.id}",
        data={"role": role, "status": "active", "is_admin": "y", "area": "staffordshire"},
    )
    db.session.expire_all()
    assert educator.role_in(area("warwickshire")) is Role.EDUCATOR
    assert not educator.is_admin and educator.role_in(area("staffordshire")) is None


def test_a_manager_cannot_touch_another_areas_users(manager: FlaskClient) -> None:
    foreign = _user(account_email(Role.EDUCATOR, "staffordshire"))
    fellow_manager = _user(account_email(Role.COMMISSIONER, "warwickshire"))
    for user in (foreign, fellow_manager):
        assert manager.get(f"/warwickshire/users/{user.id}").status_code == 404
        deactivate = {"role": "officer", "status": "deactivated"}
        assert manager.post(f"/warwickshire/users/{user.id}", data=deactivate).status_code == 404
    assert manager.get("/staffordshire/users").status_code == 404
    assert manager.post("/staffordshire/users/invite", data={}).status_code == 404
    db.session.expire_all()
    assert all(m.active for m in foreign.memberships + fellow_manager.memberships)
    listing = manager.get("/warwickshire/users").get_data(as_text=True)
    assert account_email(Role.OFFICER, "warwickshire") in listing
    assert "staffordshire.example" not in listing


def test_a_deactivated_officer_loses_the_area(manager: FlaskClient, client: FlaskClient) -> None:
    officer = _user(account_email(Role.OFFICER, "warwickshire"))
    response = manager.post(
        f"/warwickshire/users/{officer.id}", data={"role": "officer", "status": "deactivated"}
    )
    assert response.status_code == 302
    with system_scope():
        membership = db.session.scalars(select(Membership).where(Membership.user_id == officer.id))
        assert not membership.one().active
    client.post("/sign-out")
    client.post("/sign-in", data={"email": officer.email, "password": PASSWORD})
    assert client.get("/warwickshire/referrals/new").status_code == 404


def test_a_reset_answers_the_same_whether_or_not_the_address_exists(
    app_ctx: Flask, client: FlaskClient
) -> None:
    create_demo_accounts()
    answers = []
    for email in (account_email(Role.OFFICER, "warwickshire"), "nobody@example.org"):
        response = client.post("/forgot-password", data={"email": email})
        assert response.status_code == 302
        answers.append((response.location, client.get(response.location).get_data(as_text=True)))
    (known_at, known_page), (unknown_at, unknown_page) = answers
    assert known_at == unknown_at
    assert RESET_SENT in known_page and RESET_SENT in unknown_page
    message = _the_message()
    assert message.recipient == account_email(Role.OFFICER, "warwickshire")


def test_an_expired_reset_link_is_refused(app_ctx: Flask, client: FlaskClient) -> None:
    create_demo_accounts()
    client.post("/forgot-password", data={"email": account_email(Role.OFFICER, "warwickshire")})
    link = _link_in(_the_message())
    stored = db.session.scalars(select(AccountLink)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(
        link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 404 and "This link has expired" in response.get_data(
        as_text=True
    )
    assert "secret" not in stored.secret_hash and link.rsplit("/", 1)[1] != stored.secret_hash


def _answer(client: FlaskClient, response: object, email: str) -> tuple[str, str]:
    """Where the manager is sent after an invitation and the banner they read there, with the
    address they typed taken out."""
    page = client.get(response.location).get_data(as_text=True)
    banner = re.search(r'<div class="govuk-notification-banner.*?</div>\s*</div>', page, re.S)
    assert banner, page
    return response.location, banner.group(0).replace(email, "<email>")


def _anyone_in(email: str, slug: str) -> bool:
    user = _user(email)
    db.session.refresh(user)
    return user.role_in(area(slug)) is not None


def test_inviting_an_existing_account_grants_nothing_and_answers_the_same(
    manager: FlaskClient,
) -> None:
    """The probe's finding: inviting the administrator's (or another area's manager's) address
    added the account to the area at once and named it. Now the manager sees the same answer
    and the same list row whoever the address belongs to, and nobody gains the area."""
    from tests.factories import ADMIN_EMAIL, make_user

    make_user("between.areas@example.org", name="Sam Between")
    addresses = [
        ADMIN_EMAIL,
        account_email(Role.MANAGER, "staffordshire"),
        "between.areas@example.org",
        "brand.new@example.org",
    ]
    answers = set()
    for email in addresses:
        response = _invite(manager, email=email, name="Typed Name")
        assert response.status_code == 302
        answers.add(_answer(manager, response, email))
    assert len(answers) == 1, "the answer depends on the account"
    listing = manager.get("/warwickshire/users").get_data(as_text=True)
    assert "Demo Administrator" not in listing and "Sam Between" not in listing
    for email in addresses:
        assert email in listing
    assert not _anyone_in(ADMIN_EMAIL, "warwickshire")
    assert not _anyone_in(account_email(Role.MANAGER, "staffordshire"), "warwickshire")
    assert not _anyone_in("between.areas@example.org", "warwickshire")
    with system_scope():
        sent_to = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert sent_to == {"between.areas@example.org", "brand.new@example.org"}


def _invitation_link(recipient: str) -> str:
    with system_scope():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient)
        ).one()
    match = re.search(r"http://[^/]+(/invitations/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_an_existing_account_joins_only_by_accepting_while_signed_in(
    manager: FlaskClient, app: Flask
) -> None:
    from tests.factories import make_user

    make_user("between.areas@example.org", name="Sam Between")
    _invite(manager, email="between.areas@example.org", role="educator")
    link = _invitation_link("between.areas@example.org")
    # The manager (or anyone else signed in) cannot accept it for them.
    assert manager.get(link).status_code == 404
    assert manager.post(link).status_code == 404
    assert not _anyone_in("between.areas@example.org", "warwickshire")

    invitee = app.test_client()
    assert invitee.get(link).status_code == 302  # sign in first
    invitee.post("/sign-in", data={"email": "between.areas@example.org", "password": PASSWORD})
    page = invitee.get(link)
    assert page.status_code == 200 and "Join Warwickshire" in page.get_data(as_text=True)
    assert invitee.post(link).status_code == 302
    assert _user("between.areas@example.org").role_in(area("warwickshire")) is Role.EDUCATOR
    assert invitee.post(link).status_code == 404  # it works once
