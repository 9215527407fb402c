"""Error pages in the service's look, and JSON errors for the API."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from divert.api.problems import ApiError, error_response

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
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(error: HTTPException, detail: str | None = None) -> tuple[object, int]:
    status = error.code or 500
    title = TITLES.get(status, "Sorry, there is a problem")
    if _wants_json():
        return error_response(error, detail or title), status
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def _http_error(error: HTTPException) -> tuple[object, int]:
    return _render(error, error.description if isinstance(error, ApiError) else None)


def _csrf_error(error: CSRFError) -> tuple[object, int]:
    return _render(error, "The form had expired or was sent from elsewhere. Go back and try again.")


def _server_error(error: Exception) -> tuple[object, int]:
    return _render(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
