"""Keeping the monthly summaries (divert.models.MonthlySummary, OutcomeSummary) in step with
the records.

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

The outcome summary is kept the same way, with its own noted months: those of the referrals
whose outcomes (a cohort and follow-up result, a police outcome, an entry into treatment) or
onward referrals at attended sessions changed, and of the referrals moved in or out of its
groups (returned to the police or not, voided or not, another area, month or programme).
Its rows are worked out again with the outcome figures' own expressions
(divert.figures.outcomes.case_groups). A new referral counts for no outcome figure until one
of these happens to it (it is not returned, referred on or closed yet), so it adds nothing.

Concurrent transactions on PostgreSQL take a lock per (area, month) before writing its rows (the
same for both summaries, taken in one order), so the later one reads what the earlier committed
(READ COMMITTED: each statement sees every commit made before it began), and the rows are always
those of the committed records when a transaction takes the lock. SQLite has one writer at a
time.

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
from divert.figures.outcomes import OUTCOME_COUNTS, OUTCOME_KEYS, case_groups
from divert.figures.periods import month_end, month_of
from divert.models import (
    Booking,
    BookingStatus,
    CaseOutcome,
    MonthlySummary,
    OutcomeSummary,
    PoliceOutcome,
    Referral,
    ReferralStatus,
    TreatmentEntry,
)
from divert.referrals.lifecycle import RETURNED_TO_OFFICER
from divert.tenancy import area_scope

_MONTHS = "divert_summary_months"  # in Session.info: {(area_id, first day of month)}
_OUTCOME_MONTHS = "divert_summary_outcome_months"  # the same, of the outcome summary
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


def _months(referral: Referral) -> set[tuple[int, date]]:
    """The referral's (area, month) before and after this flush's change."""
    return {
        (area_id, month_of(day))
        for area_id in _values(referral, "area_id")
        for day in _values(referral, "received_on")
    }


def _moves_outcome_groups(referral: Referral) -> bool:
    """Whether a change to the referral moves it in or out of an outcome summary group:
    returned to the police or not, voided or not, another area, month or programme."""
    kinds = {
        (status in RETURNED_TO_OFFICER, status is ReferralStatus.VOIDED)
        for status in _values(referral, "status")
    }
    moved = ("area_id", "received_on", "programme_id")
    return len(kinds) > 1 or any(len(_values(referral, name)) > 1 for name in moved)


def _may_be_onward(booking: Booking) -> bool:
    """Whether the booking is, or was before this flush, an onward referral to treatment at
    an attended session (the service may be set through the relationship, not its id yet)."""
    services = _values(booking, "onward_service_id") | set(
        inspect(booking).attrs.onward_service.history.added
    )
    attended = BookingStatus.ATTENDED in _values(booking, "status")
    return attended and any(service is not None for service in services)


# Outcomes of a referral: any change to one changes the outcome summary's counts.
OUTCOME_RECORDS = (CaseOutcome, PoliceOutcome, TreatmentEntry)


def _referral_months(
    session: Session, record: Booking | CaseOutcome | PoliceOutcome | TreatmentEntry
) -> set[tuple[int, date]]:
    """The (area, month) of the record's referral, whatever scope the flush is in. Found by
    its id (a new outcome is made with the id alone, and a pending row loads no relationship),
    else through the relationship it was made with (a new booking); none if the referral is
    gone (its own deletion noted its months)."""
    with area_scope(record.area_id):
        if record.referral_id is not None:
            found = session.get(Referral, record.referral_id)
        else:
            found = record.referral  # type: ignore[union-attr]  (set when the id is not)
    return _months(found) if found is not None else set()


def _note_written(session: Session, _context: Any, _instances: Any) -> None:
    months: set[tuple[int, date]] = session.info.setdefault(_MONTHS, set())
    outcome_months: set[tuple[int, date]] = session.info.setdefault(_OUTCOME_MONTHS, set())
    added: list[Referral] = session.info.setdefault(_ADDED, [])
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, Referral):
            if record in session.new:
                added.append(record)
                if record.status in RETURNED_TO_OFFICER:  # made as a returned case
                    outcome_months |= _months(record)
                continue
            months |= _months(record)
            if record in session.deleted or _moves_outcome_groups(record):
                outcome_months |= _months(record)
        elif isinstance(record, Booking):
            found = _referral_months(session, record)
            months |= found
            if _may_be_onward(record):
                outcome_months |= found
        elif isinstance(record, OUTCOME_RECORDS):
            outcome_months |= _referral_months(session, record)


def _recompute_noted(session: Session) -> None:
    session.flush()  # changes not flushed yet are noted too (no SQL when there are none)
    months = session.info.pop(_MONTHS, set())
    outcome_months = session.info.pop(_OUTCOME_MONTHS, set())
    # New referrals of a month not recomputed above (still stored: not undone by a savepoint).
    added: dict[tuple[int, date], list[int]] = {}
    for made in session.info.pop(_ADDED, ()):
        if inspect(made).persistent:
            key = (made.area_id, month_of(made.received_on))
            if key not in months:
                added.setdefault(key, []).append(made.id)
    _lock_months(session, months | outcome_months | set(added))
    for area_id, month in sorted(months):
        recompute(session, area_id, month)
    for area_id, month in sorted(outcome_months):
        recompute_outcomes(session, area_id, month)
    for (area_id, month), referral_ids in sorted(added.items()):
        add_referrals(session, area_id, month, referral_ids)


def _forget_undone(session: Session, transaction: Any) -> None:
    """What a rolled-back transaction wrote is gone, and so is the need to count it."""
    if transaction.parent is None:
        for noted in (_MONTHS, _OUTCOME_MONTHS, _ADDED):
            session.info.pop(noted, None)


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
    """Replace an (area, month)'s monthly summary rows with what its records say now."""
    _replace(session, MonthlySummary, area_id, month, _month_groups(area_id, month), COLUMNS)


OUTCOME_COLUMNS = ("programme_id", *OUTCOME_KEYS, *OUTCOME_COUNTS)


def recompute_outcomes(session: Session, area_id: int, month: date) -> None:
    """Replace an (area, month)'s outcome summary rows with what its records say now."""
    received = and_(
        Referral.area_id == area_id,
        Referral.received_on.between(month, month_end(month)),
        Referral.status != ReferralStatus.VOIDED,
    )
    groups = case_groups(received, Referral.programme_id)
    _replace(session, OutcomeSummary, area_id, month, groups, OUTCOME_COLUMNS)


def _replace(
    session: Session,
    summary: type[MonthlySummary] | type[OutcomeSummary],
    area_id: int,
    month: date,
    groups: Any,
    columns: tuple[str, ...],
) -> None:
    """Replace the (area, month)'s rows of a summary with the `groups` of its records, whose
    values are those of `columns` in order; the caller holds the month's lock."""
    with area_scope(area_id):
        rows = [
            {"area_id": area_id, "month": month, **dict(zip(columns, row, strict=True))}
            for row in session.execute(groups)
        ]
        session.execute(delete(summary).where(summary.area_id == area_id, summary.month == month))
        if rows:
            # NULLs written out, so every row has the same columns: one statement for them all.
            session.execute(insert(summary).execution_options(render_nulls=True), rows)


def add_referrals(session: Session, area_id: int, month: date, referral_ids: list[int]) -> None:
    """Add the counts of referrals new in this transaction, received in the (area, month), to
    their groups' rows (a group's first referral writes its row).

    One UPDATE adds every group's counts to its row; only when it updated fewer rows than
    there are referrals (several in one group, a group new this month, one voided already)
    are the groups without a row read and written."""
    adding, new_groups = _adding()
    given = {"in_area": area_id, "in_month": month, "referral_ids": referral_ids}
    with area_scope(area_id):
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


def _lock_months(session: Session, months: set[tuple[int, date]]) -> None:
    """On PostgreSQL, wait for any other transaction writing these (area, month)s' rows: one
    statement, the locks taken in one order by every transaction, so none waits for another
    that waits for it."""
    if not months or session.get_bind().dialect.name != "postgresql":
        return
    keys = [
        _LOCK_SPACE | area_id << 20 | (month.year * 12 + month.month - 1)
        for area_id, month in sorted(months)
    ]
    session.execute(select(*(func.pg_advisory_xact_lock(key) for key in keys)))


def rebuild() -> None:
    """Work out every month of every area of both summaries again (after writes that bypassed
    the ORM's unit of work); the caller is in the system scope and commits."""
    touched = db.session.execute(
        select(Referral.area_id, month_start(Referral.received_on)).union(
            select(MonthlySummary.area_id, MonthlySummary.month),
            select(OutcomeSummary.area_id, OutcomeSummary.month),
        )
    ).all()
    _lock_months(db.session, set(touched))
    for area_id, month in sorted(touched):
        recompute(db.session, area_id, month)
        recompute_outcomes(db.session, area_id, month)
