"""Putting messages in the outbox, in the same transaction as the change they tell of.

What a message says belongs to the capability that sends it (e.g. `referrals.messages`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from divert.extensions import db
from divert.models import OutboxMessage, utcnow


def enqueue(
    *,
    area_id: int | None,
    kind: str,
    dedupe_key: str,
    channel: str,
    recipient: str,
    body: str,
    subject: str | None = None,
    send_after: datetime | None = None,
) -> None:
    """Add a message unless one with the same key is already queued (enqueueing is idempotent)."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return
    db.session.add(
        OutboxMessage(
            area_id=area_id,
            kind=kind,
            dedupe_key=dedupe_key,
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            send_after=send_after or utcnow(),
        )
    )
