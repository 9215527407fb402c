"""Pooled PostgreSQL connections checked for life without a round trip.

A pre-ping (`SELECT 1` on every checkout) costs every request a round trip to the database.
Instead, a connection is handed out only if its socket has nothing to read: an idle healthy
connection never does, while one whose server went away (restart, fail-over, terminated
backend) has the server's goodbye or end-of-file waiting. The pool then replaces it before any
statement is sent, so requests succeed again as soon as PostgreSQL is back. A connection that
dies silently (a network cut) fails its first statement instead: SQLAlchemy then invalidates
the whole pool and that request gets the clean 503 (divert.errors). `pool_recycle` retires
connections before a server or proxy idle time-out would.
"""

from __future__ import annotations

import select
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from divert.extensions import db


def _refuse_dead_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if dbapi_connection.closed:
        raise DisconnectionError("connection closed")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:  # the pool discards it and checks out another (a fresh one if need be)
        raise DisconnectionError("the server closed the connection")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _refuse_dead_connection)
