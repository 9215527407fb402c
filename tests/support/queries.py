"""Counting the SQL statements a page costs, so an N+1 cannot creep in."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event

from divert.extensions import db


def queries_for(
    client: FlaskClient,
    url: str,
    *,
    method: str = "GET",
    status: int = 200,
    warm: bool = True,
    **request: Any,
) -> int:
    """Statements run by one request, starting from an empty session as a real request does.

    A GET is sent once first (unless `warm` is false): the first request of a process fills its
    caches (the areas), and the count is that of every request after it. Tests hold an app
    context open, which requests then share: clear what it caches (the database session, the
    signed-in user) so the count is that of a fresh request.
    """
    if warm and method == "GET":
        client.get(url, **request)
    db.session.remove()
    g.pop("_login_user", None)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.open(url, method=method, **request)
        assert response.status_code == status, f"{url} answered {response.status_code}"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)
