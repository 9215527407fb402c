"""Searching the audit trail: by user, area, record and date, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import NumberRange, Optional, ValidationError

from divert.extensions import db
from divert.formfields import GovDateField
from divert.models import Area, AuditEvent, User
from divert.widgets import GovSelect, GovSubmitInput, GovTextInput

PAGE_SIZE = 50

RECORD_TYPES = ["referral", "user", "contract", "area", "membership", "person"]


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    user = StringField("User's email address contains", widget=GovTextInput())
    area = SelectField("Area", widget=GovSelect(), default="")
    action = StringField("Action", widget=GovTextInput(), description="For example, person_viewed")
    record_type = SelectField(
        "Record type",
        widget=GovSelect(),
        default="",
        choices=[("", "Any"), *((kind, kind.capitalize()) for kind in RECORD_TYPES)],
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

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(form: AuditSearchForm, area_id: int | None) -> Select:
    """Events matching the form; `area_id` pins a manager's search to their area."""
    actor = aliased(User)
    query = select(AuditEvent.id).outerjoin(actor, actor.id == AuditEvent.user_id)
    if area_id is not None:
        query = query.where(AuditEvent.area_id == area_id)
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


def search(form: AuditSearchForm, page: int, area_id: int | None = None) -> AuditPage:
    """One page of matching events with who and where, in two queries whatever the page size."""
    matching = _filtered(form, area_id)
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
    return AuditPage([AuditRow(*row) for row in rows], total, page)


def area_choices() -> list[tuple[str, str]]:
    areas = db.session.execute(select(Area.slug, Area.name).order_by(Area.name)).all()
    return [("", "Any area"), *((slug, name) for slug, name in areas)]


def page_url(page: int) -> str:
    """This search again, at another page."""
    return url_for(request.endpoint or "", **{**request.args.to_dict(), "page": page})
