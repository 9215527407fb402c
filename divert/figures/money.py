"""Places and money by the contracts' terms, for any period, across contracts.

Every contract is one programme's: its places used are that programme's referrals only. The
figures of one programme come from its contracts; those of every programme add up all the
programmes' contracts (costs and places; places unknown if any is unknown), and their places
used and cost per referral count the referrals of the programmes with a contract in the period
only: a programme with referrals but no contract bought no places, so it neither fills them nor
spreads their cost.

- Cost for a period: each contract overlapping it contributes its value pro rata by the days of
  the contract that fall in the period (the page says so).
- Places allocated for a period: the same share of each contract's places; unknown when a
  contract without places (a fixed contribution) covers part of the period.
- Spend to date: places used × unit price for a per-place contract, the contribution for a
  fixed one.
- Projected use: places used so far, plus the rest of the contract at the daily rate since the
  go-live date (the start, when no go-live date is set).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, selectinload

from divert.extensions import db
from divert.figures.counts import referrals_received
from divert.figures.periods import Period
from divert.figures.rounding import pence, whole
from divert.figures.statements import built_once
from divert.models import Contract, Pricing, Programme, Region
from divert.tenancy import regional_scope

LOW_USE, OVER_USE = Decimal("0.6"), Decimal("1.0")


def overlap_days(contract: Contract, period: Period) -> int:
    start, end = max(contract.starts_on, period.start), min(contract.ends_on, period.end)
    return max((end - start).days + 1, 0)


@dataclass(frozen=True)
class ContractUse:
    """One contract, and the places used in it up to `as_of`."""

    contract: Contract
    as_of: date
    used: int
    used_since_go_live: int

    @property
    def per_place(self) -> bool:
        return self.contract.pricing is Pricing.PER_PLACE

    @property
    def allocated(self) -> int | None:
        return self.contract.places_allocated

    @property
    def unit_price_pence(self) -> int | None:
        """Value ÷ places allocated, to the penny, for a per-place contract."""
        if not self.per_place or not self.allocated:
            return None
        return pence(Decimal(self.contract.value_pence) / self.allocated)

    @property
    def spend_to_date_pence(self) -> int:
        if self.unit_price_pence is not None:
            return self.used * self.unit_price_pence
        return self.contract.value_pence

    @property
    def days_since_go_live(self) -> int:
        return (min(self.as_of, self.contract.ends_on) - self.contract.counts_from).days + 1

    @property
    def projected_use(self) -> int | None:
        """Places used by the contract's end if referrals go on at the rate since go-live."""
        if self.days_since_go_live <= 0:
            return None
        remaining = max((self.contract.ends_on - self.as_of).days, 0)
        rate = Decimal(self.used_since_go_live) / self.days_since_go_live
        return whole(self.used + rate * remaining)

    @property
    def warning(self) -> str | None:
        projected, allocated = self.projected_use, self.allocated
        if projected is None or not allocated:
            return None
        if Decimal(projected) / allocated < LOW_USE:
            return (
                f"At the rate since go-live about {projected} of {allocated} places will be "
                f"used: under 60% of the allocation"
            )
        if Decimal(projected) / allocated > OVER_USE:
            return (
                f"At the rate since go-live about {projected} places will be needed: more "
                f"than the {allocated} allocated"
            )
        return None


@dataclass(frozen=True)
class PeriodMoney:
    """What the contracts overlapping a period attribute to it, pro rata by days."""

    cost_pence: int
    places: Decimal | None  # None: a contract without places covers part of the period
    cost_is_example: bool
    places_are_example: bool
    covered_days: int
    period_days: int
    # The referrals these contracts are for: in the period, of the programmes that have a
    # contract overlapping it. Places used and cost per referral count these only, so a
    # programme with referrals but no contract adds neither places nor places used.
    referrals: int = 0

    @property
    def fully_covered(self) -> bool:
        return self.covered_days == self.period_days

    def __add__(self, other: PeriodMoney) -> PeriodMoney:
        """Pooling areas: costs and places add up (unknown places stay unknown)."""
        places = None if self.places is None or other.places is None else self.places + other.places
        return PeriodMoney(
            self.cost_pence + other.cost_pence,
            places,
            self.cost_is_example or other.cost_is_example,
            self.places_are_example or other.places_are_example,
            max(self.covered_days, other.covered_days),
            self.period_days,
            self.referrals + other.referrals,
        )


def period_money(contracts: Iterable[Contract], period: Period, referrals: int) -> PeriodMoney:
    """The contracts' share of the period; `referrals`: those of the contracts' programmes."""
    cost, places = Decimal(0), Decimal(0)
    known_places, cost_example, places_example, covered = True, False, False, 0
    for contract in contracts:
        days = overlap_days(contract, period)
        if not days:
            continue
        fraction = Decimal(days) / contract.days
        covered += days
        cost += contract.value_pence * fraction
        cost_example |= contract.value_example
        if contract.places_allocated is None:
            known_places = False
        else:
            places += contract.places_allocated * fraction
            places_example |= contract.places_example
    return PeriodMoney(
        pence(cost),
        places if known_places and covered else None,
        cost_example,
        places_example,
        covered,
        period.days,
        referrals,
    )


def contract_uses(
    contracts: list[Contract], as_of: date, period: Period
) -> tuple[list[ContractUse], dict[tuple[int, int], int]]:
    """Each contract with the places used in it up to `as_of`; and the referrals in the period
    of each (area, programme) with a contract among them. Two queries for them all."""
    spans = []
    for contract in contracts:
        until = min(as_of, contract.ends_on)
        spans += [
            (contract.area_id, contract.programme_id, contract.starts_on, until),
            (contract.area_id, contract.programme_id, contract.counts_from, until),
        ]
    programmes = sorted({(c.area_id, c.programme_id) for c in contracts})
    spans += [(area, programme, period.start, period.end) for area, programme in programmes]
    used = referrals_received(spans)
    uses = [
        ContractUse(contract, as_of, used[2 * n], used[2 * n + 1])
        for n, contract in enumerate(contracts)
    ]
    return uses, dict(zip(programmes, used[2 * len(contracts) :], strict=True))


@built_once
def _contracts_query(period: Period, programme: str | None) -> Select:
    """Contracts overlapping the period, of one programme or of all."""
    query = (
        select(Contract)
        .join(Contract.programme)
        .options(contains_eager(Contract.programme), selectinload(Contract.extends))
        .where(Contract.starts_on <= period.end, Contract.ends_on >= period.start)
        .order_by(Contract.starts_on, Programme.position, Contract.id)
    )
    if programme is not None:
        query = query.where(Programme.code == programme)
    return query


@dataclass(frozen=True)
class AreaMoney:
    period: PeriodMoney
    contracts: list[ContractUse]  # those overlapping the period, oldest first


def money_by_area(
    region: Region, period: Period, as_of: date, programme: str | None = None
) -> dict[int, AreaMoney]:
    """Every area's money for the period and its contracts overlapping it: those of one
    programme (by its code, the same in every area), or of every programme."""
    with regional_scope(region):
        contracts = list(db.session.scalars(_contracts_query(period, programme)))
        uses, covered = contract_uses(contracts, as_of, period)
    return {
        area.id: AreaMoney(
            period_money(
                [c for c in contracts if c.area_id == area.id],
                period,
                sum(n for (area_id, _), n in covered.items() if area_id == area.id),
            ),
            [use for use in uses if use.contract.area_id == area.id],
        )
        for area in region.areas
    }
