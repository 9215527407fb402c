"""A contract's rules, in one place for every way a contract is made: the administration pages
and `flask tenants sync` (from tenants/*.toml) both ask `problems`.

A contract's period runs forwards and its go-live falls within it, its value is never
negative, a per-place contract names its places (a fixed contribution may not), it is for one
of its area's programmes, no two contracts of the same programme of an area overlap (two
programmes' may: each buys its own places), and an extension extends an earlier contract of the
same programme of the same area.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from divert.extensions import db
from divert.models import Contract, Pricing, Programme

OTHER_AREA = "An extension must extend a contract of the same area"
OTHER_PROGRAMME = "An extension must extend a contract of the same programme"
NO_PROGRAMME = "Choose one of the area's programmes"
# What the rules look at in a contract, besides its area.
TERMS = (
    "programme_id",
    "starts_on",
    "ends_on",
    "places_allocated",
    "value_pence",
    "extends_id",
    "pricing",
    "go_live_on",
)


def period_problems(
    starts_on: date,
    ends_on: date,
    places_allocated: int | None,
    value_pence: int,
    pricing: Pricing | str = Pricing.PER_PLACE,
    go_live_on: date | None = None,
) -> dict[str, str]:
    """The rules a contract meets on its own, as {field name: message}."""
    found = {}
    if ends_on < starts_on:
        found["ends_on"] = "End date must be the same as or after the start date"
    elif go_live_on is not None and not starts_on <= go_live_on <= ends_on:
        found["go_live_on"] = "Go-live date must be within the contract's dates"
    if places_allocated is None:
        if Pricing(pricing) is Pricing.PER_PLACE:
            found["places_allocated"] = (
                "Enter the number of places: a per-place contract is priced by them"
            )
    elif places_allocated < 1:
        found["places_allocated"] = "Places must be 1 or more"
    if value_pence < 0:
        found["value_pence"] = "Value must be £0 or more"
    return found


def problems(
    *,
    area_id: int,
    programme_id: int | None,
    starts_on: date,
    ends_on: date,
    places_allocated: int | None,
    value_pence: int,
    extends_id: int | None,
    pricing: Pricing | str = Pricing.PER_PLACE,
    go_live_on: date | None = None,
    contract_id: int | None = None,
) -> dict[str, str]:
    """Every rule, against the programme's other contracts as stored (`contract_id`: the
    contract being changed, which does not overlap itself)."""
    found = period_problems(starts_on, ends_on, places_allocated, value_pence, pricing, go_live_on)
    programme = db.session.get(Programme, programme_id) if programme_id else None
    if programme is None or programme.area_id != area_id:
        found["programme_id"] = NO_PROGRAMME
        return found
    overlapping = db.session.scalar(
        select(Contract.label).where(
            Contract.area_id == area_id,
            Contract.programme_id == programme_id,
            Contract.starts_on <= ends_on,
            Contract.ends_on >= starts_on,
            Contract.id != (contract_id or 0),
        )
    )
    if overlapping and not found:
        found["starts_on"] = (
            f"The period overlaps another {programme.name} contract of the area: {overlapping}"
        )
    if extends_id:
        extended = db.session.get(Contract, extends_id)
        if extended is None or extended.area_id != area_id:
            found["extends_id"] = OTHER_AREA
        elif extended.programme_id != programme_id:
            found["extends_id"] = OTHER_PROGRAMME
        elif extended.ends_on >= starts_on:
            found["extends_id"] = "An extension must start after the contract it extends"
    return found
