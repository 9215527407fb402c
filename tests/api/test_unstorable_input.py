"""What no API operation can store: JSON nested 1,000 deep, a lone surrogate, a NUL, a name of
only invisible characters. Each is a 4xx naming where it was found, never a 500, and nothing is
saved."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from sqlalchemy import func, select

from divert.extensions import db
from divert.models import Referral
from tests.api.conftest import AREA, Api, ApiWorld, new_referral

REFERRALS = f"/areas/{AREA}/referrals"


def _post_raw(api: Api, world: ApiWorld, body: str, key: str) -> object:
    return api.post(
        REFERRALS,
        world.tokens["officer"],
        data=body.encode("utf-8", errors="surrogatepass"),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def _nothing_saved(app: Flask) -> bool:
    with app.app_context():
        return db.session.scalar(select(func.count(Referral.id))) == 0


def test_json_nested_1000_deep_is_a_400(app: Flask, api: Api, api_world: ApiWorld) -> None:
    deep = "[" * 1000 + "]" * 1000
    body = json.dumps(new_referral())[:-1] + f', "notes": {deep}}}'
    response = _post_raw(api, api_world, body, "deep")
    assert response.status_code == 400
    assert "nested" in response.get_json()["error"]["message"]
    assert _nothing_saved(app)


def test_a_lone_surrogate_is_a_400_naming_the_field(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    body = json.dumps(new_referral()).replace('"Sam"', '"\\ud800"')
    response = _post_raw(api, api_world, body, "surrogate")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert response.get_json()["error"]["field"] == "forename"
    assert _nothing_saved(app)


@pytest.mark.parametrize("field", ["forename", "surname", "crime_reference"])
def test_a_nul_character_is_refused_naming_the_field(
    app: Flask, api: Api, api_world: ApiWorld, field: str
) -> None:
    response = api.create(api_world.tokens["officer"], f"nul-{field}", **{field: "A\u0000B"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert [problem["field"] for problem in error["fields"]] == [field]
    assert _nothing_saved(app)


@pytest.mark.parametrize("blank", ["\u200b", " \u200b\ufeff ", "\u3164", "\u2060"])
def test_a_name_of_invisible_characters_is_blank(
    app: Flask, api: Api, api_world: ApiWorld, blank: str
) -> None:
    response = api.create(api_world.tokens["officer"], f"blank-{ord(blank[0])}", forename=blank)
    assert response.status_code == 422
    fields = [problem["field"] for problem in response.get_json()["error"]["fields"]]
    assert fields == ["forename"]
    assert _nothing_saved(app)
