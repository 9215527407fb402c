"""Error pages in the service's look, and JSON errors for the API."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "There was a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "What you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(status: int, detail: str | None = None) -> tuple[object, int]:
    title = TITLES.get(status, "Sorry, there is a problem")
    if _wants_json():
        return {"error": {"code": f"http_{status}", "message": detail or title}}, status
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def _http_error(error: HTTPException) -> tuple[object, int]:
    return _render(error.code or 500)


def _csrf_error(error: CSRFError) -> tuple[object, int]:
    return _render(400, "The form had expired or was sent from elsewhere. Go back and try again.")


def _server_error(error: Exception) -> tuple[object, int]:
    return _render(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)
