"""Idempotency keys of the API's writes (a referral's, a force's batch of results): kept long
enough for any retry, then forgotten by the daily `flask api forget-keys`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from divert.extensions import db
from divert.models import ForceBatch, IdempotencyKey
from divert.tenancy import system_scope

# A client retries within minutes; a month covers any outage a records system could ride out.
KEEP_KEYS = timedelta(days=30)


def forget_old_keys(kind: type[IdempotencyKey] | type[ForceBatch], now: datetime) -> int:
    """Delete the keys of this kind older than KEEP_KEYS (every area's); returns how many went."""
    with system_scope():
        forgotten = db.session.execute(delete(kind).where(kind.created_at < now - KEEP_KEYS))
        db.session.commit()
    return forgotten.rowcount
