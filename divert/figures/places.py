"""Places and spending against an area's contract for places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from divert.extensions import db
from divert.figures.counts import referrals_received
from divert.models import Area, Contract

LOW_USE, OVER_USE = Decimal("0.6"), Decimal("1.0")


@dataclass(frozen=True)
class Places:
    contract: Contract
    as_of: date
    used: int

    @property
    def allocated(self) -> int:
        return self.contract.places_allocated

    @property
    def utilisation(self) -> Decimal:
        return Decimal(self.used) / self.allocated

    @property
    def unit_price_pence(self) -> Decimal:
        """Contract value ÷ places allocated, to the penny."""
        price = Decimal(self.contract.value_pence) / self.allocated
        return price.quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def spend_to_date_pence(self) -> Decimal:
        return self.used * self.unit_price_pence

    @property
    def elapsed_days(self) -> int:
        return (min(self.as_of, self.contract.ends_on) - self.contract.starts_on).days + 1

    @property
    def contract_days(self) -> int:
        return (self.contract.ends_on - self.contract.starts_on).days + 1

    @property
    def projected_use(self) -> int:
        """Places used by the period's end if referrals go on at the rate so far."""
        if self.elapsed_days <= 0:
            return 0
        projected = Decimal(self.used) * self.contract_days / self.elapsed_days
        return int(projected.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def projected_share(self) -> Decimal:
        return Decimal(self.projected_use) / self.allocated

    @property
    def warning(self) -> str | None:
        if self.projected_share < LOW_USE:
            return (
                f"At the current rate about {self.projected_use} of {self.allocated} places "
                f"will be used: under 60% of the allocation"
            )
        if self.projected_share > OVER_USE:
            return (
                f"At the current rate about {self.projected_use} places will be needed: "
                f"more than the {self.allocated} allocated"
            )
        return None


def contract_on(area: Area, day: date) -> Contract | None:
    """The area's contract covering a day."""
    return db.session.scalar(
        select(Contract)
        .where(Contract.area_id == area.id, Contract.starts_on <= day, Contract.ends_on >= day)
        .order_by(Contract.starts_on.desc())
    )


def places(area: Area, as_of: date) -> Places | None:
    """Places used in the contract covering `as_of`, counting referrals up to that day."""
    contract = contract_on(area, as_of)
    if contract is None:
        return None
    used = referrals_received(area, contract.starts_on, min(as_of, contract.ends_on))
    return Places(contract=contract, as_of=as_of, used=used)
