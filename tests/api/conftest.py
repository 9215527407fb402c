"""An API world: the demo accounts, a token for each role in Warwickshire, open slots and
reference codes; requests are made outside any app context, as a real client's would be."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from divert.extensions import db
from divert.models import Area, Role, User
from divert.referrals.slots import LOCAL, within_opening_hours
from divert.tenancy import area_scope
from tests.factories import (
    REGIONAL_LEAD_EMAIL,
    account_email,
    area,
    create_demo_accounts,
    make_token,
)
from tests.referrals.builders import session_slot

AREA, OTHER_AREA = "warwickshire", "staffordshire"
HOUR = timedelta(hours=1)


def user(email: str) -> User:
    return db.session.query(User).filter_by(email=email).one()


def open_times(place: Area, count: int) -> list[datetime]:
    """`count` hour-long sessions' starts, from two days on, inside the area's opening hours."""
    starts: list[datetime] = []
    day = date.today() + timedelta(days=2)
    while len(starts) < count:
        for hour in range(8, 18):
            start = datetime.combine(day, time(hour), tzinfo=LOCAL)
            if len(starts) < count and within_opening_hours(place, start, start + HOUR):
                starts.append(start)
        day += timedelta(days=1)
    return starts


@dataclass
class ApiWorld:
    tokens: dict[str, str]  # actor -> secret, in AREA (the regional lead's for the region)
    slots: list[int]
    other_slot: int  # an open slot in OTHER_AREA
    other_tokens: dict[str, str] = field(default_factory=dict)


def new_referral(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "forename": "Sam",
        "surname": "Carter",
        "date_of_birth": "1996-05-04",
        "offence_date": "2026-01-10",
        "crime_reference": "CR/555/26",
        "phone": "07911 123456",
        "substances_found": ["cannabis"],
        "consent_to_contact": True,
    }
    body.update(changes)
    return body


@pytest.fixture
def api_world(app: Flask) -> ApiWorld:
    with app.app_context():
        create_demo_accounts()
        tokens = {
            role.value: make_token(user(account_email(role, AREA)), area=area(AREA))
            for role in Role
        }
        lead = user(REGIONAL_LEAD_EMAIL)
        tokens["regional_lead"] = make_token(lead, region=lead.regional_leads[0].region)
        other_tokens = {
            role.value: make_token(user(account_email(role, OTHER_AREA)), area=area(OTHER_AREA))
            for role in Role
        }
        with area_scope(area(AREA)):
            educator = user(account_email(Role.EDUCATOR, AREA))
            slots = [
                session_slot(area(AREA), educator, capacity=2, starts_at=start).id
                for start in open_times(area(AREA), 3)
            ]
            db.session.commit()
        with area_scope(area(OTHER_AREA)):
            other_slot = session_slot(
                area(OTHER_AREA),
                user(account_email(Role.EDUCATOR, OTHER_AREA)),
                starts_at=open_times(area(OTHER_AREA), 1)[0],
            ).id
            db.session.commit()
    return ApiWorld(tokens, slots, other_slot, other_tokens)


class Api:
    """The test client speaking to the API with a bearer token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str | None, **kwargs: Any) -> TestResponse:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, token: str | None, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, token, **kwargs)

    def create(self, token: str, key: str, area_slug: str = AREA, **changes: Any) -> TestResponse:
        return self.post(
            f"/areas/{area_slug}/referrals",
            token,
            json=new_referral(**changes),
            headers={"Idempotency-Key": key},
        )


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)
