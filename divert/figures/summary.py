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

from sqlalchemy import (
    CompoundSelect,
    Date,
    String,
    and_,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

from divert.extensions import db
from divert.models import AgeGroup, Referral, ReferralMonthSummary, ReferralStatus
from divert.models.summary import ALL, ETHNICITY, GENDER, NOT_RECORDED, SUBSTANCE

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
KEYS = ("area_id", "month", "breakdown", "key")
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

Key = tuple[int, date, str, str]


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


def contribution(values: dict[str, Any]) -> tuple[list[Key], tuple[int, ...]]:
    """The summary rows a referral counts in (none once voided) and what it adds to each."""
    status = values["status"]
    if status == S.VOIDED:
        return [], ()
    attended = values["initial_attended_on"] is not None
    area_id, month = values["area_id"], month_of(values["received_on"])
    substance = values["main_substance_id"]
    keys = [
        (area_id, month, ALL, NOT_RECORDED),
        (area_id, month, SUBSTANCE, NOT_RECORDED if substance is None else str(substance)),
        (area_id, month, GENDER, values["gender"] or NOT_RECORDED),
        (area_id, month, ETHNICITY, values["ethnicity"] or NOT_RECORDED),
    ]
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
    return keys, tuple(int(flag) for flag in flags)


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
        keys, flags = contribution(values)
        for key in keys:
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


def totals(months: Iterable[date]) -> Iterator[tuple[Any, ...]]:
    """The summary of the given months for the areas in the tenancy scope, added up in the
    database: (area id, breakdown, key, month or None, *MEASURES). The ALL rows come per month;
    the breakdowns' rows come for the months together (month None)."""
    months = list(months)
    if not months:
        return
    table = ReferralMonthSummary
    per_month = case((table.breakdown == ALL, table.month))
    statement = (
        select(
            table.area_id,
            table.breakdown,
            table.key,
            per_month,
            *(func.sum(getattr(table, name)) for name in MEASURES),
        )
        .where(table.month.in_(months))
        .group_by(table.area_id, table.breakdown, table.key, per_month)
    )
    yield from db.session.execute(statement)


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


def from_scratch() -> CompoundSelect:
    """Every summary row worked out from the referrals themselves."""
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
    counts = (func.count(), *(func.count().filter(flag) for flag in flags))
    breakdowns = {
        SUBSTANCE: func.coalesce(cast(Referral.main_substance_id, String(40)), NOT_RECORDED),
        GENDER: func.coalesce(Referral.gender, NOT_RECORDED),
        ETHNICITY: func.coalesce(Referral.ethnicity, NOT_RECORDED),
    }
    month = month_start(Referral.received_on)
    counted = Referral.status != S.VOIDED
    totals = (
        select(Referral.area_id, month, literal(ALL), literal(NOT_RECORDED), *counts)
        .where(counted)
        .group_by(Referral.area_id, month)
    )
    return union_all(
        totals,
        *(
            select(Referral.area_id, month, literal(name), key, *counts)
            .where(counted)
            .group_by(Referral.area_id, month, key)
            for name, key in breakdowns.items()
        ),
    )


def rebuild() -> None:
    """Work the whole summary out again from every referral (after bulk loads that bypass the
    ORM): run it in divert.tenancy's system scope."""
    db.session.execute(delete(ReferralMonthSummary))
    table = ReferralMonthSummary.__table__
    db.session.execute(table.insert().from_select([*KEYS, *MEASURES], from_scratch()))
