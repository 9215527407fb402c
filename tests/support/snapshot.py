"""Snapshots of a database built by an earlier version of divert, to test upgrades on.

`python -m tests.support.snapshot DATABASE_URL OUT.json.gz` dumps every row of every table
(run it on a demo built by the version before a schema change, at its last revision);
`load()` puts those rows into an empty database migrated to that same revision, on SQLite or
PostgreSQL, so a test can then upgrade it to the head and check that nothing was lost.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    create_engine,
    select,
    text,
)

Snapshot = dict[str, Any]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def dump(url: str) -> Snapshot:
    """Every row of every table but Alembic's, and the revision the database is at."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
        tables = {
            table.name: [
                {key: _plain(value) for key, value in row._mapping.items()}
                for row in connection.execute(select(table).order_by(*table.primary_key))
            ]
            for table in metadata.sorted_tables
            if table.name != "alembic_version"
        }
    engine.dispose()
    return {"revision": revision, "tables": tables}


def read(path: Path) -> Snapshot:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _typed(column_type: object, value: object) -> object:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        moment = datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    if isinstance(column_type, Date):
        return date.fromisoformat(str(value))
    if isinstance(column_type, Boolean):
        return bool(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(str(value))
    return value


def load(connection: Connection, snapshot: Snapshot) -> None:
    """Insert the snapshot's rows into a database migrated to the snapshot's revision."""
    metadata = MetaData()
    metadata.reflect(connection)
    for table in metadata.sorted_tables:
        rows = snapshot["tables"].get(table.name) or []
        if not rows:
            continue
        typed = [
            {key: _typed(table.c[key].type, value) for key, value in row.items()} for row in rows
        ]
        connection.execute(table.insert(), typed)
        id_column = table.c.get("id")
        if connection.dialect.name == "postgresql" and isinstance(
            getattr(id_column, "type", None), Integer
        ):
            # Rows came with their ids: the sequences must continue after them.
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table.name}"))'
                )
            )


def main(argv: list[str]) -> None:
    url, out = argv
    with gzip.open(out, "wt", encoding="utf-8") as handle:
        json.dump(dump(url), handle, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
