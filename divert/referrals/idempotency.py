"""Idempotency keys of referrals made through the API (see divert.api.referrals): kept long
enough for any retry, then forgotten by the daily `flask api forget-keys`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from divert.extensions import db
from divert.models import IdempotencyKey
from divert.tenancy import system_scope

# A client retries within minutes; a month covers any outage a records system could ride out.
KEEP_KEYS = timedelta(days=30)


def forget_old_keys(now: datetime) -> int:
    """Delete idempotency keys older than KEEP_KEYS (every area's); returns how many went."""
    with system_scope():
        forgotten = db.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP_KEYS)
        )
        db.session.commit()
    return forgotten.rowcount
