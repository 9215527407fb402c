"""Areas and regions by slug, an area's region with the ids of its areas, and what an area's
configuration offers, kept in each process.

Every area page needs its area, every referral's repeat check its region and the region's
areas, and these change only through `flask tenants sync` and /admin: so each process keeps
their columns and hands each request its own copy, attached to the request's session without
a query. The same goes for plain values read from an area's programmes, reference lists and
members (the choices a form offers, say: `kept`, which divert.tenancy.kept_for_area keys by
the area in scope). A commit that changes any of them (CONFIGURATION) empties this process's
cache at once; other processes (gunicorn workers, the CLI) see it within MAX_AGE.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from divert.extensions import db
from divert.models import Area, Membership, Programme, Region, User
from divert.models.reference import ReferenceItem

MAX_AGE_SECONDS = 30.0

Place = TypeVar("Place", Area, Region)
Value = TypeVar("Value")
Record = TypeVar("Record")

# A record's column values as kept: (name, value) pairs.
Columns = tuple[tuple[str, Any], ...]


def columns_of(record: Any) -> Columns:
    """The record's column values, to keep and attach again (`attached`)."""
    return tuple(
        (attr.key, getattr(record, attr.key)) for attr in inspect(type(record)).column_attrs
    )


def attached(model: type[Record], columns: Columns) -> Record:
    """A record of kept column values in the current session, as if just loaded, without a
    query: the one the session holds already, if any (given these values if a commit expired
    it). Each request has its own copy, JSON values (dicts, lists) too, as they are mutable."""
    record = inspect(model).class_manager.new_instance()
    # Set as a load sets them (no change events: nothing to write), then marked as loaded.
    record.__dict__.update(
        (name, copy.deepcopy(value) if isinstance(value, dict | list) else value)
        for name, value in columns
    )
    make_transient_to_detached(record)
    held = db.session.identity_map.get(inspect(record).key)
    if held is None:
        db.session.add(record)
        return record
    if inspect(held).expired_attributes:  # held since before a commit: given these values
        return db.session.merge(record, load=False)
    return held


# (engine, model, slug) -> (when loaded, column values); per engine, as tests run several apps.
_loaded: dict[tuple[Any, type, str], tuple[float, Columns]] = {}


def by_slug(model: type[Place], slug: str) -> Place | None:
    """The area (or region) with this slug in the current session, or None."""
    key = (db.engine, model, slug)
    entry = _loaded.get(key)
    if entry is None or time.monotonic() - entry[0] > MAX_AGE_SECONDS:
        record = db.session.scalar(select(model).where(model.slug == slug))
        if record is None:
            return None  # unknown slugs are not kept: anyone can send any number of them
        _loaded[key] = (time.monotonic(), columns_of(record))
        return record
    return attached(model, entry[1])


# (engine, key) -> (when read, value): values made of the records below (CONFIGURATION).
_values: dict[tuple[Any, Hashable], tuple[float, Any]] = {}


def kept(key: Hashable, read: Callable[[], Value]) -> Value:
    """`read()`'s value for `key`, read again when older than MAX_AGE. The value must be plain
    and immutable (tuples of ids and labels, say), as every request shares it."""
    entry = _values.get((db.engine, key))
    if entry is None or time.monotonic() - entry[0] > MAX_AGE_SECONDS:
        entry = (time.monotonic(), read())
        _values[(db.engine, key)] = entry
    value: Value = entry[1]
    return value


def region_of(area: Area) -> Region:
    """The area's region (its columns) in the current session, without a query once kept."""

    return attached(Region, kept(("region", area.region_id), lambda: columns_of(area.region)))


def area_ids_in(region_id: int) -> frozenset[int]:
    """The ids of the region's areas."""

    def read() -> frozenset[int]:
        return frozenset(db.session.scalars(select(Area.id).where(Area.region_id == region_id)))

    return kept(("areas of region", region_id), read)


def forget() -> None:
    _loaded.clear()
    _values.clear()


# What the cache is made of: a change to any of them forgets it all. (A user changes at each
# sign-in: the cache is read again then, which is rare beside the pages it saves a query.)
CONFIGURATION = (Area, Region, Programme, ReferenceItem, Membership, User)


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(record, CONFIGURATION) for record in changed):
        session.info["divert_areas_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_after_change(session: Session) -> None:
    if session.info.pop("divert_areas_changed", False):
        forget()
