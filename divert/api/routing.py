"""How an API view is declared: its URL, method, permission and schemas, once. The same
declaration checks the request, shapes the answer and writes the OpenAPI document."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest

from divert.api.problems import ApiError, field_errors
from divert.api.schemas import PageQuery
from divert.permissions import Permission, requires

# Every operation may answer these (token, area, permission, limits); each adds its own.
COMMON_ERRORS = (400, 401, 403, 404, 422, 429)
BODY_ERRORS = (413, 415)


@dataclass
class Operation:
    """One method on one URL of the API, as the OpenAPI document describes it."""

    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    permission: Permission | None
    status: int
    response: type[Schema]
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    headers: type[Schema] | None = None
    errors: tuple[int, ...] = ()
    tag: str = "api"
    extra_statuses: dict[int, str] = field(default_factory=dict)


@dataclass
class Reply:
    """What a view answers when it is more than a body with the operation's status."""

    data: Any
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _load(schema: Schema, data: Any, where: str) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiError(
            422,
            f"Some of the {where} is not valid: see fields",
            fields=field_errors(error.messages),  # type: ignore[arg-type]
        ) from error


def json_body() -> Any:
    """The request's JSON; 415 when it is not sent as JSON, 400 when it does not parse, 413
    (from MAX_CONTENT_LENGTH) when it is too large."""
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON (Content-Type: application/json)")
    try:
        return request.get_json()
    except BadRequest as error:
        raise ApiError(400, "The body is not valid JSON", code="malformed_json") from error


def body_hash(body: Any) -> str:
    """The same JSON, however it was spaced or ordered, hashes the same."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ApiBlueprint(Blueprint):
    """A blueprint whose views are declared with `operation(...)` and listed in `operations`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operations: list[Operation] = []

    def operation(
        self,
        rule: str,
        *,
        method: str = "GET",
        permission: Permission | None,
        response: type[Schema],
        status: int = 200,
        body: type[Schema] | None = None,
        query: type[Schema] | None = None,
        headers: type[Schema] | None = None,
        errors: tuple[int, ...] = (),
        extra_statuses: dict[int, str] | None = None,
        records: dict[str, Callable[[int], Any]] | None = None,
        tag: str = "api",
    ) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
        """Register a view. It receives `body`, `query` and `headers` as loaded dicts (when
        the operation has them) and returns data for `response`, or a Reply.

        `records` finds the record a URL names before anything else is checked, so a record
        that is not there (or not the caller's) is 404 whatever the body: {"booking_id": find}
        hands the view `booking=find(booking_id)`.
        """

        def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
            @wraps(view)
            def run(**kwargs: Any) -> Response:
                for name, find in (records or {}).items():
                    kwargs[name.removesuffix("_id")] = find(kwargs.pop(name))
                if headers is not None:
                    kwargs["headers"] = _load(headers(), dict(request.headers), "headers")
                if query is not None:
                    kwargs["query"] = _load(query(), request.args.to_dict(), "query string")
                if body is not None:
                    kwargs["body"] = _load(body(), json_body(), "body")
                reply = view(**kwargs)
                if not isinstance(reply, Reply):
                    reply = Reply(reply)
                answer = jsonify(response().dump(reply.data))
                answer.status_code = reply.status or status
                answer.headers.update(reply.headers)
                return answer

            checked = requires(permission)(run) if permission else run
            if permission is None:
                checked.required_permission = None  # type: ignore[attr-defined]
            checked.api_operation = True  # type: ignore[attr-defined]
            self.add_url_rule(rule, view.__name__, checked, methods=[method])
            doc = (view.__doc__ or "").strip()
            summary, _, description = doc.partition("\n")
            self.operations.append(
                Operation(
                    rule=rule,
                    method=method,
                    endpoint=f"{self.name}.{view.__name__}",
                    summary=summary.strip(),
                    description=description.strip(),
                    permission=permission,
                    status=status,
                    response=response,
                    body=body,
                    query=query,
                    headers=headers,
                    errors=tuple(
                        sorted(set(COMMON_ERRORS + errors + (BODY_ERRORS if body else ())))
                    ),
                    extra_statuses=extra_statuses or {},
                    tag=tag,
                )
            )
            return checked

        return decorate


def page_of(items: list[Any], total: int, query: dict[str, Any], endpoint: str, **values: Any):
    """A page of a list, with links that keep the rest of the query string."""
    page, per_page = query["page"], query["per_page"]
    last = max((total + per_page - 1) // per_page, 1)
    args = {k: v for k, v in request.args.items() if k not in PageQuery().fields}

    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=per_page, **values, **args)

    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total,
        "links": {
            "self_": link(page),
            "first": link(1),
            "last": link(last),
            "next": link(page + 1) if page < last else None,
            "prev": link(page - 1) if page > 1 else None,
        },
    }
