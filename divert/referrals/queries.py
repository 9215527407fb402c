"""Which referrals an officer sees: only those they submitted (the area comes from tenancy)."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from divert.models import Referral, User


def submitted_by(officer: User) -> ColumnElement[bool]:
    return Referral.officer_id == officer.id
