"""Areas and regions by slug, an area's region and a region's areas, kept in each web process.

Every area page needs its area, every referral's repeat check its region and the region's
areas, and these change only through `flask tenants sync` and /admin: so each process keeps
their columns and hands each request its own copy, attached to the request's session without a
query. A commit that changes an area or a region empties this process's cache at once; other
processes (gunicorn workers, the CLI) see it within MAX_AGE.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from divert.extensions import db
from divert.models import Area, Region

MAX_AGE_SECONDS = 30.0

Place = TypeVar("Place", Area, Region)

# (engine, what, which) -> (when loaded, what was kept); per engine, as tests run several apps.
_loaded: dict[tuple[Any, Any, Any], tuple[float, Any]] = {}


def _kept(what: Any, which: Any, load: Callable[[], Any]) -> tuple[bool, Any]:
    """(whether it was kept already, what `load` gave): loaded again once MAX_AGE has passed;
    None (not found) is not kept, as anyone can send any number of unknown slugs."""
    key = (db.engine, what, which)
    entry = _loaded.get(key)
    if entry is not None and time.monotonic() - entry[0] <= MAX_AGE_SECONDS:
        return True, entry[1]
    found = load()
    if found is not None:
        _loaded[key] = (time.monotonic(), found)
    return False, found


def _columns(record: Area | Region) -> dict[str, Any]:
    return {attr.key: getattr(record, attr.key) for attr in inspect(type(record)).column_attrs}


def _attached(model: type[Place], values: dict[str, Any]) -> Place:
    """A copy per request (the JSON settings are mutable), attached as if just loaded."""
    record = model(**copy.deepcopy(values))
    make_transient_to_detached(record)
    return db.session.merge(record, load=False)


def by_slug(model: type[Place], slug: str) -> Place | None:
    """The area (or region) with this slug in the current session, or None."""
    loaded: list[Place] = []

    def load() -> dict[str, Any] | None:
        loaded.extend(db.session.scalars(select(model).where(model.slug == slug)))
        return _columns(loaded[0]) if loaded else None

    kept, values = _kept(model, slug, load)
    if not kept:
        return loaded[0] if loaded else None
    return _attached(model, values)


def region_of(area: Area) -> Region:
    """The area's region in the current session (its columns only)."""
    kept, values = _kept(Region, area.region_id, lambda: _columns(area.region))
    return _attached(Region, values) if kept else area.region


def area_ids_in(region_id: int) -> frozenset[int]:
    """The ids of the region's areas."""
    return _kept(
        "areas of",
        region_id,
        lambda: frozenset(db.session.scalars(select(Area.id).where(Area.region_id == region_id))),
    )[1]


def forget() -> None:
    _loaded.clear()


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(record, Area | Region) for record in changed):
        session.info["divert_areas_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_after_change(session: Session) -> None:
    if session.info.pop("divert_areas_changed", False):
        forget()
