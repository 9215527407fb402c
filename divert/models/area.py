"""Regions, areas (the tenants) and their contracts for places."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.models.base import AreaOwned, Base

if TYPE_CHECKING:
    from divert.models.programme import Programme
    from divert.models.user import Membership


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    lead_area_slug: Mapped[str | None] = mapped_column(String(64))
    regional_matching: Mapped[bool] = mapped_column(default=False)

    areas: Mapped[list[Area]] = relationship(back_populates="region", order_by="Area.name")

    def __str__(self) -> str:
        return self.name


class Area(Base):
    """A co-commissioning PCC area. Its settings come from tenants/<slug>.toml."""

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    repeat_lookback_days: Mapped[int] = mapped_column(default=365)
    repeat_policy: Mapped[str] = mapped_column(String(32), default="allow")
    missed_appointment_limit: Mapped[int] = mapped_column(default=2)
    no_contact_limit_days: Mapped[int] = mapped_column(default=28)
    retention_months: Mapped[int] = mapped_column(default=24)
    # Published figures hide counts under this (and whatever would reveal them).
    suppression_threshold: Mapped[int] = mapped_column(default=5, server_default="5")
    bank_holidays: Mapped[str | None] = mapped_column(String(32))
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    region: Mapped[Region] = relationship(back_populates="areas")
    memberships: Mapped[list[Membership]] = relationship(back_populates="area")

    __table_args__ = (
        CheckConstraint("repeat_lookback_days > 0", name="lookback_positive"),
        CheckConstraint("suppression_threshold > 0", name="threshold_positive"),
        CheckConstraint(
            "repeat_policy IN ('allow', 'refuse_if_not_engaged')", name="repeat_policy_known"
        ),
    )

    def __str__(self) -> str:
        return self.name


class Pricing(enum.StrEnum):
    PER_PLACE = "per_place"  # the value buys `places_allocated` places: value ÷ places each
    FIXED = "fixed"  # a contribution for the period, however many places are used


class Contract(AreaOwned, Base):
    """An area's terms for one programme for a period, as signed; an extension points at the
    contract it extends (of the same programme).

    Figures that were not published are marked as examples (the whole contract, or just its
    value or its places) and shown as examples wherever they appear.
    """

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    # The scheme may open before it is fully live (Warwickshire: July, then October 2023);
    # projections count from here.
    go_live_on: Mapped[date | None]
    ends_on: Mapped[date]
    pricing: Mapped[Pricing] = mapped_column(
        Enum(
            Pricing,
            native_enum=False,
            length=16,
            validate_strings=True,
            values_callable=lambda kinds: [kind.value for kind in kinds],
        ),
        default=Pricing.PER_PLACE,
        server_default=Pricing.PER_PLACE.value,
    )
    places_allocated: Mapped[int | None]
    value_pence: Mapped[int]
    funding_source: Mapped[str] = mapped_column(String(120))
    extends_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))
    # The programme the places and money are for: figures count only its referrals.
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    is_example: Mapped[bool] = mapped_column(default=False)
    value_is_example: Mapped[bool] = mapped_column(default=False, server_default=false())
    places_is_example: Mapped[bool] = mapped_column(default=False, server_default=false())

    extends: Mapped[Contract | None] = relationship(remote_side=[id])
    programme: Mapped[Programme] = relationship()

    __table_args__ = (
        UniqueConstraint(
            "area_id", "programme_id", "starts_on", name="uq_contract_area_programme_start"
        ),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("places_allocated > 0", name="places_positive"),
        CheckConstraint("value_pence >= 0", name="value_not_negative"),
        CheckConstraint(
            "pricing = 'fixed' OR places_allocated IS NOT NULL", name="per_place_has_places"
        ),
        CheckConstraint(
            "go_live_on IS NULL OR (go_live_on >= starts_on AND go_live_on <= ends_on)",
            name="go_live_within",
        ),
    )

    @property
    def value_example(self) -> bool:
        return self.is_example or self.value_is_example

    @property
    def places_example(self) -> bool:
        return self.is_example or self.places_is_example

    @property
    def counts_from(self) -> date:
        """The day projections count from: the go-live date, else the start."""
        return self.go_live_on or self.starts_on

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def __str__(self) -> str:
        return self.label
