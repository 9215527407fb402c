"""Writing the audit trail: who did or viewed what, in which role and area, from where.

The trail is append-only: the ORM refuses to change or delete an event here, and the database
refuses it too (a trigger, see migrations/versions/0002_admin_audit.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import Flask, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from divert.audit import words
from divert.audit.views import bp
from divert.extensions import db
from divert.models import Area, AuditEvent, User


def record(
    action: str,
    *,
    record_type: str | None = None,
    record_id: int | None = None,
    user: User | None = None,
    area: Area | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it records).

    The user and area are the request's unless given (jobs and admin pages name the area).
    """
    in_request = has_request_context()
    if user is None and in_request and current_user.is_authenticated:
        user = current_user._get_current_object()
    if area is None and in_request:
        area = g.get("area")
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


class AreaRecord(Protocol):
    """A record of one area: a referral, a custody contact."""

    id: Any
    area: Any


def record_on(
    action: str, record_type: str, row: AreaRecord, by: User, **detail: Any
) -> AuditEvent:
    """What `by` did to an area's record, in the record's area: in a request or in a job."""
    return record(
        action, record_type=record_type, record_id=row.id, user=by, area=row.area, **detail
    )


Answer = TypeVar("Answer")


def record_with_answer(action: str, answer: Callable[[], Answer], **event: Any) -> Answer:
    """Record the event (as `record` does), make the answer, then commit; the answer returned.

    The way for a view that answers with records it has read (a page, a download, a JSON
    body): a commit expires every record the session holds, so an answer made after it reads
    them all again, and under PostgreSQL's row-level security a record read in another scope
    (a region's figures, an administrator's view of any area) is gone by then. What the view
    changed commits with the event, once the answer is made; if making it fails, neither does.
    """
    record(action, **event)
    made = answer()
    db.session.commit()
    return made


class AuditTrailIsAppendOnly(RuntimeError):
    """An attempt to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_changed_events(session: Session, _flush_context: Any, _instances: Any) -> None:
    if any(isinstance(obj, AuditEvent) for obj in (*session.dirty, *session.deleted)):
        raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(words.action_words)
    app.add_template_global(words.role_words)
    app.add_template_global(words.detail_words)
