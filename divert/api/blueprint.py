"""The API blueprint (flask-smorest): bearer tokens only, a rate limit per token, every use in
the audit trail, refusals as JSON errors; and `operation`, what every API view declares besides
its schemas: the permission it needs and the errors it may answer."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from functools import wraps
from http import HTTPStatus
from typing import Any

import flask
from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from divert import audit
from divert.api.problems import ApiError, error_response, refused
from divert.auth.tokens import TokenInUse
from divert.extensions import db, limiter
from divert.models import ApiToken, utcnow
from divert.permissions import Permission, requires
from divert.refusals import Refusal
from divert.tenancy import area_scope

PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)

# Every operation may answer these (token, area, permission, limits); each adds its own.
COMMON_ERRORS = (400, 401, 403, 404, 422, 429)
BODY_ERRORS = (413, 415)


def rate_limit_key() -> str:
    """Each token has its own allowance; calls without one share their address's."""
    if current_user.is_authenticated and g.get("api_token") is not None:
        return f"api-token:{g.api_token.id}"
    return f"api-address:{get_remote_address()}"


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# One allowance per token across every API route.
limiter.shared_limit(_rate_limit, scope="api", key_func=rate_limit_key)(bp)


def operation(
    permission: Permission,
    *,
    errors: tuple[int, ...] = (),
    body: bool = False,
    records: dict[str, Callable[[int], Any]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an API view (under `bp.route`, above its `bp.arguments` and `bp.response`):
    the permission it needs, the errors it documents besides COMMON_ERRORS, whether it takes
    a JSON body (anything else is 415), and `records`, which finds the record a URL names
    before the request is read, so a record that is not there (or not the caller's) is 404
    whatever the body: {"booking_id": find} hands the view `booking=find(booking_id)`.
    """
    statuses = sorted({*COMMON_ERRORS, *errors, *(BODY_ERRORS if body else ())})

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def run(*args: Any, **kwargs: Any) -> Any:
            for name, find in (records or {}).items():
                kwargs[name.removesuffix("_id")] = find(kwargs.pop(name))
            if body and not request.is_json:
                raise ApiError(415, "Send the body as JSON (Content-Type: application/json)")
            return view(*args, **kwargs)

        checked = requires(permission)(run)
        checked.api_operation = True  # type: ignore[attr-defined]
        documented = bp.doc(
            operationId=f"{bp.name}_{view.__name__}",
            security=[{"bearerToken": []}],
            **{"x-permission": permission.value},
        )(checked)
        for status in statuses:
            documented = bp.alt_response(status, response=HTTPStatus(status).name)(documented)
        return documented

    return decorate


def unlisted_route(rule: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A route on the blueprint that is not an API operation (the document itself and its page
    for people): added by Flask's own add_url_rule, as flask-smorest's would document it."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        flask.Blueprint.add_url_rule(bp, rule, view.__name__, view)
        return view

    return decorate


@bp.before_request
def _require_token() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "required_permission", None) is None:
        return  # the document and its page are public
    if not current_user.is_authenticated:
        raise ApiError(
            401,
            "Send a valid API token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="divert"'},
        )


@bp.errorhandler(Refusal)
def _refused(refusal: Refusal) -> Response:
    error = refused(refusal)
    return error_response(error, error.description or refusal.message)


@bp.after_request
def _attribute(response: Response) -> Response:
    """Every call made with a token goes in the audit trail, refused ones too; what a refused
    call had changed is undone first."""
    token: TokenInUse | None = g.get("api_token")
    if token is None:
        return response
    # The token is its area's record, so its use is written in that area's scope whatever the
    # request asked for (another area's page, refused, leaves no area in scope). A regional
    # lead's token, no area's, is seen anywhere.
    if response.status_code >= 400:
        db.session.rollback()
    with area_scope(token.area_id) if token.area_id is not None else nullcontext():
        used = db.session.get_one(ApiToken, token.id)
        used.last_used_at = utcnow()
        audit.record(
            "api_request",
            method=request.method,
            path=request.path[:200],
            status=response.status_code,
        )
        db.session.commit()
    return response
