"""CARS through the API: a custody records system creates custody contacts and assessments with
an Idempotency-Key, like referrals; bad input is a 4xx naming the field, never a 500."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from divert.extensions import db
from divert.models import DrugInterventionsRecord, InitialContact, RequiredAssessment
from divert.tenancy import system_scope
from tests.api.conftest import Api, ApiWorld

BASE = "/areas/warwickshire/custody-contacts"
SEEN = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)


def _contact(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "forename": "Jordan",
        "surname": "Ellis",
        "date_of_birth": "1990-03-14",
        "location": "leamington",
        "seen_at": SEEN.isoformat(),
        "test_result": "positive_opiates",
    }
    body.update(changes)
    return body


def _assessment(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "required",
        "assessed_on": date.today().isoformat(),
        "substances": ["heroin_opiates"],
        "route": "injected",
        "alcohol_use": "none",
        "risk_flags": ["overdose"],
        "outcome": "referred_to_treatment",
        "treatment_service": "community_drug_service",
    }
    body.update(changes)
    return body


def _count(app: Flask, model: type) -> int:
    with app.app_context(), system_scope():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def _fields(error: dict[str, Any]) -> set[str]:
    """The fields an error names ("risk_flags.0" names risk_flags)."""
    named = {error.get("field")} | {f["field"] for f in error.get("fields", [])}
    return {name.split(".")[0] for name in named if name}


def _key(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def test_a_custody_worker_creates_a_contact_once(app: Flask, api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["custody_worker"]
    made = api.post(BASE, token, json=_contact(), headers=_key("cells-0001"))
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["location"] == "leamington"
    assert body["test_result"] == "positive_opiates"
    assert body["contact_kind"] == "test_on_arrest"
    assert body["required_assessment"] is True
    assert body["person"] == {
        "forename": "Jordan",
        "surname": "Ellis",
        "date_of_birth": "1990-03-14",
    }
    assert made.headers["Location"] == f"/api/v1{BASE}/{body['id']}"
    again = api.post(BASE, token, json=_contact(), headers=_key("cells-0001"))
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == body["id"]
    reused = api.post(BASE, token, json=_contact(surname="Other"), headers=_key("cells-0001"))
    assert reused.status_code == 422
    assert reused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert _count(app, InitialContact) == 1 and _count(app, RequiredAssessment) == 1
    read = api.get(f"{BASE}/{body['id']}", token)
    assert read.status_code == 200 and read.get_json()["id"] == body["id"]


def test_an_assessment_is_created_once_and_refers_into_treatment(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    token = api_world.tokens["custody_worker"]
    contact_id = api.post(BASE, token, json=_contact(), headers=_key("c-1")).get_json()["id"]
    url = f"{BASE}/{contact_id}/assessments"
    made = api.post(url, token, json=_assessment(), headers=_key("a-1"))
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["treatment_service"] == "community_drug_service"
    assert made.get_json()["substances"] == ["heroin_opiates"]
    again = api.post(url, token, json=_assessment(), headers=_key("a-1"))
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == made.get_json()["id"]
    assert _count(app, DrugInterventionsRecord) == 1
    with app.app_context(), system_scope():
        required = db.session.scalars(select(RequiredAssessment)).one()
        assert required.completed_on == date.today()


def test_bad_input_names_the_field(app: Flask, api: Api, api_world: ApiWorld) -> None:
    token = api_world.tokens["custody_worker"]
    cases = [
        (_contact(test_result="positive_cannabis"), "test_result", 422),
        (_contact(location="nowhere"), "location", 422),
        (_contact(location="cannock-court"), "location", 422),  # Staffordshire's court
        (_contact(seen_at="2026-13-01T10:00:00Z"), "seen_at", 422),
        (_contact(seen_at=(SEEN + timedelta(days=2)).isoformat()), "seen_at", 422),
        (_contact(forename=""), "forename", 422),
        (_contact(extra=1), "extra", 422),
    ]
    for number, (body, field, status) in enumerate(cases):
        answer = api.post(BASE, token, json=body, headers=_key(f"bad-{number}"))
        assert answer.status_code == status, (field, answer.get_json())
        assert field in _fields(answer.get_json()["error"])
    missing_key = api.post(BASE, token, json=_contact())
    assert missing_key.status_code == 422
    contact_id = api.post(BASE, token, json=_contact(), headers=_key("ok")).get_json()["id"]
    url = f"{BASE}/{contact_id}/assessments"
    for number, (body, field) in enumerate(
        [
            (
                _assessment(outcome="referred_to_treatment", treatment_service=None),
                "treatment_service",
            ),
            (_assessment(treatment_service="unknown"), "treatment_service"),
            (_assessment(substances=["moon-dust"]), "substances"),
            (_assessment(route=None), "route"),
            (_assessment(risk_flags=["bored"]), "risk_flags"),
        ]
    ):
        answer = api.post(url, token, json=body, headers=_key(f"bad-a-{number}"))
        assert answer.status_code == 422, (field, answer.get_json())
        assert field in _fields(answer.get_json()["error"])
    assert _count(app, DrugInterventionsRecord) == 0


def test_only_custody_workers_and_managers_and_only_in_their_area(
    api: Api, api_world: ApiWorld
) -> None:
    for actor in ("officer", "educator", "commissioner"):
        answer = api.post(BASE, api_world.tokens[actor], json=_contact(), headers=_key(actor))
        assert answer.status_code == 403, actor
    made = api.post(BASE, api_world.tokens["manager"], json=_contact(), headers=_key("m"))
    assert made.status_code == 201
    foreign = api.get(
        f"/areas/staffordshire/custody-contacts/{made.get_json()['id']}",
        api_world.tokens["custody_worker"],
    )
    assert foreign.status_code == 404
    theirs = api.get(
        f"/areas/staffordshire/custody-contacts/{made.get_json()['id']}",
        api_world.other_tokens["custody_worker"],
    )
    assert theirs.status_code == 404


def test_the_openapi_document_has_the_cars_operations(api: Api) -> None:
    document = api.get("/openapi.json", None).get_json()
    assert "/api/v1/areas/{area_slug}/custody-contacts" in document["paths"]
    operation = document["paths"]["/api/v1/areas/{area_slug}/custody-contacts"]["post"]
    assert operation["x-permission"] == "record_custody_contacts"
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert (
        "/api/v1/areas/{area_slug}/custody-contacts/{contact_id}/assessments" in document["paths"]
    )


def test_the_treatment_service_confirms_entry_into_treatment(
    app: Flask, api: Api, api_world: ApiWorld
) -> None:
    worker = api_world.tokens["custody_worker"]
    contact_id = api.post(BASE, worker, json=_contact(), headers=_key("c-t")).get_json()["id"]
    record_id = api.post(
        f"{BASE}/{contact_id}/assessments", worker, json=_assessment(), headers=_key("a-t")
    ).get_json()["id"]
    url = f"/areas/warwickshire/custody-assessments/{record_id}/treatment-entry"
    today = date.today().isoformat()
    refused = api.post(url, worker, json={"entered_on": today})
    assert refused.status_code == 403  # the treatment service confirms, not the worker
    service = api_world.tokens["treatment_service"]
    early = api.post(url, service, json={"entered_on": "2000-01-01"})
    assert early.status_code == 422
    assert "entered_on" in _fields(early.get_json()["error"])
    confirmed = api.post(url, service, json={"entered_on": today})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["treatment_entry_on"] == today
    again = api.post(url, service, json={"entered_on": today})
    assert again.status_code == 409
    foreign = api.post(
        f"/areas/staffordshire/custody-assessments/{record_id}/treatment-entry",
        api_world.other_tokens["treatment_service"],
        json={"entered_on": today},
    )
    assert foreign.status_code == 404
