"""Searching the audit trail: by user, area, record and date, newest first, a page at a time."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import NumberRange, Optional, ValidationError

from divert.audit import words
from divert.extensions import db
from divert.formfields import GovDateField, options
from divert.models import Area, AuditEvent, User
from divert.tenancy import OutsideAreaError, current_scope
from divert.widgets import GovSelect, GovSubmitInput, GovTextInput

PAGE_SIZE = 50

RECORD_TYPES = ["referral", "user", "contract", "area", "membership", "person"]


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    user = StringField("User's email address contains", widget=GovTextInput())
    area = SelectField("Area", widget=GovSelect(), default="")
    action = SelectField(
        "Action",
        widget=GovSelect(),
        default="",
        choices=options([("", "Any"), *sorted(words.ACTIONS.items(), key=lambda item: item[1])]),
        validate_choice=False,  # an action this list does not name yet can still be searched
    )
    record_type = SelectField(
        "Record type",
        widget=GovSelect(),
        default="",
        choices=options([("", "Any"), *((kind, kind.capitalize()) for kind in RECORD_TYPES)]),
    )
    record_id = IntegerField(
        "Record number",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=1, max=2**31 - 1, message="Record number must be a whole number"),
        ],
    )
    since = GovDateField("From", subject="from date")
    until = GovDateField("To", subject="to date")
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate_until(self, field: GovDateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("To date must be the same as or after the from date")


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    user_email: str | None
    area_name: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    # Each event's record by name (a referral's reference), keyed by (record type, id).
    record_names: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class EveryArea(enum.Enum):
    """The explicit marker of a search across every area's events (and those of no area)."""

    EVERY_AREA = "every area"


EVERY_AREA = EveryArea.EVERY_AREA


def _filtered(form: AuditSearchForm, where: Area | EveryArea) -> Select:
    """Events matching the form, in one area (a manager's) or, for an administrator, anywhere
    the form's area choice says."""
    actor = aliased(User)
    query = select(AuditEvent.id).outerjoin(actor, actor.id == AuditEvent.user_id)
    if isinstance(where, Area):
        query = query.where(AuditEvent.area_id == where.id)
    elif form.area.data:
        query = query.join(Area, Area.id == AuditEvent.area_id).where(Area.slug == form.area.data)
    if form.user.data:
        query = query.where(actor.email.ilike(f"%{form.user.data.strip()}%"))
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data.strip())
    if form.record_type.data:
        query = query.where(AuditEvent.record_type == form.record_type.data)
    if form.record_id.data:
        query = query.where(AuditEvent.record_id == form.record_id.data)
    if form.since.data:
        query = query.where(AuditEvent.at >= _start_of(form.since.data))
    if form.until.data:
        query = query.where(AuditEvent.at < _start_of(form.until.data + timedelta(days=1)))
    return query


def search(form: AuditSearchForm, page: int, where: Area | EveryArea) -> AuditPage:
    """One page of matching events with who and where, in two queries whatever the page size.

    `where` is an area, or EVERY_AREA, which only the administration scope can see (events
    are area-owned: anywhere else the search would quietly show a part of the trail).
    """
    if where is EVERY_AREA and not current_scope().unrestricted:
        raise OutsideAreaError("searching every area's audit trail needs the administration scope")
    matching = _filtered(form, where)
    total = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    ids = matching.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    rows = db.session.execute(
        select(AuditEvent, User.email, Area.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Area, Area.id == AuditEvent.area_id)
        .where(AuditEvent.id.in_(ids.scalar_subquery()))
        .order_by(AuditEvent.id.desc())
    ).all()
    found = [AuditRow(*row) for row in rows]
    return AuditPage(found, total, page, words.record_names(row.event for row in found))


def area_choices() -> list[tuple[str, str]]:
    areas = db.session.execute(select(Area.slug, Area.name).order_by(Area.name)).all()
    return [("", "Any area"), *((slug, name) for slug, name in areas)]


def page_url(page: int) -> str:
    """This search again, at another page."""
    return url_for(request.endpoint or "", **{**request.args.to_dict(), "page": page})
