"""The one place where records are kept to their area.

Every ORM statement that touches an AreaOwned model gets `area_id IN (<areas in scope>)` through
a `do_orm_execute` hook, and every new AreaOwned row is checked before flush. The scope is:

- in a request under `/<area-slug>/...`, the area of the URL, once the signed-in user is shown
  to hold a membership there (otherwise 404: the area's existence is not revealed);
- `area_scope(area)` in CLI jobs that work on one area;
- `regional_scope(region)`, only for divert.figures, which returns aggregates of a region;
- `system_scope()` for administration and jobs that span every area;
- otherwise nothing at all: a query outside any scope returns no tenant rows (fails closed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, current_app, g
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from werkzeug.local import LocalProxy

from divert.areas import cache as areas_cache
from divert.models import Area, AreaOwned, Region, Role


class OutsideAreaError(RuntimeError):
    """A write of an area's record outside that area's scope."""


@dataclass(frozen=True)
class Scope:
    """Which areas' rows are visible: a set of area ids, or None for every area."""

    area_ids: frozenset[int] | None

    @property
    def unrestricted(self) -> bool:
        return self.area_ids is None


NO_AREA = Scope(frozenset())
SYSTEM = Scope(None)

_scope: ContextVar[Scope] = ContextVar("divert_tenancy_scope", default=NO_AREA)


def current_scope() -> Scope:
    return _scope.get()


@contextmanager
def _scoped(scope: Scope) -> Iterator[None]:
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def area_scope(area: Area) -> Any:
    """Work inside one area (CLI jobs, tests, demo data)."""
    return _scoped(Scope(frozenset({area.id})))


def regional_scope(region: Region) -> Any:
    """Read every area of a region. Only divert.figures uses it, and returns aggregates only."""
    return _scoped(Scope(frozenset(area.id for area in region.areas)))


def system_scope() -> Any:
    """Every area: administration and jobs that span areas."""
    return _scoped(SYSTEM)


@event.listens_for(Session, "do_orm_execute")
def _limit_to_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current_scope()
    if scope.unrestricted:
        return
    area_ids = tuple(scope.area_ids or ())
    state.statement = state.statement.options(
        with_loader_criteria(
            AreaOwned,
            lambda cls: cls.area_id.in_(area_ids),
            include_aliases=True,
            track_closure_variables=True,
        )
    )


@event.listens_for(Session, "before_flush")
def _check_new_rows(session: Session, _flush_context: Any, _instances: Any) -> None:
    """New area rows take the scope's area; a row for an area outside the scope is refused."""
    scope = current_scope()
    for obj in session.new:
        if not isinstance(obj, AreaOwned):
            continue
        if scope.unrestricted:
            if obj.area_id is None:
                raise OutsideAreaError(f"{type(obj).__name__} has no area")
            continue
        if obj.area_id is None and len(scope.area_ids or ()) == 1:
            (obj.area_id,) = scope.area_ids  # type: ignore[misc]
        if obj.area_id not in (scope.area_ids or ()):
            raise OutsideAreaError(f"{type(obj).__name__} is outside the area in scope")


# -- requests ---------------------------------------------------------------------------------

current_area: Area = LocalProxy(lambda: g.area)  # type: ignore[assignment]

# What a slug can be; anything else (a NUL byte from %00, say) is 404 before it reaches SQL.
_SLUG = re.compile(r"[a-z0-9-]{1,64}\Z")


def _by_slug(model: type[Area] | type[Region], slug: str) -> Any:
    if not _SLUG.match(slug):
        return None
    return areas_cache.by_slug(model, slug)


def _token_opens(**place: int) -> bool:
    """An API token (divert.auth.tokens puts it in g) opens only the one area or region it was
    made for, whatever else its holder belongs to; a signed-in person is held to membership."""
    token = g.get("api_token")
    return token is None or all(getattr(token, key) == value for key, value in place.items())


def _resolve_area(slug: str) -> None:
    """Area pages: the URL's area, for a member only; anyone else gets 404."""
    g.area, g.role = None, None
    if not current_user.is_authenticated:
        return  # the view's permission decorator sends them to sign in
    area = _by_slug(Area, slug)
    role = current_user.role_in(area) if area and _token_opens(area_id=area.id) else None
    if role is None:
        abort(404)
    g.area, g.role = area, Role(role)
    g.tenant_slugs["area_slug"] = area.slug
    g.tenancy_token = _scope.set(Scope(frozenset({area.id})))


def _resolve_region(slug: str) -> None:
    """Regional pages: for the region's leads only; the scope stays empty (figures opt in)."""
    g.region = None
    if not current_user.is_authenticated:
        return
    region = _by_slug(Region, slug)
    if region is None or not current_user.leads(region) or not _token_opens(region_id=region.id):
        abort(404)
    g.region = region
    g.tenant_slugs["region_slug"] = region.slug


def _pop_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.area, g.role, g.region = None, None, None
    # The slugs, kept apart from the records: a commit expires those, and reading one back
    # for a link would cost a query.
    g.tenant_slugs = {}
    if not values:
        return
    if "area_slug" in values:
        _resolve_area(values.pop("area_slug"))
    if "region_slug" in values:
        _resolve_region(values.pop("region_slug"))


def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    """url_for() inside an area or region page links within it unless told otherwise."""
    url_map = current_app.url_map
    for key, slug in g.get("tenant_slugs", {}).items():
        if key not in values and url_map.is_endpoint_expecting(endpoint, key):
            values[key] = slug


def _reset_scope(_exc: BaseException | None) -> None:
    token: Token[Scope] | None = g.pop("tenancy_token", None)
    if token is not None:
        _scope.reset(token)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_pop_tenant)
    app.url_defaults(_add_tenant)
    app.teardown_request(_reset_scope)
