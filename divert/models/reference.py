"""Per-area reference lists: substances, offences, interventions, venues, treatment services.

Each area edits its own list; `code` is shared across areas so regional figures can pool them.
"""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from divert.models.base import AreaOwned, Base


class ReferenceItem(AreaOwned):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (UniqueConstraint("area_id", "code", name=f"uq_{cls.__tablename__}_area_code"),)

    def __str__(self) -> str:
        return self.label


class Substance(ReferenceItem, Base):
    __tablename__ = "substance"


class Offence(ReferenceItem, Base):
    __tablename__ = "offence"


class Intervention(ReferenceItem, Base):
    __tablename__ = "intervention"


class Venue(ReferenceItem, Base):
    __tablename__ = "venue"

    address: Mapped[str | None] = mapped_column(String(255))


class TreatmentService(ReferenceItem, Base):
    __tablename__ = "treatment_service"
