"""The monthly summary of referrals (divert.models.ReferralMonthSummary): kept in step with the
referrals in the same transaction, and read by the figures instead of the referrals.

Every flush that adds, changes or deletes referrals works out, for each one, the summary row
it counted in before and the one it counts in now, and adds the difference to those rows with
an atomic upsert (`count = count + delta`), so concurrent transactions never lose a count.
Writes that bypass the ORM (the demo builder's bulk loads) call `rebuild()` afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Select, and_, delete, event, func, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

from divert.extensions import db
from divert.models import AgeGroup, Referral, ReferralMonthSummary, ReferralStatus
from divert.models.summary import NO_SUBSTANCE, NOT_RECORDED

S = ReferralStatus
IN_PROGRESS = (S.SUBMITTED, S.BOOKED, S.ATTENDED, S.DID_NOT_ATTEND)

# The counts of a summary row, in the order of divert.figures.counts.Counts.SCALARS.
MEASURES = (
    "referrals",
    "attended",
    "not_engaged",
    "repeats",
    "completed",
    "ineligible",
    "withdrawn",
    "in_progress",
    "under_18",
    "adult",
)
KEYS = ("area_id", "month", "main_substance_id", "gender", "ethnicity")
# The referral's columns a summary row depends on.
COUNTED = (
    "area_id",
    "received_on",
    "status",
    "initial_attended_on",
    "is_repeat",
    "age_group",
    "gender",
    "ethnicity",
    "main_substance_id",
)

Key = tuple[int, date, int, str, str]


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def split(start: date, end: date) -> tuple[list[date], list[tuple[date, date]]]:
    """The whole months between two dates (inclusive), and the parts of months at either end
    that are not whole: those few days are counted from the referrals themselves."""
    whole, parts = [], []
    first = month_of(start)
    while first <= end:
        last = _next_month(first) - timedelta(days=1)
        if start <= first and last <= end:
            whole.append(first)
        else:
            parts.append((max(first, start), min(last, end)))
        first = _next_month(first)
    return whole, parts


def contribution(values: dict[str, Any]) -> tuple[Key, tuple[int, ...]] | None:
    """The summary row a referral counts in and what it adds to it (None: it counts nowhere)."""
    status = values["status"]
    if status == S.VOIDED:
        return None
    attended = values["initial_attended_on"] is not None
    key = (
        values["area_id"],
        month_of(values["received_on"]),
        values["main_substance_id"] or NO_SUBSTANCE,
        values["gender"] or NOT_RECORDED,
        values["ethnicity"] or NOT_RECORDED,
    )
    flags = (
        True,
        attended,
        status == S.NOT_ENGAGED and not attended,
        bool(values["is_repeat"]),
        status == S.COMPLETED,
        status == S.INELIGIBLE,
        status == S.WITHDRAWN,
        status in IN_PROGRESS,
        values["age_group"] == AgeGroup.UNDER_18,
        values["age_group"] == AgeGroup.ADULT,
    )
    return key, tuple(int(flag) for flag in flags)


def _current(referral: Referral) -> dict[str, Any]:
    return {name: getattr(referral, name) for name in COUNTED}


def _before(session: Session, referral: Referral) -> dict[str, Any]:
    """The counted columns as the database holds them before this flush: from the attributes'
    history, or, when a column was set without its earlier value being loaded, from the row."""
    attrs = inspect(referral).attrs
    values = {}
    for name in COUNTED:
        history = attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.unchanged:
            values[name] = history.unchanged[0]
        else:
            table = Referral.__table__
            row = session.connection().execute(
                select(*(table.c[column] for column in COUNTED)).where(table.c.id == referral.id)
            )
            return dict(row.mappings().one())
    return values


class _Deltas(defaultdict[Key, list[int]]):
    def __init__(self) -> None:
        super().__init__(lambda: [0] * len(MEASURES))

    def add(self, values: dict[str, Any], sign: int) -> None:
        counted = contribution(values)
        if counted is not None:
            key, flags = counted
            row = self[key]
            for index, flag in enumerate(flags):
                row[index] += sign * flag


def _apply(connection: Connection, deltas: _Deltas) -> None:
    rows = [
        {**dict(zip(KEYS, key, strict=True)), **dict(zip(MEASURES, counts, strict=True))}
        for key, counts in sorted(deltas.items())  # one order for all: no deadlocks
        if any(counts)
    ]
    if not rows:
        return
    table = ReferralMonthSummary.__table__
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEYS),
        set_={name: table.c[name] + statement.excluded[name] for name in MEASURES},
    )
    connection.execute(statement)


@event.listens_for(Session, "before_flush")
def _note_earlier_values(session: Session, _context: Any, _instances: Any) -> None:
    """What changed and deleted referrals counted in: after the flush it cannot be read."""
    earlier = [
        (obj, _before(session, obj))
        for obj in (*session.dirty, *session.deleted)
        if isinstance(obj, Referral) and (obj in session.deleted or session.is_modified(obj))
    ]
    if earlier:
        session.info.setdefault("divert_summary_earlier", []).extend(earlier)


@event.listens_for(Session, "after_flush")
def _keep_in_step(session: Session, _context: Any) -> None:
    deltas = _Deltas()
    for obj, values in session.info.pop("divert_summary_earlier", []):
        deltas.add(values, -1)
        if obj not in session.deleted:
            deltas.add(_current(obj), +1)
    for obj in session.new:
        if isinstance(obj, Referral):
            deltas.add(_current(obj), +1)
    if deltas:
        _apply(session.connection(), deltas)


@event.listens_for(Session, "after_soft_rollback")
def _forget_failed_flush(session: Session, _previous: Any) -> None:
    session.info.pop("divert_summary_earlier", None)


# -- reading and rebuilding ------------------------------------------------------------------


def rows(months: Iterable[date]) -> Iterator[tuple[Any, ...]]:
    """(area id, month, substance id or None, gender or None, ethnicity or None, *MEASURES) of
    the given months, for the areas in the tenancy scope."""
    months = list(months)
    if not months:
        return
    table = ReferralMonthSummary
    statement = select(*(getattr(table, name) for name in (*KEYS, *MEASURES))).where(
        table.month.in_(months)
    )
    for area_id, month, substance_id, gender, ethnicity, *counts in db.session.execute(statement):
        yield (area_id, month, substance_id or None, gender or None, ethnicity or None, *counts)


class month_start(GenericFunction[Date]):  # named as SQL functions are
    """The first day of a date's month: one cheap key to group by (EXTRACT gives numerics)."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: month_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element: month_start, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def from_scratch() -> Select:
    """Every summary row worked out from the referrals themselves."""
    keys = (
        Referral.area_id,
        month_start(Referral.received_on),
        func.coalesce(Referral.main_substance_id, literal(NO_SUBSTANCE)),
        func.coalesce(Referral.gender, literal(NOT_RECORDED)),
        func.coalesce(Referral.ethnicity, literal(NOT_RECORDED)),
    )
    attended = Referral.initial_attended_on.is_not(None)
    flags = (
        attended,
        and_(Referral.status == S.NOT_ENGAGED, Referral.initial_attended_on.is_(None)),
        Referral.is_repeat,
        Referral.status == S.COMPLETED,
        Referral.status == S.INELIGIBLE,
        Referral.status == S.WITHDRAWN,
        Referral.status.in_(IN_PROGRESS),
        Referral.age_group == AgeGroup.UNDER_18,
        Referral.age_group == AgeGroup.ADULT,
    )
    return (
        select(*keys, func.count(), *(func.count().filter(flag) for flag in flags))
        .where(Referral.status != S.VOIDED)
        .group_by(*keys)
    )


def rebuild() -> None:
    """Work the whole summary out again from every referral (after bulk loads that bypass the
    ORM): run it in divert.tenancy's system scope."""
    db.session.execute(delete(ReferralMonthSummary))
    table = ReferralMonthSummary.__table__
    db.session.execute(table.insert().from_select([*KEYS, *MEASURES], from_scratch()))
