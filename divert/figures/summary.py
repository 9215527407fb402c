"""Keeping the monthly summary (divert.models.MonthlySummary) in step with the records.

Every flush notes the (area, month) of each referral it changed (the month it was received in,
before and after the change) and of each booking's referral; before the transaction commits,
each noted month's rows are worked out again from that month's records, with the same counting
expressions as the dashboard's (divert.figures.counts), and replaced: whatever the change
(attendance, a status change, a void, a completion), the month's rows are what the records say
once the transaction is done.

A referral the transaction created, and did nothing else to in a month it changed otherwise,
adds its own counts instead: the same expressions over its row alone, added to its group's row
(or written as a new row). This is the busiest write of all (every submission), and it costs
neither a count of the whole month nor the rewriting of its rows; the summary tests compare
every month with one worked out from scratch after each kind of change.

Concurrent transactions on PostgreSQL take a lock per (area, month) before writing its rows, so
the later one reads what the earlier committed (READ COMMITTED: each statement sees every commit
made before it began), and the rows are always those of the committed records when a
transaction takes the lock. SQLite has one writer at a time.

Writes that bypass the ORM's unit of work (the demo builder's bulk inserts) call `rebuild`.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    event,
    exists,
    func,
    insert,
    inspect,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy.orm import Session

from divert.extensions import db
from divert.figures.counts import Counts, month_start, referral_counts, session_counts
from divert.figures.periods import month_end, month_of
from divert.models import Booking, BookingStatus, MonthlySummary, Referral, ReferralStatus
from divert.tenancy import area_scope

_MONTHS = "divert_summary_months"  # in Session.info: {(area_id, first day of month)}
_ADDED = "divert_summary_added"  # in Session.info: [referrals created in this transaction]
_LOCK_SPACE = 0x5E << 40  # advisory lock keys of this module: space | area << 20 | month


def keep_in_step() -> None:
    """Keep the summary in step with every session's commits (once per process). Registered
    after divert.tenancy's own before_flush, which gives new rows their area first."""
    for name, listener in (
        ("before_flush", _note_written),
        ("before_commit", _recompute_noted),
        ("after_transaction_end", _forget_undone),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _values(record: Any, name: str) -> set[Any]:
    """A column's value before and after this flush's change (both, when it changed); loaded
    if it was expired, so that a change to another column still finds the record's month."""
    history = inspect(record).attrs[name].load_history()
    return {value for value in chain(history.added, history.unchanged, history.deleted)}


def _note_written(session: Session, _context: Any, _instances: Any) -> None:
    months: set[tuple[int, date]] = session.info.setdefault(_MONTHS, set())
    added: list[Referral] = session.info.setdefault(_ADDED, [])
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Referral) and record in session.new:
            added.append(record)
            continue
        if isinstance(record, Booking):
            with area_scope(record.area_id):  # its referral, whatever scope the flush is in
                record = record.referral
        if isinstance(record, Referral):
            for area_id in _values(record, "area_id"):
                months |= {(area_id, month_of(day)) for day in _values(record, "received_on")}


def _recompute_noted(session: Session) -> None:
    session.flush()  # changes not flushed yet are noted too (no SQL when there are none)
    months = session.info.pop(_MONTHS, set())
    for area_id, month in sorted(months):
        recompute(session, area_id, month)
    # New referrals of a month not recomputed above (still stored: not undone by a savepoint).
    added: dict[tuple[int, date], list[int]] = {}
    for made in session.info.pop(_ADDED, ()):
        if inspect(made).persistent:
            key = (made.area_id, month_of(made.received_on))
            if key not in months:
                added.setdefault(key, []).append(made.id)
    for (area_id, month), referral_ids in sorted(added.items()):
        add_referrals(session, area_id, month, referral_ids)


def _forget_undone(session: Session, transaction: Any) -> None:
    """What a rolled-back transaction wrote is gone, and so is the need to count it."""
    if transaction.parent is None:
        session.info.pop(_MONTHS, None)
        session.info.pop(_ADDED, None)


# What a referral group's row is keyed by (a session-content group's by its onward service).
REFERRAL_KEYS = (
    Referral.programme_id,
    Referral.main_substance_id,
    Referral.gender,
    Referral.ethnicity,
)


def _month_groups(area_id: int, month: date) -> Any:
    """The month's rows from the records: referral groups, then session-content groups."""
    received = and_(
        Referral.area_id == area_id,
        Referral.received_on.between(month, month_end(month)),
        Referral.status != ReferralStatus.VOIDED,
    )
    zero = literal_column("0")
    referrals = (
        select(*REFERRAL_KEYS, null(), *referral_counts(), zero, zero)
        .where(received)
        .group_by(*REFERRAL_KEYS)
    )
    sessions = (
        select(
            Referral.programme_id,
            null(),
            null(),
            null(),
            Booking.onward_service_id,
            *(zero for _ in Counts.SCALARS),
            *session_counts(),
        )
        .join(Referral, Referral.id == Booking.referral_id)
        .where(received, Booking.status == BookingStatus.ATTENDED)
        .group_by(Referral.programme_id, Booking.onward_service_id)
    )
    return referrals.union_all(sessions)


COLUMNS = (
    "programme_id",
    "main_substance_id",
    "gender",
    "ethnicity",
    "onward_service_id",
    *Counts.SCALARS,
    "naloxone_kits",
    "onward",
)


def recompute(session: Session, area_id: int, month: date) -> None:
    """Replace an (area, month)'s summary rows with what its records say now."""
    with area_scope(area_id):
        _lock_month(session, area_id, month)
        session.execute(
            delete(MonthlySummary).where(
                MonthlySummary.area_id == area_id, MonthlySummary.month == month
            )
        )
        rows = [
            {"area_id": area_id, "month": month, **dict(zip(COLUMNS, row, strict=True))}
            for row in session.execute(_month_groups(area_id, month))
        ]
        if rows:
            # NULLs written out, so every row has the same columns: one statement for them all.
            session.execute(insert(MonthlySummary).execution_options(render_nulls=True), rows)


def add_referrals(session: Session, area_id: int, month: date, referral_ids: list[int]) -> None:
    """Add the counts of referrals new in this transaction, received in the (area, month), to
    their groups' rows (a group's first referral writes its row).

    One UPDATE adds every group's counts to its row; only when it updated fewer rows than
    there are referrals (several in one group, a group new this month, one voided already)
    are the groups without a row read and written."""
    adding, new_groups = _adding()
    given = {"in_area": area_id, "in_month": month, "referral_ids": referral_ids}
    with area_scope(area_id):
        _lock_month(session, area_id, month)
        added = session.execute(adding, given)
        if added.rowcount == len(referral_ids):  # type: ignore[attr-defined]
            return
        rows = [
            {"area_id": area_id, "month": month, "naloxone_kits": 0, "onward": 0}
            | dict(zip(NEW_GROUP_COLUMNS, row, strict=True))
            for row in session.execute(new_groups, given)
        ]
        if rows:
            session.execute(insert(MonthlySummary), rows)


NEW_GROUP_COLUMNS = (*COLUMNS[:4], *Counts.SCALARS)  # a new referral group's row's


@cache
def _adding() -> tuple[Any, Any]:
    """The statements of add_referrals, made once per process: the new referrals' counts
    added to their groups' rows, and those counts of groups that have no row yet (parameters:
    in_area, in_month, referral_ids)."""
    counted = (
        select(
            *REFERRAL_KEYS,
            *(
                count.label(name)
                for count, name in zip(referral_counts(), Counts.SCALARS, strict=True)
            ),
        )
        .where(
            Referral.id.in_(bindparam("referral_ids", expanding=True)),
            Referral.status != ReferralStatus.VOIDED,
        )
        .group_by(*REFERRAL_KEYS)
        .subquery()
    )
    s = MonthlySummary
    # A referral group's row: a session-content row of the same keys has no referrals.
    group_row = [
        s.area_id == bindparam("in_area"),
        s.month == bindparam("in_month"),
        s.referrals > 0,
        s.onward_service_id.is_(None),
        *(getattr(s, key.key).is_not_distinct_from(counted.c[key.key]) for key in REFERRAL_KEYS),
    ]
    adding = (
        update(s)
        .where(*group_row)
        .values({name: getattr(s, name) + counted.c[name] for name in Counts.SCALARS})
        .execution_options(synchronize_session=False)
    )
    new_groups = select(counted).where(~exists().where(*group_row))
    return adding, new_groups


def _lock_month(session: Session, area_id: int, month: date) -> None:
    """On PostgreSQL, wait for any other transaction writing the (area, month)'s rows."""
    if session.get_bind().dialect.name == "postgresql":
        key = _LOCK_SPACE | area_id << 20 | (month.year * 12 + month.month - 1)
        session.execute(select(func.pg_advisory_xact_lock(key)))


def rebuild() -> None:
    """Work out every month of every area again (after writes that bypassed the ORM's unit of
    work); the caller is in the system scope and commits."""
    touched = db.session.execute(
        select(Referral.area_id, month_start(Referral.received_on)).union(
            select(MonthlySummary.area_id, MonthlySummary.month)
        )
    ).all()
    for area_id, month in sorted(touched):
        recompute(db.session, area_id, month)
