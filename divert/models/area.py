"""Regions, areas (the tenants) and their contracts for places."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from divert.models.base import AreaOwned, Base

if TYPE_CHECKING:
    from divert.models.user import Membership


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    lead_area_slug: Mapped[str | None] = mapped_column(String(64))
    regional_matching: Mapped[bool] = mapped_column(default=False)

    areas: Mapped[list[Area]] = relationship(back_populates="region", order_by="Area.name")


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
    bank_holidays: Mapped[str | None] = mapped_column(String(32))
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    region: Mapped[Region] = relationship(back_populates="areas")
    memberships: Mapped[list[Membership]] = relationship(back_populates="area")

    __table_args__ = (
        CheckConstraint("repeat_lookback_days > 0", name="lookback_positive"),
        CheckConstraint(
            "repeat_policy IN ('allow', 'refuse_if_not_engaged')", name="repeat_policy_known"
        ),
    )


class Contract(AreaOwned, Base):
    """Places an area pays for over a period; an extension points at the contract it extends."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    places_allocated: Mapped[int]
    value_pence: Mapped[int]
    funding_source: Mapped[str] = mapped_column(String(120))
    extends_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"))
    # The programme the places are for; none for a contract that covers the area's every one.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    is_example: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        UniqueConstraint("area_id", "starts_on", name="uq_contract_area_start"),
        CheckConstraint("ends_on >= starts_on", name="period_ordered"),
        CheckConstraint("places_allocated > 0", name="places_positive"),
        CheckConstraint("value_pence >= 0", name="value_not_negative"),
    )
