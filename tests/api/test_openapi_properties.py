"""Property-based: schemathesis generates requests from the API's own OpenAPI document, valid
and invalid, for every operation and a token of every role, and checks each answer: never a
5xx, always a documented status and content type, always a body that fits its schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import AREA, Api, ApiWorld

ACTORS = ["officer", "educator", "manager", "commissioner", "regional_lead"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation, per generation mode, per role: under a minute per database for the whole run.
MAX_EXAMPLES = 10


def _known_ids(api: Api, world: ApiWorld) -> dict[str, list[int]]:
    """Real records for the generated requests to find, besides the ids it makes up."""
    officer = world.tokens["officer"]
    booked = api.create(officer, "known-1", session_id=world.slots[0]).get_json()
    plain = api.create(
        officer, "known-2", forename="Robin", surname="Okafor", date_of_birth="1988-11-02"
    ).get_json()
    return {
        "referral_id": [booked["id"], plain["id"]],
        "booking_id": [booked["booking"]["id"]],
    }


def _pin(case: Any, ids: dict[str, list[int]], data: st.DataObject) -> None:
    """Aim the case at the token's own area or region, and often at a record that exists."""
    parameters = case.path_parameters
    if "area_slug" in parameters:
        parameters["area_slug"] = AREA
    if "region_slug" in parameters:
        parameters["region_slug"] = "west-midlands-region"
    for name, known in ids.items():
        if name in parameters and data.draw(st.integers(0, 3)):
            parameters[name] = data.draw(st.sampled_from(known))


def _explore(
    label: str,
    strategy: st.SearchStrategy,
    ids: dict[str, list[int]],
    headers: dict[str, str],
    answered: set[int],
    failures: list[str],
) -> None:
    """Send MAX_EXAMPLES requests drawn from `strategy`; note each status and each failure."""

    @given(case=strategy, data=st.data())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def explore(case: Any, data: st.DataObject) -> None:
        _pin(case, ids, data)
        response = case.call(headers=headers)
        answered.add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:  # every kind of failure is a finding to report
            failures.append(
                f"{label} {case.method} {case.formatted_path} -> {response.status_code}: "
                f"{str(failure)[:400]}"
            )

    explore()


@pytest.mark.parametrize("actor", ACTORS)
def test_every_operation_keeps_to_the_document(
    app: Flask, api: Api, api_world: ApiWorld, actor: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ids = _known_ids(api, api_world)
    headers = {"Authorization": f"Bearer {api_world.tokens[actor]}"}
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:
        strategies = {
            "valid": operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            "invalid": operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        }
        examples = operation.schema.get_strategies_from_examples(operation)
        if examples:  # the document's examples make valid requests: success is reached too
            strategies["examples"] = st.one_of(examples)
        statuses = answered.setdefault(operation.label, set())
        for mode, strategy in strategies.items():
            _explore(f"{actor} {mode}", strategy, ids, headers, statuses, failures)
    assert failures == []
    # The run reached past the door: some of the role's own operations were carried out.
    assert any(status < 300 for statuses in answered.values() for status in statuses), answered
