"""Writing the audit trail: who did or viewed what, in which role and area, from where."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from divert.extensions import db
from divert.models import AuditEvent, User


def record(
    action: str,
    *,
    record_type: str | None = None,
    record_id: int | None = None,
    user: User | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it records)."""
    in_request = has_request_context()
    if user is None and in_request and current_user.is_authenticated:
        user = current_user._get_current_object()
    area = g.get("area") if in_request else None
    role = g.get("role") if in_request else None
    token = g.get("api_token") if in_request else None
    if token is not None:  # whatever was done through the API names the token that did it
        detail.setdefault("token_id", token.id)
    event = AuditEvent(
        user_id=user.id if user else None,
        role=str(role) if role else ("admin" if user and user.is_admin else None),
        area_id=area.id if area else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        ip_address=request.remote_addr if in_request else None,
        detail=detail,
    )
    db.session.add(event)
    return event
