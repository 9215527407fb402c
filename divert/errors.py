"""Error pages in the service's look, JSON errors for the API, and a clean 503 while the
database is away."""

from __future__ import annotations

from contextlib import suppress
from types import SimpleNamespace
from typing import TypeGuard

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from divert.api.problems import ApiError, error_response
from divert.extensions import db
from divert.security import RefusedInput

TITLES = {
    400: "There was a problem with your request",
    401: "Send a valid API token: Authorization: Bearer <token>",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That conflicts with the record as it is now",
    413: "What you sent is too large",
    415: "Send the body as JSON (Content-Type: application/json)",
    422: "Some of what you sent is not valid",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}

# Seconds a client is asked to wait: a database restart or fail-over takes a few.
RETRY_AFTER_SECONDS = 5


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(error: HTTPException, detail: str | None = None) -> tuple[object, int]:
    status = error.code or 500
    title = TITLES.get(status, "Sorry, there is a problem")
    if _wants_json():
        return error_response(error, detail or title), status
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def _http_error(error: HTTPException) -> tuple[object, int]:
    said = isinstance(error, ApiError | RefusedInput)
    return _render(error, error.description if said else None)


def _csrf_error(error: CSRFError) -> tuple[object, int]:
    return _render(error, "The form had expired or was sent from elsewhere. Go back and try again.")


def _database_away(error: BaseException | None) -> TypeGuard[SQLAlchemyError]:
    """Whether `error` says the database cannot be reached (as opposed to a fault of ours)."""
    if isinstance(error, OperationalError | DisconnectionError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _server_error(error: InternalServerError) -> tuple[object, ...]:
    """An error no handler took. The database can also fail after the view, in another error
    handler's page or in an after-request function: that is still a 503, not a fault."""
    if _database_away(error.original_exception):
        return _database_unavailable(error.original_exception)
    return _render(InternalServerError())


def _database_unavailable(error: BaseException) -> tuple[object, int, dict[str, str]]:
    """The database went away (restart, fail-over, network): a 503 in the service's look that
    the client may retry, never a traceback. The pool then replaces its dead connections
    (divert.pool), so requests succeed again as soon as the database is back.

    The page reads nothing from the database, whatever stage of the request failed."""
    # The driver's message only: the wrapped error also quotes the statement's parameters.
    current_app.logger.warning("Database unavailable: %s", getattr(error, "orig", None) or error)
    with suppress(SQLAlchemyError):  # the connection may be gone: nothing left to undo there
        db.session.rollback()
    title = TITLES[503]
    detail = (
        "Try again in a minute. If you were sending a form, go back and send it again: "
        "a referral is never saved twice."
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json():
        return error_response(ServiceUnavailable(), detail), 503, headers
    # Rendered without the context processors, which would load the signed-in user, and with
    # none of the request's records in `g`: the rollback above expired them (the area of an
    # area page, say), and reading one would go back to the database that has just failed.
    page = current_app.jinja_env.get_template("errors/unavailable.html")
    body = page.render(status=503, title=title, detail=detail, g=SimpleNamespace())
    return body, 503, headers


def _end_session(error: BaseException | None) -> None:
    """End the request's session before Flask-SQLAlchemy does: if the database went away after
    the response was ready, the closing rollback fails on the dead connection, and that must
    not turn a finished response into a 500. The failed close discards the connection, so
    Flask-SQLAlchemy's own close then succeeds."""
    try:
        db.session.remove()
    except DBAPIError as lost:
        if not _database_away(lost):
            raise
        current_app.logger.warning("Database connection lost after the response: %s", lost.orig)


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's teardown (create_app sets up db first), so it runs
    # before it: teardown functions run in reverse order.
    app.teardown_appcontext(_end_session)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DisconnectionError, _database_unavailable)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
