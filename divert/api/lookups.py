"""Reference items named by code in API requests (codes are shared by every area)."""

from __future__ import annotations

from sqlalchemy import select

from divert.api.problems import ApiError
from divert.extensions import db
from divert.models.reference import ReferenceItem


def by_codes(model: type[ReferenceItem], codes: list[str], field: str) -> list[ReferenceItem]:
    """The area's active items with these codes, in the order given; 422 naming any unknown."""
    if not codes:
        return []
    found = {
        item.code: item
        for item in db.session.scalars(
            select(model).where(model.code.in_(codes), model.active)  # type: ignore[attr-defined]
        )
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ApiError(
            422, f"Unknown code for this area: {unknown[0]}", code="unknown_code", field=field
        )
    return [found[code] for code in dict.fromkeys(codes)]


def by_code(model: type[ReferenceItem], code: str | None, field: str) -> ReferenceItem | None:
    return by_codes(model, [code], field)[0] if code else None
