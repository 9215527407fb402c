"""The append-only audit trail and the outbox of messages to send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from divert.clock import utcnow
from divert.models.base import AreaOwned, Base


class AuditEvent(AreaOwned, Base):
    """Who did or viewed what, where. Never updated or deleted (see divert.audit).

    Sign-ins and admin actions have no area: those events are seen in the system scope only.
    """

    __tablename__ = "audit_event"
    area_optional = True

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[str | None] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str | None] = mapped_column(String(40))
    record_id: Mapped[int | None]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_event_area_at", "area_id", "at"),
        Index("ix_audit_event_user_at", "user_id", "at"),
        Index("ix_audit_event_record", "record_type", "record_id"),
    )


class OutboxMessage(AreaOwned, Base):
    """A message to send once; `dedupe_key` makes enqueuing and sending idempotent.

    Account messages (invitations, password resets) belong to no area: the sending job, in the
    system scope, sees them.
    """

    __tablename__ = "outbox_message"
    area_optional = True

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_due", "status", "send_after"),)
