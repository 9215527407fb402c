"""The API end to end: referrals with idempotency keys, slots, attendance, figures, tokens
(revocation, expiry, area), rate limits, and JSON errors for bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from divert.auth.tokens import digest, revoke
from divert.extensions import db, limiter
from divert.models import (
    ApiToken,
    AuditEvent,
    DiarySession,
    IdempotencyKey,
    Membership,
    Referral,
    ReferralStatus,
    Role,
    utcnow,
)
from divert.tenancy import area_scope, system_scope
from tests.api.conftest import AREA, OTHER_AREA, Api, ApiWorld, new_referral, user
from tests.conftest import make_app
from tests.factories import account_email, area, make_token


def _referral_count(app: Flask) -> int:
    with app.app_context(), system_scope():
        return db.session.scalar(select(func.count()).select_from(Referral)) or 0


# -- referrals and idempotency -------------------------------------------------------------------


def test_officer_creates_reads_lists_and_withdraws_a_referral(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    token = api_world.tokens["officer"]
    made = api.create(token, "key-1", session_id=api_world.slots[0])
    assert made.status_code == 201, made.get_json()
    referral = made.get_json()
    assert referral["reference"].startswith("WAR-")
    assert referral["status"] == "booked"
    assert referral["booking"]["session_id"] == api_world.slots[0]
    assert made.headers["Location"] == referral["links"]["self"]

    read = api.get(f"/areas/{AREA}/referrals/{referral['id']}", token)
    assert read.status_code == 200
    assert read.get_json()["person"] == {
        "forename": "Sam",
        "surname": "Carter",
        "date_of_birth": "1996-05-04",
    }
    listed = api.get(f"/areas/{AREA}/referrals", token).get_json()
    assert [item["id"] for item in listed["items"]] == [referral["id"]]
    assert listed["total"] == 1 and listed["links"]["next"] is None

    withdrawn = api.post(f"/areas/{AREA}/referrals/{referral['id']}/withdraw", token)
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["status"] == "voided"
    again = api.post(f"/areas/{AREA}/referrals/{referral['id']}/withdraw", token)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "transition_refused"


def test_a_retried_request_with_the_same_key_makes_one_referral(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    token = api_world.tokens["officer"]
    first = api.create(token, "retry-me")
    # The same JSON spaced and ordered differently is the same request.
    body = new_referral()
    second = api.post(
        f"/areas/{AREA}/referrals",
        token,
        data="{\n"
        + ",\n".join(f'"{k}": {v!r}' for k, v in reversed(body.items()))
        .replace("'", '"')
        .replace("True", "true")
        + "}",
        content_type="application/json",
        headers={"Idempotency-Key": "retry-me"},
    )
    assert first.status_code == second.status_code == 201
    assert second.get_json()["id"] == first.get_json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _referral_count(app) == 1


def test_keys_older_than_a_month_are_forgotten(app: Flask, api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["officer"]
    other = {"forename": "Noor", "surname": "Haddad", "date_of_birth": "1988-11-30"}
    assert api.create(token, "old-key").status_code == 201
    second = api.create(token, "new-key", phone="07911 123457", **other)
    assert second.status_code == 201, second.get_json()
    with app.app_context(), system_scope():
        old = db.session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == "old-key"))
        old.one().created_at = utcnow() - timedelta(days=31)
        db.session.commit()
        output = app.test_cli_runner().invoke(args=["api", "forget-keys"]).output
        kept = db.session.scalars(select(IdempotencyKey.key)).all()
    assert output.startswith("1 idempotency key(s)")
    assert kept == ["new-key"]


def test_the_same_key_with_another_body_is_refused(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    token = api_world.tokens["officer"]
    assert api.create(token, "once").status_code == 201
    reused = api.create(token, "once", crime_reference="CR/999/26")
    assert reused.status_code == 422
    assert reused.get_json()["error"] == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different referral",
        "field": "Idempotency-Key",
    }
    assert _referral_count(app) == 1


def test_keys_belong_to_their_user(app: Flask, api: Api, api_world: ApiWorld) -> None:
    with app.app_context():
        second_officer = make_token(user(account_email(Role.OFFICER, AREA)), area=area(AREA))
    assert api.create(api_world.tokens["officer"], "shared").status_code == 201
    # Same person, another token: still their key, so it replays.
    assert api.create(second_officer, "shared").headers.get("Idempotent-Replayed") == "true"
    assert _referral_count(app) == 1


def test_a_referral_needs_an_idempotency_key(api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["officer"]
    response = api.post(f"/areas/{AREA}/referrals", token, json=new_referral())
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "Idempotency-Key"


def test_a_repeat_needs_confirming(api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["officer"]
    assert api.create(token, "first").status_code == 201
    unconfirmed = api.create(token, "second", crime_reference="CR/2")
    assert unconfirmed.status_code == 409
    assert unconfirmed.get_json()["error"]["field"] == "confirm_repeat"
    confirmed = api.create(token, "third", crime_reference="CR/2", confirm_repeat=True)
    assert confirmed.status_code == 201
    assert confirmed.get_json()["is_repeat"] is True


def test_the_referral_forms_rules_apply(api: Api, api_world: ApiWorld) -> None:
    response = api.create(
        api_world.tokens["officer"],
        "young",
        date_of_birth="2010-01-01",
        phone=None,
        substances_found=["cannabis", "not-a-substance"],
    )
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.get_json()["error"]["fields"]}
    assert fields == {
        "email": "Enter a phone number or an email address",
        "guardian_name": "They are under 18: enter a parent or guardian's name",
        "guardian_contact": "They are under 18: enter a parent or guardian's phone number or email",
    }
    unknown = api.create(api_world.tokens["officer"], "unknown", substances_found=["glue"])
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["field"] == "substances_found"


# -- slots, booking, attendance ------------------------------------------------------------------


def test_slots_list_and_booking(api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["officer"]
    slots = api.get(f"/areas/{AREA}/slots", token, query_string={"per_page": 2}).get_json()
    assert slots["total"] == 3
    assert [s["id"] for s in slots["items"]] == api_world.slots[:2]
    assert slots["links"]["next"].endswith("page=2&per_page=2")
    referral = api.create(token, "to-book").get_json()
    booked = api.post(
        f"/areas/{AREA}/referrals/{referral['id']}/booking",
        token,
        json={"session_id": api_world.slots[1]},
    )
    assert booked.status_code == 200
    assert booked.get_json()["booking"]["session_id"] == api_world.slots[1]
    elsewhere = api.post(
        f"/areas/{AREA}/referrals/{referral['id']}/booking",
        token,
        json={"session_id": api_world.other_slot},
    )
    assert elsewhere.status_code == 409
    assert elsewhere.get_json()["error"]["field"] == "session_id"


def test_educator_records_attendance(app: Flask, api: Api, api_world: ApiWorld) -> None:
    referral = api.create(
        api_world.tokens["officer"], "attend", session_id=api_world.slots[0]
    ).get_json()
    booking_id = referral["booking"]["id"]
    path = f"/areas/{AREA}/bookings/{booking_id}/attendance"
    educator = api_world.tokens["educator"]
    too_soon = api.post(path, educator, json={"outcome": "did_not_attend"})
    assert too_soon.status_code == 409
    assert too_soon.get_json()["error"]["field"] == "outcome"
    assert "once the session has started" in too_soon.get_json()["error"]["message"]
    with app.app_context(), area_scope(area(AREA)):
        session = db.session.get(DiarySession, api_world.slots[0])
        session.starts_at = utcnow() - timedelta(minutes=5)  # the session is now under way
        db.session.commit()
    missing = api.post(path, educator, json={"outcome": "attended"})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["field"] == "main_substance"
    recorded = api.post(
        path,
        educator,
        json={
            "outcome": "attended",
            "main_substance": "cocaine",
            "interventions": ["harm_reduction", "naloxone_kit"],
        },
    )
    assert recorded.status_code == 200, recorded.get_json()
    assert recorded.get_json()["referral_status"] == "attended"
    assert api.post(path, educator, json={"outcome": "attended"}).status_code == 409
    assert api.post(path, api_world.tokens["officer"], json={}).status_code == 403
    with app.app_context(), area_scope(area(AREA)):
        saved = db.session.get(Referral, referral["id"])
        assert saved.status is ReferralStatus.ATTENDED
        assert saved.main_substance.code == "cocaine"


# -- figures -------------------------------------------------------------------------------------


def test_commissioner_gets_area_and_regional_figures(api: Api, api_world: ApiWorld) -> None:
    api.create(api_world.tokens["officer"], "counted", offence_date="2026-01-10")
    asked = api.create(api_world.other_tokens["officer"], "elsewhere", area_slug=OTHER_AREA)
    # The same details were referred in Warwickshire: the officer must say whether it is them.
    assert asked.status_code == 409
    assert asked.get_json()["error"]["code"] == "repeat_elsewhere_unanswered"
    assert asked.get_json()["error"]["field"] == "same_person_elsewhere"
    made = api.create(
        api_world.other_tokens["officer"],
        "elsewhere-answered",
        area_slug=OTHER_AREA,
        same_person_elsewhere=True,
    )
    assert made.status_code == 201 and made.get_json()["is_repeat"] is True
    today = utcnow().date().isoformat()
    figures = api.get(
        f"/areas/{AREA}/figures",
        api_world.tokens["commissioner"],
        query_string={"from": "2025-01-01", "to": today},
    )
    assert figures.status_code == 200
    body = figures.get_json()
    assert body["counts"]["referrals"] == 1
    assert body["region"]["referrals"] == 2
    # Fewer than 5 referrals: a commissioner gets no figure describing people, such as repeats.
    assert (body["counts"]["repeats"], body["region"]["repeats"]) == (None, None)
    assert body["counts"]["genders"] == {} and body["region"]["substances"] == {}
    assert "Sam" not in figures.get_data(as_text=True)
    assert api.get(f"/areas/{AREA}/figures", api_world.tokens["officer"]).status_code == 403


def test_regional_lead_gets_every_area(api: Api, api_world: ApiWorld) -> None:
    api.create(api_world.tokens["officer"], "one")
    region = api.get(
        "/regions/west-midlands-region/figures",
        api_world.tokens["regional_lead"],
        query_string={"from": "2025-01-01", "to": "2027-12-31"},
    )
    assert region.status_code == 200, region.get_json()
    body = region.get_json()
    assert {a["area"] for a in body["areas"]} == {
        "warwickshire",
        "west-midlands",
        "staffordshire",
        "west-mercia",
    }
    assert body["total"]["referrals"] == 1
    # A regional token opens no area, and an area token no region.
    assert api.get(f"/areas/{AREA}/figures", api_world.tokens["regional_lead"]).status_code == 404
    commissioner = api_world.tokens["commissioner"]
    assert api.get("/regions/west-midlands-region/figures", commissioner).status_code == 404


# -- tokens --------------------------------------------------------------------------------------


def test_a_token_of_one_area_gets_404_for_another_areas_records(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    """Even when its holder belongs to both areas."""
    other = api.create(api_world.other_tokens["officer"], "theirs", area_slug=OTHER_AREA)
    other_id = other.get_json()["id"]
    with app.app_context(), system_scope():
        officer = user(account_email(Role.OFFICER, AREA))
        officer.memberships.append(Membership(area=area(OTHER_AREA), role=Role.OFFICER))
        db.session.commit()
    token = api_world.tokens["officer"]
    for path in (
        f"/areas/{OTHER_AREA}/referrals/{other_id}",
        f"/areas/{OTHER_AREA}/referrals",
        f"/areas/{AREA}/referrals/{other_id}",
        f"/areas/{OTHER_AREA}/slots",
    ):
        response = api.get(path, token)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    assert api.create(token, "wrong-area", area_slug=OTHER_AREA).status_code == 404


def test_a_revoked_token_stops_working(app: Flask, api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["officer"]
    assert api.get(f"/areas/{AREA}/referrals", token).status_code == 200
    with app.app_context(), area_scope(area(AREA)):
        held = db.session.scalars(select(ApiToken).where(ApiToken.secret_hash == digest(token)))
        revoke(held.one(), user(account_email(Role.OFFICER, AREA)))
        db.session.commit()
    refused = api.get(f"/areas/{AREA}/referrals", token)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_stops_working(app: Flask, api: Api, api_world: ApiWorld) -> None:
    with app.app_context():
        officer = user(account_email(Role.OFFICER, AREA))
        short = make_token(officer, area=area(AREA), lifetime=timedelta(hours=1))
        with area_scope(area(AREA)):
            held = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
            assert held.expires_at > utcnow()
    assert api.get(f"/areas/{AREA}/referrals", short).status_code == 200
    with app.app_context(), area_scope(area(AREA)):
        held = db.session.get(ApiToken, held.id)
        held.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert api.get(f"/areas/{AREA}/referrals", short).status_code == 401


def test_a_token_stops_with_its_holders_membership(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    with app.app_context(), system_scope():
        officer = user(account_email(Role.OFFICER, AREA))
        officer.memberships[0].active = False
        db.session.commit()
    assert api.get(f"/areas/{AREA}/referrals", api_world.tokens["officer"]).status_code == 404


def test_only_the_hash_is_stored_and_every_use_is_audited(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    token = api_world.tokens["officer"]
    made = api.create(token, "audited").get_json()
    api.get(f"/areas/{OTHER_AREA}/referrals", token)
    with app.app_context(), area_scope(area(AREA)):
        with system_scope():
            stored = db.session.scalars(select(ApiToken.secret_hash)).all()
        assert token not in stored and all(len(h) == 64 for h in stored)
        held = db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user(account_email("officer", AREA)).id)
        ).one()
        assert held.last_used_at is not None
        with system_scope():
            events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        api_events = [e for e in events if e.detail.get("token_id") == held.id]
        assert [(e.action, e.detail.get("status")) for e in api_events] == [
            ("referral_submitted", None),
            ("api_request", 201),
            ("api_request", 404),
        ]
        assert api_events[0].record_id == made["id"]


def test_sessions_are_not_accepted_and_no_cookie_is_set(
    app: Flask, api: Api, api_world: ApiWorld, auth
) -> None:
    auth.sign_in(account_email(Role.OFFICER, AREA))
    assert api.get(f"/areas/{AREA}/referrals", None).status_code == 401
    response = api.get(f"/areas/{AREA}/referrals", api_world.tokens["officer"])
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("send", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": "forename=Sam", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        ({"json": [1, 2]}, 422, "invalid"),
        ({"json": new_referral(forename=12)}, 422, "invalid"),
        ({"json": new_referral(date_of_birth="1996-02-30")}, 422, "invalid"),
        ({"json": new_referral(date_of_birth="0001-01-01")}, 422, "invalid"),
        ({"json": new_referral(colour="blue")}, 422, "invalid"),
        ({"json": new_referral(notes="NUL \x00 inside")}, 422, "invalid"),
        ({"json": new_referral(substances_found=["can\x00nabis"])}, 422, "invalid"),
        ({"json": new_referral(notes="x" * 2_000_000)}, 413, "payload_too_large"),
    ],
)
def test_bad_input_gets_a_json_4xx(
    api: Api, api_world: ApiWorld, send: dict, status: int, code: str
) -> None:
    response = api.post(
        f"/areas/{AREA}/referrals",
        api_world.tokens["officer"],
        headers={"Idempotency-Key": "bad"},
        **send,
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_field_errors_name_the_field(api: Api, api_world: ApiWorld) -> None:
    response = api.create(api_world.tokens["officer"], "k", date_of_birth="31/12/1990", colour=1)
    assert sorted(response.get_json()["error"]["fields"], key=lambda f: f["field"]) == [
        {"field": "colour", "message": "Unknown field."},
        {"field": "date_of_birth", "message": "Not a valid date."},
    ]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/areas/nowhere/referrals", {}),
        ("/areas/war%00wickshire/referrals", {}),
        (f"/areas/{AREA}/referrals/999999", {}),
        ("/no-such-route", {}),
    ],
)
def test_unknown_things_are_json_404(api: Api, api_world: ApiWorld, path: str, query: dict) -> None:
    response = api.get(path, api_world.tokens["officer"], query_string=query)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"per_page": "1000"},
        {"page": "x"},
        {"from": "2026-01-10", "to": "2026-01-01"},
        {"from": "2026-01-01", "to": "2026-12-31"},
        {"from": "9999-12-31"},
        {"unknown": "1"},
    ],
)
def test_bad_queries_are_422(api: Api, api_world: ApiWorld, query: dict) -> None:
    response = api.get(f"/areas/{AREA}/slots", api_world.tokens["officer"], query_string=query)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


# -- rate limit ----------------------------------------------------------------------------------


@pytest.fixture
def limited_app(app: Flask, database_url: str) -> Iterator[Flask]:
    limited = make_app(database_url, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    with limited.app_context():
        limiter.reset()
    yield limited
    limiter.enabled = False  # the process-wide limiter goes back as the other tests have it


def test_each_token_has_its_own_rate_limit(limited_app: Flask, api_world: ApiWorld) -> None:
    api = Api(limited_app.test_client())
    first, second = api_world.tokens["officer"], api_world.tokens["educator"]
    answers = [api.get(f"/areas/{AREA}/slots", first).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api.get(f"/areas/{AREA}/slots", first)
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    assert api.get(f"/areas/{AREA}/referrals", first).status_code == 429  # every route
    # Another token, from the same address, still has its allowance.
    assert api.get(f"/areas/{AREA}/figures", second).status_code == 403
    assert api.get("/openapi.json", None).status_code == 200
