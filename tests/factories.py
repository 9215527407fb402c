"""Building records for tests through the application's own models."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from divert.auth import tokens
from divert.auth.passwords import hash_password
from divert.demo.accounts import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    REGIONAL_LEAD_EMAIL,
    account_email,
    create_demo_accounts,
)
from divert.extensions import db
from divert.models import Area, AreaInvitation, Membership, Region, Role, User, utcnow
from divert.tenancy import system_scope

__all__ = [
    "ADMIN_EMAIL",
    "DEMO_PASSWORD",
    "REGIONAL_LEAD_EMAIL",
    "account_email",
    "area",
    "create_demo_accounts",
    "make_invitation",
    "make_token",
    "make_user",
]

_PASSWORD_HASH = hash_password(DEMO_PASSWORD)  # hashing once keeps tests quick


def area(slug: str) -> Area:
    return db.session.scalars(select(Area).where(Area.slug == slug)).one()


def make_user(email: str, memberships: dict[str, Role] | None = None, **extra: object) -> User:
    """A user with DEMO_PASSWORD and a role in each named area ({area slug: role})."""
    user = User(
        email=email,
        name=extra.pop("name", email.split("@")[0]),
        password_hash=_PASSWORD_HASH,
        **extra,
    )
    db.session.add(user)
    with system_scope():  # memberships in any area
        for slug, role in (memberships or {}).items():
            user.memberships.append(Membership(area=area(slug), role=role))
        db.session.commit()
    return user


def make_token(
    user: User,
    *,
    area: Area | None = None,
    region: Region | None = None,
    lifetime: timedelta | None = None,
) -> str:
    """A committed API token for `user` in one area (or region); returns the secret."""
    with system_scope():  # a token of any area
        made = tokens.create_token(
            user, name="test token", area=area, region=region, lifetime=lifetime
        )
        db.session.commit()
        return made.secret


def make_invitation(user: User, area: Area, secret: str) -> None:
    """A committed, pending invitation for `user` to join `area` as an educator, its link's
    secret given (the manager's page makes one at random)."""
    with system_scope():  # an invitation to any area
        db.session.add(
            AreaInvitation(
                user_id=user.id,
                area_id=area.id,
                role=Role.EDUCATOR,
                name=user.name,
                email=user.email,
                secret_hash=tokens.digest(secret),
                expires_at=utcnow() + timedelta(days=3),
                created_by_id=user.id,
            )
        )
        db.session.commit()
