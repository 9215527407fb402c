"""The one place where records are kept to their area.

Every ORM statement that touches an AreaOwned model gets `area_id IN (<areas in scope>)` through
a `do_orm_execute` hook, and every new AreaOwned row is checked before flush. The scope is:

- in a request under `/<area-slug>/...`, the area of the URL, once the signed-in user is shown
  to hold a membership there (otherwise 404: the area's existence is not revealed);
- `area_scope(area)` in CLI jobs that work on one area;
- `regional_scope(region)`, for divert.figures, which returns aggregates of a region;
- `administration_scope()` for a global administrator's pages;
- `system_scope()` for jobs that span every area (never opened by a view);
- otherwise nothing at all: a query outside any scope returns no tenant rows (fails closed).

Bulk INSERT/UPDATE/DELETE through the ORM are held to the same scope, and PostgreSQL's
row-level security checks every statement again (see below). What must be read across areas
is read by one named function per purpose, here: `regional_earlier_referrals`,
`own_sessions_everywhere`, `invitation_by_secret_hash`, `api_token_by_secret_hash`, and the
`User.memberships` relationship (a person's own roles).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import psycopg
from flask import Flask, abort, current_app, g
from flask_login import current_user
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Executable,
    Row,
    Select,
    event,
    inspect,
    or_,
    select,
)
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    contains_eager,
    selectinload,
    with_loader_criteria,
)
from sqlalchemy.orm.util import LoaderCriteriaOption
from werkzeug.local import LocalProxy

from divert import area_cache
from divert.extensions import db
from divert.models import (
    ApiToken,
    Area,
    AreaInvitation,
    AreaOwned,
    DiarySession,
    Membership,
    Region,
    RegionalKeyHash,
    Role,
    User,
)

Value = TypeVar("Value")


class OutsideAreaError(RuntimeError):
    """Work on an area's records outside that area's scope (a write, or a read of every area
    that no administrator or job asked for)."""


@dataclass(frozen=True)
class Scope:
    """Which areas' rows are visible: a set of area ids, or None for every area."""

    area_ids: frozenset[int] | None

    @property
    def unrestricted(self) -> bool:
        return self.area_ids is None

    @cached_property
    def database_setting(self) -> str:
        """The scope as PostgreSQL's policies read it (migrations/row_security.py)."""
        if self.area_ids is None:
            return ALL_AREAS_SETTING
        return ",".join(str(area_id) for area_id in sorted(self.area_ids))


ALL_AREAS_SETTING = "all"
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


def area_scope(area: Area | int) -> Any:
    """Work inside one area, given as a record or by its id (CLI jobs, tests, demo data, and
    the monthly summary, which works out an area's months again when its records change)."""
    return _scoped(Scope(frozenset({area if isinstance(area, int) else area.id})))


def regional_scope(region: Region) -> Any:
    """Read every area of a region: divert.figures, which returns aggregates only, and
    `regional_earlier_referrals` below, which returns an area's name and a date."""
    return _scoped(Scope(frozenset(area.id for area in region.areas)))


def system_scope() -> Any:
    """Every area: jobs that span areas (CLI, sync, demo). Views never open it: administration
    pages use `administration_scope`, and each read across areas has its function below."""
    return _scoped(SYSTEM)


@contextmanager
def administration_scope() -> Iterator[None]:
    """Every area, for the administration pages of a global administrator (the admin views
    check the permission first; this refuses anyone else again rather than trust it)."""
    if not (current_user.is_authenticated and current_user.is_admin):
        raise OutsideAreaError("only administrators work across every area")
    with _scoped(SYSTEM):
        yield


# -- reads across areas: one function for each purpose ----------------------------------------


def with_own_memberships(statement: Select[Any]) -> Row[Any] | None:
    """The first row of `statement`, which loads a signed-in user, with that user's own
    memberships joined into the same statement: the one read of Membership across areas (see
    `_own_memberships_of`), made with the user so that a page costs one query for both. The
    statement must read no other area-owned table.

    Joined by hand with contains_eager, not joinedload: the options of the query that loaded an
    object are used again when it is refreshed after a commit, and a joinedload would then read
    the memberships inside that moment's scope; contains_eager is not carried over, so they are
    read again by `_own_memberships_of`'s lazy load."""
    with _scoped(SYSTEM):
        joined = statement.outerjoin(Membership, Membership.user_id == User.id)
        result = db.session.execute(joined.options(contains_eager(User.memberships)))
        return result.unique().first()


def regional_earlier_referrals(
    area: Area, key_hashes: Collection[str], since: date
) -> list[tuple[str, date]]:
    """Earlier referrals in the other areas of `area`'s region whose published key hashes
    match: each one's area name and referral date, nothing else (divert.referrals.repeats).
    The region's areas come from the process's cache: every submission asks."""
    with _scoped(Scope(area_cache.area_ids_in(area.region_id))):
        rows = db.session.execute(
            select(Area.name, RegionalKeyHash.referral_on)
            .join(Area, Area.id == RegionalKeyHash.area_id)
            .where(
                RegionalKeyHash.region_id == area.region_id,
                RegionalKeyHash.area_id != area.id,
                RegionalKeyHash.referral_on >= since,
                RegionalKeyHash.key_hash.in_(key_hashes),
            )
            .distinct()
            .order_by(RegionalKeyHash.referral_on.desc())
        ).all()
    return [(name, on) for name, on in rows]


def own_sessions_everywhere(
    educator: User, since: datetime, roles: Collection[Role]
) -> list[DiarySession]:
    """An educator's own sessions from `since`, not cancelled, in every area where they are
    still an active member in one of `roles`, venues and programmes loaded: their calendar
    feed, opened by its secret link."""
    areas = frozenset(m.area_id for m in educator.memberships if m.active and m.role in roles)
    with _scoped(Scope(areas)):
        return list(
            db.session.scalars(
                select(DiarySession)
                .where(
                    DiarySession.educator_id == educator.id,
                    DiarySession.cancelled_at.is_(None),
                    DiarySession.starts_at >= since,
                )
                .options(selectinload(DiarySession.venue), selectinload(DiarySession.programme))
                .order_by(DiarySession.starts_at)
            )
        )


def invitation_by_secret_hash(secret_hash: str) -> AreaInvitation | None:
    """The invitation to an area whose emailed link has this secret: its holder opens it
    before they have any role in that area (divert.area_users.members checks it is theirs)."""
    with _scoped(SYSTEM):
        return db.session.scalar(
            select(AreaInvitation).where(AreaInvitation.secret_hash == secret_hash)
        )


def api_token_by_secret_hash(secret_hash: str) -> ApiToken | None:
    """The API token with this secret, read when a request comes in, before any area is in
    scope: it decides which area (or region) the request may open (`_token_opens` below)."""
    with _scoped(SYSTEM):
        return db.session.scalar(select(ApiToken).where(ApiToken.secret_hash == secret_hash))


def kept_for_area(area_id: int, name: str, read: Callable[[], Value]) -> Value:
    """What `read()` returns for the area `area_id`, kept in the process (divert.area_cache.kept)
    when that area is the one in scope: for plain values made of the area's configuration, such
    as the choices of its reference lists. In any other scope it is read afresh (and kept for
    nobody), so no request is handed another area's values, nor keeps its own for another."""
    if current_scope().area_ids != frozenset({area_id}):
        return read()
    return area_cache.kept((name, area_id), read)


@cache
def _area_tables() -> frozenset[str]:
    """The tables of every AreaOwned model (divert.models imports every model first)."""
    return frozenset(
        mapper.local_table.name
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, AreaOwned)
    )


def _written_area_ids(state: ORMExecuteState) -> list[Any]:
    """The area of each row an INSERT would store, or an UPDATE would move rows to.

    Values come from `.values(...)` and from the execution parameters (one dict, or a list of
    them for executemany); an INSERT that names no area yields None, which no scope holds, and so
    does an area given as a SQL expression or a multi-row VALUES, which cannot be checked here.
    """
    statement = state.statement
    if getattr(statement, "_multi_values", ()) or getattr(statement, "select", None) is not None:
        return [None]
    given = {
        getattr(column, "key", column): getattr(value, "value", None)
        for column, value in (statement._values or {}).items()
    }
    parameters = state.parameters
    rows = parameters if isinstance(parameters, list) else [parameters or {}]
    written = [{**given, **row} for row in rows]
    if state.is_insert:
        return [row.get("area_id") for row in written]
    return [row["area_id"] for row in written if "area_id" in row]


def _check_bulk_write(state: ORMExecuteState, scope: Scope) -> None:
    """Bulk INSERT/UPDATE/DELETE of an area's table, outside the system scope, must stay inside
    the scope: the loader criteria below narrow UPDATE and DELETE, but an INSERT carries no
    criteria and an UPDATE may set `area_id`, so their rows are checked here; a Core statement
    on the bare table would escape the criteria, so it is refused."""
    if scope.unrestricted or state.statement.table.name not in _area_tables():
        return
    if not state.is_orm_statement:
        raise OutsideAreaError(f"a Core write to {state.statement.table.name} needs system_scope()")
    if state.is_delete:
        return
    if any(area_id not in (scope.area_ids or ()) for area_id in _written_area_ids(state)):
        raise OutsideAreaError(f"a bulk write to {state.statement.table.name} is outside the scope")


_OWN_MEMBERSHIPS = User.memberships.property


def _own_memberships_of(state: ORMExecuteState) -> int | None:
    """The user whose `User.memberships` this lazy load reads: a person's own roles in every
    area, the one read of Membership across areas (the areas they may open are not known
    before it). Eager loads of it (joined, selectin) get no exception: they stay in scope."""
    if not (state.is_select and state.is_relationship_load):
        return None
    path, parent = state.loader_strategy_path, state.lazy_loaded_from
    if getattr(path, "prop", None) is not _OWN_MEMBERSHIPS or parent is None:
        return None
    return parent.identity[0] if parent.identity else None


def _in_areas(model: type[AreaOwned], area_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """The rows of `model` a scope of these areas sees (see AreaOwned)."""
    in_areas = model.area_id.in_(area_ids)
    return or_(in_areas, model.area_id.is_(None)) if model.no_area_seen_everywhere else in_areas


@event.listens_for(Session, "do_orm_execute")
def _limit_to_scope(state: ORMExecuteState) -> Any:
    scope = current_scope()
    if state.is_insert or state.is_update or state.is_delete:
        _check_bulk_write(state, scope)
    if not (state.is_select or state.is_update or state.is_delete):
        return None
    if scope.unrestricted:
        return None
    user_id = _own_memberships_of(state)
    if user_id is not None:
        # A fresh statement: the lazy load's own carries the criteria of its parent's query.
        with _scoped(SYSTEM):
            return state.session.execute(select(Membership).where(Membership.user_id == user_id))
    state.statement = _with_criteria(state.statement, tuple(sorted(scope.area_ids or ())))
    return None


@cache
def _criteria(area_ids: tuple[int, ...]) -> LoaderCriteriaOption:
    """The loader criteria of a scope of these areas, made once for each set of areas."""
    return with_loader_criteria(
        AreaOwned,
        lambda cls: _in_areas(cls, area_ids),
        include_aliases=True,
        track_closure_variables=True,
    )


# The copy of each statement with the criteria of a set of areas, for as long as the statement
# lives: one executed again (divert.figures builds each of its statements once) is given the
# same copy, whose cache key SQLAlchemy has worked out already, rather than a new copy to
# traverse again at every execution.
_SCOPED: WeakKeyDictionary[Executable, dict[tuple[int, ...], Executable]] = WeakKeyDictionary()


def _with_criteria(statement: Executable, area_ids: tuple[int, ...]) -> Executable:
    copies = _SCOPED.get(statement)
    if copies is None:
        copies = _SCOPED[statement] = {}
    scoped = copies.get(area_ids)
    if scoped is None:
        scoped = copies[area_ids] = statement.options(_criteria(area_ids))
    return scoped


@event.listens_for(Session, "before_flush")
def _check_new_rows(session: Session, _flush_context: Any, _instances: Any) -> None:
    """New area rows take the scope's area; a row for an area outside the scope is refused, and
    so is a row moved to another area. A row that may have no area (`area_optional`) and has
    none is no area's, and may be written in any scope."""
    scope = current_scope()
    for obj in session.new:
        if not isinstance(obj, AreaOwned):
            continue
        if obj.area_id is None and isinstance(getattr(obj, "area", None), Area):
            obj.area_id = obj.area.id  # given as Membership(area=...): the key is set at flush
        if obj.area_id is None and obj.area_optional:
            continue
        if scope.unrestricted:
            if obj.area_id is None:
                raise OutsideAreaError(f"{type(obj).__name__} has no area")
            continue
        if obj.area_id is None and len(scope.area_ids or ()) == 1:
            (obj.area_id,) = scope.area_ids  # type: ignore[misc]
        if obj.area_id not in (scope.area_ids or ()):
            raise OutsideAreaError(f"{type(obj).__name__} is outside the area in scope")
    if scope.unrestricted:
        return
    for obj in session.dirty:
        if isinstance(obj, AreaOwned) and inspect(obj).attrs.area_id.history.has_changes():
            raise OutsideAreaError(f"{type(obj).__name__} cannot move to another area")


# -- the database's own check: PostgreSQL row-level security -----------------------------------
#
# Every area-owned table has a forced policy (migrations/row_security.py) that lets a statement
# see and write only the rows of the areas in `divert.area_ids`. It is set with
# set_config(..., true), which lasts until the transaction ends, before the first statement of
# each transaction and again whenever the scope has changed since (a request reads its user
# before its area is known, say). The application's role owns no table, so the policies bind
# it, also for SQL that never passes through the ORM hooks above.

_APPLIED = "divert_area_ids"  # in Connection.info: what this transaction's setting holds


@event.listens_for(Engine, "begin")
def _forget_setting(connection: Connection) -> None:
    connection.info.pop(_APPLIED, None)


@event.listens_for(Engine, "rollback_savepoint")
def _forget_undone_setting(connection: Connection, _name: str, _context: Any) -> None:
    connection.info.pop(_APPLIED, None)  # a rolled-back savepoint undoes a set_config in it


@event.listens_for(Engine, "before_cursor_execute")
def _set_areas_in_database(connection: Connection, cursor: Any, *_statement: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    wanted = current_scope().database_setting
    if connection.info.get(_APPLIED) == wanted:
        return
    raw = cursor.connection
    # psycopg's own BEGIN is taken over only where it would send a plain one: not in autocommit
    # (no transaction to open) nor with an isolation level (its BEGIN names it).
    opens = not raw.autocommit and raw.isolation_level is None
    if opens and raw.info.transaction_status is TransactionStatus.IDLE:
        _begin_with_setting(raw, wanted)
    else:
        with raw.cursor() as setter:
            setter.execute("SELECT set_config('divert.area_ids', %s, true)", (wanted,))
    connection.info[_APPLIED] = wanted


_SETTING = re.compile(r"(?:all|[0-9,]*)\Z")


def _begin_with_setting(raw: psycopg.Connection[Any], wanted: str) -> None:
    """Open the transaction and set its areas in one round trip: psycopg would send its BEGIN
    alone before the first statement. Sent as one simple query (which takes no parameters, so
    the setting, ids and commas or 'all', is checked and written in); psycopg reads the server's
    transaction status and so sends no BEGIN of its own after it."""
    if not _SETTING.match(wanted):
        raise OutsideAreaError(f"not an areas setting: {wanted!r}")
    command = f"BEGIN; SELECT set_config('divert.area_ids', '{wanted}', true)"
    result = raw.pgconn.exec_(command.encode())
    if result.status != ExecStatus.TUPLES_OK:
        message = result.get_error_message() or raw.pgconn.get_error_message()
        raise psycopg.OperationalError(f"setting the areas failed: {message!r}")


# -- requests ---------------------------------------------------------------------------------

current_area: Area = LocalProxy(lambda: g.area)  # type: ignore[assignment]

# What a slug can be; anything else (a NUL byte from %00, say) is 404 before it reaches SQL.
_SLUG = re.compile(r"[a-z0-9-]{1,64}\Z")


def _by_slug(model: type[Area] | type[Region], slug: str) -> Any:
    if not _SLUG.match(slug):
        return None
    return area_cache.by_slug(model, slug)


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
