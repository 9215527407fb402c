"""Pooled database connections: no round trip to check one before each request.

SQLAlchemy's `pool_pre_ping` sends a `SELECT 1` at every checkout, a round trip that every
request paid for. Instead, a pooled connection is replaced at checkout when the server has
already closed it, which the socket shows without asking the server; and connections are
recycled before anything on the way (a firewall, a pooler) drops them for being idle.

- A restarted or failed-over server, or one that ended the connection (an administrator's
  `pg_terminate_backend`, `idle_session_timeout`), closes the socket: an idle connection whose
  socket has something to read (the server's goodbye, then end of file) is replaced here.
- A connection dropped silently on the way (no end of file reaches us) is what `pool_recycle`
  prevents: no connection is kept idle longer than POOL_RECYCLE_SECONDS.
- Anything else that breaks a connection in use (the server going away during a request)
  fails that request's statement: SQLAlchemy then discards the pool's connections, and
  divert.errors answers that request with the 503 page; the next request connects afresh.
"""

from __future__ import annotations

import select
from typing import Any

from psycopg.pq import ConnStatus
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

# Well under the idle limits of firewalls and load balancers (often an hour or more).
POOL_RECYCLE_SECONDS = 20 * 60


def _closed_by_server(dbapi_connection: Any) -> bool:
    """Whether a PostgreSQL connection checked in idle has been closed by the server since.
    Idle between requests, a connection has nothing to read: a readable socket is the
    server's closing message or end of file."""
    pgconn = dbapi_connection.pgconn
    if pgconn.status != ConnStatus.OK:
        return True
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN)
    return bool(poller.poll(0))


@event.listens_for(Pool, "checkout")
def _replace_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # SQLite's connections (no `pgconn`) are files: nothing can close them from elsewhere.
    # DisconnectionError here makes the pool discard this connection and open a new one.
    if hasattr(dbapi_connection, "pgconn") and _closed_by_server(dbapi_connection):
        raise DisconnectionError("the database server closed this connection")
