"""Choosing a referral's programme by age and disposal, and the deadline a disposal sets."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from divert import area_cache
from divert.extensions import db
from divert.models import DISPOSAL_LABELS, Area, Disposal, PathwayStep, Programme
from divert.refusals import Refusal
from divert.tenancy import kept_for_area


class ProgrammeRefusal(Refusal):
    """No programme (or more than one) fits; `field` names the input at fault."""

    default_code = "no_programme"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(field, message)


_LOADED = "divert_area_programmes"  # in Session.info: {area id: its programmes, in order}
_CHANGED = "divert_programmes_changed"  # in Session.info: this transaction wrote a programme


def area_programmes(area: Area, *, active_only: bool = True) -> list[Programme]:
    """The area's programmes in their order, once per transaction: their columns are kept in
    the process (divert.area_cache: programmes change only through `tenants sync` and /admin,
    and every referral asks), attached to the session without a query; a transaction that
    changes programmes reads its own."""
    loaded = db.session.info.setdefault(_LOADED, {})
    changing = any(
        isinstance(record, Programme)
        for record in chain(db.session.new, db.session.dirty, db.session.deleted)
    )
    if changing:
        loaded.clear()  # not flushed yet: the query's autoflush will write it
    if area.id not in loaded:
        if changing or db.session.info.get(_CHANGED):
            kept = _programme_columns(area)
        else:
            kept = kept_for_area(area.id, "programmes", lambda: _programme_columns(area))
        loaded[area.id] = [area_cache.attached(Programme, columns) for columns in kept]
    return [p for p in loaded[area.id] if p.active or not active_only]


def _programme_columns(area: Area) -> tuple[area_cache.Columns, ...]:
    programmes = db.session.scalars(
        select(Programme)
        .where(Programme.area_id == area.id)
        .order_by(Programme.position, Programme.id)
    )
    return tuple(area_cache.columns_of(p) for p in programmes)


@event.listens_for(Session, "before_flush")
def _forget_changed(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(record, Programme) for record in changed):
        session.info.pop(_LOADED, None)
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_read(session: Session, transaction: Any) -> None:
    session.info.pop(_LOADED, None)
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


def referral_programmes(area: Area) -> list[Programme]:
    """The area's active programmes that people are referred to (CARS, whose people are seen
    in custody instead, has its own pages: divert/custody)."""
    return [p for p in area_programmes(area) if not p.has(PathwayStep.CUSTODY_CONTACT)]


def by_id(area: Area, programme_id: int | None) -> Programme | None:
    """One of the area's programmes, or None (an id from another area finds nothing)."""
    if programme_id is None:
        return None
    return next((p for p in area_programmes(area, active_only=False) if p.id == programme_id), None)


def offered_disposals(area: Area) -> list[Disposal]:
    """The disposals some active programme of the area goes with, in the enum's order: kept in
    the process, as programmes change only through `tenants sync` and /admin (every referral
    form asks)."""

    def read() -> tuple[Disposal, ...]:
        offered = {d for p in area_programmes(area) for d in p.disposals}
        return tuple(d for d in Disposal if d.value in offered)

    return list(kept_for_area(area.id, "offered_disposals", read))


def fitting(area: Area, age: int, disposal: str) -> list[Programme]:
    return [p for p in area_programmes(area) if p.fits(age, disposal)]


def choose(area: Area, age: int, disposal: str, programme_id: int | None = None) -> Programme:
    """The programme for someone of `age` given `disposal`: the only one that fits, or the one
    chosen among several. Raises ProgrammeRefusal naming the field at fault."""
    candidates = fitting(area, age, disposal)
    if not candidates:
        label = DISPOSAL_LABELS.get(Disposal(disposal), disposal).lower()
        raise ProgrammeRefusal(
            f"{area.name} has no programme for someone aged {age} with a {label}",
            "date_of_birth",
        )
    if programme_id is not None:
        chosen = next((p for p in candidates if p.id == programme_id), None)
        if chosen is None:
            raise ProgrammeRefusal(
                "That programme is not open to them: choose one of those listed", "programme"
            )
        return chosen
    if len(candidates) > 1:
        raise ProgrammeRefusal("Choose the programme to refer them to", "programme")
    return candidates[0]


def deadline(programme: Programme, disposal_on: date | None) -> date | None:
    """The day the programme must be completed by, where the disposal sets one."""
    if programme.deadline_days is None or disposal_on is None:
        return None
    return disposal_on + timedelta(days=programme.deadline_days)
