"""The API blueprint: bearer tokens only, a rate limit per token, every use in the audit trail."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from divert import audit
from divert.api.problems import ApiError, error_response, refused
from divert.api.routing import ApiBlueprint
from divert.extensions import db, limiter
from divert.models import utcnow
from divert.refusals import Refusal

PREFIX = "/api/v1"

bp = ApiBlueprint("api", __name__, url_prefix=PREFIX)


def rate_limit_key() -> str:
    """Each token has its own allowance; calls without one share their address's."""
    if current_user.is_authenticated and g.get("api_token") is not None:
        return f"api-token:{g.api_token.id}"
    return f"api-address:{get_remote_address()}"


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# One allowance per token across every API route.
limiter.shared_limit(_rate_limit, scope="api", key_func=rate_limit_key)(bp)


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
    token = g.get("api_token")
    if token is None:
        return response
    if response.status_code >= 400:
        db.session.rollback()
    token.last_used_at = utcnow()
    audit.record(
        "api_request", method=request.method, path=request.path[:200], status=response.status_code
    )
    db.session.commit()
    return response
