"""Keeping the monthly summary (divert.models.MonthlySummary) in step with the records.

Every flush notes the (area, month) of each referral it wrote (the month it was received in,
before and after the change) and of each booking's referral; before the transaction commits,
each noted month's rows are worked out again from that month's records, with the same counting
expressions as the dashboard's (divert.figures.counts), and replaced. A month is recomputed,
never adjusted by a difference, so that the summary cannot drift from the records: whatever the
change (a new referral, attendance, a status change, a void, a completion), the month's rows
are what the records say once the transaction is done.

Concurrent transactions on PostgreSQL take a lock per (area, month) before recomputing it, so
the later one reads what the earlier committed (READ COMMITTED: each statement sees every commit
made before it began). SQLite has one writer at a time.

Writes that bypass the ORM's unit of work (the demo builder's bulk inserts) call `rebuild`.
"""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import and_, delete, event, func, insert, inspect, literal_column, null, select
from sqlalchemy.orm import Session

from divert.extensions import db
from divert.figures.counts import Counts, month_start, referral_counts, session_counts
from divert.figures.periods import month_end, month_of
from divert.models import Booking, BookingStatus, MonthlySummary, Referral, ReferralStatus
from divert.tenancy import area_scope

_MONTHS = "divert_summary_months"  # in Session.info: {(area_id, first day of month)}
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
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Booking):
            with area_scope(record.area_id):  # its referral, whatever scope the flush is in
                record = record.referral
        if isinstance(record, Referral):
            for area_id in _values(record, "area_id"):
                months |= {(area_id, month_of(day)) for day in _values(record, "received_on")}


def _recompute_noted(session: Session) -> None:
    session.flush()  # changes not flushed yet are noted too (no SQL when there are none)
    for area_id, month in sorted(session.info.pop(_MONTHS, ())):
        recompute(session, area_id, month)


def _forget_undone(session: Session, transaction: Any) -> None:
    """What a rolled-back transaction wrote is gone, and so is the need to count it."""
    if transaction.parent is None:
        session.info.pop(_MONTHS, None)


def _month_groups(area_id: int, month: date) -> Any:
    """The month's rows from the records: referral groups, then session-content groups."""
    received = and_(
        Referral.area_id == area_id,
        Referral.received_on.between(month, month_end(month)),
        Referral.status != ReferralStatus.VOIDED,
    )
    zero = literal_column("0")
    referral_keys = (
        Referral.programme_id,
        Referral.main_substance_id,
        Referral.gender,
        Referral.ethnicity,
    )
    referrals = (
        select(*referral_keys, null(), *referral_counts(), zero, zero)
        .where(received)
        .group_by(*referral_keys)
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
        if session.get_bind().dialect.name == "postgresql":
            key = _LOCK_SPACE | area_id << 20 | (month.year * 12 + month.month - 1)
            session.execute(select(func.pg_advisory_xact_lock(key)))
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
