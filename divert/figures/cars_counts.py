"""Counting CARS (arrest referral) activity of a period, per area, in a fixed handful of GROUP BY
queries: one per record the KPIs are counted from (README, "CARS figures").

An activity counts in the period in which it happened, by the service's local dates (a contact
seen at 23:30 UTC on 31 March during summer time is seen on 1 April). A conversion (an order
made, an entry into treatment, a reason for not entering) follows its denominator's records:
those of the period, whenever the later step was recorded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select

from divert.clock import LOCAL
from divert.extensions import db
from divert.figures.periods import Period
from divert.figures.statements import built_once
from divert.models import (
    ActivityKind,
    AssessmentKind,
    AssessmentResult,
    CourtResult,
    CustodyActivity,
    CustodyAppointment,
    DrugInterventionsRecord,
    DrugTestResult,
    InitialContact,
    PathwayStep,
    Programme,
    Recommendation,
    Region,
    RequiredAssessment,
    SuitabilityAssessment,
)
from divert.tenancy import regional_scope

FOR_DRR = (Recommendation.DRR, Recommendation.DRR_AND_ATR)
FOR_ATR = (Recommendation.ATR, Recommendation.DRR_AND_ATR)
DRR_MADE = (CourtResult.DRR, CourtResult.DRR_AND_ATR)
ATR_MADE = (CourtResult.ATR, CourtResult.DRR_AND_ATR)
# The kinds of contact, as InitialContact.contact_kind names them.
CONTACT_ONLY, TEST_ON_ARREST, VOLUNTARY_ASSESSMENT = (
    "contact_only",
    "test_on_arrest",
    "voluntary_assessment",
)


@dataclass
class CarsCounts:
    """One area's (or the pooled region's) CARS counts for a period."""

    contacts: int = 0
    required_requested: int = 0  # notices of a required assessment given in the period
    required_completed: int = 0  # attended and remained (or recorded) in the period
    voluntary_assessments: int = 0
    suitability_requested: int = 0
    adjournments: int = 0  # of the requests, hearings adjourned for the assessment
    suitability_completed: int = 0  # recommendations given in the period
    suitable_drr: int = 0  # recommended a DRR (alone or with an ATR)
    suitable_atr: int = 0
    suitable_either: int = 0
    drr_made: int = 0  # of those suitable for a DRR, an order with one was made
    atr_made: int = 0
    treatment_referrals: int = 0
    treatment_entries: int = 0  # of the referrals, confirmed as entered treatment
    awaiting_entry: int = 0  # of the referrals, neither entered nor a reason recorded
    closed: int = 0
    naloxone_kits: int = 0
    appointments_booked: int = 0
    booked_by_police: int = 0
    out_of_hours: int = 0
    # Contacts of each kind (InitialContact.contact_kind): a test on arrest taken, else a
    # voluntary assessment agreed, else contact only.
    contact_kinds: Counter[str] = field(default_factory=Counter)
    per_month: Counter[tuple[int, int]] = field(default_factory=Counter)
    not_converted: Counter[str] = field(default_factory=Counter)  # by the reason recorded
    closure_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def assessments(self) -> int:
        """Every kind: required (statutory) completed, voluntary, and court suitability."""
        return self.required_completed + self.voluntary_assessments + self.suitability_completed

    def __add__(self, other: CarsCounts) -> CarsCounts:
        """Pooling: counts (and the counters' values) add up."""
        return CarsCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


def _flag(condition: Any) -> Any:
    """COUNT(*) FILTER (WHERE condition)."""
    return func.count().filter(condition)


def _day_starts(day: date) -> datetime:
    """The instant a local day begins, in UTC (what timestamps are stored in)."""
    return datetime.combine(day, time(0), tzinfo=LOCAL).astimezone(UTC)


def _at_within(column: Any, start: date, end: date) -> ColumnElement[bool]:
    """A timestamp on one of the local days from `start` to `end`."""
    return and_(column >= _day_starts(start), column < _day_starts(end + timedelta(days=1)))


def _on_within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column <= period.end)


def _months(period: Period) -> list[tuple[tuple[int, int], date, date]]:
    """Each (year, month) the period touches, with its first and last day within the period."""
    found = []
    for year, month in period.months():
        first = date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        found.append(
            ((year, month), max(first, period.start), min(following - timedelta(1), period.end))
        )
    return found


@built_once
def _contacts_query(period: Period) -> Select:
    tested = InitialContact.test_result != DrugTestResult.NOT_TESTED
    months = _months(period)
    return (
        select(
            InitialContact.area_id,
            func.count(),
            _flag(tested),
            _flag(and_(~tested, InitialContact.voluntary_assessment_agreed)),
            *(_flag(_at_within(InitialContact.seen_at, start, end)) for _, start, end in months),
        )
        .where(_at_within(InitialContact.seen_at, period.start, period.end))
        .group_by(InitialContact.area_id)
    )


def _contacts(period: Period, by_area: dict[int, CarsCounts]) -> None:
    months = _months(period)
    for area_id, contacts, tests, voluntary, *per_month in db.session.execute(
        _contacts_query(period)
    ):
        counts = by_area[area_id]
        counts.contacts = contacts
        counts.contact_kinds.update(
            {
                TEST_ON_ARREST: tests,
                VOLUNTARY_ASSESSMENT: voluntary,
                CONTACT_ONLY: contacts - tests - voluntary,
            }
        )
        for (key, _, _), number in zip(months, per_month, strict=True):
            counts.per_month[key] = number


@built_once
def _required_query(period: Period) -> Select:
    requested = _at_within(RequiredAssessment.required_at, period.start, period.end)
    completed = _on_within(RequiredAssessment.completed_on, period)
    return (
        select(RequiredAssessment.area_id, _flag(requested), _flag(completed))
        .where(requested | completed)
        .group_by(RequiredAssessment.area_id)
    )


def _required(period: Period, by_area: dict[int, CarsCounts]) -> None:
    for area_id, requests, completions in db.session.execute(_required_query(period)):
        by_area[area_id].required_requested = requests
        by_area[area_id].required_completed = completions


@built_once
def _records_query(period: Period) -> Select:
    record = DrugInterventionsRecord
    referred = record.outcome == AssessmentResult.REFERRED_TO_TREATMENT
    entered = record.treatment_entry_on.is_not(None)
    return (
        select(
            record.area_id,
            record.non_entry_reason,
            _flag(record.kind == AssessmentKind.VOLUNTARY),
            _flag(referred),
            _flag(and_(referred, entered)),
            _flag(and_(referred, ~entered, record.non_entry_reason.is_(None))),
            _flag(and_(referred, ~entered, record.non_entry_reason.is_not(None))),
        )
        .where(_on_within(record.assessed_on, period))
        .group_by(record.area_id, record.non_entry_reason)
    )


def _records(period: Period, by_area: dict[int, CarsCounts]) -> None:
    """Voluntary assessments, referrals into treatment and what became of the referrals."""
    for area_id, reason, voluntary, referrals, entries, awaiting, not_entered in db.session.execute(
        _records_query(period)
    ):
        counts = by_area[area_id]
        counts.voluntary_assessments += voluntary
        counts.treatment_referrals += referrals
        counts.treatment_entries += entries
        counts.awaiting_entry += awaiting
        if not_entered:
            counts.not_converted[str(reason)] += not_entered


@built_once
def _suitability_query(period: Period) -> Select:
    suitability = SuitabilityAssessment
    requested = _on_within(suitability.requested_on, period)
    completed = _on_within(suitability.completed_on, period)
    for_drr = and_(completed, suitability.recommendation.in_(FOR_DRR))
    for_atr = and_(completed, suitability.recommendation.in_(FOR_ATR))
    return (
        select(
            suitability.area_id,
            _flag(requested),
            _flag(and_(requested, suitability.adjourned)),
            _flag(completed),
            _flag(for_drr),
            _flag(for_atr),
            _flag(and_(completed, suitability.recommendation != Recommendation.NOT_SUITABLE)),
            _flag(and_(for_drr, suitability.result.in_(DRR_MADE))),
            _flag(and_(for_atr, suitability.result.in_(ATR_MADE))),
        )
        .where(requested | completed)
        .group_by(suitability.area_id)
    )


def _suitability(period: Period, by_area: dict[int, CarsCounts]) -> None:
    for area_id, *values in db.session.execute(_suitability_query(period)):
        counts = by_area[area_id]
        (
            counts.suitability_requested,
            counts.adjournments,
            counts.suitability_completed,
            counts.suitable_drr,
            counts.suitable_atr,
            counts.suitable_either,
            counts.drr_made,
            counts.atr_made,
        ) = values


@built_once
def _closures_query(period: Period) -> Select:
    return (
        select(InitialContact.area_id, InitialContact.closure_reason, func.count())
        .where(_on_within(InitialContact.closed_on, period))
        .group_by(InitialContact.area_id, InitialContact.closure_reason)
    )


def _closures(period: Period, by_area: dict[int, CarsCounts]) -> None:
    for area_id, reason, number in db.session.execute(_closures_query(period)):
        by_area[area_id].closed += number
        by_area[area_id].closure_reasons[str(reason)] += number


@built_once
def _naloxone_query(period: Period) -> Select:
    return (
        select(CustodyActivity.area_id, func.count())
        .where(
            CustodyActivity.kind == ActivityKind.NALOXONE_SUPPLIED,
            _on_within(CustodyActivity.done_on, period),
        )
        .group_by(CustodyActivity.area_id)
    )


def _naloxone(period: Period, by_area: dict[int, CarsCounts]) -> None:
    for area_id, kits in db.session.execute(_naloxone_query(period)):
        by_area[area_id].naloxone_kits = kits


@built_once
def _bookings_query(period: Period) -> Select:
    appointment = CustodyAppointment
    return (
        select(
            appointment.area_id,
            func.count(),
            _flag(appointment.booked_by_police),
            _flag(appointment.out_of_hours),
        )
        .where(_at_within(appointment.booked_at, period.start, period.end))
        .group_by(appointment.area_id)
    )


def _bookings(period: Period, by_area: dict[int, CarsCounts]) -> None:
    for area_id, booked, by_police, out_of_hours in db.session.execute(_bookings_query(period)):
        counts = by_area[area_id]
        counts.appointments_booked, counts.booked_by_police = booked, by_police
        counts.out_of_hours = out_of_hours


COUNTERS = (_contacts, _required, _records, _suitability, _closures, _naloxone, _bookings)


def cars_counts_by_area(region: Region, period: Period) -> dict[int, CarsCounts]:
    """CARS counts for every area of the region (areas with no activity get zeros)."""
    by_area = {area.id: CarsCounts() for area in region.areas}
    with regional_scope(region):
        for count_into in COUNTERS:
            count_into(period, by_area)
    return by_area


def pooled(by_area: dict[int, CarsCounts]) -> CarsCounts:
    total = CarsCounts()
    for counts in by_area.values():
        total = total + counts
    return total


def cars_programme_codes(region: Region) -> set[str]:
    """Codes of the region's arrest referral programmes (their pathway starts in custody)."""
    with regional_scope(region):
        programmes = db.session.execute(
            select(Programme.code, Programme.pathway).where(Programme.active)
        ).all()
    return {code for code, pathway in programmes if PathwayStep.CUSTODY_CONTACT.value in pathway}
