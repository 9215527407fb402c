"""Counting referrals of a period, per area, in a fixed handful of GROUP BY queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, Select, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from divert.extensions import db
from divert.figures.periods import Period
from divert.models import (
    AgeGroup,
    Area,
    Booking,
    BookingStatus,
    Programme,
    Referral,
    ReferralStatus,
    Region,
    Substance,
    TreatmentService,
)
from divert.tenancy import regional_scope

S = ReferralStatus
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


def in_period(period: Period, programme: str | None = None) -> Any:
    """Referrals received in the period (not voided), of one programme (by its code, the same
    in every area of the region) or of all."""
    condition = and_(
        Referral.received_on >= period.start,
        Referral.received_on <= period.end,
        Referral.status != S.VOIDED,
    )
    if programme is not None:
        of_programme = select(Programme.id).where(Programme.code == programme)
        condition = and_(condition, Referral.programme_id.in_(of_programme))
    return condition


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


def _grouped_query(period: Period, programme: str | None = None) -> Select:
    """One pass over the period's referrals, grouped finely enough to give every figure.

    At most areas × months × substances × genders × ethnicities groups (a few thousand), so
    the scan is done once in the database and the small remainder is summed here.
    """
    keys = (
        Referral.area_id,
        month_start(Referral.received_on),
        Referral.main_substance_id,
        Referral.gender,
        Referral.ethnicity,
    )
    attended = Referral.initial_attended_on.is_not(None)
    return (
        select(
            *keys,
            func.count(),
            _flag(attended),
            _flag(
                and_(Referral.status.in_(CLOSED_UNATTENDED), Referral.initial_attended_on.is_(None))
            ),
            _flag(Referral.is_repeat),
            _flag(Referral.status == S.COMPLETED),
            _flag(Referral.status == S.INELIGIBLE),
            _flag(Referral.status == S.WITHDRAWN),
            _flag(Referral.status.in_(IN_PROGRESS)),
            _flag(Referral.age_group == AgeGroup.UNDER_18),
            _flag(Referral.age_group == AgeGroup.ADULT),
            _flag(and_(Referral.status == S.NOT_COMPLETED, attended)),
            _flag(Referral.status == S.REFERRED_ON),
        )
        .where(in_period(period, programme))
        .group_by(*keys)
    )


def _add_group(
    counts: Counts, key: tuple[Any, ...], values: tuple[int, ...], substance_codes: dict[int, str]
) -> None:
    month, substance_id, gender, ethnicity = key
    for name, value in zip(Counts.SCALARS, values, strict=True):
        setattr(counts, name, getattr(counts, name) + int(value or 0))
    referrals, attended = int(values[0]), int(values[1] or 0)
    counts.per_month[(month.year, month.month)] += referrals
    counts.genders[gender or NOT_RECORDED] += referrals
    counts.ethnicities[ethnicity or NOT_RECORDED] += referrals
    if substance_id is not None and attended:
        counts.substances[substance_codes[substance_id]] += attended


def _session_content_query(period: Period, programme: str | None = None) -> Select:
    """Naloxone kits and onward referrals given at attended sessions of the period's referrals."""
    attended = Booking.status == BookingStatus.ATTENDED
    return (
        select(
            Referral.area_id,
            TreatmentService.code,
            _flag(and_(attended, Booking.naloxone_kit_supplied)),
            _flag(and_(attended, Booking.onward_service_id.is_not(None))),
        )
        .join(Referral, Referral.id == Booking.referral_id)
        .outerjoin(TreatmentService, TreatmentService.id == Booking.onward_service_id)
        .where(in_period(period, programme), attended)
        .group_by(Referral.area_id, TreatmentService.code)
    )


def counts_by_area(
    region: Region, period: Period, programme: str | None = None
) -> dict[int, Counts]:
    """Counts for every area of the region (areas with no referrals get zeros), of the
    programme with code `programme` or of all programmes."""
    by_area = {area.id: Counts() for area in region.areas}
    with regional_scope(region):
        rows = db.session.execute(select(Substance.id, Substance.code))
        substance_codes = {substance_id: code for substance_id, code in rows}
        for area_id, *rest in db.session.execute(_grouped_query(period, programme)):
            key, values = tuple(rest[:4]), tuple(rest[4:])
            _add_group(by_area[area_id], key, values, substance_codes)
        for area_id, service, kits, onward in db.session.execute(
            _session_content_query(period, programme)
        ):
            by_area[area_id].naloxone_kits += int(kits or 0)
            if service is not None:
                by_area[area_id].onward[service] += int(onward or 0)
    return by_area


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
