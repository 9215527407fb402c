"""The OpenAPI 3 document, made by apispec from the operations' marshmallow schemas, and a
page that lists it for people (server-rendered: no script, so the strict CSP holds)."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from divert.api.problems import CODES
from divert.api.routing import Operation
from divert.api.schemas import MAX_ID, Error

TITLE = "divert API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Referrals, slots, attendance and figures of a PCC area's drug diversion scheme. "
    "Send an API token made on the service's API tokens page in an "
    "Authorization: Bearer <token> header. "
    "A token works only in the area (or region) it was made for, with its holder's role there."
)
_VARIABLE = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
SLUG_PATTERN = "^[a-z0-9-]{1,64}$"


def _path_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in _VARIABLE.finditer(rule):
        name, converter = match["name"], match["converter"]
        schema: dict[str, Any] = (
            {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if converter == "id"
            else {"type": "string", "pattern": SLUG_PATTERN}
        )
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return _VARIABLE.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def _operation(op: Operation) -> dict[str, Any]:
    path_parameters = _path_parameters(op.rule)[1]
    parameters: list[Any] = list(path_parameters)
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if op.headers is not None:
        parameters.append({"in": "header", "schema": op.headers})
    success = {"description": "OK", "content": {"application/json": {"schema": op.response}}}
    responses: dict[str, Any] = {str(op.status): success}
    for status, description in op.extra_statuses.items():
        responses[str(status)] = {**success, "description": description}
    for status in op.errors:
        responses[str(status)] = {
            "description": CODES.get(status, "error").replace("_", " ").capitalize(),
            "content": {"application/json": {"schema": "Error"}},
        }
    operation: dict[str, Any] = {
        "operationId": op.endpoint.replace(".", "_"),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.description:
        operation["description"] = op.description
    if op.permission is not None:
        operation["security"] = [{"bearerToken": []}]
        operation["x-permission"] = op.permission.value
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    return operation


def build(operations: list[Operation], prefix: str) -> dict[str, Any]:
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        "bearerToken", {"type": "http", "scheme": "bearer", "description": "An API token"}
    )
    spec.components.schema("Error", schema=Error)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path = _path_parameters(prefix + op.rule)[0]
        paths.setdefault(path, {})[op.method.lower()] = _operation(op)
    for path, by_method in paths.items():
        spec.path(path=path, operations=by_method)
    return spec.to_dict()
