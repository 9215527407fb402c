"""The audit trail: what gets recorded, that nothing can change it, and who can search it."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from divert import audit
from divert.audit import AuditTrailIsAppendOnly
from divert.extensions import db
from divert.models import AuditEvent, Referral, Role, User
from divert.tenancy import area_scope, system_scope
from tests.factories import (
    ADMIN_EMAIL,
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
    make_user,
)
from tests.referrals.builders import referral

PASSWORD = "divert-demo-password"


@pytest.fixture
def accounts(app_ctx: Flask) -> None:
    create_demo_accounts()


def _sign_in(client: FlaskClient, email: str) -> None:
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302


def _events(action: str) -> list[AuditEvent]:
    with system_scope():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _action_of(event_id: int) -> str:
    with system_scope():
        return db.session.get(AuditEvent, event_id).action


def _officer() -> User:
    email = account_email(Role.OFFICER, "warwickshire")
    return db.session.scalars(select(User).where(User.email == email)).one()


def _officer_views_a_referral(client: FlaskClient) -> int:
    """The Warwickshire officer opens a referral of theirs; returns its id."""
    with area_scope(area("warwickshire")):
        made = referral(area("warwickshire"), _officer())
        db.session.commit()
        referral_id = made.id
    _sign_in(client, account_email(Role.OFFICER, "warwickshire"))
    assert client.get(f"/warwickshire/referrals/{referral_id}").status_code == 200
    return referral_id


def test_viewing_a_persons_record_is_recorded(accounts: None, client: FlaskClient) -> None:
    referral_id = _officer_views_a_referral(client)
    warwickshire = area("warwickshire")
    (event,) = _events("person_viewed")
    assert (event.record_type, event.record_id) == ("referral", referral_id)
    assert (event.user_id, event.role, event.area_id) == (_officer().id, "officer", warwickshire.id)
    assert event.ip_address == "127.0.0.1" and event.at is not None


def test_an_export_is_recorded(accounts: None, client: FlaskClient) -> None:
    _sign_in(client, account_email(Role.COMMISSIONER, "warwickshire"))
    assert client.get("/warwickshire/dashboard/export.csv").status_code == 200
    (event,) = _events("figures_exported")
    assert event.detail["format"] == "csv" and event.role == "commissioner"


def test_a_failed_sign_in_is_recorded(accounts: None, client: FlaskClient) -> None:
    email = account_email(Role.OFFICER, "warwickshire")
    client.post("/sign-in", data={"email": email, "password": "not the password at all"})
    client.post("/sign-in", data={"email": "nobody@example.org", "password": "whatever it is"})
    wrong, unknown = _events("sign_in_failed")
    assert (wrong.user_id, wrong.detail["reason"]) == (_officer().id, "wrong_password")
    assert (unknown.user_id, unknown.detail["reason"]) == (None, "unknown_email")
    assert unknown.detail["email"] == "nobody@example.org"


def _one_event() -> int:
    client_event = AuditEvent(action="sign_in", detail={})
    db.session.add(client_event)
    db.session.commit()
    return client_event.id


def test_the_application_cannot_change_or_delete_an_event(app_ctx: Flask) -> None:
    event_id = _one_event()
    with system_scope():
        event = db.session.get(AuditEvent, event_id)
        event.action = "something_else"
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, event_id))
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.execute(update(AuditEvent).values(action="x"))
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.execute(delete(AuditEvent))
        db.session.rollback()
    assert _action_of(event_id) == "sign_in"


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event"],
)
def test_the_database_refuses_changes_to_events(app_ctx: Flask, statement: str) -> None:
    event_id = _one_event()
    with system_scope(), pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert _action_of(event_id) == "sign_in"


def test_no_administration_route_can_write_to_the_trail(app: Flask) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert rules, "the audit pages exist"
    for rule in rules:
        assert rule.methods - {"GET", "HEAD", "OPTIONS"} == set(), rule.rule


def test_admin_searches_by_user_area_record_and_date(accounts: None, client: FlaskClient) -> None:
    referral_id = _officer_views_a_referral(client)
    client.post("/sign-out")
    _sign_in(client, ADMIN_EMAIL)
    page = client.get(
        "/admin/audit/",
        query_string={
            "user": "officer@warwick",
            "area": "warwickshire",
            "record_type": "referral",
            "record_id": referral_id,
            "since": ["1", "1", "2020"],
        },
    ).get_data(as_text=True)
    assert "1 entry" in page and "person_viewed" in page
    none = client.get(
        "/admin/audit/", query_string={"user": "officer@warwick", "area": "staffordshire"}
    ).get_data(as_text=True)
    assert "0 entries" in none
    bad = client.get(
        "/admin/audit/",
        query_string={"since": ["31", "2", "2025"]},
    )
    assert bad.status_code == 400 and "From date must be a real date" in bad.get_data(as_text=True)


def test_a_manager_sees_only_their_areas_trail(accounts: None, client: FlaskClient) -> None:
    for slug in ("warwickshire", "staffordshire"):
        _sign_in(client, account_email(Role.COMMISSIONER, slug))
        client.get(f"/{slug}/dashboard/export.csv")
        client.post("/sign-out")
    _sign_in(client, account_email(Role.MANAGER, "warwickshire"))
    page = client.get("/warwickshire/audit").get_data(as_text=True)
    assert "commissioner@warwickshire.example" in page
    assert "commissioner@staffordshire.example" not in page
    assert client.get("/staffordshire/audit").status_code == 404


def test_the_trail_reads_in_words_with_references(accounts: None, client: FlaskClient) -> None:
    referral_id = _officer_views_a_referral(client)
    with area_scope(area("warwickshire")):
        reference = db.session.get(Referral, referral_id).reference
    client.post("/sign-out")
    _sign_in(client, account_email(Role.MANAGER, "warwickshire"))
    page = client.get("/warwickshire/audit").text
    assert "Viewed a person&#39;s record" in page and "Signed in" in page
    assert f">{reference}</td>" in page and f"referral {referral_id}" not in page
    assert "sign_in" not in page.split("<tbody")[1]
    assert ">Police officer</td>" in page


@pytest.fixture
def regional_referrals(accounts: None) -> None:
    """Two referrals in each of two areas of the region, in financial year 2023–24."""
    for slug in ("warwickshire", "staffordshire"):
        officer = make_user(f"pc@{slug}.test", {slug: Role.OFFICER})
        with area_scope(area(slug)):
            for day in (1, 2):
                referral(area(slug), officer, received_on=date(2023, 11, day))
            db.session.commit()


@pytest.mark.parametrize(
    ("route", "action", "shows"),
    [
        ("export.csv", "figures_exported", "Warwickshire,Referrals,Referrals received,,2,count"),
        ("board-report", "board_report_viewed", "<strong>Warwickshire:</strong> Referrals were"),
    ],
)
def test_a_regional_download_is_made_before_its_event_commits(
    client: FlaskClient, regional_referrals: None, route: str, action: str, shows: str
) -> None:
    """The region's figures are read in its scope; the commit of the audit event expires them,
    and on PostgreSQL, under row-level security, the request's own scope (no area) could not
    read them again: the download is made first (audit.record_with_answer), then the commit."""
    _sign_in(client, REGIONAL_LEAD_EMAIL)
    answer = client.get(
        f"/region/west-midlands-region/dashboard/{route}", query_string={"period": "fy:2023"}
    )
    assert answer.status_code == 200
    assert shows in answer.text
    (event,) = _events(action)
    assert (event.area_id, event.detail["period"]) == (None, "2023–24")


def test_an_event_whose_answer_fails_is_not_recorded(app_ctx: Flask) -> None:
    def failing_page() -> str:
        raise LookupError("the page could not be made")

    with area_scope(area("warwickshire")), pytest.raises(LookupError):
        audit.record_with_answer("person_viewed", failing_page, area=area("warwickshire"))
    db.session.rollback()  # as the request's error handling does
    assert _events("person_viewed") == []


def test_an_events_detail_reads_in_words(accounts: None, client: FlaskClient) -> None:
    _sign_in(client, account_email(Role.COMMISSIONER, "warwickshire"))
    query = {"period": "fy:2025", "publication": "y"}
    assert client.get("/warwickshire/dashboard/board-report", query_string=query).status_code == 200
    client.post("/sign-out")
    _sign_in(client, account_email(Role.MANAGER, "warwickshire"))
    page = client.get("/warwickshire/audit").text
    assert "<td class=\"govuk-table__cell\">Period: 2025–26; Publication: yes</td>" in page
    assert "True" not in page.split("<tbody")[1]
