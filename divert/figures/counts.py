"""Counting referrals of a period, per area, in a fixed handful of GROUP BY queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Select, and_, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from divert.extensions import db
from divert.figures.periods import Period, month_end, month_of, split
from divert.figures.statements import built_once
from divert.models import (
    AgeGroup,
    Area,
    Booking,
    BookingStatus,
    MonthlySummary,
    Programme,
    Referral,
    ReferralStatus,
    Region,
    Substance,
    TreatmentService,
)
from divert.tenancy import regional_scope

S = ReferralStatus
ONE_DAY = timedelta(days=1)
IN_PROGRESS = (S.SUBMITTED, S.BOOKED, S.ATTENDED, S.DID_NOT_ATTEND)
NOT_RECORDED = "Not recorded"


@dataclass
class Counts:
    """Counts of one area's (or the pooled region's) referrals received in a period."""

    referrals: int = 0
    # The programme's first step attended (by its rule: the initial one-to-one, the young
    # people's assessment, or the first course session).
    attended: int = 0
    not_engaged: int = 0  # closed (not engaged, or not completed) without attending it
    repeats: int = 0
    completed: int = 0
    ineligible: int = 0
    withdrawn: int = 0
    in_progress: int = 0
    under_18: int = 0
    adult: int = 0
    not_completed: int = 0  # attended, then closed without meeting the programme's rule
    referred_on: int = 0  # assessed and routed to another service
    per_month: Counter[tuple[int, int]] = field(default_factory=Counter)
    substances: Counter[str] = field(default_factory=Counter)
    genders: Counter[str] = field(default_factory=Counter)
    ethnicities: Counter[str] = field(default_factory=Counter)
    # What attended sessions gave: naloxone kits supplied, onward referrals by service code.
    naloxone_kits: int = 0
    onward: Counter[str] = field(default_factory=Counter)

    SCALARS = (
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
        "not_completed",
        "referred_on",
    )
    SESSION_SCALARS = ("naloxone_kits",)
    BREAKDOWNS = ("per_month", "substances", "genders", "ethnicities", "onward")

    def __add__(self, other: Counts) -> Counts:
        """Pooling: counts add up; rates are worked out again from the pooled counts."""
        pooled = Counts()
        for name in self.SCALARS + self.SESSION_SCALARS:
            setattr(pooled, name, getattr(self, name) + getattr(other, name))
        for name in self.BREAKDOWNS:
            setattr(pooled, name, getattr(self, name) + getattr(other, name))
        return pooled

    @property
    def decided(self) -> int:
        return self.attended + self.not_engaged


def _flag(condition: Any) -> Any:
    """COUNT(*) FILTER (WHERE condition): cheaper per row than SUM(CASE ...)."""
    return func.count().filter(condition)


def received_in(ranges: Sequence[tuple[date, date]], programme: str | None = None) -> Any:
    """Referrals received in any of the date ranges (not voided), of one programme (by its
    code, the same in every area of the region) or of all."""
    condition = and_(
        or_(*(Referral.received_on.between(start, end) for start, end in ranges)),
        Referral.status != S.VOIDED,
    )
    return and_(condition, of_programme(Referral.programme_id, programme))


def of_programme(column: Any, programme: str | None) -> Any:
    """The rows whose programme (`column`) has the code `programme`; every row if None."""
    if programme is None:
        return true()
    return column.in_(select(Programme.id).where(Programme.code == programme))


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


CLOSED_UNATTENDED = (S.NOT_ENGAGED, S.NOT_COMPLETED)


def referral_counts() -> list[Any]:
    """The counts of a group of referrals, in the order of Counts.SCALARS (and the monthly
    summary's columns): the one definition of each, for the records and the summary alike."""
    attended = Referral.initial_attended_on.is_not(None)
    return [
        func.count(),
        _flag(attended),
        _flag(and_(Referral.status.in_(CLOSED_UNATTENDED), Referral.initial_attended_on.is_(None))),
        _flag(Referral.is_repeat),
        _flag(Referral.status == S.COMPLETED),
        _flag(Referral.status == S.INELIGIBLE),
        _flag(Referral.status == S.WITHDRAWN),
        _flag(Referral.status.in_(IN_PROGRESS)),
        _flag(Referral.age_group == AgeGroup.UNDER_18),
        _flag(Referral.age_group == AgeGroup.ADULT),
        _flag(and_(Referral.status == S.NOT_COMPLETED, attended)),
        _flag(Referral.status == S.REFERRED_ON),
    ]


def session_counts() -> list[Any]:
    """Naloxone kits supplied and onward referrals made at attended bookings (of a group of
    bookings joined to their referrals), as the monthly summary's last two columns."""
    attended = Booking.status == BookingStatus.ATTENDED
    return [
        _flag(and_(attended, Booking.naloxone_kit_supplied)),
        _flag(and_(attended, Booking.onward_service_id.is_not(None))),
    ]


@built_once
def _records_query(ranges: Sequence[tuple[date, date]], programme: str | None) -> Select:
    """The referrals of part-months, from the records, grouped finely enough to give every
    figure: at most areas × months × substances × genders × ethnicities groups."""
    keys = (
        Referral.area_id,
        month_start(Referral.received_on),
        Substance.code,
        Referral.gender,
        Referral.ethnicity,
    )
    return (
        select(*keys, *referral_counts())
        .outerjoin(Substance, Substance.id == Referral.main_substance_id)
        .where(received_in(ranges, programme))
        .group_by(*keys)
    )


@built_once
def _summary_query(months: tuple[date, date], programme: str | None) -> Select:
    """The referrals of whole months, from the monthly summary, in the same groups."""
    s = MonthlySummary
    keys = (s.area_id, s.month, Substance.code, s.gender, s.ethnicity)
    return (
        select(*keys, *(func.sum(getattr(s, name)) for name in Counts.SCALARS))
        .outerjoin(Substance, Substance.id == s.main_substance_id)
        .where(s.month.between(*months), s.referrals > 0, of_programme(s.programme_id, programme))
        .group_by(*keys)
    )


def _add_groups(by_area: dict[int, Counts], rows: Iterable[Sequence[Any]]) -> None:
    """A query's groups (area, month, substance, gender, ethnicity, then Counts.SCALARS) added
    to their areas' counts. A view reads hundreds of groups or more: each scalar is summed over
    an area's groups at once, not added to its attribute group by group."""
    by_group_area: dict[int, list[Sequence[Any]]] = {}
    for row in rows:
        by_group_area.setdefault(row[0], []).append(row)
    for area_id, groups in by_group_area.items():
        counts = by_area[area_id]
        for name, column in zip(Counts.SCALARS, list(zip(*groups, strict=True))[5:], strict=True):
            setattr(counts, name, getattr(counts, name) + int(sum(filter(None, column))))
        for _, month, substance, gender, ethnicity, referrals, attended, *_ in groups:
            referrals = int(referrals)
            counts.per_month[(month.year, month.month)] += referrals
            counts.genders[gender or NOT_RECORDED] += referrals
            counts.ethnicities[ethnicity or NOT_RECORDED] += referrals
            if substance is not None and attended:
                counts.substances[substance] += int(attended)


@built_once
def _session_records_query(ranges: Sequence[tuple[date, date]], programme: str | None) -> Select:
    """Naloxone kits and onward referrals given at attended sessions of part-months' referrals."""
    return (
        select(Referral.area_id, TreatmentService.code, *session_counts())
        .join(Referral, Referral.id == Booking.referral_id)
        .outerjoin(TreatmentService, TreatmentService.id == Booking.onward_service_id)
        .where(received_in(ranges, programme), Booking.status == BookingStatus.ATTENDED)
        .group_by(Referral.area_id, TreatmentService.code)
    )


@built_once
def _session_summary_query(months: tuple[date, date], programme: str | None) -> Select:
    """The same, of whole months' referrals, from the monthly summary."""
    s = MonthlySummary
    return (
        select(s.area_id, TreatmentService.code, func.sum(s.naloxone_kits), func.sum(s.onward))
        .outerjoin(TreatmentService, TreatmentService.id == s.onward_service_id)
        .where(s.month.between(*months), s.referrals == 0, of_programme(s.programme_id, programme))
        .group_by(s.area_id, TreatmentService.code)
    )


def _queries(period: Period, programme: str | None) -> Iterator[tuple[Select, Select]]:
    """(referrals, session content) queries that together cover the period exactly once."""
    parts = split(period.start, period.end)
    if parts.months:
        yield (
            _summary_query(parts.months, programme),
            _session_summary_query(parts.months, programme),
        )
    if parts.edges:
        yield _records_query(parts.edges, programme), _session_records_query(parts.edges, programme)


def counts_by_area(
    region: Region, period: Period, programme: str | None = None
) -> dict[int, Counts]:
    """Counts for every area of the region (areas with no referrals get zeros), of the
    programme with code `programme` or of all programmes."""
    by_area = {area.id: Counts() for area in region.areas}
    with regional_scope(region):
        for referrals, sessions in _queries(period, programme):
            _add_groups(by_area, db.session.execute(referrals))
            for area_id, service, kits, onward in db.session.execute(sessions):
                by_area[area_id].naloxone_kits += int(kits or 0)
                if service is not None:
                    by_area[area_id].onward[service] += int(onward or 0)
    return by_area


@dataclass(frozen=True)
class _Reading:
    """How a span's referrals are counted: whole months of the monthly summary (the first and
    the last, or None), plus the records of some days, less the records of others."""

    months: tuple[date, date] | None
    plus: tuple[tuple[date, date], ...]
    minus: tuple[tuple[date, date], ...]


def _days(ranges: Iterable[tuple[date, date]]) -> int:
    return sum((last - first).days + 1 for first, last in ranges)


def _reading(start: date, end: date) -> _Reading:
    """Whole months from the summary and part-months from the records (divert.figures.periods
    .split), except a part-month of more days than the rest of its month: that is its month
    from the summary less the rest from the records. A contract's use up to today reads the
    month so far as the month less the days still to come, which hold few referrals or none,
    however many the month holds."""
    parts = split(start, end)
    first, last = parts.months or (None, None)
    plus, minus = [], []
    for edge in parts.edges:
        month = month_of(edge[0])
        rest = [
            (a, b)
            for a, b in ((month, edge[0] - ONE_DAY), (edge[1] + ONE_DAY, month_end(month)))
            if a <= b
        ]
        if month_of(edge[1]) == month and _days(rest) < _days([edge]):
            minus += rest
            first = month if first is None else min(first, month)
            last = month if last is None else max(last, month)
        else:
            plus.append(edge)
    months = None if first is None or last is None else (first, last)
    return _Reading(months, tuple(plus), tuple(minus))


def referrals_received(spans: Sequence[tuple[int, int, date, date]]) -> list[int]:
    """Referrals (not voided) received by each (area, programme, first day, last day) span:
    whole months from the monthly summary, the days of part-months from the records (_reading);
    one query for each, whatever the number of spans, each distinct span counted once (a
    contract's start and its go-live are often the same day)."""
    distinct = tuple(dict.fromkeys(spans))
    totals = dict.fromkeys(distinct, 0)
    for query, columns in _received_queries(distinct):
        counted = db.session.execute(query).one()
        for (n, sign), value in zip(columns, counted, strict=True):
            totals[distinct[n]] += sign * int(value or 0)
    return [totals[span] for span in spans]


@built_once
def _received_queries(
    spans: tuple[tuple[int, int, date, date], ...],
) -> tuple[tuple[Select, tuple[tuple[int, int], ...]], ...]:
    """referrals_received's queries (the summary's sums, the records' counts: each if any span
    reads some), each with the (span, sign) of each of its columns."""
    s = MonthlySummary
    # (span, sign, condition) of the summary's sums and of the records' counts
    from_summary: list[tuple[int, int, Any]] = []
    from_records: list[tuple[int, int, Any]] = []
    for n, (area_id, programme_id, start, end) in enumerate(spans):
        reading = _reading(start, end)
        if reading.months:
            in_months = s.month.between(*reading.months)
            from_summary.append(
                (n, 1, and_(s.area_id == area_id, s.programme_id == programme_id, in_months))
            )
        for sign, ranges in ((1, reading.plus), (-1, reading.minus)):
            if ranges:
                on_days = or_(*(Referral.received_on.between(*r) for r in ranges))
                from_records.append(
                    (
                        n,
                        sign,
                        and_(
                            Referral.area_id == area_id,
                            Referral.programme_id == programme_id,
                            on_days,
                        ),
                    )
                )
    queries = []
    for query, total, counts in (
        (select().select_from(s), func.sum(s.referrals), from_summary),
        (
            select().select_from(Referral).where(Referral.status != S.VOIDED),
            func.count(),
            from_records,
        ),
    ):
        if counts:
            query = query.add_columns(*(total.filter(c) for _, _, c in counts)).where(
                or_(*(c for _, _, c in counts))
            )
            queries.append((query, tuple((n, sign) for n, sign, _ in counts)))
    return tuple(queries)


@dataclass(frozen=True)
class Labels:
    """What people call each reference code: the areas' own labels, as an admin set them."""

    substances: dict[str, str]
    services: dict[str, str]


def reference_labels(region: Region, prefer: Area | None = None) -> Labels:
    """Labels by code across the region; where areas differ, `prefer`'s own label wins."""
    preferred_id = prefer.id if prefer is not None else None
    found: dict[type, dict[str, str]] = {Substance: {}, TreatmentService: {}}
    with regional_scope(region):
        for model, labels in found.items():
            rows = db.session.execute(
                select(model.code, model.label).order_by(
                    (model.area_id == preferred_id).desc(), model.area_id
                )
            )
            for code, label in rows:
                labels.setdefault(code, label)
    return Labels(found[Substance], found[TreatmentService])


def pooled(by_area: dict[int, Counts]) -> Counts:
    total = Counts()
    for counts in by_area.values():
        total = total + counts
    return total


def programme_choices(region: Region) -> list[tuple[str, str]]:
    """(code, name) of every programme commissioned in the region, for a figures filter."""
    with regional_scope(region):
        rows = db.session.execute(
            select(Programme.code, func.min(Programme.name))
            .group_by(Programme.code)
            .order_by(func.min(Programme.position), Programme.code)
        ).all()
    return [(code, name) for code, name in rows]
