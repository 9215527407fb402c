"""Declarative base, naming conventions and the AreaOwned mixin that tenancy keys on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import DateTime, Dialect, ForeignKey, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

# Stable constraint names let Alembic compare and alter constraints on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware in Python, also on SQLite (which drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # A naive value is taken to be UTC already (what SQLite hands back, too).
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class AreaOwned:
    """A record that belongs to one area. Every ORM query for it is scoped by divert.tenancy,
    and PostgreSQL's row-level security checks it again (migrations/row_security.py).

    A model whose rows may belong to no area (a sign-in's audit event) sets `area_optional` and
    declares its own nullable `area_id`: such rows are seen only in the system scope, unless it
    also sets `no_area_seen_everywhere` (a regional lead's API token: its region's, no area's).
    """

    area_optional: ClassVar[bool] = False
    no_area_seen_everywhere: ClassVar[bool] = False

    @declared_attr
    def area_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("area.id"), index=True)
