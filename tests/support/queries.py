"""Counting the SQL statements a page costs, so an N+1 cannot creep in."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event

from divert.extensions import db


def queries_for(client: FlaskClient, url: str, **request: Any) -> int:
    """Statements run by one GET, starting from an empty session as a real request does.

    Tests hold an app context open, which requests then share: clear what it caches (the
    database session, the signed-in user) so the count is that of a fresh request.
    """
    db.session.remove()
    g.pop("_login_user", None)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url, **request)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)
