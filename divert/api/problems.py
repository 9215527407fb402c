"""The API's errors: one JSON shape for every refusal, naming the field at fault.

{"error": {"code": "not_found", "message": "Not found"}}
{"error": {"code": "slot_unavailable", "message": "...", "field": "session_id"}}
{"error": {"code": "invalid", "message": "...", "fields": [{"field": "...", "message": "..."}]}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from divert.refusals import Conflict, Refusal

CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class ApiError(HTTPException):
    """A refusal with a machine-readable code and, where one field is at fault, its name."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        fields: list[dict[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = status
        self.error_code = code or CODES.get(status, f"http_{status}")
        self.field, self.fields = field, fields
        self.extra_headers = dict(headers or {})


def refused(refusal: Refusal) -> ApiError:
    """A use case's refusal as the API answers it: 409 for a conflict with the records' state,
    422 for the values sent; `fields` lists each field when several are at fault."""
    problems = refusal.problems
    return ApiError(
        409 if isinstance(refusal, Conflict) else 422,
        refusal.message,
        code=refusal.code,
        field=refusal.field,
        fields=[{"field": name, "message": message} for name, message in problems.items()]
        if len(problems) > 1
        else None,
    )


def field_errors(messages: Mapping[str, Any] | list[Any], prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested {field: [messages]} as a flat list, `a.0.b` for nested fields."""
    if not isinstance(messages, Mapping):
        return [{"field": prefix or "body", "message": str(m)} for m in messages]
    flat: list[dict[str, str]] = []
    for name, value in messages.items():
        field = "body" if name == "_schema" and not prefix else f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat += field_errors(value, f"{field}.")
        else:
            flat += [{"field": field, "message": str(m)} for m in value]
    return flat


# Where webargs (under flask-smorest's `arguments`) found a request part at fault.
_PARTS = {"json": "body", "query": "query string", "headers": "headers"}


def _unreadable(error: HTTPException) -> ApiError | None:
    """A request flask-smorest could not read, as an ApiError naming each field at fault."""
    messages = (getattr(error, "data", None) or {}).get("messages")
    if not messages:
        return None
    if error.code == 400:
        return ApiError(400, "The body is not valid JSON", code="malformed_json")
    part, found = next(iter(messages.items()))
    return ApiError(
        error.code or 422,
        f"Some of the {_PARTS.get(part, part)} is not valid: see fields",
        fields=field_errors(found),
    )


def error_response(error: HTTPException, message: str) -> Response:
    """The JSON answer for any HTTP error on an API path."""
    unreadable = _unreadable(error)
    if unreadable is not None:
        error, message = unreadable, unreadable.description or message
    status = error.code or 500
    body: dict[str, Any] = {
        "code": getattr(error, "error_code", None) or CODES.get(status, f"http_{status}"),
        "message": message,
    }
    if getattr(error, "field", None):
        body["field"] = error.field  # type: ignore[attr-defined]
    if getattr(error, "fields", None):
        body["fields"] = error.fields  # type: ignore[attr-defined]
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.headers.update(getattr(error, "extra_headers", {}))
    return response
