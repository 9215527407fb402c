"""Ids handed out by the demo builders, so that bulk inserts need no RETURNING round-trip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from divert.extensions import db


class Ids:
    """Ids handed out in the builder, so bulk inserts need no RETURNING round-trip."""

    def __init__(self, *models: type) -> None:
        self.next = {m: (db.session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def assign(self, model: type, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            row["id"] = self.next[model]
            self.next[model] += 1

    def advance_sequences(self) -> None:
        """On PostgreSQL, move each id sequence past the ids handed out here."""
        if db.engine.dialect.name != "postgresql":
            return
        for model, next_id in self.next.items():
            sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
            db.session.execute(select(func.setval(sequence, next_id, False)))
